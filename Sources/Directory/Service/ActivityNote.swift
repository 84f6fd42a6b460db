import Synchronization

/// What one request did, in words, gathered while the service works and written to the activity
/// log by whoever handled the request ("added 2 members to Engineers; removed ada@example.com; …").
public final class ActivityNote: Sendable {
    /// What a note held at one moment, to put it back when a transaction is run again.
    public struct Mark: Sendable {
        fileprivate let state: State
    }

    fileprivate struct State: Sendable {
        var parts: [String] = []
        var resourceType: String?
        var resourceID: String?
        var details: [String] = []
        var changes: [FieldChange] = []
        var actor: DirectoryActor?
        var failure: String?
        var related: [String] = []
        var rejectedConnectionID: String?
        var deprovisions: [NotedDeprovision] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds a clause to the one-line summary.
    public func add(_ part: String) {
        state.withLock { $0.parts.append(part) }
    }

    /// Adds a detail (an error, skipped ids) kept beside the summary.
    public func detail(_ text: String) {
        state.withLock { $0.details.append(text) }
    }

    /// Names the resource the request was about.
    public func subject(_ type: String, _ id: String?) {
        state.withLock {
            $0.resourceType = type
            if let id { $0.resourceID = id }
        }
    }

    /// Records the fields a change altered (old → new).
    public func changed(_ changes: [FieldChange]) {
        state.withLock { state in
            let room = FieldChange.maximumCount - state.changes.count
            if room > 0 { state.changes += changes.prefix(room) }
        }
    }

    /// Names other resources the request touched (the users of a membership change).
    public func related(_ ids: [String]) {
        state.withLock { state in
            let room = ActivityEvent.relatedLimit - state.related.count
            if room > 0 { state.related += ids.prefix(room) }
        }
    }

    /// Names the connection whose token was refused (revoked or expired), so its health counts it.
    public func rejected(connectionID: String) {
        state.withLock { $0.rejectedConnectionID = connectionID }
    }

    /// Records a deprovision (applied, or held by the deletion guard), for the metrics.
    public func deprovisioned(_ action: DeprovisionAction, held: Bool) {
        state.withLock { $0.deprovisions.append(NotedDeprovision(action: action, held: held)) }
    }

    /// The deprovisions the request made or had held.
    public var deprovisions: [NotedDeprovision] { state.withLock { $0.deprovisions } }

    public var relatedIDs: [String] { state.withLock { $0.related } }
    /// The connection the row belongs to: the caller's, or the one whose token was refused.
    public var connectionID: String? {
        state.withLock { $0.actor?.caller?.connection.id ?? $0.rejectedConnectionID }
    }

    /// Names who acted, once the request is authenticated.
    public func acted(by actor: DirectoryActor) {
        state.withLock { $0.actor = actor }
    }

    /// Records why the request failed (the detail its client received).
    public func failed(_ detail: String) {
        state.withLock { $0.failure = detail }
    }

    public var failure: String? { state.withLock { $0.failure } }

    /// The note as it is now.
    public func mark() -> Mark { Mark(state: state.withLock { $0 }) }

    /// Puts the note back as it was at `mark`.
    public func restore(_ mark: Mark) {
        state.withLock { $0 = mark.state }
    }
    public var changes: [FieldChange] { state.withLock { $0.changes } }
    public var actor: DirectoryActor? { state.withLock { $0.actor } }
    public var summary: String { state.withLock { $0.parts.joined(separator: "; ") } }
    public var details: String? {
        state.withLock { $0.details.isEmpty ? nil : $0.details.joined(separator: "\n") }
    }
    public var resourceType: String? { state.withLock { $0.resourceType } }
    public var resourceID: String? { state.withLock { $0.resourceID } }
}

/// One deprovision of a request: its action, and whether the deletion guard held it.
public struct NotedDeprovision: Sendable, Hashable {
    public var action: DeprovisionAction
    public var held: Bool
}
