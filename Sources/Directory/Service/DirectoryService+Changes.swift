import SCIM

extension DirectoryService {
    /// A change from the console, the command line or a job: authorized, run in one transaction
    /// that also writes its activity row (naming the actor, the operation and the fields it
    /// changed); a refused or failed change writes a row of its own naming the failure.
    func change<T: Sendable>(
        _ operation: String, by actor: DirectoryActor, permission: Permission = .administer,
        _ body: @escaping @Sendable (DirectoryService, ActivityNote) async throws -> T
    ) async throws(SCIMError) -> T {
        let note = ActivityNote()
        note.acted(by: actor)
        let started = ContinuousClock.now
        do {
            try actor.authorize(permission)
            return try await run(note: note) { service in
                let result = try await body(service, note)
                try await service.store.recordActivity(
                    service.activityEvent(operation, actor: actor, note: note, status: 200, started: started))
                return result
            }
        } catch {
            var event = activityEvent(operation, actor: actor, note: note, status: error.status, started: started)
            event.summary = "\(operation) refused: \(error.detail)"
            event.detail = error.detail
            event.changes = []
            try? await store.recordActivity(event)
            throw error
        }
    }

    func activityEvent(
        _ operation: String, actor: DirectoryActor, note: ActivityNote, status: Int, started: ContinuousClock.Instant
    ) -> ActivityEvent {
        let micros = (ContinuousClock.now - started).microseconds
        let summary = note.summary
        return ActivityEvent(
            id: ids.next(), at: clock.now(), connectionID: actor.caller?.connection.id, actor: actor.activityActor,
            method: actor.channel, path: operation, status: status, resourceType: note.resourceType,
            resourceID: note.resourceID, summary: summary.isEmpty ? operation : summary, detail: note.details,
            durationMicroseconds: micros, changes: note.changes, related: note.relatedIDs)
    }

    /// 403 naming the connection that owns an IdP object the console may not edit.
    func ownedByConnection(_ what: String, origin: Origin, action: String) async throws -> SCIMError? {
        guard let owner = origin.connectionID else { return nil }
        let name = try await store.connection(id: owner)?.name ?? owner
        return .forbidden(
            "\(what) is provisioned by the connection \"\(name)\"; \(action) in \(name), which owns it (manual group memberships and roles stay editable here)"
        )
    }
}
