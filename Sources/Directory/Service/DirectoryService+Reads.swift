import SCIM

/// A member of a group as the console lists it: the user and every mapping that holds it there.
public struct GroupMember: Sendable, Hashable {
    public var user: User
    public var sources: [MembershipSource]
    public var since: [MembershipSource: Timestamp]
}

/// One page of a group's members, in user-id order.
public struct GroupMembersPage: Sendable, Hashable {
    public var members: [GroupMember]
    public var total: Int
    /// The `after` of the next page, when there is one.
    public var next: String?
}

/// A role a user holds, directly or through one of its groups.
public struct RoleHolding: Sendable, Hashable {
    public var role: Role
    /// The group it comes through; `nil` when given to the user itself.
    public var groupID: String?
    public var groupName: String?
}

/// What a connection's page warns about: its traffic in the last 24 hours and its tokens.
public struct ConnectionHealth: Sendable, Hashable {
    public var lastRequestAt: Timestamp?
    public var requests: Int
    public var errors: Int
    /// 401s answered to a revoked or expired token of this connection.
    public var rejectedTokens: Int
    /// Live tokens that stop working within ``ConnectionHealth/expiryWarning``.
    public var expiringSoon: [ScimToken]

    public static let expiryWarning: Int64 = 14 * 86_400
}

extension DirectoryService {
    /// The users with these ids (archived included), in the order asked.
    public func users(ids: [String], by actor: DirectoryActor) async throws(SCIMError) -> [User] {
        try actor.authorize(.read)
        let found = try await read { try await store.users(ids: ids) }
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    /// A live user by case-insensitive userName; 404 when there is none.
    public func user(userName: String, by actor: DirectoryActor) async throws(SCIMError) -> User {
        try actor.authorize(.read)
        return try await read {
            guard let user = try await store.user(userName: userName), !user.isArchived else {
                throw StoreError.notFound("User \(userName)")
            }
            return user
        }
    }

    /// A live group by case-insensitive displayName; 404 when there is none.
    public func group(displayName: String, by actor: DirectoryActor) async throws(SCIMError) -> Group {
        try actor.authorize(.read)
        return try await read {
            guard let group = try await store.group(displayName: displayName), !group.isArchived else {
                throw StoreError.notFound("Group \(displayName)")
            }
            return group
        }
    }

    /// A page of a group's members with each one's mappings (IdP and manual told apart).
    public func groupMembers(
        groupID: String, after: String?, count: Int, by actor: DirectoryActor
    ) async throws(SCIMError) -> GroupMembersPage {
        try actor.authorize(.read)
        let size = max(1, min(count, 200))
        return try await read {
            guard try await store.group(id: groupID) != nil else { throw StoreError.notFound("Group \(groupID)") }
            let ids = try await store.memberIDs(groupID: groupID, after: after, count: size + 1)
            let pageIDs = Array(ids.prefix(size))
            let rows = try await store.memberships(groupID: groupID, userIDs: pageIDs)
            let users = Dictionary(
                try await store.users(ids: pageIDs).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var members: [GroupMember] = []
            for id in pageIDs {
                guard let user = users[id] else { continue }
                let mine = rows.filter { $0.userID == id }
                members.append(
                    GroupMember(
                        user: user, sources: mine.map(\.source),
                        since: Dictionary(
                            mine.map { ($0.source, $0.createdAt) }, uniquingKeysWith: { first, _ in first })))
            }
            return GroupMembersPage(
                members: members, total: try await store.memberCount(groupID: groupID),
                next: ids.count > size ? pageIDs.last : nil)
        }
    }

    /// The roles a user holds: given to it, or to a group it is in.
    public func roles(of record: UserRecord, by actor: DirectoryActor) async throws(SCIMError) -> [RoleHolding] {
        try actor.authorize(.readAccess)
        let assignments = try await read { try await store.roleAssignments() }
        var holdings = assignments.filter { $0.subject == .user(record.user.id) }.map {
            RoleHolding(role: $0.role, groupID: nil, groupName: nil)
        }
        for mapping in record.groups {
            for assignment in assignments where assignment.subject == .group(mapping.groupID) {
                holdings.append(
                    RoleHolding(role: assignment.role, groupID: mapping.groupID, groupName: mapping.displayName))
            }
        }
        return holdings
    }

    public func roleAssignments(of subject: RoleSubject, by actor: DirectoryActor) async throws(SCIMError) -> [Role] {
        try await roleAssignments(by: actor).filter { $0.subject == subject }.map(\.role)
    }

    /// The token record a secret stands for (found by its hash), revoked or not; for the
    /// console's connector check, which says whose token was pasted.
    public func token(matching secret: String, by actor: DirectoryActor) async throws(SCIMError) -> ScimToken? {
        try actor.authorize(.readAccess)
        guard !secret.isEmpty, secret.utf8.count <= 512 else { return nil }
        return try await read { try await store.token(sha256: Self.hash(token: secret)) }
    }

    // MARK: Activity

    /// Activity rows, newest first: the console's log and timelines (not for SCIM tokens).
    public func activity(
        _ query: ActivityQuery, by actor: DirectoryActor
    ) async throws(SCIMError) -> Page<ActivityEvent> {
        try actor.authorize(.readAccess)
        return try await read { try await store.activity(query) }
    }

    /// One activity row and the resources it touched.
    public func activityEvent(
        id: String, by actor: DirectoryActor
    ) async throws(SCIMError) -> (event: ActivityEvent, subjects: [String]) {
        try actor.authorize(.readAccess)
        return try await read {
            guard let event = try await store.activity(id: id) else { throw StoreError.notFound("Activity \(id)") }
            return (event, try await store.activitySubjects(activityID: id))
        }
    }

    /// Requests per `bucketSeconds` since `since`, and how many failed (the console's charts).
    public func activityHistogram(
        _ query: ActivityQuery, since: Timestamp, bucketSeconds: Int64, by actor: DirectoryActor
    ) async throws(SCIMError) -> [ActivityBucket] {
        try actor.authorize(.readAccess)
        return try await read { try await store.activityHistogram(query, since: since, bucketSeconds: bucketSeconds) }
    }

    /// A connection's health over the last 24 hours, and its tokens close to expiry.
    public func connectionHealth(
        connectionID: String, by actor: DirectoryActor
    ) async throws(SCIMError)
        -> ConnectionHealth
    {
        try actor.authorize(.readAccess)
        let now = clock.now()
        let dayAgo = now.adding(seconds: -86_400)
        return try await read {
            let last = try await store.activity(ActivityQuery(connectionID: connectionID, count: 1)).items.first
            let hours = try await store.activityHistogram(
                ActivityQuery(connectionID: connectionID), since: dayAgo, bucketSeconds: 3600)
            let rejected = try await store.activity(
                ActivityQuery(connectionID: connectionID, status: 401, since: dayAgo, count: 0)
            ).totalResults
            let soon = now.adding(seconds: ConnectionHealth.expiryWarning)
            let expiring = try await store.tokens(connectionID: connectionID).filter { token in
                guard token.isUsable(at: now), let expiry = token.expiresAt else { return false }
                return expiry < soon
            }
            return ConnectionHealth(
                lastRequestAt: last?.at, requests: hours.map(\.total).reduce(0, +),
                errors: hours.map(\.failed).reduce(0, +), rejectedTokens: rejected, expiringSoon: expiring)
        }
    }
}
