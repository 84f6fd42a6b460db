import Directory
import DirectoryPostgres
import DirectorySQL
import DirectorySQLite
import Foundation
import Logging
import TestSupport
import Testing

/// A fresh, migrated store and a way to throw it away.
struct StoreUnderTest {
    let store: SQLDirectoryStore
    let close: @Sendable () async -> Void
}

enum SQLiteHarness {
    static func make(clock: FixedClock) async throws -> StoreUnderTest {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("account-console-test-\(UUID().uuidString).db").path
        let (store, database) = try await SQLiteDirectoryStore.open(path: path, migrate: true, clock: clock)
        return StoreUnderTest(store: store) {
            await database.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
}

enum PostgresHarness {
    /// `postgres://…` of a throw-away server; `scripts/test.sh` starts one and sets it.
    static let url = ProcessInfo.processInfo.environment["ACCOUNT_CONSOLE_TEST_POSTGRES_URL"]
    /// Set by `scripts/test.sh`: then a missing server is a failure, never a skip.
    static let required = ProcessInfo.processInfo.environment["ACCOUNT_CONSOLE_REQUIRE_POSTGRES"] == "1"
    static var available: Bool { url != nil }

    /// A store in a schema of its own, dropped afterwards.
    static func make(clock: FixedClock) async throws -> StoreUnderTest {
        let url = try #require(url)
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = await PostgresDirectoryDatabase.connect(location: try PostgresLocation(url: url))
        _ = try await admin.write { connection in try await connection.query("CREATE SCHEMA \(schema)", []) }
        var location = try PostgresLocation(url: url)
        location.searchPath = schema
        location.maximumConnections = 8
        let (store, database) = try await PostgresDirectoryStore.open(location: location, migrate: true, clock: clock)
        return StoreUnderTest(store: store) {
            await database.close()
            _ = try? await admin.write { connection in try await connection.query("DROP SCHEMA \(schema) CASCADE", []) }
            await admin.close()
        }
    }
}

/// Runs `body` with a store, closing it whatever happens.
func withStore(
    _ make: (FixedClock) async throws -> StoreUnderTest,
    _ body: (SQLDirectoryStore, DirectoryFixtures) async throws -> Void
) async throws {
    let fixtures = DirectoryFixtures()
    let harness = try await make(fixtures.clock)
    do {
        try await body(harness.store, fixtures)
        await harness.close()
    } catch {
        await harness.close()
        throw error
    }
}
