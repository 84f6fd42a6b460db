/// A console login with a password: a bcrypt hash, never the password.
public struct Account: Sendable, Hashable {
    public var id: String
    public var userName: String
    public var passwordHash: String
    public var createdAt: Timestamp
    public var disabledAt: Timestamp?
    /// Set when the password was issued by someone else (first start, a reset): the next login
    /// must choose a new one before anything else.
    public var mustChangePassword: Bool

    public init(
        id: String, userName: String, passwordHash: String, createdAt: Timestamp, disabledAt: Timestamp? = nil,
        mustChangePassword: Bool = false
    ) {
        self.id = id
        self.userName = userName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.disabledAt = disabledAt
        self.mustChangePassword = mustChangePassword
    }
}
