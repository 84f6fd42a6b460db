import SCIM

/// The directory part of the store contract: users, groups, memberships and the deprovisioning
/// record. Every back end implements it and the conformance suite (`TestSupport.StoreConformance`)
/// checks it. Each method is atomic; ``DirectoryBackend/transaction(_:)`` runs several as one.
/// Domain values in, domain values out, ``StoreError`` out.
///
/// Rules that live here rather than in the service, because only the database can keep them under
/// concurrency: case-insensitive uniqueness of `userName` and group `displayName`, versions (every
/// write bumps `version`; a write that names a stale one fails), and memberships by source at a
/// cost proportional to the change.
public protocol DirectoryStore: Sendable {
    // MARK: Users

    /// Inserts a user; `uniqueness(userName)` when the folded userName exists (archived included).
    func createUser(_ user: User) async throws(StoreError) -> User
    /// A user by id; archived users only when asked.
    func user(id: String, includeArchived: Bool) async throws(StoreError) -> User?
    /// A user by case-insensitive userName (archived included, so a restore can find it).
    func user(userName: String) async throws(StoreError) -> User?
    /// Replaces a user's row; fails with `versionMismatch` unless the stored version is
    /// `expectedVersion`. Returns the stored user with `version` bumped.
    func replaceUser(_ user: User, expectedVersion: Int) async throws(StoreError) -> User
    /// Deletes a user and its memberships; `notFound` when absent.
    func deleteUser(id: String) async throws(StoreError)
    /// Users matching a query, with the total count.
    func users(_ query: ResourceQuery) async throws(StoreError) -> Page<User>
    /// The same, each user with the groups it belongs to, in one round trip.
    func userRecords(_ query: ResourceQuery) async throws(StoreError) -> Page<UserRecord>
    /// The users with these ids (archived included), in no particular order; unknown ids are absent.
    func users(ids: [String]) async throws(StoreError) -> [User]
    /// The users with these userNames, ignoring case (archived included), in no particular order.
    func users(userNames: [String]) async throws(StoreError) -> [User]
    /// A user with its groups, in one round trip; archived users only when asked.
    func userRecord(id: String, includeArchived: Bool) async throws(StoreError) -> UserRecord?

    // MARK: Groups

    func createGroup(_ group: Group) async throws(StoreError) -> Group
    func group(id: String, includeArchived: Bool) async throws(StoreError) -> Group?
    func group(displayName: String) async throws(StoreError) -> Group?
    func replaceGroup(_ group: Group, expectedVersion: Int) async throws(StoreError) -> Group
    func deleteGroup(id: String) async throws(StoreError)
    func groups(_ query: ResourceQuery) async throws(StoreError) -> Page<Group>

    // MARK: Memberships (each costs the size of the change, whatever the size of the group)

    /// Adds rows from `source`; ids that name no user are reported as missing, ids already
    /// mapped from that source change nothing. Bumps the group's version when anything changed.
    func addMembers(
        groupID: String, userIDs: [String], source: MembershipSource, at: Timestamp
    )
        async throws(StoreError) -> MembershipChange
    /// Removes rows from `source` only (manual rows stay when a connection removes).
    func removeMembers(
        groupID: String, userIDs: [String], source: MembershipSource, at: Timestamp
    )
        async throws(StoreError) -> MembershipChange
    /// Makes `userIDs` the complete list of `source`'s rows in the group.
    func replaceMembers(
        groupID: String, userIDs: [String], source: MembershipSource, at: Timestamp
    )
        async throws(StoreError) -> MembershipChange
    /// Membership rows of a group, ordered by user id, optionally of one source.
    func memberships(
        groupID: String, source: MembershipSource?, offset: Int, count: Int
    )
        async throws(StoreError) -> [Membership]
    /// The membership rows of these users in a group (every source), ordered by user id.
    func memberships(groupID: String, userIDs: [String]) async throws(StoreError) -> [Membership]
    /// Number of distinct members of a group.
    func memberCount(groupID: String) async throws(StoreError) -> Int
    /// The distinct member ids of a group, in id order (what `members` lists).
    func memberIDs(groupID: String) async throws(StoreError) -> [String]
    /// At most `count` distinct live member ids of a group after `after`, in id order: a big
    /// group is read (and streamed to a client) a page at a time.
    func memberIDs(groupID: String, after: String?, count: Int) async throws(StoreError) -> [String]
    /// The same for several groups in one query (a page of a list).
    func memberIDs(groupIDs: [String]) async throws(StoreError) -> [String: [String]]
    /// The groups a user belongs to, each with every source mapping the user into it.
    func groupMappings(userID: String) async throws(StoreError) -> [UserGroupMapping]
    /// Restores membership rows as they were (an import): each row whose user and group exist,
    /// archived or not, with its own source and time; rows already there change nothing. Returns
    /// the rows inserted. The groups that gained rows get a new version (their `updatedAt` stays).
    func restoreMemberships(_ rows: [Membership]) async throws(StoreError) -> [Membership]
    /// Locks the rows of `userIDs` until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite's
    /// single writer already serializes), so two transactions that each remove one of a user's
    /// last memberships cannot both miss the orphan rule: the second waits, then sees the first.
    func lockUsers(_ userIDs: [String]) async throws(StoreError)
    /// The orphan query: of `userIDs`, those with no membership row from `source` any more.
    func usersWithoutMemberships(among userIDs: [String], source: MembershipSource) async throws(StoreError) -> [String]

    // MARK: Deprovisioning record

    /// Remembers that a connection deprovisioned a user, so a repeated `active=false` is answered
    /// 204 rather than 404 (deprovisioning is idempotent for the IdP).
    func recordDeprovisioning(
        userID: String, connectionID: String, action: DeprovisionAction, at: Timestamp)
        async throws(StoreError)
    func deprovisioning(userID: String, connectionID: String) async throws(StoreError) -> DeprovisionAction?
    func clearDeprovisioning(userID: String, connectionID: String) async throws(StoreError)

    // MARK: Deletion guard

    /// Locks a connection's row until the transaction ends (PostgreSQL; SQLite's single writer
    /// already serializes), so two deprovisions cannot both pass the guard's last free slot.
    func lockConnection(id: String) async throws(StoreError)
    /// How many users the connection deprovisioned since `since` (by the `(connection_id, at)` index).
    func deprovisionCount(connectionID: String, since: Timestamp) async throws(StoreError) -> Int
    /// Holds a deprovision. For a user already held, only the action, trigger and time change:
    /// how the user was before the first hold is kept.
    func holdDeprovision(_ held: HeldDeprovision) async throws(StoreError)
    /// A connection's held deprovisions, oldest first.
    func heldDeprovisions(connectionID: String) async throws(StoreError) -> [HeldDeprovision]
    func heldDeprovision(userID: String) async throws(StoreError) -> HeldDeprovision?
    func deleteHeldDeprovision(userID: String) async throws(StoreError)
}

extension DirectoryStore {
    public func user(id: String) async throws(StoreError) -> User? { try await user(id: id, includeArchived: false) }
    public func group(id: String) async throws(StoreError) -> Group? { try await group(id: id, includeArchived: false) }
}
