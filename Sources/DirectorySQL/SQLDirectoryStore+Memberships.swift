import Directory
import SCIM

extension SQLDirectoryStore {
    /// `(?1, ?2, …)` for `count` placeholders starting after `offset`.
    func list(_ count: Int, after offset: Int) -> String {
        "(" + (1...max(1, count)).map { dialect.placeholder(offset + $0) }.joined(separator: ", ") + ")"
    }

    static func chunks(_ ids: [String]) -> [[String]] {
        stride(from: 0, to: ids.count, by: chunkSize).map { Array(ids[$0..<min($0 + chunkSize, ids.count)]) }
    }

    static func unique(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    func requireGroup(_ groupID: String, on connection: any SQLConnection) async throws {
        let rows = try await connection.query(
            "SELECT 1 FROM \"groups\" WHERE id = \(dialect.placeholder(1)) AND archived_at IS NULL", [.text(groupID)])
        if rows.isEmpty { throw StoreError.notFound("Group \(groupID)") }
    }

    func bumpGroup(_ groupID: String, at: Timestamp, on connection: any SQLConnection) async throws {
        _ = try await connection.query(
            "UPDATE \"groups\" SET version = version + 1, updated_at = \(dialect.placeholder(1)) WHERE id = \(dialect.placeholder(2))",
            [at.sql, .text(groupID)])
    }

    /// Inserts rows for the ids that name a live user; reports the added and the missing.
    func insertMembers(
        groupID: String, userIDs: [String], source: MembershipSource, at: Timestamp, on connection: any SQLConnection
    ) async throws -> MembershipChange {
        var change = MembershipChange()
        for chunk in Self.chunks(Self.unique(userIDs)) {
            let existing = try await connection.query(
                "SELECT id, user_name FROM users WHERE archived_at IS NULL AND id IN \(list(chunk.count, after: 0))",
                chunk.map { .text($0) })
            var names: [String: String] = [:]
            for row in existing where row.values.count == 2 {
                if let id = row.values[0].text { names[id] = row.values[1].text ?? id }
            }
            let found = Set(names.keys)
            change.missing += chunk.filter { !found.contains($0) }
            let present = chunk.filter { found.contains($0) }
            guard !present.isEmpty else { continue }
            // `WHERE` before `ON CONFLICT` keeps SQLite's parser from reading it as a join clause.
            let rows = try await connection.query(
                "INSERT INTO memberships (group_id, user_id, source, created_at) SELECT \(dialect.placeholder(1)), users.id, \(dialect.placeholder(2)), \(dialect.placeholder(3)) FROM users WHERE users.id IN \(list(present.count, after: 3)) ON CONFLICT DO NOTHING RETURNING user_id",
                [.text(groupID), .text(source.rawValue), at.sql] + present.map { .text($0) })
            let added = rows.compactMap { $0.first?.text }
            change.added += added
            for id in added { change.userNames[id] = names[id] }
        }
        return change
    }

    func deleteMembers(
        groupID: String, userIDs: [String], source: MembershipSource, on connection: any SQLConnection
    )
        async throws -> [String]
    {
        var removed: [String] = []
        for chunk in Self.chunks(Self.unique(userIDs)) {
            let rows = try await connection.query(
                "DELETE FROM memberships WHERE group_id = \(dialect.placeholder(1)) AND source = \(dialect.placeholder(2)) AND user_id IN \(list(chunk.count, after: 2)) RETURNING user_id",
                [.text(groupID), .text(source.rawValue)] + chunk.map { .text($0) })
            removed += rows.compactMap { $0.first?.text }
        }
        return removed
    }

    public func addMembers(
        groupID: String, userIDs: [String], source: MembershipSource, at: Timestamp
    )
        async throws(StoreError) -> MembershipChange
    {
        try await write(atomic: false) { connection in
            try await requireGroup(groupID, on: connection)
            let change = try await insertMembers(
                groupID: groupID, userIDs: userIDs, source: source, at: at, on: connection)
            if !change.isEmpty { try await bumpGroup(groupID, at: at, on: connection) }
            return change
        }
    }

    public func removeMembers(
        groupID: String, userIDs: [String], source: MembershipSource, at: Timestamp
    )
        async throws(StoreError) -> MembershipChange
    {
        try await write(atomic: false) { connection in
            try await requireGroup(groupID, on: connection)
            let removed = try await deleteMembers(groupID: groupID, userIDs: userIDs, source: source, on: connection)
            if !removed.isEmpty { try await bumpGroup(groupID, at: at, on: connection) }
            return MembershipChange(removed: removed)
        }
    }

    public func replaceMembers(
        groupID: String, userIDs: [String], source: MembershipSource, at: Timestamp
    )
        async throws(StoreError) -> MembershipChange
    {
        let dialect = self.dialect
        return try await write(atomic: false) { connection in
            try await requireGroup(groupID, on: connection)
            let current = try await connection.query(
                "SELECT user_id FROM memberships WHERE group_id = \(dialect.placeholder(1)) AND source = \(dialect.placeholder(2))",
                [.text(groupID), .text(source.rawValue)]
            ).compactMap { $0.first?.text }
            let wanted = Self.unique(userIDs)
            let wantedSet = Set(wanted)
            let currentSet = Set(current)
            let removed = try await deleteMembers(
                groupID: groupID, userIDs: current.filter { !wantedSet.contains($0) }, source: source, on: connection)
            var change = try await insertMembers(
                groupID: groupID, userIDs: wanted.filter { !currentSet.contains($0) }, source: source, at: at,
                on: connection)
            change.removed = removed
            if !change.isEmpty { try await bumpGroup(groupID, at: at, on: connection) }
            return change
        }
    }

    public func memberships(
        groupID: String, source: MembershipSource?, offset: Int, count: Int
    )
        async throws(StoreError) -> [Membership]
    {
        var binds = SQLBinds(dialect: dialect)
        var sql = "\(Tables.memberships.select(dialect)) WHERE group_id = \(binds.add(.text(groupID)))"
        if let source { sql += " AND source = \(binds.add(.text(source.rawValue)))" }
        sql +=
            " ORDER BY user_id, source LIMIT \(binds.add(.integer(Int64(max(0, count))))) OFFSET \(binds.add(.integer(Int64(max(0, offset)))))"
        let values = binds.values
        let query = sql
        return try await read { connection in
            try await connection.query(query, values).map(Tables.memberships.decode)
        }
    }

    public func restoreMemberships(_ rows: [Membership]) async throws(StoreError) -> [Membership] {
        guard !rows.isEmpty else { return [] }
        let dialect = self.dialect
        return try await write(atomic: false) { connection in
            var inserted: [Membership] = []
            for start in stride(from: 0, to: rows.count, by: 200) {
                let chunk = rows[start..<min(start + 200, rows.count)]
                var binds = SQLBinds(dialect: dialect)
                let values = chunk.map { row in
                    "(\(binds.add(.text(row.groupID))), \(binds.add(.text(row.userID))), \(binds.add(.text(row.source.rawValue))), \(binds.add(row.createdAt.sql)))"
                }.joined(separator: ", ")
                // `WHERE` before `ON CONFLICT` keeps SQLite's parser from reading it as a join clause.
                let sql = """
                    INSERT INTO memberships (group_id, user_id, source, created_at) \
                    SELECT v.column1, v.column2, v.column3, v.column4 FROM (VALUES \(values)) AS v \
                    WHERE EXISTS (SELECT 1 FROM users WHERE users.id = v.column2) \
                    AND EXISTS (SELECT 1 FROM "groups" WHERE "groups".id = v.column1) \
                    ON CONFLICT DO NOTHING RETURNING group_id, user_id, source, created_at
                    """
                inserted += try await connection.query(sql, binds.values).map(Tables.memberships.decode)
            }
            // A new version (ETags change), but the group keeps its own updatedAt: the rows are
            // restored, not changed.
            for groupID in Set(inserted.map(\.groupID)).sorted() {
                _ = try await connection.query(
                    "UPDATE \"groups\" SET version = version + 1 WHERE id = \(dialect.placeholder(1))", [.text(groupID)]
                )
            }
            return inserted
        }
    }

    public func memberships(groupID: String, userIDs: [String]) async throws(StoreError) -> [Membership] {
        let ids = Self.unique(userIDs)
        guard !ids.isEmpty else { return [] }
        var binds = SQLBinds(dialect: dialect)
        let group = binds.add(.text(groupID))
        let list = ids.map { binds.add(.text($0)) }.joined(separator: ", ")
        let sql =
            "\(Tables.memberships.select(dialect)) WHERE group_id = \(group) AND user_id IN (\(list)) ORDER BY user_id, source"
        let values = binds.values
        return try await read { connection in
            try await connection.query(sql, values).map(Tables.memberships.decode)
        }
    }

    public func users(ids: [String]) async throws(StoreError) -> [User] {
        let ids = Self.unique(ids)
        guard !ids.isEmpty else { return [] }
        var binds = SQLBinds(dialect: dialect)
        let list = ids.map { binds.add(.text($0)) }.joined(separator: ", ")
        let sql = "\(Tables.users.select(dialect)) WHERE id IN (\(list))"
        let values = binds.values
        return try await read { connection in try await connection.query(sql, values).map(Tables.users.decode) }
    }

    public func users(userNames: [String]) async throws(StoreError) -> [User] {
        let keys = Self.unique(userNames.map(\.scimCaseFolded))
        guard !keys.isEmpty else { return [] }
        var found: [User] = []
        for chunk in Self.chunks(keys) {
            var binds = SQLBinds(dialect: dialect)
            let list = chunk.map { binds.add(.text($0)) }.joined(separator: ", ")
            let sql = "\(Tables.users.select(dialect)) WHERE user_name_key IN (\(list))"
            let values = binds.values
            found += try await read { connection in try await connection.query(sql, values).map(Tables.users.decode) }
        }
        return found
    }

    public func memberCount(groupID: String) async throws(StoreError) -> Int {
        let sql =
            "SELECT COUNT(DISTINCT m.user_id) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id = \(dialect.placeholder(1)) AND u.archived_at IS NULL"
        return try await read { connection in
            Int(try await connection.query(sql, [.text(groupID)]).first?.first?.integer ?? 0)
        }
    }

    public func memberIDs(groupID: String) async throws(StoreError) -> [String] {
        let sql =
            "SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id = \(dialect.placeholder(1)) AND u.archived_at IS NULL ORDER BY m.user_id"
        return try await read { connection in
            try await connection.query(sql, [.text(groupID)]).compactMap { $0.first?.text }
        }
    }

    public func memberIDs(groupID: String, after: String?, count: Int) async throws(StoreError) -> [String] {
        var binds = SQLBinds(dialect: dialect)
        var sql =
            "SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id = \(binds.add(.text(groupID))) AND u.archived_at IS NULL"
        if let after { sql += " AND m.user_id > \(binds.add(.text(after)))" }
        sql += " ORDER BY m.user_id LIMIT \(binds.add(.integer(Int64(max(0, count)))))"
        let query = sql
        let values = binds.values
        return try await read { connection in
            try await connection.query(query, values).compactMap { $0.first?.text }
        }
    }

    public func memberIDs(groupIDs: [String]) async throws(StoreError) -> [String: [String]] {
        let ids = Self.unique(groupIDs)
        guard !ids.isEmpty else { return [:] }
        return try await read { connection in
            var members: [String: [String]] = [:]
            for chunk in Self.chunks(ids) {
                let rows = try await connection.query(
                    "SELECT DISTINCT m.group_id AS group_id, m.user_id AS user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.group_id IN \(list(chunk.count, after: 0)) AND u.archived_at IS NULL ORDER BY m.group_id, m.user_id",
                    chunk.map { .text($0) })
                for row in rows {
                    var reader = SQLRowDecoder(row, table: "memberships")
                    members[try reader.text("group_id"), default: []].append(try reader.text("user_id"))
                }
            }
            return members
        }
    }

    public func groupMappings(userID: String) async throws(StoreError) -> [UserGroupMapping] {
        let sql =
            "SELECT g.id AS group_id, g.display_name AS display_name, m.source AS source, m.created_at AS created_at FROM memberships m JOIN \"groups\" g ON g.id = m.group_id WHERE m.user_id = \(dialect.placeholder(1)) AND g.archived_at IS NULL ORDER BY g.display_name_key, g.id, m.source"
        return try await read { connection in
            var mappings: [UserGroupMapping] = []
            for row in try await connection.query(sql, [.text(userID)]) {
                var reader = SQLRowDecoder(row, table: "memberships")
                let id = try reader.text("group_id")
                let name = try reader.text("display_name")
                let source = try reader.text("source")
                mappings.add(groupID: id, displayName: name, source: source, at: try reader.timestamp("created_at"))
            }
            return mappings
        }
    }

    public func usersWithoutMemberships(
        among userIDs: [String], source: MembershipSource
    ) async throws(StoreError)
        -> [String]
    {
        let ids = Self.unique(userIDs)
        guard !ids.isEmpty else { return [] }
        let dialect = self.dialect
        return try await read { connection in
            var kept = Set<String>()
            for chunk in Self.chunks(ids) {
                let rows = try await connection.query(
                    "SELECT DISTINCT user_id FROM memberships WHERE source = \(dialect.placeholder(1)) AND user_id IN \(list(chunk.count, after: 1))",
                    [.text(source.rawValue)] + chunk.map { .text($0) })
                kept.formUnion(rows.compactMap { $0.first?.text })
            }
            return ids.filter { !kept.contains($0) }
        }
    }
}

extension SQLDirectoryStore {
    public func recordDeprovisioning(
        userID: String, connectionID: String, action: DeprovisionAction, at: Timestamp
    )
        async throws(StoreError)
    {
        let table = Tables.deprovisioned
        let sql = table.insert(
            dialect,
            suffix: " ON CONFLICT (user_id, connection_id) DO UPDATE SET action = excluded.action, at = excluded.at")
        let values = table.values(
            DeprovisioningRow(userID: userID, connectionID: connectionID, action: action, at: at))
        try await write(atomic: false) { connection in _ = try await connection.query(sql, values) }
    }

    public func deprovisioning(userID: String, connectionID: String) async throws(StoreError) -> DeprovisionAction? {
        let sql =
            "SELECT action FROM deprovisioned WHERE user_id = \(dialect.placeholder(1)) AND connection_id = \(dialect.placeholder(2))"
        return try await read { connection in
            try await connection.query(sql, [.text(userID), .text(connectionID)]).first?.first?.text.flatMap(
                DeprovisionAction.init(rawValue:))
        }
    }

    public func clearDeprovisioning(userID: String, connectionID: String) async throws(StoreError) {
        let sql =
            "DELETE FROM deprovisioned WHERE user_id = \(dialect.placeholder(1)) AND connection_id = \(dialect.placeholder(2))"
        try await write(atomic: false) { connection in
            _ = try await connection.query(sql, [.text(userID), .text(connectionID)])
        }
    }
}

extension Array where Element == UserGroupMapping {
    /// Adds one membership row, read in group order: a second source of the same group joins the
    /// mapping before it (a member held manually and through a connection is one group, two sources).
    mutating func add(groupID: String, displayName: String, source: String, at: Timestamp?) {
        let source = MembershipSource(rawValue: source)
        if last?.groupID == groupID {
            self[count - 1].sources.append(source)
        } else {
            append(UserGroupMapping(groupID: groupID, displayName: displayName, sources: [source]))
        }
        if let at { self[count - 1].since[source] = at }
    }
}
