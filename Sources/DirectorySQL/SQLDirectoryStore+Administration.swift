import Directory
import SCIM

extension SQLDirectoryStore {
    // MARK: Connections

    static let connectionColumns = "id, name, name_key, kind, on_deactivate, on_delete, orphan_rule, created_at"

    static func decodeConnection(_ row: SQLRow) throws -> Connection {
        var reader = RowReader(row)
        let id = reader.text()
        let name = reader.text()
        _ = reader.next()
        guard let kind = ConnectionKind(rawValue: reader.text()),
            let onDeactivate = DeprovisionAction(rawValue: reader.text()),
            let onDelete = DeprovisionAction(rawValue: reader.text()),
            let orphanRule = OrphanRule(rawValue: reader.text())
        else { throw StoreError.unavailable("connection \(id) has a policy this build does not know") }
        return Connection(
            id: id, name: name, kind: kind, onDeactivate: onDeactivate, onDelete: onDelete, orphanRule: orphanRule,
            createdAt: reader.timestamp())
    }

    func connectionValues(_ connection: Connection) -> [SQLValue] {
        [
            .text(connection.id), .text(connection.name), .text(connection.name.scimCaseFolded),
            .text(connection.kind.rawValue), .text(connection.onDeactivate.rawValue),
            .text(connection.onDelete.rawValue),
            .text(connection.orphanRule.rawValue), connection.createdAt.sql,
        ]
    }

    public func createConnection(_ connection: Connection) async throws(StoreError) -> Connection {
        let sql = "INSERT INTO connections (\(Self.connectionColumns)) VALUES (\(placeholders(1...8)))"
        let values = connectionValues(connection)
        try await write(unique: ("name", connection.name)) { database in _ = try await database.query(sql, values) }
        return connection
    }

    public func connection(id: String) async throws(StoreError) -> Connection? {
        let sql = "SELECT \(Self.connectionColumns) FROM connections WHERE id = \(dialect.placeholder(1))"
        return try await read { database in try await database.query(sql, [.text(id)]).first.map(Self.decodeConnection)
        }
    }

    public func connection(name: String) async throws(StoreError) -> Connection? {
        let sql = "SELECT \(Self.connectionColumns) FROM connections WHERE name_key = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(name.scimCaseFolded)]).first.map(Self.decodeConnection)
        }
    }

    public func connections() async throws(StoreError) -> [Connection] {
        let sql = "SELECT \(Self.connectionColumns) FROM connections ORDER BY name_key, id"
        return try await read { database in try await database.query(sql, []).map(Self.decodeConnection) }
    }

    public func updateConnection(_ connection: Connection) async throws(StoreError) -> Connection {
        let sql =
            "UPDATE connections SET name = \(dialect.placeholder(2)), name_key = \(dialect.placeholder(3)), kind = \(dialect.placeholder(4)), on_deactivate = \(dialect.placeholder(5)), on_delete = \(dialect.placeholder(6)), orphan_rule = \(dialect.placeholder(7)) WHERE id = \(dialect.placeholder(1)) RETURNING id"
        let values = Array(connectionValues(connection).prefix(7))
        try await write(unique: ("name", connection.name)) { database in
            if try await database.query(sql, values).isEmpty {
                throw StoreError.notFound("Connection \(connection.id)")
            }
        }
        return connection
    }

    public func deleteConnection(id: String) async throws(StoreError) {
        let sql = "DELETE FROM connections WHERE id = \(dialect.placeholder(1)) RETURNING id"
        try await write { database in
            if try await database.query(sql, [.text(id)]).isEmpty { throw StoreError.notFound("Connection \(id)") }
        }
    }

    // MARK: Tokens

    static let tokenColumns =
        "id, connection_id, name, prefix, sha256, scope, created_at, last_used_at, expires_at, revoked_at"

    static func decodeToken(_ row: SQLRow) throws -> ScimToken {
        var reader = RowReader(row)
        let id = reader.text()
        let connectionID = reader.text()
        let name = reader.text()
        let prefix = reader.text()
        let sha256 = reader.text()
        guard let scope = TokenScope(rawValue: reader.text()) else {
            throw StoreError.unavailable("token \(id) has a scope this build does not know")
        }
        return ScimToken(
            id: id, connectionID: connectionID, name: name, prefix: prefix, sha256: sha256, scope: scope,
            createdAt: reader.timestamp(), lastUsedAt: reader.optionalTimestamp(),
            expiresAt: reader.optionalTimestamp(),
            revokedAt: reader.optionalTimestamp())
    }

    public func createToken(_ token: ScimToken) async throws(StoreError) -> ScimToken {
        let sql = "INSERT INTO scim_tokens (\(Self.tokenColumns)) VALUES (\(placeholders(1...10)))"
        let values: [SQLValue] = [
            .text(token.id), .text(token.connectionID), .text(token.name), .text(token.prefix), .text(token.sha256),
            .text(token.scope.rawValue), token.createdAt.sql, token.lastUsedAt.sql, token.expiresAt.sql,
            token.revokedAt.sql,
        ]
        try await write(unique: ("token", token.prefix)) { database in _ = try await database.query(sql, values) }
        return token
    }

    public func token(sha256: String) async throws(StoreError) -> ScimToken? {
        let sql = "SELECT \(Self.tokenColumns) FROM scim_tokens WHERE sha256 = \(dialect.placeholder(1))"
        return try await read { database in try await database.query(sql, [.text(sha256)]).first.map(Self.decodeToken) }
    }

    public func tokens(connectionID: String) async throws(StoreError) -> [ScimToken] {
        let sql =
            "SELECT \(Self.tokenColumns) FROM scim_tokens WHERE connection_id = \(dialect.placeholder(1)) ORDER BY created_at, id"
        return try await read { database in try await database.query(sql, [.text(connectionID)]).map(Self.decodeToken) }
    }

    public func markTokenUsed(id: String, at: Timestamp) async throws(StoreError) {
        let sql =
            "UPDATE scim_tokens SET last_used_at = \(dialect.placeholder(1)) WHERE id = \(dialect.placeholder(2)) RETURNING id"
        try await write { database in
            if try await database.query(sql, [at.sql, .text(id)]).isEmpty { throw StoreError.notFound("Token \(id)") }
        }
    }

    public func revokeToken(id: String, at: Timestamp) async throws(StoreError) {
        let sql =
            "UPDATE scim_tokens SET revoked_at = COALESCE(revoked_at, \(dialect.placeholder(1))) WHERE id = \(dialect.placeholder(2)) RETURNING id"
        try await write { database in
            if try await database.query(sql, [at.sql, .text(id)]).isEmpty { throw StoreError.notFound("Token \(id)") }
        }
    }

    // MARK: Accounts and roles

    static let accountColumns = "id, user_name, password_hash, created_at, disabled_at"

    static func decodeAccount(_ row: SQLRow) -> Account {
        var reader = RowReader(row)
        return Account(
            id: reader.text(), userName: reader.text(), passwordHash: reader.text(), createdAt: reader.timestamp(),
            disabledAt: reader.optionalTimestamp())
    }

    public func createAccount(_ account: Account) async throws(StoreError) -> Account {
        let sql =
            "INSERT INTO accounts (id, user_name, user_name_key, password_hash, created_at, disabled_at) VALUES (\(placeholders(1...6)))"
        let values: [SQLValue] = [
            .text(account.id), .text(account.userName), .text(account.userName.scimCaseFolded),
            .text(account.passwordHash),
            account.createdAt.sql, account.disabledAt.sql,
        ]
        try await write(unique: ("userName", account.userName)) { database in _ = try await database.query(sql, values)
        }
        return account
    }

    public func account(id: String) async throws(StoreError) -> Account? {
        let sql = "SELECT \(Self.accountColumns) FROM accounts WHERE id = \(dialect.placeholder(1))"
        return try await read { database in try await database.query(sql, [.text(id)]).first.map(Self.decodeAccount) }
    }

    public func account(userName: String) async throws(StoreError) -> Account? {
        let sql = "SELECT \(Self.accountColumns) FROM accounts WHERE user_name_key = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(userName.scimCaseFolded)]).first.map(Self.decodeAccount)
        }
    }

    public func accounts() async throws(StoreError) -> [Account] {
        let sql = "SELECT \(Self.accountColumns) FROM accounts ORDER BY user_name_key, id"
        return try await read { database in try await database.query(sql, []).map(Self.decodeAccount) }
    }

    public func updateAccount(_ account: Account) async throws(StoreError) -> Account {
        let sql =
            "UPDATE accounts SET user_name = \(dialect.placeholder(2)), user_name_key = \(dialect.placeholder(3)), password_hash = \(dialect.placeholder(4)), disabled_at = \(dialect.placeholder(5)) WHERE id = \(dialect.placeholder(1)) RETURNING id"
        let values: [SQLValue] = [
            .text(account.id), .text(account.userName), .text(account.userName.scimCaseFolded),
            .text(account.passwordHash),
            account.disabledAt.sql,
        ]
        try await write(unique: ("userName", account.userName)) { database in
            if try await database.query(sql, values).isEmpty { throw StoreError.notFound("Account \(account.id)") }
        }
        return account
    }

    public func assignRole(_ assignment: RoleAssignment) async throws(StoreError) {
        let sql =
            "INSERT INTO role_assignments (role, subject_kind, subject_id, created_at) VALUES (\(placeholders(1...4))) ON CONFLICT DO NOTHING"
        let values: [SQLValue] = [
            .text(assignment.role.rawValue), .text(assignment.subject.kind), .text(assignment.subject.id),
            assignment.createdAt.sql,
        ]
        try await write { database in _ = try await database.query(sql, values) }
    }

    public func removeRole(_ role: Role, from subject: RoleSubject) async throws(StoreError) {
        let sql =
            "DELETE FROM role_assignments WHERE role = \(dialect.placeholder(1)) AND subject_kind = \(dialect.placeholder(2)) AND subject_id = \(dialect.placeholder(3))"
        try await write { database in
            _ = try await database.query(sql, [.text(role.rawValue), .text(subject.kind), .text(subject.id)])
        }
    }

    public func roleAssignments() async throws(StoreError) -> [RoleAssignment] {
        let sql =
            "SELECT role, subject_kind, subject_id, created_at FROM role_assignments ORDER BY role, subject_kind, subject_id"
        return try await read { database in
            try await database.query(sql, []).compactMap { row in
                var reader = RowReader(row)
                guard let role = Role(rawValue: reader.text()),
                    let subject = RoleSubject(kind: reader.text(), id: reader.text())
                else { return nil }
                return RoleAssignment(role: role, subject: subject, createdAt: reader.timestamp())
            }
        }
    }

    // MARK: Sessions

    public func createSession(_ session: Session) async throws(StoreError) {
        let sql = "INSERT INTO sessions (id_hash, account_id, created_at, expires_at) VALUES (\(placeholders(1...4)))"
        let values: [SQLValue] = [
            .text(session.idHash), .text(session.accountID), session.createdAt.sql, session.expiresAt.sql,
        ]
        try await write(unique: ("session", "")) { database in _ = try await database.query(sql, values) }
    }

    public func session(idHash: String) async throws(StoreError) -> Session? {
        let sql =
            "SELECT id_hash, account_id, created_at, expires_at FROM sessions WHERE id_hash = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(idHash)]).first.map { row in
                var reader = RowReader(row)
                return Session(
                    idHash: reader.text(), accountID: reader.text(), createdAt: reader.timestamp(),
                    expiresAt: reader.timestamp())
            }
        }
    }

    public func deleteSession(idHash: String) async throws(StoreError) {
        let sql = "DELETE FROM sessions WHERE id_hash = \(dialect.placeholder(1))"
        try await write { database in _ = try await database.query(sql, [.text(idHash)]) }
    }

    public func deleteExpiredSessions(before: Timestamp) async throws(StoreError) -> Int {
        let sql = "DELETE FROM sessions WHERE expires_at < \(dialect.placeholder(1)) RETURNING id_hash"
        return try await write { database in try await database.query(sql, [before.sql]).count }
    }

    // MARK: Activity

    static let activityColumns =
        "id, at, connection_id, actor, method, path, status, resource_type, resource_id, summary, detail, duration_us"

    public func recordActivity(_ event: ActivityEvent) async throws(StoreError) {
        let sql = "INSERT INTO activity (\(Self.activityColumns)) VALUES (\(placeholders(1...12)))"
        let values: [SQLValue] = [
            .text(event.id), event.at.sql, .optional(event.connectionID), .optional(event.actor), .text(event.method),
            .text(event.path), .integer(Int64(event.status)), .optional(event.resourceType),
            .optional(event.resourceID),
            .text(event.summary), .optional(event.detail), .integer(event.durationMicroseconds),
        ]
        try await write { database in _ = try await database.query(sql, values) }
    }

    static func activityValues(_ event: ActivityEvent) -> [SQLValue] {
        [
            .text(event.id), event.at.sql, .optional(event.connectionID), .optional(event.actor), .text(event.method),
            .text(event.path), .integer(Int64(event.status)), .optional(event.resourceType),
            .optional(event.resourceID),
            .text(event.summary), .optional(event.detail), .integer(event.durationMicroseconds),
        ]
    }

    public func recordActivities(_ events: [ActivityEvent]) async throws(StoreError) {
        guard !events.isEmpty else { return }
        // 64 rows × 12 columns per statement stays far below SQLite's bind limit.
        let batches = stride(from: 0, to: events.count, by: 64).map { Array(events[$0..<min($0 + 64, events.count)]) }
        let dialect = self.dialect
        try await write { connection in
            for batch in batches {
                let rows = batch.indices.map { row in
                    "(" + (1...12).map { dialect.placeholder(row * 12 + $0) }.joined(separator: ", ") + ")"
                }.joined(separator: ", ")
                _ = try await connection.query(
                    "INSERT INTO activity (\(Self.activityColumns)) VALUES \(rows)", batch.flatMap(Self.activityValues))
            }
        }
    }

    public func activity(_ query: ActivityQuery) async throws(StoreError) -> Page<ActivityEvent> {
        var binds = SQLBinds(dialect: dialect)
        var conditions: [String] = []
        if let connectionID = query.connectionID {
            conditions.append("connection_id = \(binds.add(.text(connectionID)))")
        }
        if let status = query.status { conditions.append("status = \(binds.add(.integer(Int64(status))))") }
        if let resourceType = query.resourceType {
            conditions.append("resource_type = \(binds.add(.text(resourceType)))")
        }
        if let resourceID = query.resourceID { conditions.append("resource_id = \(binds.add(.text(resourceID)))") }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let countSQL = "SELECT COUNT(*) FROM activity\(whereClause)"
        let countBinds = binds.values
        let pageSQL =
            "SELECT \(Self.activityColumns) FROM activity\(whereClause) ORDER BY at DESC, id DESC LIMIT \(binds.add(.integer(Int64(max(0, query.count))))) OFFSET \(binds.add(.integer(Int64(max(0, query.offset)))))"
        let pageBinds = binds.values
        return try await read { database in
            let total = try await database.query(countSQL, countBinds).first?.first?.integer ?? 0
            let items = try await database.query(pageSQL, pageBinds).map { row in
                var reader = RowReader(row)
                return ActivityEvent(
                    id: reader.text(), at: reader.timestamp(), connectionID: reader.optionalText(),
                    actor: reader.optionalText(), method: reader.text(), path: reader.text(),
                    status: Int(reader.integer()),
                    resourceType: reader.optionalText(), resourceID: reader.optionalText(), summary: reader.text(),
                    detail: reader.optionalText(), durationMicroseconds: reader.integer())
            }
            return Page(items: items, totalResults: Int(total))
        }
    }

    public func pruneActivity(keep: Int, before: Timestamp) async throws(StoreError) -> Int {
        let dialect = self.dialect
        return try await write { database in
            let old = try await database.query(
                "DELETE FROM activity WHERE at < \(dialect.placeholder(1)) RETURNING id", [before.sql])
            let surplus = try await database.query(
                "DELETE FROM activity WHERE id IN (SELECT id FROM activity ORDER BY at DESC, id DESC LIMIT 9223372036854775807 OFFSET \(dialect.placeholder(1))) RETURNING id",
                [.integer(Int64(max(0, keep)))])
            return old.count + surplus.count
        }
    }
}
