import SCIM

extension DirectoryService {
    // MARK: Create

    /// `POST /Users` from a connection (RFC 7644 §3.3). A clash with an existing userName is 409
    /// (Okta then looks the user up and links it), except for a user this connection — or the
    /// console — archived, which comes back: "restored when the IdP creates the same userName".
    public func createUser(
        _ body: JSONObject, by actor: DirectoryActor, note: ActivityNote
    ) async throws(SCIMError)
        -> UserRecord
    {
        let caller = try actor.provisioningCaller()
        let resource = try ResourceValidator(resourceType: .user).validate(body)
        let userName = resource["userName"]?.stringValue ?? ""
        note.subject("User", nil)
        return try await run(note: note) { service in
            let now = service.clock.now()
            let user = User(
                id: service.ids.next(), resource: resource, origin: caller.origin, createdAt: now, updatedAt: now,
                createdBy: "connection:\(caller.connection.id)")
            // Insert first and look only on a clash: a create that succeeds (the common case) is
            // then one statement, not a lookup and an insert.
            let created: User
            do {
                created = try await service.store.createUser(user)
            } catch StoreError.conflict(attribute: "userName", value: _) {
                guard var existing = try await service.store.user(userName: userName) else {
                    throw StoreError.conflict(attribute: "userName", value: userName)
                }
                let reclaimable = existing.origin == caller.origin || existing.origin == .local
                if existing.isArchived, !reclaimable {
                    throw SCIMError.uniqueness(
                        "userName \"\(userName)\" belongs to an archived user of another connection; an administrator must delete or restore it first"
                    )
                }
                guard existing.isArchived, reclaimable else {
                    let owner = existing.origin == .local ? "a local user" : "a user of another connection"
                    throw SCIMError.uniqueness(
                        "userName \"\(userName)\" already exists (\(existing.origin == caller.origin ? "provisioned by this connection" : owner)); look it up with filter=userName eq \"\(userName)\""
                    )
                }
                note.changed(FieldChange.between(existing.resource, resource))
                existing.setResource(resource)
                existing.archivedAt = nil
                existing.origin = caller.origin
                existing.updatedAt = now
                let restored = try await service.store.replaceUser(existing, expectedVersion: existing.version)
                try await service.store.clearDeprovisioning(userID: existing.id, connectionID: caller.connection.id)
                try await service.store.deleteHeldDeprovision(userID: existing.id)
                note.subject("User", existing.id)
                note.add("restored archived user \(userName)")
                return UserRecord(user: restored, groups: try await service.store.groupMappings(userID: existing.id))
            }
            note.subject("User", created.id)
            note.add("created user \(userName)")
            note.changed(FieldChange.between([:], created.resource))
            if resource["password"] != nil { note.add("password accepted and discarded (never stored)") }
            return UserRecord(user: created, groups: [])
        }
    }

    // MARK: Replace and patch

    /// Loads a user this caller may write: its own, or a local one it adopts. Another
    /// connection's user is 403 with a detail naming the owner.
    func writableUser(_ id: String, caller: Caller) async throws -> User? {
        guard let user = try await store.user(id: id) else { return nil }
        switch user.origin {
        case .local: return user
        case .idp(let owner) where owner == caller.connection.id: return user
        case .idp(let owner):
            let name = try await store.connection(id: owner)?.name ?? owner
            throw SCIMError(
                status: 403,
                detail:
                    "user \(user.userName) is provisioned by the connection \"\(name)\"; this connection (\"\(caller.connection.name)\") may not change it"
            )
        }
    }

    /// `PUT /Users/{id}` (RFC 7644 §3.5.1): the body replaces every writable attribute.
    public func replaceUser(
        id: String, body: JSONObject, ifMatch: String?, by actor: DirectoryActor, note: ActivityNote
    ) async throws(SCIMError) -> WriteOutcome<UserRecord> {
        let caller = try actor.provisioningCaller()
        note.subject("User", id)
        return try await run(ifMatch: ifMatch, note: note) { service in
            guard let existing = try await service.writableUser(id, caller: caller) else {
                return try await service.alreadyRemoved(
                    id, caller: caller, deactivating: body["active"].isFalse, note: note)
            }
            try checkIfMatch(ifMatch, version: existing.version)
            let resource = try ResourceValidator(resourceType: .user).validate(body, existing: existing.resource)
            return try await service.store(existing, resource: resource, caller: caller, note: note)
        }
    }

    /// `PATCH /Users/{id}` (RFC 7644 §3.5.2).
    public func patchUser(
        id: String, request: PatchRequest, ifMatch: String?, by actor: DirectoryActor, note: ActivityNote
    ) async throws(SCIMError) -> WriteOutcome<UserRecord> {
        let caller = try actor.provisioningCaller()
        note.subject("User", id)
        return try await run(ifMatch: ifMatch, note: note) { service in
            guard let existing = try await service.writableUser(id, caller: caller) else {
                return try await service.alreadyRemoved(
                    id, caller: caller, deactivating: request.deactivates, note: note)
            }
            try checkIfMatch(ifMatch, version: existing.version)
            var current = existing.resource
            current["id"] = .string(existing.id)
            let result = try Patcher.users.apply(request, to: current)
            if !result.changed {
                note.add("no change to \(existing.userName)")
                if existing.origin == .local { return try await service.adopt(existing, caller: caller, note: note) }
                return .resource(UserRecord(user: existing, groups: try await service.store.groupMappings(userID: id)))
            }
            return try await service.store(existing, resource: result.resource, caller: caller, note: note)
        }
    }

    /// A local user written by a connection becomes that connection's user, even if nothing else changed.
    func adopt(_ user: User, caller: Caller, note: ActivityNote) async throws -> WriteOutcome<UserRecord> {
        var adopted = user
        adopted.origin = caller.origin
        adopted.updatedAt = clock.now()
        let stored = try await store.replaceUser(adopted, expectedVersion: user.version)
        note.add("\(user.userName) adopted by \(caller.connection.name)")
        return .resource(UserRecord(user: stored, groups: try await store.groupMappings(userID: user.id)))
    }

    /// Stores new attributes, adopting a local user and applying the `active=false` trigger.
    func store(
        _ existing: User, resource: JSONObject, caller: Caller, note: ActivityNote
    ) async throws
        -> WriteOutcome<UserRecord>
    {
        var updated = existing
        updated.setResource(resource)
        updated.updatedAt = clock.now()
        if existing.origin == .local {
            updated.origin = caller.origin
            note.add("\(existing.userName) adopted by \(caller.connection.name)")
        }
        if resource["password"] != nil { note.add("password accepted and discarded (never stored)") }
        let deactivated = existing.active != false && updated.active == false
        let reactivated = existing.active == false && updated.active != false
        let stored = try await store.replaceUser(updated, expectedVersion: existing.version)
        note.add("updated \(stored.userName)")
        note.changed(FieldChange.between(existing.resource, stored.resource))
        if reactivated {
            // The IdP took its deactivation back: nothing is left for the deletion guard to hold.
            try await store.deleteHeldDeprovision(userID: stored.id)
            note.add("\(stored.userName) reactivated")
        }
        if deactivated, caller.connection.onDeactivate != .suspend {
            try await deprovision(
                stored, action: caller.connection.onDeactivate, trigger: "active=false", caller: caller, note: note,
                before: existing)
            return .removed
        }
        if deactivated { try await countSuspension(of: stored, before: existing, caller: caller, note: note) }
        return .resource(UserRecord(user: stored, groups: try await store.groupMappings(userID: stored.id)))
    }

    /// A write to a user that is not there: 204 when this connection deprovisioned it and the
    /// request deactivates it again (idempotent for the IdP), else 404.
    func alreadyRemoved(
        _ id: String, caller: Caller, deactivating: Bool, note: ActivityNote
    ) async throws
        -> WriteOutcome<UserRecord>
    {
        if deactivating, try await store.deprovisioning(userID: id, connectionID: caller.connection.id) != nil {
            note.add("user \(id) was already deprovisioned; nothing to do")
            return .removed
        }
        throw StoreError.notFound("User \(id)")
    }

    // MARK: Delete

    /// `DELETE /Users/{id}`: the connection's `onDelete` action (delete or archive). Only the
    /// connection's own users: a local user is adopted by PUT/PATCH, never deleted outright (403).
    public func deleteUser(
        id: String, ifMatch: String? = nil, by actor: DirectoryActor, note: ActivityNote
    )
        async throws(SCIMError)
    {
        let caller = try actor.provisioningCaller()
        note.subject("User", id)
        try await run(ifMatch: ifMatch, note: note) { service in
            guard let user = try await service.writableUser(id, caller: caller) else {
                throw StoreError.notFound("User \(id)")
            }
            if user.origin == .local {
                throw SCIMError(
                    status: 403,
                    detail: "user \(user.userName) is a local user; a connection deletes only the users it provisions")
            }
            try checkIfMatch(ifMatch, version: user.version)
            let action = caller.connection.onDelete == .suspend ? .delete : caller.connection.onDelete
            try await service.deprovision(user, action: action, trigger: "DELETE", caller: caller, note: note)
        }
    }

    // MARK: Deprovisioning

    /// Suspends, archives or deletes a user, remembering it so a repeated `active=false` from the
    /// same connection is answered 204.
    /// `before` is the user as it was when the caller has already stored part of the change (an
    /// `active=false` stored before its action), so that a held deprovision's reject restores that.
    func deprovision(
        _ user: User, action: DeprovisionAction, trigger: String, caller: Caller, note: ActivityNote,
        before: User? = nil
    )
        async throws
    {
        let now = clock.now()
        guard let current = try await store.user(id: user.id) else { return }
        if action == .suspend, current.active == false { return }
        if try await deletionGuardHolds(caller.connection, at: now) {
            try await hold(
                current, action: action, trigger: trigger, caller: caller, at: now, note: note, before: before)
            return
        }
        switch action {
        case .suspend:
            guard current.active != false else { return }
            var suspended = current
            suspended.setResource(current.resource.setting("active", false))
            suspended.updatedAt = now
            _ = try await store.replaceUser(suspended, expectedVersion: current.version)
        case .archive:
            var archived = current
            archived.archivedAt = now
            archived.updatedAt = now
            _ = try await store.replaceUser(archived, expectedVersion: current.version)
        case .delete:
            try await store.deleteUser(id: current.id)
        }
        try await store.recordDeprovisioning(
            userID: user.id, connectionID: caller.connection.id, action: action, at: now)
        note.deprovisioned(action, held: false)
        note.add("\(user.userName) deprovisioned (\(trigger): \(action.rawValue))")
    }

    /// The orphan rule: of the users that just lost memberships from this connection, its own
    /// users with no membership from it left are deprovisioned by the connection's rule.
    func applyOrphanRule(removed: [String], caller: Caller, note: ActivityNote) async throws {
        let rule = caller.connection.orphanRule
        guard !removed.isEmpty else { return }
        let action: DeprovisionAction
        switch rule {
        case .off: return
        case .delete: action = .delete
        case .archive: action = .archive
        case .suspend: action = .suspend
        }
        // Lock the users first (ids in order, so two requests never deadlock), then look: under
        // READ COMMITTED a concurrent removal of the same user's other membership has either
        // committed by then — and is seen — or waits for this transaction and sees it.
        try await store.lockUsers(Array(Set(removed)).sorted())
        for id in try await store.usersWithoutMemberships(among: removed, source: caller.source) {
            guard let user = try await store.user(id: id), user.origin == caller.origin else { continue }
            try await deprovision(user, action: action, trigger: "orphan rule", caller: caller, note: note)
        }
    }
}

extension Optional where Wrapped == JSONValue {
    /// `false`, or Entra's `"False"`.
    var isFalse: Bool {
        switch self {
        case .bool(false)?: return true
        case .string(let text)?: return text.lowercased() == "false"
        default: return false
        }
    }
}

extension PatchRequest {
    /// Whether an operation sets `active` to false (path `active`, or a path-less value).
    var deactivates: Bool {
        operations.contains { operation in
            guard operation.op != .remove else { return false }
            if let path = operation.path {
                return path.attribute.name.lowercased() == "active" && path.valueFilter == nil
                    && operation.value.isFalse
            }
            return operation.value?.objectValue?["active"].isFalse ?? false
        }
    }
}

extension JSONObject {
    func setting(_ key: String, _ value: JSONValue) -> JSONObject {
        var copy = self
        copy[key] = value
        return copy
    }
}
