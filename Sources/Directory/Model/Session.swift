/// A console session, shared by every instance through the database; only the id's hash is kept.
public struct Session: Sendable, Hashable {
    public var idHash: String
    public var accountID: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(idHash: String, accountID: String, createdAt: Timestamp, expiresAt: Timestamp) {
        self.idHash = idHash
        self.accountID = accountID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
