import Directory
import SCIM

/// The `DirectoryStore` both back ends share: SQL text, row mapping and the rules the database
/// keeps (uniqueness, versions, memberships by source). A back end supplies only execution
/// (``SQLDatabase``): SQLite and PostgreSQL run the very same statements, spelled by their dialect.
public struct SQLDirectoryStore: DirectoryStore {
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

    /// Maps a driver failure to a store error; `unique` names the attribute for a unique violation.
    func translate(_ error: any Error, unique: (attribute: String, value: String)? = nil) -> StoreError {
        if let error = error as? StoreError { return error }
        switch database.classify(error) {
        case .uniqueViolation(let constraint):
            if let unique { return .uniqueness(attribute: unique.attribute, value: unique.value) }
            return .uniqueness(attribute: constraint, value: "")
        case .foreignKeyViolation(let detail):
            return .unsupported("the change would break a reference: \(detail)")
        case .other(let detail):
            return .unavailable(detail)
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            if let connection { return try await body(connection) }
            return try await database.read(body)
        } catch {
            throw translate(error)
        }
    }

    /// Runs `body` atomically: its own transaction, or a savepoint inside the caller's.
    func write<T: Sendable>(
        unique: (attribute: String, value: String)? = nil, _ body: @Sendable (any SQLConnection) async throws -> T
    ) async throws(StoreError) -> T {
        do {
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

    public func transaction<T: Sendable>(_ body: @Sendable (any DirectoryStore) async throws -> T) async throws -> T {
        if connection != nil { return try await body(self) }
        let database = self.database
        return try await database.write { connection in
            try await body(SQLDirectoryStore(database: database, connection: connection))
        }
    }

    // MARK: Schema

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

    static let userColumns =
        "id, user_name, user_name_key, external_id, display_name, given_name, family_name, primary_email, active, origin, connection_id, archived_at, version, created_at, updated_at, password_hash, resource"

    var userColumnList: String {
        "users.id, users.archived_at, users.version, users.created_at, users.updated_at, users.password_hash, users.origin, users.connection_id, users.resource\(dialect.jsonTextSuffix)"
    }

    var userSelect: String { "SELECT \(userColumnList) FROM users" }

    static func decodeUser(_ row: SQLRow) throws -> User {
        var reader = RowReader(row)
        let id = reader.text()
        let archivedAt = reader.optionalTimestamp()
        let version = Int(reader.integer())
        let createdAt = reader.timestamp()
        let updatedAt = reader.timestamp()
        let passwordHash = reader.optionalText()
        let origin = decodeOrigin(reader.text(), reader.optionalText())
        let resource = try decodeResource(reader.text())
        return User(
            id: id, resource: resource, origin: origin, archivedAt: archivedAt, version: version, createdAt: createdAt,
            updatedAt: updatedAt, passwordHash: passwordHash)
    }

    static func decodeOrigin(_ origin: String, _ connectionID: String?) -> Origin {
        if origin == "idp", let connectionID { return .idp(connectionID: connectionID) }
        return .local
    }

    static func decodeResource(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser().parse(text) else {
            throw StoreError.unavailable("a stored resource is not a JSON object")
        }
        return object
    }

    func userValues(_ user: User) -> [SQLValue] {
        [
            .text(user.id), .text(user.userName), .text(user.userNameKey), .optional(user.externalId),
            .optional(user.displayName), .optional(user.givenName), .optional(user.familyName),
            .optional(user.primaryEmail), .bool(user.active), .text(user.origin.connectionID == nil ? "local" : "idp"),
            .optional(user.origin.connectionID), user.archivedAt.sql, .integer(Int64(user.version)), user.createdAt.sql,
            user.updatedAt.sql, .optional(user.passwordHash), .text(user.resource.serialized()),
        ]
    }

    func placeholders(_ range: ClosedRange<Int>, jsonLast: Bool = false) -> String {
        range.map { index in
            dialect.placeholder(index) + (jsonLast && index == range.upperBound ? dialect.jsonPlaceholderSuffix : "")
        }.joined(separator: ", ")
    }

    static func writeEmails(_ user: User, on connection: any SQLConnection, dialect: SQLDialect) async throws {
        _ = try await connection.query(
            "DELETE FROM user_emails WHERE user_id = \(dialect.placeholder(1))", [.text(user.id)])
        for (position, email) in user.emails.enumerated() {
            _ = try await connection.query(
                "INSERT INTO user_emails (user_id, position, value, value_key, type, display, is_primary) VALUES (\((1...7).map(dialect.placeholder).joined(separator: ", ")))",
                [
                    .text(user.id), .integer(Int64(position)), .optional(email.value),
                    .optional(email.value?.scimCaseFolded),
                    .optional(email.type), .optional(email.display), .bool(email.primary),
                ])
        }
    }

    public func createUser(_ user: User) async throws(StoreError) -> User {
        let values = userValues(user)
        let sql = "INSERT INTO users (\(Self.userColumns)) VALUES (\(placeholders(1...17, jsonLast: true)))"
        let dialect = self.dialect
        try await write(unique: ("userName", user.userName)) { connection in
            _ = try await connection.query(sql, values)
            try await Self.writeEmails(user, on: connection, dialect: dialect)
        }
        return user
    }

    public func user(id: String, includeArchived: Bool) async throws(StoreError) -> User? {
        let sql =
            "\(userSelect) WHERE users.id = \(dialect.placeholder(1))\(includeArchived ? "" : " AND users.archived_at IS NULL")"
        return try await read { connection in
            try await connection.query(sql, [.text(id)]).first.map(Self.decodeUser)
        }
    }

    public func user(userName: String) async throws(StoreError) -> User? {
        let sql = "\(userSelect) WHERE users.user_name_key = \(dialect.placeholder(1))"
        return try await read { connection in
            try await connection.query(sql, [.text(userName.scimCaseFolded)]).first.map(Self.decodeUser)
        }
    }

    public func replaceUser(_ user: User, expectedVersion: Int) async throws(StoreError) -> User {
        var stored = user
        stored.version = expectedVersion + 1
        let written = stored
        let dialect = self.dialect
        try await versionedUpdate(
            table: "users", columns: Self.userColumns, values: userValues(stored), expectedVersion: expectedVersion,
            what: "User", unique: ("userName", user.userName)
        ) { connection in
            try await Self.writeEmails(written, on: connection, dialect: dialect)
        }
        return stored
    }

    /// `UPDATE … SET every column but id … WHERE id = ? AND version = ?`: `versionMismatch` when
    /// the row moved on, `notFound` when it is gone; `then` runs in the same transaction.
    func versionedUpdate(
        table: String, columns: String, values: [SQLValue], expectedVersion: Int, what: String,
        unique: (attribute: String, value: String),
        then: @escaping @Sendable (any SQLConnection) async throws -> Void = { _ in }
    ) async throws(StoreError) {
        let dialect = self.dialect
        let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
        let assignments = names.dropFirst().enumerated().map { index, name in
            let suffix = name == "resource" ? dialect.jsonPlaceholderSuffix : ""
            return "\(name) = \(dialect.placeholder(index + 1))\(suffix)"
        }.joined(separator: ", ")
        let id = values.first ?? .null
        let binds = Array(values.dropFirst()) + [id, .integer(Int64(expectedVersion))]
        let sql =
            "UPDATE \(table) SET \(assignments) WHERE id = \(dialect.placeholder(names.count)) AND version = \(dialect.placeholder(names.count + 1)) RETURNING version"
        let versionSQL = "SELECT version FROM \(table) WHERE id = \(dialect.placeholder(1))"
        try await write(unique: unique) { connection in
            if try await connection.query(sql, binds).isEmpty {
                guard let version = try await connection.query(versionSQL, [id]).first?.first?.integer else {
                    throw StoreError.notFound("\(what) \(id.text ?? "")")
                }
                throw StoreError.versionMismatch(expected: expectedVersion, current: Int(version))
            }
            try await then(connection)
        }
    }

    public func deleteUser(id: String) async throws(StoreError) {
        let dialect = self.dialect
        try await write { connection in
            let rows = try await connection.query(
                "DELETE FROM users WHERE id = \(dialect.placeholder(1)) RETURNING id", [.text(id)])
            if rows.isEmpty { throw StoreError.notFound("User \(id)") }
        }
    }

    public func users(_ query: ResourceQuery) async throws(StoreError) -> Page<User> {
        try await list(query, table: .users, columns: userColumnList, decode: Self.decodeUser)
    }

    /// A filtered, ordered page and the total count, for either table.
    func list<Item: Sendable & Hashable>(
        _ query: ResourceQuery, table: DirectoryTable, columns: String,
        decode: @escaping @Sendable (SQLRow) throws -> Item
    ) async throws(StoreError) -> Page<Item> {
        let compiler = SQLFilterCompiler(dialect: dialect, table: table)
        var binds = SQLBinds(dialect: dialect)
        var conditions: [String] = []
        if !query.includeArchived { conditions.append("\(table.sqlName).archived_at IS NULL") }
        do {
            if let filter = query.filter { conditions.append(try compiler.compile(filter, binds: &binds)) }
        } catch {
            throw .unsupported(error.message)
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let countSQL = "SELECT COUNT(*) FROM \(table.sqlName)\(whereClause)"
        let countBinds = binds.values
        var pageConditions = conditions
        if let after = query.after {
            guard query.sort == nil else { throw .unsupported("cursor paging does not combine with sortBy") }
            pageConditions.append("\(table.sqlName).id > \(binds.add(.text(after)))")
        }
        let order: String
        do {
            order = try compiler.orderBy(query.sort)
        } catch {
            throw .unsupported(error.message)
        }
        let pageWhere = pageConditions.isEmpty ? "" : " WHERE " + pageConditions.joined(separator: " AND ")
        let limit = binds.add(.integer(Int64(max(0, query.count))))
        let offset = binds.add(.integer(Int64(query.after == nil ? max(0, query.offset) : 0)))
        let pageSQL =
            "SELECT \(columns) FROM \(table.sqlName)\(pageWhere) ORDER BY \(order) LIMIT \(limit) OFFSET \(offset)"
        let pageBinds = binds.values
        let wantsRows = query.count > 0
        return try await read { connection in
            let items = wantsRows ? try await connection.query(pageSQL, pageBinds).map(decode) : []
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

    static let groupColumns =
        "id, display_name, display_name_key, external_id, description, origin, connection_id, archived_at, version, created_at, updated_at, resource"

    var groupColumnList: String {
        #""groups".id, "groups".archived_at, "groups".version, "groups".created_at, "groups".updated_at, "groups".origin, "groups".connection_id, "groups".resource"#
            + dialect.jsonTextSuffix
    }

    var groupSelect: String { "SELECT \(groupColumnList) FROM \"groups\"" }

    static func decodeGroup(_ row: SQLRow) throws -> Group {
        var reader = RowReader(row)
        let id = reader.text()
        let archivedAt = reader.optionalTimestamp()
        let version = Int(reader.integer())
        let createdAt = reader.timestamp()
        let updatedAt = reader.timestamp()
        let origin = decodeOrigin(reader.text(), reader.optionalText())
        let resource = try decodeResource(reader.text())
        return Group(
            id: id, resource: resource, origin: origin, archivedAt: archivedAt, version: version, createdAt: createdAt,
            updatedAt: updatedAt)
    }

    func groupValues(_ group: Group) -> [SQLValue] {
        [
            .text(group.id), .text(group.displayName), .text(group.displayNameKey), .optional(group.externalId),
            .optional(group.description), .text(group.origin.connectionID == nil ? "local" : "idp"),
            .optional(group.origin.connectionID), group.archivedAt.sql, .integer(Int64(group.version)),
            group.createdAt.sql, group.updatedAt.sql, .text(group.resource.serialized()),
        ]
    }

    public func createGroup(_ group: Group) async throws(StoreError) -> Group {
        let values = groupValues(group)
        let sql = "INSERT INTO \"groups\" (\(Self.groupColumns)) VALUES (\(placeholders(1...12, jsonLast: true)))"
        try await write(unique: ("displayName", group.displayName)) { connection in
            _ = try await connection.query(sql, values)
        }
        return group
    }

    public func group(id: String, includeArchived: Bool) async throws(StoreError) -> Group? {
        let sql =
            "\(groupSelect) WHERE \"groups\".id = \(dialect.placeholder(1))\(includeArchived ? "" : " AND \"groups\".archived_at IS NULL")"
        return try await read { connection in
            try await connection.query(sql, [.text(id)]).first.map(Self.decodeGroup)
        }
    }

    public func group(displayName: String) async throws(StoreError) -> Group? {
        let sql = "\(groupSelect) WHERE \"groups\".display_name_key = \(dialect.placeholder(1))"
        return try await read { connection in
            try await connection.query(sql, [.text(displayName.scimCaseFolded)]).first.map(Self.decodeGroup)
        }
    }

    public func replaceGroup(_ group: Group, expectedVersion: Int) async throws(StoreError) -> Group {
        var stored = group
        stored.version = expectedVersion + 1
        try await versionedUpdate(
            table: "\"groups\"", columns: Self.groupColumns, values: groupValues(stored),
            expectedVersion: expectedVersion,
            what: "Group", unique: ("displayName", group.displayName))
        return stored
    }

    public func deleteGroup(id: String) async throws(StoreError) {
        let dialect = self.dialect
        try await write { connection in
            let rows = try await connection.query(
                "DELETE FROM \"groups\" WHERE id = \(dialect.placeholder(1)) RETURNING id", [.text(id)])
            if rows.isEmpty { throw StoreError.notFound("Group \(id)") }
        }
    }

    public func groups(_ query: ResourceQuery) async throws(StoreError) -> Page<Group> {
        try await list(query, table: .groups, columns: groupColumnList, decode: Self.decodeGroup)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
