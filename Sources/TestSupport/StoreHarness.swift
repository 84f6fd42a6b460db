import Directory
import DirectoryPostgres
import DirectorySQL
import DirectorySQLite
import Foundation
import Testing

/// A fresh, migrated store and a way to throw it away.
public struct StoreUnderTest: Sendable {
    public let store: SQLDirectoryStore
    public let close: @Sendable () async -> Void
}

public enum SQLiteHarness {
    public static func make(clock: FixedClock) async throws -> StoreUnderTest {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("account-console-test-\(UUID().uuidString).db").path
        let (store, database) = try await SQLiteDirectoryStore.open(path: path, migrate: true, clock: clock)
        return StoreUnderTest(store: store) {
            await database.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
}

public enum PostgresHarness {
    /// `postgres://…` of a throw-away server; `scripts/test.sh` starts one and sets it.
    public static let url = ProcessInfo.processInfo.environment["ACCOUNT_CONSOLE_TEST_POSTGRES_URL"]
    /// Set by `scripts/test.sh`: then a missing server is a failure, never a skip.
    public static let required = ProcessInfo.processInfo.environment["ACCOUNT_CONSOLE_REQUIRE_POSTGRES"] == "1"
    public static var available: Bool { url != nil }

    /// A store in a schema of its own, dropped afterwards.
    public static func make(clock: FixedClock) async throws -> StoreUnderTest {
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
public func withStore(
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
