/// A deprovision the connection's deletion guard held: the user's access is already cut (it is
/// suspended, and hidden unless the action was `suspend`), but the action waits for an admin to
/// release it (apply it) or reject it (restore the user as it was).
public struct HeldDeprovision: Sendable, Hashable {
    public var userID: String
    /// The userName when it was held, for lists that outlive the user row.
    public var userName: String
    public var connectionID: String
    /// What the connection's policy would have done.
    public var action: DeprovisionAction
    /// `active=false`, `DELETE` or `orphan rule`.
    public var trigger: String
    /// The user as it was, for a reject.
    public var wasActive: Bool
    public var wasArchivedAt: Timestamp?
    public var heldAt: Timestamp

    public init(
        userID: String, userName: String, connectionID: String, action: DeprovisionAction, trigger: String,
        wasActive: Bool, wasArchivedAt: Timestamp?, heldAt: Timestamp
    ) {
        self.userID = userID
        self.userName = userName
        self.connectionID = connectionID
        self.action = action
        self.trigger = trigger
        self.wasActive = wasActive
        self.wasArchivedAt = wasArchivedAt
        self.heldAt = heldAt
    }
}

/// The deletion guard's state for a connection: how many deprovisions it made in the last hour
/// against its limit, and what is held.
public struct DeletionGuardStatus: Sendable, Hashable {
    /// Deprovisions allowed per hour; `nil` when the guard is off.
    public var limit: Int?
    /// Deprovisions recorded in the last hour (held ones included).
    public var lastHour: Int
    public var held: [HeldDeprovision]

    public init(limit: Int?, lastHour: Int, held: [HeldDeprovision]) {
        self.limit = limit
        self.lastHour = lastHour
        self.held = held
    }

    /// Whether further deprovisions are being held right now.
    public var isTripped: Bool { limit.map { lastHour >= $0 } ?? false }
}
