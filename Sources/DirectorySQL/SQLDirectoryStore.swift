import Directory
import SCIM

/// The `DirectoryStore` both back ends share: SQL text, row mapping and the rules the database
/// keeps (uniqueness, versions, memberships by source). A back end supplies only execution
/// (``SQLDatabase``): SQLite and PostgreSQL run the very same statements, spelled by their dialect.
public struct SQLDirectoryStore: DirectoryBackend {
    let database: any SQLDatabase
    /// Set inside ``transaction(_:)``: every statement runs on it.
    let connection: (any SQLConnection)?

    /// Rows written per statement when a list of ids is long (SQLite allows 32 766 binds).
    static let chunkSize = 500

    public init(database: any SQLDatabase) {
        self.database = database
        self.connection = nil
    }

    init(database: any SQLDatabase, connection: any SQLConnection) {
        self.database = database
        self.connection = connection
    }

    var dialect: SQLDialect { database.dialect }

    // MARK: Execution

    /// The attribute and value a unique key stands for, to name in a conflict.
    struct UniqueKey: Sendable {
        var attribute: String
        var value: String
    }

    /// Maps a driver failure to a store error; `unique` names the attribute for a unique violation.
    func translate(_ error: any Error, unique: UniqueKey? = nil) -> StoreError {
        if let error = error as? StoreError { return error }
        switch database.classify(error) {
        case .uniqueViolation(let constraint):
            if let unique { return .conflict(attribute: unique.attribute, value: unique.value) }
            return .conflict(attribute: constraint, value: "")
        case .foreignKeyViolation:
            // The driver's text names tables and constraints: it stays in the log.
            return .constraint("the change refers to a row that no longer exists")
        case .transactionConflict(let reason):
            return .transactionConflict(reason: reason)
        case .refused(let reason):
            return .refused(reason: reason)
        case .full(let reason):
            return .full(reason: reason)
        case .other(let reason):
            return .unavailable(reason: reason)
        case .notDatabaseError:
            return .unavailable(reason: String(describing: error))
        }
    }

    func read<T: Sendable>(
        _ body: @escaping @Sendable (any SQLConnection) async throws -> T
    ) async throws(StoreError) -> T {
        do {
            if let connection { return try await body(connection) }
            return try await database.read(body)
        } catch {
            throw translate(error)
        }
    }

    /// Runs `body` atomically: its own transaction, or — inside the caller's — a savepoint, so a
    /// failed step leaves nothing behind and the transaction goes on (the conformance suite checks
    /// it). `atomic: false` marks a step whose first write is the only statement that can fail on
    /// a constraint — one statement, or an insert or update followed by rows that cannot clash
    /// (a user's emails, membership rows of users checked in the same transaction). SQLite keeps a
    /// transaction usable after a failed statement, and with its single writer nothing changes
    /// between the step's statements, so a later one could fail only with an I/O error, which
    /// fails the transaction anyway: such a step runs without the savepoint (two statements fewer
    /// per step). PostgreSQL aborts the whole transaction on any failed statement, so there every
    /// step gets its savepoint.
    func write<T: Sendable>(
        unique: UniqueKey? = nil, atomic: Bool = true, _ body: @escaping @Sendable (any SQLConnection) async throws -> T
    ) async throws(StoreError) -> T {
        do {
            if let connection, !atomic, !dialect.failedStatementAbortsTransaction {
                return try await body(connection)
            }
            if let connection {
                _ = try await connection.query("SAVEPOINT directory_step", [])
                do {
                    let result = try await body(connection)
                    _ = try await connection.query("RELEASE SAVEPOINT directory_step", [])
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK TO SAVEPOINT directory_step", [])
                    _ = try? await connection.query("RELEASE SAVEPOINT directory_step", [])
                    throw error
                }
            }
            return try await database.write(body)
        } catch {
            throw translate(error, unique: unique)
        }
    }

    /// Runs `body` in one transaction. What `body` throws comes out as it is; a failure of the
    /// transaction itself (`BEGIN`, `COMMIT`, a lost connection) comes out as a `StoreError`.
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any DirectoryBackend) async throws -> T
    ) async throws -> T {
        if connection != nil { return try await body(self) }
        let database = self.database
        do {
            return try await database.write { connection in
                try await body(SQLDirectoryStore(database: database, connection: connection))
            }
        } catch {
            if case .notDatabaseError = database.classify(error) { throw error }
            throw translate(error)
        }
    }

    // MARK: Schema

    /// The columns of `table` as the database has them (name → declared type, lower-cased), for
    /// the test that the table descriptions and the schema agree.
    public func columns(of table: String) async throws(StoreError) -> [String: String] {
        let sql =
            dialect.name == .sqlite
            ? "SELECT name AS name, type AS type FROM pragma_table_info(\(dialect.placeholder(1)))"
            : "SELECT column_name::text AS name, data_type::text AS type FROM information_schema.columns WHERE table_name = \(dialect.placeholder(1)) AND table_schema = current_schema()"
        return try await read { connection in
            var columns: [String: String] = [:]
            for row in try await connection.query(sql, [.text(table)]) {
                var reader = SQLRowDecoder(row, table: table)
                columns[try reader.text("name")] = try reader.text("type").lowercased()
            }
            return columns
        }
    }

    /// The database's connection pool now.
    public var pool: SQLPoolUsage { database.pool }

    /// The version recorded in `schema_migrations` (0 for an empty database).
    public func schemaVersion() async throws(StoreError) -> Int {
        let dialect = self.dialect
        return try await write { connection in
            _ = try await connection.query(Migrations.bookkeeping(dialect), [])
            let rows = try await connection.query("SELECT MAX(version) FROM schema_migrations", [])
            return Int(rows.first?.first?.integer ?? 0)
        }
    }

    /// Applies every pending migration, each in its own transaction; idempotent.
    @discardableResult
    public func migrate(at now: Timestamp) async throws(StoreError) -> [Int] {
        var applied: [Int] = []
        let current = try await schemaVersion()
        if current > Migrations.latestVersion {
            throw .schemaTooNew(found: current, supported: Migrations.latestVersion)
        }
        let dialect = self.dialect
        for migration in Migrations.all where migration.version > current {
            let done: Bool = try await write { connection in
                // Another instance may have applied it meanwhile.
                let rows = try await connection.query(
                    "SELECT version FROM schema_migrations WHERE version = \(dialect.placeholder(1))",
                    [.integer(Int64(migration.version))])
                if !rows.isEmpty { return false }
                for statement in migration.statements(dialect) { _ = try await connection.query(statement, []) }
                try await migration.backfill?(connection, dialect)
                _ = try await connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(dialect.placeholder(1)), \(dialect.placeholder(2)), \(dialect.placeholder(3)))",
                    [.integer(Int64(migration.version)), .text(migration.name), now.sql])
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }

    /// A store over `database`, migrated (`migrate`) or checked to be current; the caller closes
    /// the database when this fails.
    public static func prepare(
        database: any SQLDatabase, migrate: Bool, clock: any DirectoryClock
    )
        async throws(StoreError) -> SQLDirectoryStore
    {
        let store = SQLDirectoryStore(database: database)
        if migrate {
            try await store.migrate(at: clock.now())
        } else {
            try await store.checkSchema()
        }
        return store
    }

    /// Fails with `schemaOutdated` (and how to migrate) unless the schema is current.
    public func checkSchema() async throws(StoreError) {
        let version = try await schemaVersion()
        if version < Migrations.latestVersion {
            throw .schemaOutdated(found: version, required: Migrations.latestVersion)
        }
        if version > Migrations.latestVersion {
            throw .schemaTooNew(found: version, supported: Migrations.latestVersion)
        }
    }

    // MARK: Users

    var userSelect: String { Tables.users.select(dialect) }

    static func writeEmails(
        _ user: User, on connection: any SQLConnection, dialect: SQLDialect, replacing: Bool
    ) async throws {
        if replacing {
            _ = try await connection.query(
                "DELETE FROM user_emails WHERE user_id = \(dialect.placeholder(1))", [.text(user.id)])
        }
        let emails = user.emails
        guard !emails.isEmpty else { return }
        let table = Tables.userEmails
        for (position, email) in emails.enumerated() {
            _ = try await connection.query(
                table.insert(dialect), table.values(UserEmailRow(userID: user.id, position: position, email: email)))
        }
    }

    public func createUser(_ user: User) async throws(StoreError) -> User {
        let table = Tables.users
        let sql = table.insert(dialect)
        let values = table.values(user)
        let dialect = self.dialect
        try await write(unique: UniqueKey(attribute: "userName", value: user.userName), atomic: false) { connection in
            _ = try await connection.query(sql, values)
            try await Self.writeEmails(user, on: connection, dialect: dialect, replacing: false)
        }
        return user
    }

    public func user(id: String, includeArchived: Bool) async throws(StoreError) -> User? {
        let sql =
            "\(userSelect) WHERE users.id = \(dialect.placeholder(1))\(includeArchived ? "" : " AND users.archived_at IS NULL")"
        return try await read { connection in
            try await connection.query(sql, [.text(id)]).first.map(Tables.users.decode)
        }
    }

    public func user(userName: String) async throws(StoreError) -> User? {
        let sql = "\(userSelect) WHERE users.user_name_key = \(dialect.placeholder(1))"
        return try await read { connection in
            try await connection.query(sql, [.text(userName.scimCaseFolded)]).first.map(Tables.users.decode)
        }
    }

    public func replaceUser(_ user: User, expectedVersion: Int) async throws(StoreError) -> User {
        var stored = user
        stored.version = expectedVersion + 1
        let written = stored
        let dialect = self.dialect
        try await versionedUpdate(
            Tables.users, stored, expectedVersion: expectedVersion, what: "User",
            unique: UniqueKey(attribute: "userName", value: user.userName)
        ) { connection in
            try await Self.writeEmails(written, on: connection, dialect: dialect, replacing: true)
        }
        return stored
    }

    /// `UPDATE … SET every column but id … WHERE id = ? AND version = ?`: `staleVersion` when
    /// the row moved on, `notFound` when it is gone; `then` runs in the same transaction.
    func versionedUpdate<Row>(
        _ table: SQLTable<Row>, _ row: Row, expectedVersion: Int, what: String, unique: UniqueKey,
        then: (@Sendable (any SQLConnection) async throws -> Void)? = nil
    ) async throws(StoreError) {
        let dialect = self.dialect
        let sql =
            table.update(dialect) { next in "version = \(dialect.placeholder(next))" } + " RETURNING version"
        let values = table.values(row)
        let id = values.first ?? .null
        let binds = values + [.integer(Int64(expectedVersion))]
        let versionSQL = "SELECT version FROM \(table.sqlName) WHERE id = \(dialect.placeholder(1))"
        try await write(unique: unique, atomic: false) { connection in
            if try await connection.query(sql, binds).isEmpty {
                guard let version = try await connection.query(versionSQL, [id]).first?.first?.integer else {
                    throw StoreError.notFound("\(what) \(id.text ?? "")")
                }
                throw StoreError.staleVersion(expected: expectedVersion, current: Int(version))
            }
            try await then?(connection)
        }
    }

    public func deleteUser(id: String) async throws(StoreError) {
        let dialect = self.dialect
        try await write(atomic: false) { connection in
            let rows = try await connection.query(
                "DELETE FROM users WHERE id = \(dialect.placeholder(1)) RETURNING id", [.text(id)])
            if rows.isEmpty { throw StoreError.notFound("User \(id)") }
        }
    }

    public func users(_ query: ResourceQuery) async throws(StoreError) -> Page<User> {
        try await list(query, table: .users, select: userSelect, decode: Tables.users.decode)
    }

    /// `SELECT <users' columns>, <their group mappings as one JSON column> FROM users`: a user
    /// and its groups in one statement (one round trip per lookup).
    var userRecordSelect: String {
        let mappings = dialect.jsonRows(
            ["g.id", "g.display_name", "m.source", "m.created_at"],
            from:
                #"memberships m JOIN "groups" g ON g.id = m.group_id WHERE m.user_id = users.id AND g.archived_at IS NULL"#,
            order: "g.display_name_key, g.id, m.source")
        return "SELECT \(Tables.users.selectList(dialect)), \(mappings) AS group_mappings FROM users"
    }

    static func decodeUserRecord(_ row: SQLRow) throws -> UserRecord {
        try Tables.users.decode(row) { user, reader in
            UserRecord(user: user, groups: try decodeMappings(try reader.text("group_mappings")))
        }
    }

    /// `[[group id, display name, source, created at], …]` in group order → one mapping per group.
    static func decodeMappings(_ text: String) throws -> [UserGroupMapping] {
        guard case .array(let rows)? = try? JSONParser().parse(text) else {
            throw StoreError.corruptRow("users.group_mappings is not a JSON array")
        }
        var mappings: [UserGroupMapping] = []
        for row in rows {
            guard let fields = row.arrayValue, fields.count == 4, let id = fields[0].stringValue,
                let name = fields[1].stringValue, let source = fields[2].stringValue
            else { throw StoreError.corruptRow("users.group_mappings holds a malformed entry") }
            mappings.add(
                groupID: id, displayName: name, source: source,
                at: fields[3].numberValue?.int64Value.map { Timestamp(microseconds: $0) })
        }
        return mappings
    }

    public func userRecords(_ query: ResourceQuery) async throws(StoreError) -> Page<UserRecord> {
        try await list(query, table: .users, select: userRecordSelect, decode: Self.decodeUserRecord)
    }

    public func userRecord(id: String, includeArchived: Bool) async throws(StoreError) -> UserRecord? {
        let sql =
            "\(userRecordSelect) WHERE users.id = \(dialect.placeholder(1))\(includeArchived ? "" : " AND users.archived_at IS NULL")"
        return try await read { connection in
            try await connection.query(sql, [.text(id)]).first.map(Self.decodeUserRecord)
        }
    }

    public func lockUsers(_ userIDs: [String]) async throws(StoreError) {
        guard dialect.name == .postgres, !userIDs.isEmpty else { return }
        try await write(atomic: false) { connection in
            for chunk in Self.chunks(userIDs) {
                _ = try await connection.query(
                    "SELECT id FROM users WHERE id IN \(list(chunk.count, after: 0)) ORDER BY id FOR NO KEY UPDATE",
                    chunk.map { .text($0) })
            }
        }
    }

    /// The console's criteria as SQL conditions on `table`.
    func criteria(_ query: ResourceQuery, table: DirectoryTable, binds: inout SQLBinds) -> [String] {
        let name = table.sqlName
        var conditions: [String] = []
        switch query.status {
        case .archived?: conditions.append("\(name).archived_at IS NOT NULL")
        case .active?:
            conditions.append("\(name).archived_at IS NULL")
            if table == .users { conditions.append("(users.active IS NULL OR users.active <> 0)") }
        case .suspended?:
            conditions.append("\(name).archived_at IS NULL")
            conditions.append(table == .users ? "users.active = 0" : "1 = 0")
        case nil:
            if !query.includeArchived { conditions.append("\(name).archived_at IS NULL") }
        }
        switch query.origin {
        case .local?: conditions.append("\(name).origin = \(binds.add(.text("local")))")
        case .idp?: conditions.append("\(name).origin = \(binds.add(.text("idp")))")
        case .connection(let id)?:
            // Both columns, so the (origin, connection_id, archived_at, id) index serves it.
            conditions.append("\(name).origin = \(binds.add(.text("idp")))")
            conditions.append("\(name).connection_id = \(binds.add(.text(id)))")
        case nil: break
        }
        if let search = query.search?.scimCaseFolded, !search.isEmpty {
            // A prefix as a range (`key >= p AND key < p + U+10FFFF`): index-backed in both
            // databases (byte-ordered keys), with no LIKE escaping rules to get wrong. Every
            // branch is a folded column of `users` itself (the primary email among them), so the
            // OR is a BitmapOr of index scans on PostgreSQL and SQLite's multi-index OR. Measured
            // at 100 000 users: with an emails sub-select in the OR, PostgreSQL walked every user
            // (66 ms for one match); as a UNION of range scans one match took 0.6 ms but counting
            // 100 000 matches 220 ms (SQLite 317 ms).
            let low = binds.add(.text(search))
            let high = binds.add(.text(search + "\u{10FFFF}"))
            func prefix(_ column: String) -> String { "(\(column) >= \(low) AND \(column) < \(high))" }
            if table == .users {
                let branches = [
                    "user_name_key", "display_name_key", "given_name_key", "family_name_key", "primary_email_key",
                ].map { prefix("users.\($0)") }
                conditions.append("(" + branches.joined(separator: " OR ") + ")")
            } else {
                conditions.append(prefix(#""groups".display_name_key"#))
            }
        }
        return conditions
    }

    /// Up to this many search matches are found by the key indexes and sorted; past it the id
    /// index is walked (see ``list(_:table:select:decode:)``).
    static let sortedSearchLimit = 5000

    /// The console's orders in SQL; ties go by id, so pages never overlap.
    static func orderBy(_ order: ConsoleOrder, table: DirectoryTable) throws(StoreError) -> String {
        let name = table.sqlName
        func direction(_ order: SortOrder) -> String { order == .ascending ? "ASC" : "DESC" }
        switch order {
        case .origin(let sort):
            // `idp` before `local` ascending; IdP rows grouped by connection.
            return
                "\(name).origin \(direction(sort)), \(name).connection_id \(direction(sort)), \(name).id ASC"
        case .groupCount(let sort):
            guard table == .users else { throw .invalidInput("only users are ordered by their groups") }
            return
                "(SELECT COUNT(DISTINCT m.group_id) FROM memberships m WHERE m.user_id = users.id) \(direction(sort)), users.id ASC"
        }
    }

    /// A filtered, ordered page and the total count, for either table.
    func list<Item: Sendable & Hashable>(
        _ query: ResourceQuery, table: DirectoryTable, select: String,
        decode: @escaping @Sendable (SQLRow) throws -> Item
    ) async throws(StoreError) -> Page<Item> {
        let compiler = SQLFilterCompiler(dialect: dialect, table: table)
        var binds = SQLBinds(dialect: dialect)
        var conditions = criteria(query, table: table, binds: &binds)
        do {
            if let filter = query.filter { conditions.append(try compiler.compile(filter, binds: &binds)) }
        } catch {
            throw .unsupportedFilter(error.message)
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let countSQL = "SELECT COUNT(*) FROM \(table.sqlName)\(whereClause)"
        let countBinds = binds.values
        var pageConditions = conditions
        if let after = query.after {
            guard query.sort == nil else { throw .invalidInput("cursor paging does not combine with sortBy") }
            pageConditions.append("\(table.sqlName).id > \(binds.add(.text(after)))")
        }
        let order: String
        do {
            order = try query.order.map { try Self.orderBy($0, table: table) } ?? compiler.orderBy(query.sort)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unsupportedFilter("\(error)")
        }
        let pageWhere = pageConditions.isEmpty ? "" : " WHERE " + pageConditions.joined(separator: " AND ")
        let limit = binds.add(.integer(Int64(max(0, query.count))))
        var tail = " LIMIT \(limit)"
        if query.after == nil, query.offset > 0 {
            tail += " OFFSET \(binds.add(.integer(Int64(query.offset))))"
        }
        let pageSQL = "\(select)\(pageWhere) ORDER BY \(order)\(tail)"
        // A search in id order: SQLite walks the id index and tests every row unless told not to
        // (55 ms for 11 matches of 110 000 users), while the OR of the key indexes finds those
        // matches and sorts them in under 1 ms. Sorting helps only while the matches are few (a
        // prefix matching everyone sorts everyone: 114 ms), so the count decides, and it is
        // needed for the page's total anyway.
        let searchInIDOrder = query.search?.isEmpty == false && query.sort == nil && query.order == nil
        let hintedSQL =
            "\(select)\(pageWhere) ORDER BY \(dialect.unindexedOrder("\(table.sqlName).id")) ASC\(tail)"
        let pageBinds = binds.values
        let wantsRows = query.count > 0
        return try await read { connection in
            if searchInIDOrder, query.after == nil, query.knownTotal == nil {
                let total = Int(try await connection.query(countSQL, countBinds).first?.first?.integer ?? 0)
                let sql = total <= Self.sortedSearchLimit ? hintedSQL : pageSQL
                let items = wantsRows && total > 0 ? try await connection.query(sql, pageBinds).map(decode) : []
                return Page(items: items, totalResults: total)
            }
            let items = wantsRows ? try await connection.query(pageSQL, pageBinds).map(decode) : []
            if let known = query.knownTotal { return Page(items: items, totalResults: known) }
            // A page that is not full ends the results, so its end is the total: lookups (one
            // match, or none) cost one round trip. Otherwise count (index-only, see users_live).
            if query.after == nil, wantsRows, items.count < query.count, !items.isEmpty || query.offset <= 0 {
                return Page(items: items, totalResults: max(0, query.offset) + items.count)
            }
            let total = try await connection.query(countSQL, countBinds).first?.first?.integer ?? 0
            return Page(items: items, totalResults: Int(total))
        }
    }

    // MARK: Groups

    var groupSelect: String { Tables.groups.select(dialect) }

    public func createGroup(_ group: Group) async throws(StoreError) -> Group {
        let table = Tables.groups
        let sql = table.insert(dialect)
        let values = table.values(group)
        try await write(unique: UniqueKey(attribute: "displayName", value: group.displayName), atomic: false) {
            connection in
            _ = try await connection.query(sql, values)
        }
        return group
    }

    public func group(id: String, includeArchived: Bool) async throws(StoreError) -> Group? {
        let sql =
            "\(groupSelect) WHERE \"groups\".id = \(dialect.placeholder(1))\(includeArchived ? "" : " AND \"groups\".archived_at IS NULL")"
        return try await read { connection in
            try await connection.query(sql, [.text(id)]).first.map(Tables.groups.decode)
        }
    }

    public func group(displayName: String) async throws(StoreError) -> Group? {
        let sql = "\(groupSelect) WHERE \"groups\".display_name_key = \(dialect.placeholder(1))"
        return try await read { connection in
            try await connection.query(sql, [.text(displayName.scimCaseFolded)]).first.map(Tables.groups.decode)
        }
    }

    public func replaceGroup(_ group: Group, expectedVersion: Int) async throws(StoreError) -> Group {
        var stored = group
        stored.version = expectedVersion + 1
        try await versionedUpdate(
            Tables.groups, stored, expectedVersion: expectedVersion, what: "Group",
            unique: UniqueKey(attribute: "displayName", value: group.displayName))
        return stored
    }

    public func deleteGroup(id: String) async throws(StoreError) {
        let dialect = self.dialect
        try await write(atomic: false) { connection in
            let rows = try await connection.query(
                "DELETE FROM \"groups\" WHERE id = \(dialect.placeholder(1)) RETURNING id", [.text(id)])
            if rows.isEmpty { throw StoreError.notFound("Group \(id)") }
        }
    }

    public func groups(_ query: ResourceQuery) async throws(StoreError) -> Page<Group> {
        try await list(query, table: .groups, select: groupSelect, decode: Tables.groups.decode)
    }
}
