import Directory
import DirectorySQL
import DirectorySQLite
import Foundation
import TestSupport
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("applying is idempotent; an older schema says how to migrate")
    func migrations() async throws {
        let clock = FixedClock()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // A store opened without migrating on an empty database refuses, and says what to run.
        do {
            _ = try await SQLiteDirectoryStore.open(path: path, migrate: false, clock: clock)
            Issue.record("opening an unmigrated database should fail")
        } catch {
            #expect(error == .schemaOutdated(found: 0, required: Migrations.latestVersion))
            #expect(error.description.contains("account-console migrate"))
        }
        let (store, database) = try await SQLiteDirectoryStore.open(path: path, migrate: true, clock: clock)
        #expect(try await store.schemaVersion() == Migrations.latestVersion)
        #expect(try await store.migrate(at: clock.now()).isEmpty)
        try await store.checkSchema()
        await database.close()
        let (reopened, again) = try await SQLiteDirectoryStore.open(path: path, migrate: false, clock: clock)
        #expect(try await reopened.schemaVersion() == Migrations.latestVersion)
        await again.close()
    }

    @Test("PostgreSQL: applying twice is idempotent", .enabled(if: PostgresHarness.available))
    func postgresMigrations() async throws {
        try await withStore(PostgresHarness.make) { store, fixtures in
            let version = try await store.schemaVersion()
            #expect(version == Migrations.latestVersion)
            #expect(try await store.migrate(at: fixtures.clock.now()).isEmpty)
        }
    }
}
