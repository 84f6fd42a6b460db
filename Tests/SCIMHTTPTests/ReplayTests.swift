import AccountConsole
import Directory
import HummingbirdTesting
import SCIM
import TestSupport
import Testing

/// Every flow of docs/idp-behaviour.md §1–§2.3 — the flows `account-console replay` plays —
/// against the live server in-process, on SQLite and PostgreSQL. This is the thin Swift Testing
/// adapter over the one runner: each problem it returns becomes an issue.
@Suite("IdP replays")
struct ReplayTests {
    static let all: [String] = ReplayClient.allCases.flatMap { client in
        ((try? client.flows()) ?? []).map { "\(client.rawValue)/\($0.id)" }
    }

    static func flow(_ name: String) throws -> ReplayFlow {
        let parts = name.split(separator: "/").map(String.init)
        let client = try #require(ReplayClient(rawValue: parts[0]))
        return try #require(try client.flows().first { $0.id == parts[1] })
    }

    @Test("on SQLite", arguments: all)
    func sqlite(_ name: String) async throws {
        try await replay(name, SQLiteHarness.make)
    }

    @Test("on PostgreSQL", .enabled(if: PostgresHarness.available), arguments: all)
    func postgres(_ name: String) async throws {
        try await replay(name, PostgresHarness.make)
    }

    func replay(_ name: String, _ make: (FixedClock) async throws -> StoreUnderTest) async throws {
        let flow = try Self.flow(name)
        let kind: ConnectionKind = flow.client == .entra ? .entra : .okta
        try await TestServer.with(make, kind: kind) { server, client in
            let results = await flow.run(variables: ["token": server.token], send: replaySend(client))
            #expect(results.count == flow.steps.count, "\(flow.name): stopped after step \(results.count)")
            for result in results where !result.passed {
                Issue.record(
                    "\(flow.name) — step \(result.step) (\(result.name)): \(result.problems.joined(separator: "; "))")
            }
        }
    }

    @Test("the flows cover Okta, Entra and OneLogin")
    func coverage() throws {
        #expect(try ReplayClient.okta.flows().count >= 13)
        #expect(try ReplayClient.entra.flows().count >= 10)
        #expect(try ReplayClient.onelogin.flows().count >= 2)
    }

    /// The 12 checks of Okta's SCIM 2.0 SPEC test (docs/idp-behaviour.md §3.1), as one test.
    @Test("Okta SCIM 2.0 SPEC test: all 12 checks")
    func oktaSpecTest() async throws {
        try await replay("okta/12-spec-test", SQLiteHarness.make)
    }

    /// A mismatch is reported, not passed: the runner is itself under test.
    @Test("a wrong expectation fails the step and ends the flow")
    func mismatchFails() async throws {
        var flow = try Self.flow("okta/02-push-new-user")
        var first = flow.steps[0]
        first["expect"] = ["status": 201]
        flow.steps[0] = first
        let broken = flow
        try await TestServer.with(SQLiteHarness.make, kind: .okta) { server, client in
            let results = await broken.run(variables: ["token": server.token], send: replaySend(client))
            #expect(results.count == 1)
            #expect(results.first?.problems.first == "status 200, expected 201")
        }
    }
}
