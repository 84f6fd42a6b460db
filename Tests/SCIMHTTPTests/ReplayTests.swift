import Directory
import HummingbirdTesting
import SCIM
import TestSupport
import Testing

/// Every sequence of docs/idp-behaviour.md §1–§2, replayed from fixture files against the live
/// server.
@Suite("IdP replays")
struct ReplayTests {
    static let all = Fixtures.names("okta") + Fixtures.names("entra")

    @Test("on SQLite", arguments: all)
    func sqlite(_ name: String) async throws {
        try await replay(name, SQLiteHarness.make)
    }

    @Test("on PostgreSQL", .enabled(if: PostgresHarness.available), arguments: all)
    func postgres(_ name: String) async throws {
        try await replay(name, PostgresHarness.make)
    }

    func replay(_ name: String, _ make: (FixedClock) async throws -> StoreUnderTest) async throws {
        let fixture = try IdPReplay(fixture: try Fixtures.load(name))
        let kind: ConnectionKind = name.hasPrefix("entra") ? .entra : .okta
        try await TestServer.with(make, kind: kind) { server, client in
            try await fixture.run(variables: ["token": server.token], send: replaySend(client))
        }
    }

    @Test("the fixtures cover Okta and Entra")
    func coverage() {
        #expect(Fixtures.names("okta").count >= 13)
        #expect(Fixtures.names("entra").count >= 10)
    }

    /// The 12 checks of Okta's SCIM 2.0 SPEC test (docs/idp-behaviour.md §3.1), as one test.
    @Test("Okta SCIM 2.0 SPEC test: all 12 checks")
    func oktaSpecTest() async throws {
        try await replay("okta/12-spec-test.json", SQLiteHarness.make)
    }
}
