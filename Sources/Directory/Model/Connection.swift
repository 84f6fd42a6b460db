/// The kind of identity provider a connection is for (it decides nothing today but the label and
/// which quirks the activity log names).
public enum ConnectionKind: String, Sendable, Hashable, CaseIterable {
    case okta, entra, generic
}

/// What deprovisioning does to a user (DESIGN.md "Deprovisioning").
public enum DeprovisionAction: String, Sendable, Hashable, CaseIterable {
    /// Kept, `active=false`, cannot log in.
    case suspend
    /// Hidden and answered 404 like a deleted user, cannot log in; restored when the IdP creates
    /// the same userName again.
    case archive
    case delete
}

/// The orphan rule: what happens to an IdP user whose last membership from that connection was
/// just removed. `off` disables it.
public enum OrphanRule: String, Sendable, Hashable, CaseIterable {
    case delete, archive, suspend, off
}

/// An identity-provider connection: its SCIM tokens write as it, and its policies decide
/// deprovisioning.
public struct Connection: Sendable, Hashable {
    public var id: String
    public var name: String
    public var kind: ConnectionKind
    /// Trigger `active=false` (default suspend: Okta's and Entra's own tests read the user back).
    public var onDeactivate: DeprovisionAction
    /// Trigger `DELETE /Users` (default delete; suspend is not offered: a deleted user must go).
    public var onDelete: DeprovisionAction
    public var orphanRule: OrphanRule
    public var createdAt: Timestamp

    public init(
        id: String, name: String, kind: ConnectionKind, onDeactivate: DeprovisionAction = .suspend,
        onDelete: DeprovisionAction = .delete, orphanRule: OrphanRule = .delete, createdAt: Timestamp
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.onDeactivate = onDeactivate
        self.onDelete = onDelete
        self.orphanRule = orphanRule
        self.createdAt = createdAt
    }
}

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

    public init(
        id: String, connectionID: String, name: String, prefix: String, sha256: String, scope: TokenScope,
        createdAt: Timestamp, lastUsedAt: Timestamp? = nil, expiresAt: Timestamp? = nil, revokedAt: Timestamp? = nil
    ) {
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

/// Console roles. Viewers see everything and change nothing.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case admin, viewer
}

/// Who a role is given to.
public enum RoleSubject: Sendable, Hashable {
    case account(String)
    case user(String)
    case group(String)

    public var kind: String {
        switch self {
        case .account: return "account"
        case .user: return "user"
        case .group: return "group"
        }
    }

    public var id: String {
        switch self {
        case .account(let id), .user(let id), .group(let id): return id
        }
    }

    public init?(kind: String, id: String) {
        switch kind {
        case "account": self = .account(id)
        case "user": self = .user(id)
        case "group": self = .group(id)
        default: return nil
        }
    }
}

/// A role given to a subject.
public struct RoleAssignment: Sendable, Hashable {
    public var role: Role
    public var subject: RoleSubject
    public var createdAt: Timestamp

    public init(role: Role, subject: RoleSubject, createdAt: Timestamp) {
        self.role = role
        self.subject = subject
        self.createdAt = createdAt
    }
}

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

/// One row of the activity log: every SCIM request and every console change.
public struct ActivityEvent: Sendable, Hashable {
    public var id: String
    public var at: Timestamp
    public var connectionID: String?
    /// Who acted, when it was a console account.
    public var actor: String?
    public var method: String
    public var path: String
    public var status: Int
    public var resourceType: String?
    public var resourceID: String?
    public var summary: String
    public var detail: String?
    public var durationMicroseconds: Int64

    public init(
        id: String, at: Timestamp, connectionID: String? = nil, actor: String? = nil, method: String, path: String,
        status: Int, resourceType: String? = nil, resourceID: String? = nil, summary: String, detail: String? = nil,
        durationMicroseconds: Int64 = 0
    ) {
        self.id = id
        self.at = at
        self.connectionID = connectionID
        self.actor = actor
        self.method = method
        self.path = path
        self.status = status
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.summary = summary
        self.detail = detail
        self.durationMicroseconds = durationMicroseconds
    }
}
