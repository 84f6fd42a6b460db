/// A console login: a local account with a bcrypt hash (never the password).
public struct Account: Sendable, Hashable {
    public var id: String
    public var userName: String
    public var passwordHash: String
    public var createdAt: Timestamp
    public var disabledAt: Timestamp?

    public init(id: String, userName: String, passwordHash: String, createdAt: Timestamp, disabledAt: Timestamp? = nil)
    {
        self.id = id
        self.userName = userName
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}
