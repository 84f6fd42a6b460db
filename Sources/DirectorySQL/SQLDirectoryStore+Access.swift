import Directory
import SCIM

extension SQLDirectoryStore {
    // MARK: Connections

    public func createConnection(_ connection: Connection) async throws(StoreError) -> Connection {
        let table = Tables.connections
        let sql = table.insert(dialect)
        let values = table.values(connection)
        try await write(unique: UniqueKey(attribute: "name", value: connection.name), atomic: false) { database in
            _ = try await database.query(sql, values)
        }
        return connection
    }

    public func connection(id: String) async throws(StoreError) -> Connection? {
        let sql = "\(Tables.connections.select(dialect)) WHERE id = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(id)]).first.map(Tables.connections.decode)
        }
    }

    public func connection(name: String) async throws(StoreError) -> Connection? {
        let sql = "\(Tables.connections.select(dialect)) WHERE name_key = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(name.scimCaseFolded)]).first.map(Tables.connections.decode)
        }
    }

    public func connections() async throws(StoreError) -> [Connection] {
        let sql = "\(Tables.connections.select(dialect)) ORDER BY name_key, id"
        return try await read { database in try await database.query(sql, []).map(Tables.connections.decode) }
    }

    public func updateConnection(_ connection: Connection) async throws(StoreError) -> Connection {
        let table = Tables.connections
        let sql = table.update(dialect) + " RETURNING id"
        let values = table.values(connection)
        try await write(unique: UniqueKey(attribute: "name", value: connection.name), atomic: false) { database in
            if try await database.query(sql, values).isEmpty {
                throw StoreError.notFound("Connection \(connection.id)")
            }
        }
        return connection
    }

    public func deleteConnection(id: String) async throws(StoreError) {
        let sql = "DELETE FROM connections WHERE id = \(dialect.placeholder(1)) RETURNING id"
        try await write(atomic: false) { database in
            if try await database.query(sql, [.text(id)]).isEmpty { throw StoreError.notFound("Connection \(id)") }
        }
    }

    // MARK: Tokens

    public func createToken(_ token: ScimToken) async throws(StoreError) -> ScimToken {
        let table = Tables.tokens
        let sql = table.insert(dialect)
        let values = table.values(token)
        try await write(unique: UniqueKey(attribute: "token", value: token.prefix), atomic: false) { database in
            _ = try await database.query(sql, values)
        }
        return token
    }

    public func token(sha256: String) async throws(StoreError) -> ScimToken? {
        let sql = "\(Tables.tokens.select(dialect)) WHERE sha256 = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(sha256)]).first.map(Tables.tokens.decode)
        }
    }

    public func token(id: String) async throws(StoreError) -> ScimToken? {
        let sql = "\(Tables.tokens.select(dialect)) WHERE id = \(dialect.placeholder(1))"
        return try await read { database in try await database.query(sql, [.text(id)]).first.map(Tables.tokens.decode) }
    }

    public func tokens(connectionID: String) async throws(StoreError) -> [ScimToken] {
        let sql =
            "\(Tables.tokens.select(dialect)) WHERE connection_id = \(dialect.placeholder(1)) ORDER BY created_at, id"
        return try await read { database in
            try await database.query(sql, [.text(connectionID)]).map(Tables.tokens.decode)
        }
    }

    public func markTokenUsed(id: String, at: Timestamp, address: String?) async throws(StoreError) {
        try await updateToken(
            id, set: "last_used_at = \(dialect.placeholder(1)), last_used_address = \(dialect.placeholder(3))",
            [at.sql], [.optional(address)])
    }

    public func revokeToken(id: String, at: Timestamp) async throws(StoreError) {
        try await updateToken(id, set: "revoked_at = COALESCE(revoked_at, \(dialect.placeholder(1)))", [at.sql])
    }

    public func setTokenExpiry(id: String, expiresAt: Timestamp?) async throws(StoreError) {
        try await updateToken(id, set: "expires_at = \(dialect.placeholder(1))", [expiresAt.sql])
    }

    /// `UPDATE scim_tokens SET <assignment> WHERE id = ?2`; `notFound` when there is no such token.
    private func updateToken(
        _ id: String, set assignment: String, _ values: [SQLValue], _ more: [SQLValue] = []
    ) async throws(StoreError) {
        let sql = "UPDATE scim_tokens SET \(assignment) WHERE id = \(dialect.placeholder(2)) RETURNING id"
        try await write(atomic: false) { database in
            if try await database.query(sql, values + [.text(id)] + more).isEmpty {
                throw StoreError.notFound("Token \(id)")
            }
        }
    }

    // MARK: Accounts and roles

    public func createAccount(_ account: Account) async throws(StoreError) -> Account {
        let table = Tables.accounts
        let sql = table.insert(dialect)
        let values = table.values(account)
        try await write(unique: UniqueKey(attribute: "userName", value: account.userName), atomic: false) {
            database in
            _ = try await database.query(sql, values)
        }
        return account
    }

    public func account(id: String) async throws(StoreError) -> Account? {
        let sql = "\(Tables.accounts.select(dialect)) WHERE id = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(id)]).first.map(Tables.accounts.decode)
        }
    }

    public func account(userName: String) async throws(StoreError) -> Account? {
        let sql = "\(Tables.accounts.select(dialect)) WHERE user_name_key = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(userName.scimCaseFolded)]).first.map(Tables.accounts.decode)
        }
    }

    public func accounts() async throws(StoreError) -> [Account] {
        let sql = "\(Tables.accounts.select(dialect)) ORDER BY user_name_key, id"
        return try await read { database in try await database.query(sql, []).map(Tables.accounts.decode) }
    }

    public func updateAccount(_ account: Account) async throws(StoreError) -> Account {
        let table = Tables.accounts
        let sql = table.update(dialect) + " RETURNING id"
        let values = table.values(account)
        try await write(unique: UniqueKey(attribute: "userName", value: account.userName), atomic: false) {
            database in
            if try await database.query(sql, values).isEmpty { throw StoreError.notFound("Account \(account.id)") }
        }
        return account
    }

    public func assignRole(_ assignment: RoleAssignment) async throws(StoreError) {
        let table = Tables.roleAssignments
        let sql = table.insert(dialect, suffix: " ON CONFLICT DO NOTHING")
        let values = table.values(assignment)
        try await write(atomic: false) { database in _ = try await database.query(sql, values) }
    }

    public func removeRole(_ role: Role, from subject: RoleSubject) async throws(StoreError) {
        let sql =
            "DELETE FROM role_assignments WHERE role = \(dialect.placeholder(1)) AND subject_kind = \(dialect.placeholder(2)) AND subject_id = \(dialect.placeholder(3))"
        try await write(atomic: false) { database in
            _ = try await database.query(sql, [.text(role.rawValue), .text(subject.kind), .text(subject.id)])
        }
    }

    public func roleAssignments() async throws(StoreError) -> [RoleAssignment] {
        let sql = "\(Tables.roleAssignments.select(dialect)) ORDER BY role, subject_kind, subject_id"
        return try await read { database in try await database.query(sql, []).map(Tables.roleAssignments.decode) }
    }

    // MARK: Sessions

    public func createSession(_ session: Session) async throws(StoreError) {
        let table = Tables.sessions
        let sql = table.insert(dialect)
        let values = table.values(session)
        try await write(unique: UniqueKey(attribute: "session", value: ""), atomic: false) { database in
            _ = try await database.query(sql, values)
        }
    }

    public func session(idHash: String) async throws(StoreError) -> Session? {
        let sql = "\(Tables.sessions.select(dialect)) WHERE id_hash = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(idHash)]).first.map(Tables.sessions.decode)
        }
    }

    public func deleteSession(idHash: String) async throws(StoreError) {
        let sql = "DELETE FROM sessions WHERE id_hash = \(dialect.placeholder(1))"
        try await write(atomic: false) { database in _ = try await database.query(sql, [.text(idHash)]) }
    }

    public func deleteExpiredSessions(before: Timestamp) async throws(StoreError) -> Int {
        let sql = "DELETE FROM sessions WHERE expires_at < \(dialect.placeholder(1)) RETURNING id_hash"
        return try await write(atomic: false) { database in try await database.query(sql, [before.sql]).count }
    }

    public func touchSession(idHash: String, at: Timestamp) async throws(StoreError) {
        let sql =
            "UPDATE sessions SET last_seen_at = \(dialect.placeholder(1)) WHERE id_hash = \(dialect.placeholder(2))"
        try await write(atomic: false) { database in _ = try await database.query(sql, [at.sql, .text(idHash)]) }
    }

    public func deleteSessions(accountID: String) async throws(StoreError) {
        let sql = "DELETE FROM sessions WHERE account_id = \(dialect.placeholder(1))"
        try await write(atomic: false) { database in _ = try await database.query(sql, [.text(accountID)]) }
    }

    public func deleteSessions(userID: String) async throws(StoreError) {
        let sql = "DELETE FROM sessions WHERE user_id = \(dialect.placeholder(1))"
        try await write(atomic: false) { database in _ = try await database.query(sql, [.text(userID)]) }
    }

    public func deleteSessions(connectionID: String) async throws(StoreError) {
        let sql = "DELETE FROM sessions WHERE connection_id = \(dialect.placeholder(1))"
        try await write(atomic: false) { database in _ = try await database.query(sql, [.text(connectionID)]) }
    }

    // MARK: Single sign-on

    public func singleSignOn(connectionID: String) async throws(StoreError) -> SingleSignOn? {
        let sql = "\(Tables.singleSignOn.select(dialect)) WHERE connection_id = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(connectionID)]).first.map(Tables.singleSignOn.decode)
        }
    }

    public func singleSignOns() async throws(StoreError) -> [SingleSignOn] {
        let sql = "\(Tables.singleSignOn.select(dialect)) ORDER BY connection_id"
        return try await read { database in try await database.query(sql, []).map(Tables.singleSignOn.decode) }
    }

    public func saveSingleSignOn(_ settings: SingleSignOn) async throws(StoreError) {
        let table = Tables.singleSignOn
        let delete = "DELETE FROM single_sign_on WHERE connection_id = \(dialect.placeholder(1))"
        let insert = table.insert(dialect)
        let values = table.values(settings)
        try await write { database in
            _ = try await database.query(delete, [.text(settings.connectionID)])
            _ = try await database.query(insert, values)
        }
    }

    public func createSSORequest(_ request: SSORequest) async throws(StoreError) {
        let table = Tables.ssoRequests
        let sql = table.insert(dialect)
        let values = table.values(request)
        try await write(atomic: false) { database in _ = try await database.query(sql, values) }
    }

    public func takeSSORequest(stateHash: String) async throws(StoreError) -> SSORequest? {
        let table = Tables.ssoRequests
        let sql = """
            DELETE FROM sso_requests WHERE state_hash = \(dialect.placeholder(1))
            RETURNING \(table.columns.map(\.name).joined(separator: ", "))
            """
        return try await write(atomic: false) { database in
            try await database.query(sql, [.text(stateHash)]).first.map(table.decode)
        }
    }

    public func useAssertion(_ assertion: UsedAssertion) async throws(StoreError) -> Bool {
        let p = dialect.placeholder
        // One statement: two instances given the same assertion cannot both see it as new.
        let sql = """
            INSERT INTO sso_assertions (id, expires_at) VALUES (\(p(1)), \(p(2)))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """
        return try await write(atomic: false) { database in
            !(try await database.query(sql, [.text(assertion.id), assertion.expiresAt.sql]).isEmpty)
        }
    }

    public func deleteExpiredSingleSignOn(before: Timestamp) async throws(StoreError) -> Int {
        let requests = "DELETE FROM sso_requests WHERE expires_at < \(dialect.placeholder(1)) RETURNING state_hash"
        let assertions = "DELETE FROM sso_assertions WHERE expires_at < \(dialect.placeholder(1)) RETURNING id"
        return try await write { database in
            let dropped = try await database.query(requests, [before.sql]).count
            return dropped + (try await database.query(assertions, [before.sql]).count)
        }
    }

    // MARK: Login throttle

    public func recordLoginFailure(
        subject: String, at: Timestamp, windowStart: Timestamp
    ) async throws(StoreError) -> LoginFailures {
        let table = Tables.loginFailures
        let p = dialect.placeholder
        // One statement, so two instances counting the same subject cannot lose a failure.
        let sql = """
            INSERT INTO login_failures (subject, failures, first_at, last_at) VALUES (\(p(1)), 1, \(p(2)), \(p(2)))
            ON CONFLICT (subject) DO UPDATE SET
            failures = CASE WHEN login_failures.first_at < \(p(3)) THEN 1 ELSE login_failures.failures + 1 END,
            first_at = CASE WHEN login_failures.first_at < \(p(3)) THEN \(p(2)) ELSE login_failures.first_at END,
            last_at = \(p(2))
            RETURNING \(table.columns.map(\.name).joined(separator: ", "))
            """
        return try await write(atomic: false) { database in
            guard let row = try await database.query(sql, [.text(subject), at.sql, windowStart.sql]).first else {
                throw StoreError.corruptRow("login_failures: the upsert returned no row")
            }
            return try table.decode(row)
        }
    }

    public func loginFailures(subject: String) async throws(StoreError) -> LoginFailures? {
        let sql = "\(Tables.loginFailures.select(dialect)) WHERE subject = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(subject)]).first.map(Tables.loginFailures.decode)
        }
    }

    public func clearLoginFailures(subject: String) async throws(StoreError) {
        let sql = "DELETE FROM login_failures WHERE subject = \(dialect.placeholder(1))"
        try await write(atomic: false) { database in _ = try await database.query(sql, [.text(subject)]) }
    }

    public func forgiveLoginFailure(subject: String) async throws(StoreError) {
        let p = dialect.placeholder
        let update = "UPDATE login_failures SET failures = failures - 1 WHERE subject = \(p(1)) AND failures > 0"
        let delete = "DELETE FROM login_failures WHERE subject = \(p(1)) AND failures <= 0"
        try await write { database in
            _ = try await database.query(update, [.text(subject)])
            _ = try await database.query(delete, [.text(subject)])
        }
    }

    public func deleteLoginFailures(before: Timestamp) async throws(StoreError) -> Int {
        let sql = "DELETE FROM login_failures WHERE last_at < \(dialect.placeholder(1)) RETURNING subject"
        return try await write(atomic: false) { database in try await database.query(sql, [before.sql]).count }
    }

    // MARK: Activity

    public func recordActivity(_ event: ActivityEvent) async throws(StoreError) {
        try await recordActivities([event])
    }

    /// The subject rows of some events: each event's resource and its related ones, once each.
    static func subjects(of events: [ActivityEvent]) -> [ActivitySubject] {
        events.flatMap { event in
            var seen = Set<String>()
            return ([event.resourceID].compactMap { $0 } + event.related).compactMap { id in
                seen.insert(id).inserted ? ActivitySubject(activityID: event.id, resourceID: id, at: event.at) : nil
            }
        }
    }

    /// `INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING` for `rows`, 64 rows a statement.
    private func insertBatched<Row>(
        _ table: SQLTable<Row>, _ rows: [Row], conflict: String, on database: any SQLConnection
    ) async throws {
        let width = table.columns.count
        let names = table.columns.map(\.name).joined(separator: ", ")
        let dialect = self.dialect
        // 64 rows a statement stays far below SQLite's bind limit.
        for start in stride(from: 0, to: rows.count, by: 64) {
            let batch = rows[start..<min(start + 64, rows.count)]
            let placeholders = (0..<batch.count).map { row in
                "(" + (1...width).map { dialect.placeholder(row * width + $0) }.joined(separator: ", ") + ")"
            }.joined(separator: ", ")
            _ = try await database.query(
                "INSERT INTO \(table.name) (\(names)) VALUES \(placeholders) ON CONFLICT (\(conflict)) DO NOTHING",
                batch.flatMap(table.values))
        }
    }

    public func recordActivities(_ events: [ActivityEvent]) async throws(StoreError) {
        guard !events.isEmpty else { return }
        let subjects = Self.subjects(of: events)
        try await write { connection in
            // A batch put back after a cut-short write may already be stored: rows are idempotent.
            try await self.insertBatched(Tables.activity, events, conflict: "id", on: connection)
            try await self.insertBatched(
                Tables.activitySubjects, subjects, conflict: "activity_id, resource_id", on: connection)
        }
    }

    /// The WHERE clause of an activity query (empty when nothing is asked).
    static func conditions(_ query: ActivityQuery, _ binds: inout SQLBinds) -> String {
        var conditions: [String] = []
        if let connectionID = query.connectionID {
            conditions.append("connection_id = \(binds.add(.text(connectionID)))")
        }
        if let actor = query.actor { conditions.append("actor = \(binds.add(.text(actor)))") }
        if let status = query.status { conditions.append("status = \(binds.add(.integer(Int64(status))))") }
        switch query.outcome {
        case .succeeded?: conditions.append("status < 400")
        case .failed?: conditions.append("status >= 400")
        case nil: break
        }
        if let type = query.resourceType { conditions.append("resource_type = \(binds.add(.text(type)))") }
        if let id = query.resourceID {
            conditions.append(
                "id IN (SELECT activity_id FROM activity_subjects WHERE resource_id = \(binds.add(.text(id))))")
        }
        if let since = query.since { conditions.append("at >= \(binds.add(since.sql))") }
        if let until = query.until { conditions.append("at < \(binds.add(until.sql))") }
        return conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    public func activity(id: String) async throws(StoreError) -> ActivityEvent? {
        let sql = "\(Tables.activity.select(dialect)) WHERE id = \(dialect.placeholder(1))"
        return try await read { database in
            try await database.query(sql, [.text(id)]).first.map(Tables.activity.decode)
        }
    }

    public func activitySubjects(activityID: String) async throws(StoreError) -> [String] {
        let sql =
            "SELECT s.resource_id FROM activity_subjects s JOIN activity a ON a.id = s.activity_id WHERE s.activity_id = \(dialect.placeholder(1)) ORDER BY CASE WHEN s.resource_id = a.resource_id THEN 0 ELSE 1 END, s.resource_id"
        return try await read { database in
            try await database.query(sql, [.text(activityID)]).compactMap { $0.first?.text }
        }
    }

    public func activityHistogram(
        _ query: ActivityQuery, since: Timestamp, bucketSeconds: Int64
    ) async throws(StoreError) -> [ActivityBucket] {
        var bounded = query
        bounded.since = max(since, query.since ?? since)
        var binds = SQLBinds(dialect: dialect)
        let whereClause = Self.conditions(bounded, &binds)
        let width = binds.add(.integer(max(1, bucketSeconds) * 1_000_000))
        let sql =
            "SELECT at / \(width) AS bucket, COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) FROM activity\(whereClause) GROUP BY at / \(width) ORDER BY bucket"
        let values = binds.values
        let micros = max(1, bucketSeconds) * 1_000_000
        return try await read { database in
            try await database.query(sql, values).compactMap { row in
                let values = row.values
                guard values.count == 3, let bucket = values[0].integer, let total = values[1].integer else {
                    return nil
                }
                return ActivityBucket(
                    start: Timestamp(microseconds: bucket * micros), total: Int(total),
                    failed: Int(values[2].integer ?? 0))
            }
        }
    }

    public func activity(_ query: ActivityQuery) async throws(StoreError) -> Page<ActivityEvent> {
        var binds = SQLBinds(dialect: dialect)
        let whereClause = Self.conditions(query, &binds)
        let countSQL = "SELECT COUNT(*) FROM activity\(whereClause)"
        let countBinds = binds.values
        let pageSQL =
            "\(Tables.activity.select(dialect))\(whereClause) ORDER BY at DESC, id DESC LIMIT \(binds.add(.integer(Int64(max(0, query.count))))) OFFSET \(binds.add(.integer(Int64(max(0, query.offset)))))"
        let pageBinds = binds.values
        return try await read { database in
            let total = try await database.query(countSQL, countBinds).first?.first?.integer ?? 0
            let items = try await database.query(pageSQL, pageBinds).map(Tables.activity.decode)
            return Page(items: items, totalResults: Int(total))
        }
    }

    /// Rows deleted per transaction by ``pruneActivity(keep:before:)``, so a first pass over
    /// millions of old rows never holds the writer (or memory) for long.
    static let pruneChunk = 5000

    public func pruneActivity(keep: Int, before: Timestamp) async throws(StoreError) -> Int {
        let dialect = self.dialect
        let chunk = Self.pruneChunk
        var removed = try await deleteActivity(
            where: "at < \(dialect.placeholder(1))", [before.sql], chunk: chunk)
        // Past the newest `keep` rows: the first row to drop, then everything at or below it.
        let boundary = try await read { database in
            try await database.query(
                "SELECT at, id FROM activity ORDER BY at DESC, id DESC LIMIT 1 OFFSET \(dialect.placeholder(1))",
                [.integer(Int64(max(0, keep)))]
            ).first
        }
        if let boundary {
            var reader = SQLRowDecoder(boundary, table: "activity")
            let at: Int64
            let id: String
            do {
                at = try reader.integer("at")
                id = try reader.text("id")
            } catch {
                throw .corruptRow("activity: \(error)")
            }
            removed += try await deleteActivity(
                where:
                    "at < \(dialect.placeholder(1)) OR (at = \(dialect.placeholder(1)) AND id <= \(dialect.placeholder(2)))",
                [.integer(at), .text(id)], chunk: chunk)
        }
        return removed
    }

    /// Deletes the activity rows matching `condition`, `chunk` rows a transaction.
    private func deleteActivity(
        where condition: String, _ binds: [SQLValue], chunk: Int
    ) async throws(StoreError)
        -> Int
    {
        let sql =
            "DELETE FROM activity WHERE id IN (SELECT id FROM activity WHERE \(condition) LIMIT \(chunk)) RETURNING id"
        let dialect = self.dialect
        var removed = 0
        while true {
            let count = try await write { database in
                let ids = try await database.query(sql, binds).compactMap { $0.first?.text }
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let slice = ids[start..<min(start + 500, ids.count)]
                    let list = (1...slice.count).map { dialect.placeholder($0) }.joined(separator: ", ")
                    _ = try await database.query(
                        "DELETE FROM activity_subjects WHERE activity_id IN (\(list))", slice.map { .text($0) })
                }
                return ids.count
            }
            removed += count
            if count < chunk { return removed }
        }
    }
}
