/// The kind of identity provider a connection is for (it decides nothing today but the label and
/// which quirks the activity log names).
public enum ConnectionKind: String, Sendable, Hashable, CaseIterable {
    case okta, entra, generic
}

/// What deprovisioning does to a user (docs/architecture.md, "Rules": deprovisioning).
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
    /// The deletion guard: at most this many deprovisions an hour, after which further ones are
    /// held for an admin; `nil` turns it off.
    public var deletionGuard: Int?
    public var createdAt: Timestamp

    /// The deletion guard's default limit: deprovisions an hour.
    public static let defaultDeletionGuard = 50

    public init(
        id: String, name: String, kind: ConnectionKind, onDeactivate: DeprovisionAction = .suspend,
        onDelete: DeprovisionAction = .delete, orphanRule: OrphanRule = .delete,
        deletionGuard: Int? = Connection.defaultDeletionGuard, createdAt: Timestamp
    ) {
        self.deletionGuard = deletionGuard
        self.id = id
        self.name = name
        self.kind = kind
        self.onDeactivate = onDeactivate
        self.onDelete = onDelete
        self.orphanRule = orphanRule
        self.createdAt = createdAt
    }
}
