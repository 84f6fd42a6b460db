import SCIM

/// What an admin does with held deprovisions.
public enum HeldDecision: String, Sendable, Hashable, CaseIterable {
    /// Apply the held deprovision (delete, archive or keep suspended).
    case release
    /// Restore the user as it was before the hold.
    case reject
}

extension DirectoryService {
    /// The deletion guard's window: a connection makes at most its limit of deprovisions in it.
    static let deletionGuardWindowSeconds: Int64 = 3600

    // MARK: Holding

    /// Whether the connection's guard holds the next deprovision: it has made its limit in the
    /// last hour. The connection's row is locked first, so concurrent deprovisions take the last
    /// free slots one at a time.
    func deletionGuardHolds(_ connection: Connection, at now: Timestamp) async throws -> Bool {
        guard let limit = connection.deletionGuard else { return false }
        try await store.lockConnection(id: connection.id)
        let since = now.adding(seconds: -Self.deletionGuardWindowSeconds)
        return try await store.deprovisionCount(connectionID: connection.id, since: since) >= limit
    }

    /// Holds a deprovision: access is cut at once (the user is inactive, and hidden like a deleted
    /// user unless the action was `suspend`, so the IdP sees what it asked for), the row and its
    /// memberships stay until an admin decides. `before` is the user as it was, when the caller
    /// has already stored the deactivation.
    func hold(
        _ current: User, action: DeprovisionAction, trigger: String, caller: Caller, at now: Timestamp,
        note: ActivityNote, before: User? = nil
    ) async throws {
        let previous = before ?? current
        var held = current
        if current.active != false { held.setResource(current.resource.setting("active", false)) }
        if action != .suspend, held.archivedAt == nil { held.archivedAt = now }
        if held != current {
            held.updatedAt = now
            _ = try await store.replaceUser(held, expectedVersion: current.version)
        }
        // Held twice (suspended, then deleted): the store keeps how the user was at the first hold.
        try await store.holdDeprovision(
            HeldDeprovision(
                userID: current.id, userName: current.userName, connectionID: caller.connection.id, action: action,
                trigger: trigger, wasActive: previous.active != false, wasArchivedAt: previous.archivedAt, heldAt: now))
        try await store.recordDeprovisioning(
            userID: current.id, connectionID: caller.connection.id, action: action, at: now)
        note.deprovisioned(action, held: true)
        note.add(
            "\(current.userName) \(action.rawValue) held by the deletion guard (\(trigger); more than \(caller.connection.deletionGuard ?? 0) deprovisions in the last hour): suspended until an admin releases or rejects it"
        )
    }

    /// `active=false` stored with the `suspend` action: counted by the guard, and held past it
    /// (the user is suspended either way; a hold lets an admin take it back).
    func countSuspension(of stored: User, before: User, caller: Caller, note: ActivityNote) async throws {
        let now = clock.now()
        if try await deletionGuardHolds(caller.connection, at: now) {
            try await hold(
                stored, action: .suspend, trigger: "active=false", caller: caller, at: now, note: note, before: before)
            return
        }
        try await store.recordDeprovisioning(
            userID: stored.id, connectionID: caller.connection.id, action: .suspend, at: now)
        note.deprovisioned(.suspend, held: false)
        note.add("\(stored.userName) suspended (active=false: suspend)")
    }

    // MARK: Reading

    /// The connection's guard: its limit, the deprovisions of the last hour, what it holds.
    public func deletionGuard(
        connectionID: String, by actor: DirectoryActor
    ) async throws(SCIMError)
        -> DeletionGuardStatus
    {
        try actor.authorize(.readAccess)
        let now = clock.now()
        return try await read {
            guard let connection = try await store.connection(id: connectionID) else {
                throw StoreError.notFound("Connection \(connectionID)")
            }
            let since = now.adding(seconds: -Self.deletionGuardWindowSeconds)
            return DeletionGuardStatus(
                limit: connection.deletionGuard,
                lastHour: try await store.deprovisionCount(connectionID: connection.id, since: since),
                held: try await store.heldDeprovisions(connectionID: connection.id))
        }
    }

    // MARK: Deciding

    /// Releases or rejects the connection's held deprovisions: those of `userIDs`, or all of them
    /// (`nil`). Returns the ones decided. A user not held by this connection is 404.
    public func decideHeld(
        _ decision: HeldDecision, connectionID: String, userIDs: [String]?, by actor: DirectoryActor
    ) async throws(SCIMError) -> [HeldDeprovision] {
        try await change("guard.\(decision.rawValue)", by: actor) { service, note in
            guard let connection = try await service.store.connection(id: connectionID) else {
                throw StoreError.notFound("Connection \(connectionID)")
            }
            note.subject("Connection", connection.id)
            let all = try await service.store.heldDeprovisions(connectionID: connection.id)
            let chosen: [HeldDeprovision]
            if let userIDs {
                let byUser = Dictionary(all.map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })
                chosen = try userIDs.map { id in
                    guard let held = byUser[id] else {
                        throw SCIMError(
                            status: 404,
                            detail: "no deprovision of user \(id) is held for connection \(connection.name)")
                    }
                    return held
                }
            } else {
                chosen = all
            }
            for held in chosen {
                try await service.apply(decision, to: held, connection: connection)
            }
            note.related(chosen.map(\.userID))
            let names = chosen.prefix(10).map(\.userName).joined(separator: ", ")
            let more = chosen.count > 10 ? " and \(chosen.count - 10) more" : ""
            let verb = decision == .release ? "released" : "rejected"
            note.add(
                "\(verb) \(chosen.count) held deprovision\(chosen.count == 1 ? "" : "s") of \(connection.name)\(chosen.isEmpty ? "" : ": \(names)\(more)")"
            )
            return chosen
        }
    }

    private func apply(_ decision: HeldDecision, to held: HeldDeprovision, connection: Connection) async throws {
        try await store.deleteHeldDeprovision(userID: held.userID)
        guard let user = try await store.user(id: held.userID, includeArchived: true) else { return }
        let now = clock.now()
        switch decision {
        case .release:
            switch held.action {
            case .delete: try await store.deleteUser(id: user.id)
            case .archive, .suspend: break  // already hidden or suspended by the hold
            }
        case .reject:
            var restored = user
            restored.setResource(user.resource.setting("active", .bool(held.wasActive)))
            restored.archivedAt = held.wasArchivedAt
            restored.updatedAt = now
            _ = try await store.replaceUser(restored, expectedVersion: user.version)
            // The IdP's next write finds the user again rather than "already deprovisioned".
            try await store.clearDeprovisioning(userID: user.id, connectionID: connection.id)
        }
    }
}
