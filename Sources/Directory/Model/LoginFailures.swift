/// Failed console logins of one subject (an account name or a client address) since `firstAt`:
/// what the login throttle counts.
public struct LoginFailures: Sendable, Hashable {
    public var subject: String
    public var failures: Int
    public var firstAt: Timestamp
    public var lastAt: Timestamp

    public init(subject: String, failures: Int, firstAt: Timestamp, lastAt: Timestamp) {
        self.subject = subject
        self.failures = failures
        self.firstAt = firstAt
        self.lastAt = lastAt
    }
}
