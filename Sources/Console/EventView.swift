import Directory

/// One activity row as a timeline or the activity list shows it.
struct EventView: Sendable {
    struct Change: Sendable {
        var field: String
        var old: String?
        var new: String?
    }

    var id: String
    var when: String
    var iso: String
    var who: String
    var method: String
    var path: String
    var status: Int
    var failed: Bool
    var summary: String
    var changes: [Change]
    var hasChanges: Bool
    var duration: String
    var connection: String?

    init(_ event: ActivityEvent, names: Names) {
        id = event.id
        when = Format.when(event.at)
        iso = Format.iso(event.at)
        who = names.actor(event.actor, connectionID: event.connectionID)
        method = event.method
        path = event.path
        status = event.status
        failed = event.status >= 400
        summary = event.summary
        changes = event.changes.map { Change(field: $0.field, old: $0.old, new: $0.new) }
        hasChanges = !event.changes.isEmpty
        duration = Format.duration(microseconds: event.durationMicroseconds)
        connection = event.connectionID.map(names.connectionName)
    }
}
