import SCIM

/// The profile of a local user as the console and the command line edit it.
public struct LocalUserProfile: Sendable, Hashable {
    public var userName: String
    public var displayName: String?
    public var givenName: String?
    public var familyName: String?
    public var email: String?

    public init(
        userName: String, displayName: String? = nil, givenName: String? = nil, familyName: String? = nil,
        email: String? = nil
    ) {
        self.userName = userName
        self.displayName = displayName
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
    }

    /// The profile over `existing`'s attributes (the ones it does not name stay).
    func resource(over existing: JSONObject = [:]) -> JSONObject {
        var resource = existing
        if resource["schemas"] == nil { resource["schemas"] = [.string(SCIMURN.user)] }
        resource["userName"] = .string(userName.trimmingSpaces())
        resource["displayName"] = Self.value(displayName)
        var name = existing["name"]?.objectValue ?? [:]
        name["givenName"] = Self.value(givenName)
        name["familyName"] = Self.value(familyName)
        resource["name"] = .object(name)
        if let email = email?.trimmingSpaces(), !email.isEmpty {
            resource["emails"] = [["value": .string(email), "type": "work", "primary": true]]
        } else {
            resource["emails"] = nil
        }
        return resource
    }

    private static func value(_ text: String?) -> JSONValue? {
        guard let text = text?.trimmingSpaces(), !text.isEmpty else { return nil }
        return .string(text)
    }
}

extension DirectoryService {
    // MARK: Local users

    /// Creates a local user (origin local: no connection writes it unless it adopts it).
    public func createLocalUser(
        _ profile: LocalUserProfile, by actor: DirectoryActor
    ) async throws(SCIMError)
        -> UserRecord
    {
        let resource = try ResourceValidator(resourceType: .user).validate(
            profile.resource().setting("active", true))
        return try await change("users.create", by: actor) { service, note in
            let now = service.clock.now()
            let user = User(
                id: service.ids.next(), resource: resource, origin: .local, createdAt: now, updatedAt: now,
                createdBy: actor.activityActor)
            let created = try await service.store.createUser(user)
            note.subject("User", created.id)
            note.add("created local user \(created.userName)")
            note.changed(FieldChange.between([:], created.resource))
            return UserRecord(user: created, groups: [])
        }
    }

    /// Edits a local user's profile. An IdP user's profile belongs to its connection: refused
    /// with a detail naming it.
    public func updateLocalUser(
        id: String, _ profile: LocalUserProfile, by actor: DirectoryActor
    ) async throws(SCIMError) -> UserRecord {
        try await change("users.update", by: actor) { service, note in
            note.subject("User", id)
            let existing = try await service.requireUser(id)
            if let refusal = try await service.ownedByConnection(
                "user \(existing.userName)", origin: existing.origin, action: "change the profile")
            {
                throw refusal
            }
            let resource = try ResourceValidator(resourceType: .user).validate(
                profile.resource(over: existing.resource), existing: existing.resource)
            var updated = existing
            updated.setResource(resource)
            updated.updatedAt = service.clock.now()
            let stored = try await service.store.replaceUser(updated, expectedVersion: existing.version)
            note.add("updated local user \(stored.userName)")
            note.changed(FieldChange.between(existing.resource, stored.resource))
            return UserRecord(user: stored, groups: try await service.store.groupMappings(userID: id))
        }
    }

    /// Suspends a local user (`active=false`: kept, cannot sign in). An IdP user is suspended by
    /// its connection (deactivate it there), so the console refuses.
    public func suspendUser(id: String, by actor: DirectoryActor) async throws(SCIMError) -> UserRecord {
        try await change("users.suspend", by: actor) { service, note in
            note.subject("User", id)
            let existing = try await service.requireUser(id)
            if let refusal = try await service.ownedByConnection(
                "user \(existing.userName)", origin: existing.origin, action: "deactivate it")
            {
                throw refusal
            }
            guard existing.active != false else {
                note.add("\(existing.userName) was already suspended")
                return UserRecord(user: existing, groups: try await service.store.groupMappings(userID: id))
            }
            let stored = try await service.setActive(existing, false, note: note)
            note.add("suspended \(stored.userName)")
            return UserRecord(user: stored, groups: try await service.store.groupMappings(userID: id))
        }
    }

    /// Restores a suspended local user, or an archived user of any origin (an archived IdP user is
    /// the administrator's to restore or delete: its connection has let go of it).
    public func restoreUser(id: String, by actor: DirectoryActor) async throws(SCIMError) -> UserRecord {
        try await change("users.restore", by: actor) { service, note in
            note.subject("User", id)
            let existing = try await service.requireUser(id, includeArchived: true)
            var stored = existing
            if existing.isArchived {
                var restored = existing
                restored.archivedAt = nil
                restored.updatedAt = service.clock.now()
                stored = try await service.store.replaceUser(restored, expectedVersion: existing.version)
                // An admin's restore settles a deletion guard's hold too: a later "release all"
                // must not delete a user the admin brought back.
                try await service.store.deleteHeldDeprovision(userID: existing.id)
                note.changed([FieldChange(field: "archived", old: "yes", new: "no")])
                note.add("restored archived user \(existing.userName)")
            } else if let refusal = try await service.ownedByConnection(
                "user \(existing.userName)", origin: existing.origin, action: "reactivate it")
            {
                throw refusal
            }
            if stored.active == false, stored.origin == .local {
                stored = try await service.setActive(stored, true, note: note)
                note.add("reactivated \(stored.userName)")
            }
            return UserRecord(user: stored, groups: try await service.store.groupMappings(userID: id))
        }
    }

    /// Deletes a local user, or an archived user of any origin. A live IdP user is deleted by its
    /// connection (unassign it there): refused with a detail naming it.
    public func deleteUser(id: String, by actor: DirectoryActor) async throws(SCIMError) {
        try await change("users.delete", by: actor) { service, note in
            note.subject("User", id)
            let existing = try await service.requireUser(id, includeArchived: true)
            if !existing.isArchived,
                let refusal = try await service.ownedByConnection(
                    "user \(existing.userName)", origin: existing.origin, action: "unassign or delete it")
            {
                throw refusal
            }
            try await service.store.deleteUser(id: id)
            note.add("deleted user \(existing.userName)")
        }
    }

    func requireUser(_ id: String, includeArchived: Bool = false) async throws -> User {
        guard let user = try await store.user(id: id, includeArchived: includeArchived) else {
            throw StoreError.notFound("User \(id)")
        }
        return user
    }

    func setActive(_ user: User, _ active: Bool, note: ActivityNote) async throws -> User {
        var updated = user
        updated.setResource(user.resource.setting("active", .bool(active)))
        updated.updatedAt = clock.now()
        note.changed([FieldChange(field: "active", old: user.active.map { String($0) }, new: String(active))])
        return try await store.replaceUser(updated, expectedVersion: user.version)
    }

    // MARK: Local groups

    /// Creates a local group.
    public func createLocalGroup(
        displayName: String, description: String? = nil, by actor: DirectoryActor
    ) async throws(SCIMError) -> GroupRecord {
        let resource = try Self.localGroupResource(displayName: displayName, description: description, over: [:])
        return try await change("groups.create", by: actor) { service, note in
            let now = service.clock.now()
            let group = Group(
                id: service.ids.next(), resource: resource, origin: .local, createdAt: now, updatedAt: now)
            let created = try await service.store.createGroup(group)
            note.subject("Group", created.id)
            note.add("created local group \(created.displayName)")
            note.changed(FieldChange.between([:], created.resource))
            return GroupRecord(group: created, members: [])
        }
    }

    /// Renames a local group or changes its description; an IdP group is refused.
    public func updateLocalGroup(
        id: String, displayName: String, description: String?, by actor: DirectoryActor
    ) async throws(SCIMError) -> GroupRecord {
        try await change("groups.update", by: actor) { service, note in
            note.subject("Group", id)
            let existing = try await service.requireGroup(id)
            if let refusal = try await service.ownedByConnection(
                "group \(existing.displayName)", origin: existing.origin, action: "rename or change it")
            {
                throw refusal
            }
            let resource = try Self.localGroupResource(
                displayName: displayName, description: description, over: existing.resource)
            var updated = existing
            updated.setResource(resource)
            updated.updatedAt = service.clock.now()
            let stored = try await service.store.replaceGroup(updated, expectedVersion: existing.version)
            note.add("updated local group \(stored.displayName)")
            note.changed(FieldChange.between(existing.resource, stored.resource))
            return GroupRecord(group: stored, members: nil)
        }
    }

    /// Deletes a local group and its memberships; an IdP group is deleted by its connection.
    public func deleteLocalGroup(id: String, by actor: DirectoryActor) async throws(SCIMError) {
        try await change("groups.delete", by: actor) { service, note in
            note.subject("Group", id)
            let existing = try await service.requireGroup(id)
            if let refusal = try await service.ownedByConnection(
                "group \(existing.displayName)", origin: existing.origin, action: "unlink or delete it")
            {
                throw refusal
            }
            try await service.store.deleteGroup(id: id)
            note.add("deleted local group \(existing.displayName)")
        }
    }

    static func localGroupResource(
        displayName: String, description: String?, over existing: JSONObject
    ) throws(SCIMError) -> JSONObject {
        var resource = existing
        if resource["schemas"] == nil { resource["schemas"] = [.string(SCIMURN.group)] }
        resource["displayName"] = .string(displayName.trimmingSpaces())
        let text = description?.trimmingSpaces() ?? ""
        resource["description"] = text.isEmpty ? nil : .string(text)
        resource["members"] = nil
        return try ResourceValidator(resourceType: .group).validate(resource)
    }

    func requireGroup(_ id: String) async throws -> Group {
        guard let group = try await store.group(id: id) else { throw StoreError.notFound("Group \(id)") }
        return group
    }

    // MARK: Manual memberships

    /// Adds manual memberships: allowed on any group, local or IdP, because a manual row is the
    /// console's own and no connection ever removes it. Ids that name no user are an error here
    /// (an admin named them), unlike SCIM, where they are skipped.
    public func addManualMembers(
        groupID: String, userIDs: [String], by actor: DirectoryActor
    ) async throws(SCIMError) -> MembershipChange {
        try await changeManualMembers("groups.members.add", groupID: groupID, by: actor) { service in
            try await service.store.addMembers(
                groupID: groupID, userIDs: userIDs, source: .manual, at: service.clock.now())
        }
    }

    /// Removes manual memberships only: a member held through a connection stays a member (the
    /// connection's mapping is the IdP's to remove). The orphan rule concerns connections' rows
    /// and does not run.
    public func removeManualMembers(
        groupID: String, userIDs: [String], by actor: DirectoryActor
    ) async throws(SCIMError) -> MembershipChange {
        try await changeManualMembers("groups.members.remove", groupID: groupID, by: actor) { service in
            try await service.store.removeMembers(
                groupID: groupID, userIDs: userIDs, source: .manual, at: service.clock.now())
        }
    }

    /// One change of a group's manual rows: the group must exist, an unknown user id fails the
    /// change, and the activity row says how many members were added or removed.
    private func changeManualMembers(
        _ operation: String, groupID: String, by actor: DirectoryActor,
        _ write: @escaping @Sendable (DirectoryService) async throws -> MembershipChange
    ) async throws(SCIMError) -> MembershipChange {
        try await change(operation, by: actor) { service, note in
            note.subject("Group", groupID)
            let group = try await service.requireGroup(groupID)
            let change = try await write(service)
            guard change.missing.isEmpty else {
                throw StoreError.notFound("User \(change.missing.joined(separator: ", "))")
            }
            note.add(
                service.describe(change, group: group.displayName).map { "\($0) (manual)" }
                    ?? "no manual membership change in \(group.displayName)")
            try await service.noteMembers(change, field: "members (manual)", note: note)
            return change
        }
    }
}
