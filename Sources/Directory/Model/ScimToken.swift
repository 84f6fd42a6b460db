/// What a SCIM token may do.
public enum TokenScope: String, Sendable, Hashable, CaseIterable {
    case provision, read
}

/// A SCIM bearer token of a connection. The token itself is never stored: only its SHA-256 and a
/// short prefix to recognise it in the console.
public struct ScimToken: Sendable, Hashable {
    public var id: String
    public var connectionID: String
    public var name: String
    public var prefix: String
    /// Lower-case hex SHA-256 of the token.
    public var sha256: String
    public var scope: TokenScope
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var expiresAt: Timestamp?
    public var revokedAt: Timestamp?
    /// The client address of the last use (kept with ``lastUsedAt``, to the minute).
    public var lastUsedAddress: String?

    public init(
        id: String, connectionID: String, name: String, prefix: String, sha256: String, scope: TokenScope,
        createdAt: Timestamp, lastUsedAt: Timestamp? = nil, expiresAt: Timestamp? = nil, revokedAt: Timestamp? = nil,
        lastUsedAddress: String? = nil
    ) {
        self.lastUsedAddress = lastUsedAddress
        self.id = id
        self.connectionID = connectionID
        self.name = name
        self.prefix = prefix
        self.sha256 = sha256
        self.scope = scope
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether the token may be used at `now`.
    public func isUsable(at now: Timestamp) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}
