import Directory
import DirectorySQL
import TestSupport
import Testing

@Suite("Store conformance: SQLite")
struct SQLiteStoreConformanceTests {
    @Test("contract", arguments: StoreConformance.checks)
    func contract(_ check: StoreCheck) async throws {
        try await withStore(SQLiteHarness.make) { store, fixtures in try await check.run(store, fixtures) }
    }
}

@Suite(
    "Store conformance: PostgreSQL",
    .enabled(if: PostgresHarness.available, "set ACCOUNT_CONSOLE_TEST_POSTGRES_URL (scripts/test.sh does)"))
struct PostgresStoreConformanceTests {
    @Test("contract", arguments: StoreConformance.checks)
    func contract(_ check: StoreCheck) async throws {
        try await withStore(PostgresHarness.make) { store, fixtures in try await check.run(store, fixtures) }
    }
}

@Suite("PostgreSQL availability")
struct PostgresAvailabilityTests {
    /// A plain `swift test` without a server skips the PostgreSQL suites and says so loudly;
    /// `scripts/test.sh` sets ACCOUNT_CONSOLE_REQUIRE_POSTGRES, which makes a missing server fail.
    @Test("the PostgreSQL suites ran, or the skip is announced")
    func announce() {
        if PostgresHarness.available { return }
        let banner = String(repeating: "!", count: 78)
        print(
            """
            \(banner)
            !! PostgreSQL SUITES SKIPPED: ACCOUNT_CONSOLE_TEST_POSTGRES_URL is not set.
            !! Run scripts/test.sh, which starts a throw-away PostgreSQL server, to run them.
            \(banner)
            """)
        if PostgresHarness.required {
            Issue.record("ACCOUNT_CONSOLE_REQUIRE_POSTGRES=1 but no PostgreSQL URL: the PostgreSQL suites did not run")
        }
    }
}
