import Directory

extension SQLDirectoryStore {
    public func lockConnection(id: String) async throws(StoreError) {
        guard dialect.name == .postgres else { return }
        let sql = "SELECT id FROM connections WHERE id = \(dialect.placeholder(1)) FOR NO KEY UPDATE"
        try await write(atomic: false) { connection in _ = try await connection.query(sql, [.text(id)]) }
    }

    public func deprovisionCount(connectionID: String, since: Timestamp) async throws(StoreError) -> Int {
        let sql =
            "SELECT COUNT(*) FROM deprovisioned WHERE connection_id = \(dialect.placeholder(1)) AND at >= \(dialect.placeholder(2))"
        return try await read { connection in
            Int(try await connection.query(sql, [.text(connectionID), since.sql]).first?.first?.integer ?? 0)
        }
    }

    public func holdDeprovision(_ held: HeldDeprovision) async throws(StoreError) {
        let table = Tables.heldDeprovisions
        // A user held twice (suspended, then deleted) keeps how it was before the first hold.
        let sql = table.insert(
            dialect,
            suffix:
                " ON CONFLICT (user_id) DO UPDATE SET action = excluded.action, cause = excluded.cause, held_at = excluded.held_at"
        )
        let values = table.values(held)
        try await write(atomic: false) { connection in _ = try await connection.query(sql, values) }
    }

    public func heldDeprovisions(connectionID: String) async throws(StoreError) -> [HeldDeprovision] {
        let table = Tables.heldDeprovisions
        let sql = "\(table.select(dialect)) WHERE connection_id = \(dialect.placeholder(1)) ORDER BY held_at, user_id"
        return try await read { connection in
            try await connection.query(sql, [.text(connectionID)]).map { try table.decode($0) }
        }
    }

    public func heldDeprovision(userID: String) async throws(StoreError) -> HeldDeprovision? {
        let table = Tables.heldDeprovisions
        let sql = "\(table.select(dialect)) WHERE user_id = \(dialect.placeholder(1))"
        return try await read { connection in
            try await connection.query(sql, [.text(userID)]).first.map { try table.decode($0) }
        }
    }

    public func deleteHeldDeprovision(userID: String) async throws(StoreError) {
        let sql = "DELETE FROM held_deprovisions WHERE user_id = \(dialect.placeholder(1))"
        try await write(atomic: false) { connection in _ = try await connection.query(sql, [.text(userID)]) }
    }
}

extension SQLDirectoryStore {
    public func claimJob(_ name: String, at now: Timestamp, notBefore: Timestamp) async throws(StoreError) -> Bool {
        let table = Tables.jobRuns
        let sql = table.insert(
            dialect,
            suffix:
                " ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at WHERE job_runs.last_run_at <= \(dialect.placeholder(3)) RETURNING name"
        )
        let values = table.values(JobRun(name: name, lastRunAt: now)) + [notBefore.sql]
        return try await write(atomic: false) { connection in !(try await connection.query(sql, values).isEmpty) }
    }
}
