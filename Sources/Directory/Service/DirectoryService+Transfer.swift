import SCIM
import Synchronization

/// How many records of each kind an export wrote or an import handled.
public struct TransferCounts: Sendable, Hashable {
    public var connections = 0
    public var users = 0
    public var groups = 0
    public var memberships = 0

    public init() {}

    mutating func count(_ record: TransferRecord) {
        switch record {
        case .header: break
        case .connection: connections += 1
        case .user: users += 1
        case .group: groups += 1
        case .membership: memberships += 1
        }
    }

    public static func + (left: TransferCounts, right: TransferCounts) -> TransferCounts {
        var sum = left
        sum.connections += right.connections
        sum.users += right.users
        sum.groups += right.groups
        sum.memberships += right.memberships
        return sum
    }
}

/// What one import has learnt so far, across its batches: which ids of the file name another
/// object here (merged by userName, displayName or connection name).
public final class ImportSession: Sendable {
    private let mapped = Mutex<[String: String]>([:])

    public init() {}

    func id(_ id: String) -> String { mapped.withLock { $0[id] ?? id } }

    func remember(_ batch: [String: String]) {
        mapped.withLock { $0.merge(batch) { _, new in new } }
    }
}

/// The outcome of one batch of an import: what was created, updated or already so, and the
/// records that failed (by their index in the batch).
public struct ImportBatchResult: Sendable, Hashable {
    public var created = TransferCounts()
    public var updated = TransferCounts()
    public var unchanged = TransferCounts()
    public var failures: [Failure] = []

    public init() {}

    public struct Failure: Sendable, Hashable {
        public var index: Int
        public var detail: String
    }
}

extension DirectoryService {
    // MARK: Export

    /// Writes the directory, in order: the header, connections, users, groups, memberships —
    /// so that an import meets every object before what refers to it. Reads a page at a time.
    public func export(
        by actor: DirectoryActor, pageSize: Int = 1000, _ emit: (TransferRecord) async throws -> Void
    ) async throws -> TransferCounts {
        try actor.authorize(.administer)
        var counts = TransferCounts()
        func write(_ record: TransferRecord) async throws {
            counts.count(record)
            try await emit(record)
        }
        try await write(.header(formatVersion: TransferRecord.formatVersion))
        for connection in try await store.connections().sorted(by: { $0.id < $1.id }) {
            try await write(.connection(connection))
        }
        var after: String?
        while true {
            let page = try await store.users(
                ResourceQuery(count: pageSize, after: after, includeArchived: true)
            ).items
            for var user in page {
                user.passwordHash = nil
                try await write(.user(user))
            }
            guard page.count == pageSize, let last = page.last else { break }
            after = last.id
        }
        var groupIDs: [String] = []
        after = nil
        while true {
            let page = try await store.groups(ResourceQuery(count: pageSize, after: after, includeArchived: true)).items
            for group in page {
                groupIDs.append(group.id)
                try await write(.group(group))
            }
            guard page.count == pageSize, let last = page.last else { break }
            after = last.id
        }
        for groupID in groupIDs {
            var offset = 0
            while true {
                let rows = try await store.memberships(groupID: groupID, source: nil, offset: offset, count: pageSize)
                for membership in rows { try await write(.membership(membership)) }
                guard rows.count == pageSize else { break }
                offset += pageSize
            }
        }
        return counts
    }

    // MARK: Import

    /// Imports one batch in one transaction: each record merges by id, then by name (userName,
    /// displayName, connection name), else is created with the file's id. A record that fails is
    /// reported and the rest of the batch goes on.
    public func importBatch(
        _ records: [TransferRecord], session: ImportSession, by actor: DirectoryActor
    ) async throws(SCIMError) -> ImportBatchResult {
        try await change("directory.import", by: actor) { service, note in
            var importer = BatchImporter(service: service, session: session)
            try await importer.run(records)
            let result = importer.result
            note.add(
                "imported \(records.count) records: \(result.created.users) users and \(result.created.groups) groups created, \(result.updated.users) users and \(result.updated.groups) groups updated, \(result.failures.count) failed"
            )
            return result
        }
    }
}

/// One batch of an import, inside its transaction.
private struct BatchImporter {
    let service: DirectoryService
    let session: ImportSession
    var result = ImportBatchResult()
    /// Ids of the file that name another object here, learnt in this batch.
    var mapped: [String: String] = [:]

    var store: any DirectoryBackend { service.store }

    init(service: DirectoryService, session: ImportSession) {
        self.service = service
        self.session = session
    }

    func id(_ id: String) -> String { mapped[id] ?? session.id(id) }

    func origin(_ origin: Origin) async throws -> Origin {
        guard case .idp(let connectionID) = origin else { return .local }
        let here = id(connectionID)
        guard try await store.connection(id: here) != nil else {
            throw SCIMError.invalidValue(
                "connection \(connectionID) is not in the directory (its line must come first)")
        }
        return .idp(connectionID: here)
    }

    /// The batch's users that exist here, by id and by folded userName: read with two queries
    /// for the whole batch rather than two for each user.
    var usersByID: [String: User] = [:]
    var usersByName: [String: User] = [:]

    mutating func prefetchUsers(_ records: [TransferRecord]) async throws {
        let users = records.compactMap { record -> User? in
            if case .user(let user) = record { return user }
            return nil
        }
        guard !users.isEmpty else { return }
        for user in try await store.users(ids: users.map(\.id)) { usersByID[user.id] = user }
        for user in try await store.users(userNames: users.map(\.userName)) { usersByName[user.userNameKey] = user }
    }

    mutating func run(_ records: [TransferRecord]) async throws {
        try await prefetchUsers(records)
        var memberships: [(index: Int, membership: Membership)] = []
        for (index, record) in records.enumerated() {
            do {
                switch record {
                case .header: break
                case .connection(let connection): try await connectionRecord(connection)
                case .user(let user): try await userRecord(user)
                case .group(let group): try await groupRecord(group)
                case .membership(let membership): memberships.append((index, membership))
                }
            } catch {
                result.failures.append(.init(index: index, detail: Self.detail(error)))
            }
        }
        try await addMemberships(memberships)
        session.remember(mapped)
        result.failures.sort { $0.index < $1.index }
    }

    static func detail(_ error: any Error) -> String {
        if let error = error as? SCIMError { return error.detail }
        if let error = error as? StoreError { return DirectoryService.translate(error, ifMatch: nil).detail }
        return "\(error)"
    }

    mutating func connectionRecord(_ connection: Connection) async throws {
        let existing: Connection?
        if let byID = try await store.connection(id: connection.id) {
            existing = byID
        } else {
            existing = try await store.connection(name: connection.name)
        }
        guard var existing else {
            _ = try await store.createConnection(connection)
            result.created.connections += 1
            return
        }
        mapped[connection.id] = existing.id
        var updated = existing
        updated.kind = connection.kind
        updated.onDeactivate = connection.onDeactivate
        updated.onDelete = connection.onDelete
        updated.orphanRule = connection.orphanRule
        updated.deletionGuard = connection.deletionGuard
        if updated == existing {
            result.unchanged.connections += 1
            return
        }
        existing = try await store.updateConnection(updated)
        result.updated.connections += 1
    }

    mutating func userRecord(_ user: User) async throws {
        let origin = try await origin(user.origin)
        // A user earlier in the same batch (the file names it twice) is read again.
        let existing = usersByID[user.id] ?? usersByName[user.userNameKey]
        guard let existing else {
            var created = user
            created.origin = origin
            created.version = 1
            _ = try await store.createUser(created)
            usersByID[created.id] = created
            usersByName[created.userNameKey] = created
            result.created.users += 1
            return
        }
        if existing.id != user.id { mapped[user.id] = existing.id }
        var updated = existing
        updated.setResource(user.resource)
        updated.origin = origin
        updated.archivedAt = user.archivedAt
        updated.createdBy = user.createdBy ?? existing.createdBy
        if updated.resource == existing.resource, updated.origin == existing.origin,
            updated.archivedAt == existing.archivedAt
        {
            result.unchanged.users += 1
            return
        }
        updated.updatedAt = user.updatedAt
        let stored = try await store.replaceUser(updated, expectedVersion: existing.version)
        usersByID[stored.id] = stored
        usersByName[stored.userNameKey] = stored
        result.updated.users += 1
    }

    mutating func groupRecord(_ group: Group) async throws {
        let origin = try await origin(group.origin)
        let existing: Group?
        if let byID = try await store.group(id: group.id, includeArchived: true) {
            existing = byID
        } else {
            existing = try await store.group(displayName: group.displayName)
        }
        guard let existing else {
            var created = group
            created.origin = origin
            created.version = 1
            _ = try await store.createGroup(created)
            result.created.groups += 1
            return
        }
        if existing.id != group.id { mapped[group.id] = existing.id }
        var updated = existing
        updated.setResource(group.resource)
        updated.origin = origin
        updated.archivedAt = group.archivedAt
        if updated.resource == existing.resource, updated.origin == existing.origin,
            updated.archivedAt == existing.archivedAt
        {
            result.unchanged.groups += 1
            return
        }
        updated.updatedAt = group.updatedAt
        _ = try await store.replaceGroup(updated, expectedVersion: existing.version)
        result.updated.groups += 1
    }

    /// Memberships are restored as they were — archived users' and groups' included, each with
    /// its own source and time — a few hundred rows a statement.
    mutating func addMemberships(_ items: [(index: Int, membership: Membership)]) async throws {
        guard !items.isEmpty else { return }
        var rows: [(index: Int, membership: Membership)] = []
        var connections: [String: Bool] = [:]
        for item in items {
            var membership = item.membership
            membership.groupID = id(membership.groupID)
            membership.userID = id(membership.userID)
            if case .connection(let connectionID) = membership.source {
                let here = id(connectionID)
                if connections[here] == nil { connections[here] = try await store.connection(id: here) != nil }
                guard connections[here] == true else {
                    result.failures.append(
                        .init(index: item.index, detail: "membership source \(connectionID) is no connection here"))
                    continue
                }
                membership.source = .connection(here)
            }
            rows.append((item.index, membership))
        }
        let users = Set(try await store.users(ids: Array(Set(rows.map(\.membership.userID)))).map(\.id))
        var groups: [String: Bool] = [:]
        for groupID in Set(rows.map(\.membership.groupID)) {
            groups[groupID] = try await store.group(id: groupID, includeArchived: true) != nil
        }
        var present: [Membership] = []
        for row in rows {
            if !users.contains(row.membership.userID) {
                result.failures.append(
                    .init(index: row.index, detail: "user \(row.membership.userID) is not in the directory"))
            } else if groups[row.membership.groupID] != true {
                result.failures.append(
                    .init(index: row.index, detail: "group \(row.membership.groupID) is not in the directory"))
            } else {
                present.append(row.membership)
            }
        }
        let inserted = try await store.restoreMemberships(present).count
        result.created.memberships += inserted
        result.unchanged.memberships += present.count - inserted
    }
}
