/// A console session as stored: the SHA-256 of its cookie value (never the value), its account,
/// when it started, its absolute end and when it was last used (for the idle limit).
public struct Session: Sendable, Hashable {
    public var idHash: String
    public var accountID: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var lastSeenAt: Timestamp

    public init(idHash: String, accountID: String, createdAt: Timestamp, expiresAt: Timestamp, lastSeenAt: Timestamp) {
        self.idHash = idHash
        self.accountID = accountID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }
}
