/// Who a console session is for: a local account, or a directory user who signed in through
/// their connection's IdP.
public enum SessionSubject: Sendable, Hashable {
    case account(String)
    case user(id: String, connectionID: String)
}

/// A console session as stored: the SHA-256 of its cookie value (never the value), whom it is
/// for, when it started, its absolute end and when it was last used (for the idle limit).
public struct Session: Sendable, Hashable {
    public var idHash: String
    public var subject: SessionSubject
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var lastSeenAt: Timestamp

    public init(
        idHash: String, subject: SessionSubject, createdAt: Timestamp, expiresAt: Timestamp, lastSeenAt: Timestamp
    ) {
        self.idHash = idHash
        self.subject = subject
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
    }

    /// A local account's session.
    public init(idHash: String, accountID: String, createdAt: Timestamp, expiresAt: Timestamp, lastSeenAt: Timestamp) {
        self.init(
            idHash: idHash, subject: .account(accountID), createdAt: createdAt, expiresAt: expiresAt,
            lastSeenAt: lastSeenAt)
    }
}
