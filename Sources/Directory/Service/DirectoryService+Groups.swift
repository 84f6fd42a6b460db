import SCIM

extension DirectoryService {
    /// The member ids a group body carries (`members[].value`), checked like a PATCH value.
    static func memberIDs(in body: JSONObject) throws(SCIMError) -> [String]? {
        guard let members = body["members"], !members.isNull else { return nil }
        let operation = PatchOperation(
            op: .replace,
            path: PatchPath(attribute: AttributePath(name: "members"), valueFilter: nil, subAttribute: nil),
            value: members)
        let empty: JSONObject = ["schemas": [.string(SCIMURN.group)], "displayName": "-"]
        guard case .replaceAll(let ids)? = try Patcher.groups.apply([operation], to: empty).members else { return [] }
        return ids
    }

    /// Loads a group this caller may write: its own, or a local one it adopts.
    func writableGroup(_ id: String, caller: Caller) async throws -> Group? {
        guard let group = try await store.group(id: id) else { return nil }
        switch group.origin {
        case .local: return group
        case .idp(let owner) where owner == caller.connection.id: return group
        case .idp(let owner):
            let name = try await store.connection(id: owner)?.name ?? owner
            throw SCIMError(
                status: 403,
                detail:
                    "group \(group.displayName) is pushed by the connection \"\(name)\"; this connection (\"\(caller.connection.name)\") may not change it"
            )
        }
    }

    func skipped(_ change: MembershipChange, note: ActivityNote) {
        guard !change.missing.isEmpty else { return }
        note.add("skipped \(change.missing.count) unknown member id\(change.missing.count == 1 ? "" : "s")")
        note.detail("unknown member ids (skipped): \(change.missing.joined(separator: ", "))")
    }

    /// Notes a membership change for the activity row: the users it touched become related (so
    /// their timelines show it) and `field` records who came and went, by userName when the
    /// change is small, else by count (a full replace of a big group stays one short line).
    func noteMembers(_ change: MembershipChange, field: String, note: ActivityNote) async throws {
        guard !change.isEmpty else { return }
        note.related(change.added + change.removed)
        // Added users' names came with the insert; removed ones cost one read, when few.
        var known = change.userNames
        let unnamed = change.removed.count <= 10 ? change.removed.filter { known[$0] == nil } : []
        if !unnamed.isEmpty {
            for user in try await store.users(ids: unnamed) { known[user.id] = user.userName }
        }
        func names(_ ids: [String], _ sign: String) -> String? {
            guard !ids.isEmpty else { return nil }
            guard ids.count <= 10 else { return "\(sign)\(ids.count) users" }
            return ids.map { sign + (known[$0] ?? $0) }.joined(separator: ", ")
        }
        note.changed([
            FieldChange(
                field: field, old: names(change.removed, "-"), new: names(change.added, "+"))
        ])
    }

    func describe(_ change: MembershipChange, group: String) -> String? {
        var parts: [String] = []
        if !change.added.isEmpty {
            parts.append("added \(change.added.count) member\(change.added.count == 1 ? "" : "s") to \(group)")
        }
        if !change.removed.isEmpty {
            parts.append("removed \(change.removed.count) member\(change.removed.count == 1 ? "" : "s") from \(group)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// `POST /Groups`: a connection's group with its members as that connection's mappings.
    public func createGroup(
        _ body: JSONObject, by actor: DirectoryActor, note: ActivityNote
    ) async throws(SCIMError)
        -> GroupRecord
    {
        let caller = try actor.provisioningCaller()
        let memberIDs = try Self.memberIDs(in: body) ?? []
        var validated = try ResourceValidator(resourceType: .group).validate(body)
        validated["members"] = nil
        let resource = validated
        note.subject("Group", nil)
        return try await run(note: note) { service in
            let now = service.clock.now()
            let group = Group(
                id: service.ids.next(), resource: resource, origin: caller.origin, createdAt: now, updatedAt: now)
            var created = try await service.store.createGroup(group)
            note.subject("Group", created.id)
            note.add("created group \(created.displayName)")
            if !memberIDs.isEmpty {
                let change = try await service.store.addMembers(
                    groupID: created.id, userIDs: memberIDs, source: caller.source, at: now)
                if let text = service.describe(change, group: created.displayName) { note.add(text) }
                try await service.noteMembers(change, field: "members", note: note)
                service.skipped(change, note: note)
                created = try await service.store.group(id: created.id) ?? created
            }
            return GroupRecord(group: created, members: try await service.store.memberIDs(groupID: created.id))
        }
    }

    /// `PUT /Groups/{id}`: the body's `members` is the complete list of this connection's mappings;
    /// manual mappings stay.
    public func replaceGroup(
        id: String, body: JSONObject, ifMatch: String?, by actor: DirectoryActor, note: ActivityNote
    ) async throws(SCIMError) -> GroupRecord {
        let caller = try actor.provisioningCaller()
        // Without `members` the body asserts nothing about them (RFC 7644 §3.5.1): a rename-only
        // PUT must not empty the connection's mappings and set off the orphan rule.
        let memberIDs = try Self.memberIDs(in: body)
        var validated = try ResourceValidator(resourceType: .group).validate(body)
        validated["members"] = nil
        let resource = validated
        note.subject("Group", id)
        return try await run(ifMatch: ifMatch, note: note) { service in
            guard let existing = try await service.writableGroup(id, caller: caller) else {
                throw StoreError.notFound("Group \(id)")
            }
            try checkIfMatch(ifMatch, version: existing.version)
            return try await service.storeGroup(
                existing, resource: resource, members: memberIDs.map { .replaceAll($0) }, caller: caller, note: note)
        }
    }

    /// `PATCH /Groups/{id}`: attribute changes to the row, `members` as a delta of this
    /// connection's mappings (cost proportional to the change), then the orphan rule. The member
    /// list is read back only when `includeMembers` (it may be 100 000 ids long).
    public func patchGroup(
        id: String, request: PatchRequest, ifMatch: String?, by actor: DirectoryActor, note: ActivityNote,
        includeMembers: Bool = true
    ) async throws(SCIMError) -> GroupRecord {
        let caller = try actor.provisioningCaller()
        note.subject("Group", id)
        return try await run(ifMatch: ifMatch, note: note) { service in
            guard let existing = try await service.writableGroup(id, caller: caller) else {
                throw StoreError.notFound("Group \(id)")
            }
            try checkIfMatch(ifMatch, version: existing.version)
            var current = existing.resource
            current["id"] = .string(existing.id)
            let result = try Patcher.groups.apply(request, to: current)
            return try await service.storeGroup(
                existing, resource: result.changed ? result.resource : nil, members: result.members, caller: caller,
                note: note, includeMembers: includeMembers)
        }
    }

    /// Writes a group's new attributes (if any) and membership change (if any) in the caller's
    /// transaction, adopting a local group, then applies the orphan rule.
    func storeGroup(
        _ existing: Group, resource: JSONObject?, members: MembersDelta?, caller: Caller, note: ActivityNote,
        includeMembers: Bool = true
    ) async throws -> GroupRecord {
        let now = clock.now()
        var group = existing
        if resource != nil || existing.origin == .local {
            if let resource { group.setResource(resource) }
            if existing.origin == .local {
                group.origin = caller.origin
                note.add("group \(existing.displayName) adopted by \(caller.connection.name)")
            }
            group.updatedAt = now
            group = try await store.replaceGroup(group, expectedVersion: existing.version)
            note.changed(FieldChange.between(existing.resource, group.resource))
            if resource != nil, group.displayName != existing.displayName {
                note.add("renamed group \(existing.displayName) to \(group.displayName)")
            }
        }
        var removed: [String] = []
        if let members {
            let change: MembershipChange
            switch members {
            case .replaceAll(let ids):
                change = try await store.replaceMembers(groupID: group.id, userIDs: ids, source: caller.source, at: now)
            case .change(let added, let dropped):
                var combined = MembershipChange()
                if !dropped.isEmpty {
                    combined.removed = try await store.removeMembers(
                        groupID: group.id, userIDs: dropped, source: caller.source, at: now
                    ).removed
                }
                if !added.isEmpty {
                    let addition = try await store.addMembers(
                        groupID: group.id, userIDs: added, source: caller.source, at: now)
                    combined.added = addition.added
                    combined.missing = addition.missing
                    combined.userNames = addition.userNames
                }
                change = combined
            }
            if let text = describe(change, group: group.displayName) { note.add(text) }
            try await noteMembers(change, field: "members", note: note)
            if change.isEmpty, change.missing.isEmpty { note.add("no membership change in \(group.displayName)") }
            skipped(change, note: note)
            removed = change.removed
        }
        if resource == nil, members == nil, existing.origin != .local { note.add("no change to \(group.displayName)") }
        try await applyOrphanRule(removed: removed, caller: caller, note: note)
        let stored = try await store.group(id: group.id) ?? group
        return GroupRecord(group: stored, members: includeMembers ? try await store.memberIDs(groupID: group.id) : nil)
    }

    /// `DELETE /Groups/{id}`: the group and all its mappings go. The orphan rule does not run:
    /// Okta sends this when an admin unlinks a pushed group ("delete the group in the target
    /// app"), which says nothing about the users' assignments — deprovisioning them would leave
    /// Okta believing they still exist (docs/decisions/0006-orphan-rule-scope.md). Only the
    /// connection's own groups: a local group is adopted by PUT/PATCH, never deleted (403).
    public func deleteGroup(
        id: String, ifMatch: String? = nil, by actor: DirectoryActor, note: ActivityNote
    )
        async throws(SCIMError)
    {
        let caller = try actor.provisioningCaller()
        note.subject("Group", id)
        try await run(ifMatch: ifMatch, note: note) { service in
            guard let group = try await service.writableGroup(id, caller: caller) else {
                throw StoreError.notFound("Group \(id)")
            }
            if group.origin == .local {
                throw SCIMError(
                    status: 403,
                    detail:
                        "group \(group.displayName) is a local group; a connection deletes only the groups it pushes")
            }
            try checkIfMatch(ifMatch, version: group.version)
            try await service.store.deleteGroup(id: id)
            note.add("deleted group \(group.displayName)")
        }
    }
}
