import Directory
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SCIM
import TestSupport
import Testing

/// Hostile input that is not an error: SQL in values and filters is data, bound and never run;
/// paging values past any sense are read as RFC 7644 §3.4.2.4 says. The refusals (bodies too
/// large or too deep, invalid UTF-8, duplicate keys, …) are rows of the bad-input table.
@Suite("Hostile input")
struct HostileInputTests {
    static let injections = [
        "x' OR '1'='1", "x\" OR \"1\"=\"1", "'; DROP TABLE users; --", "x') UNION SELECT token_sha256 FROM tokens --",
        "\\'; DELETE FROM memberships WHERE ''='", "x%' OR 1=1 --", "x\u{1}y\u{7F}", "$1); DROP TABLE groups; --",
    ]

    @Test("SQL in values is stored as text and found by filters as text, on SQLite")
    func sqliteInjection() async throws { try await injection(SQLiteHarness.make) }

    @Test(
        "SQL in values is stored as text and found by filters as text, on PostgreSQL",
        .enabled(if: PostgresHarness.available))
    func postgresInjection() async throws { try await injection(PostgresHarness.make) }

    func injection(_ make: @escaping (FixedClock) async throws -> StoreUnderTest) async throws {
        try await TestServer.with(make) { server, client in
            let scim = Exchange(client: client, token: server.token)
            var ids: [String: String] = [:]
            for (index, text) in Self.injections.enumerated() {
                let quoted = JSONValue.string(text).serialized()
                let created = try await scim.send(
                    .post, "/scim/v2/Users",
                    #"{"userName":"user\#(index)@example.com","displayName":\#(quoted),"title":\#(quoted)}"#)
                #expect(created.status == 201, "\(text)")
                ids[text] = created.json?["id"]?.stringValue
                let group = try await scim.send(.post, "/scim/v2/Groups", #"{"displayName":\#(quoted)}"#)
                #expect(group.status == 201, "\(text)")
            }
            let total = try await scim.send(.get, "/scim/v2/Users?count=0").json?["totalResults"]
            #expect(total == .number(JSONNumber(Self.injections.count)))
            for text in Self.injections {
                // Each is found exactly, as the one user that holds it, through eq, co and sw.
                let literal = JSONValue.string(text).serialized()
                for op in ["eq", "co", "sw"] {
                    let search = try await scim.send(
                        .post, "/scim/v2/Users/.search",
                        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":\#(quoteFilter("displayName \(op) \(literal)"))}"#
                    )
                    #expect(search.status == 200, "\(op) \(text)")
                    let found = search.json?["Resources"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue }
                    #expect(found == ids[text].map { [$0] }, "\(op) \(text)")
                }
                let user = try #require(ids[text])
                let read = try await scim.send(.get, "/scim/v2/Users/\(user)")
                #expect(read.json?["title"]?.stringValue == text)
            }
            // Nothing was dropped or emptied by any of it.
            let groups = try await scim.send(.get, "/scim/v2/Groups?count=0").json?["totalResults"]
            #expect(groups == .number(JSONNumber(Self.injections.count)))
        }
    }

    @Test(
        "an activity row naming a NUL is written with U+FFFD, and the rows beside it too",
        arguments: [false, true])
    func activityNUL(_ postgres: Bool) async throws {
        guard !postgres || PostgresHarness.available else { return }
        try await TestServer.with(postgres ? PostgresHarness.make : SQLiteHarness.make) { server, client in
            let scim = Exchange(client: client, token: server.token)
            _ = try await scim.send(.get, "/scim/v2/Users?count=1")
            await server.activity.record(
                ActivityEvent(
                    id: server.fixtures.ids.next(), at: server.fixtures.clock.now(), method: "GET",
                    path: "/scim/v2/Schemas/\u{0}", status: 404, summary: "no schema \u{0}",
                    detail: "no schema \u{0}x", changes: [FieldChange(field: "title", old: "a\u{0}", new: nil)]))
            _ = try await scim.send(.get, "/scim/v2/Groups?count=1")
            await server.activity.flush()
            let rows = try await server.service.activity(ActivityQuery(count: 20), by: .commandLine).items
            #expect(rows.contains { $0.detail == "no schema \u{FFFD}x" && $0.path == "/scim/v2/Schemas/\u{FFFD}" })
            #expect(rows.contains { $0.path.hasPrefix("/scim/v2/Users") })
            #expect(rows.contains { $0.path.hasPrefix("/scim/v2/Groups") })
        }
    }

    /// A filter as a JSON string value.
    func quoteFilter(_ filter: String) -> String {
        JSONValue.string(filter).serialized()
    }

    /// (query, expected startIndex, expected itemsPerPage) with three users stored.
    static let pagingCases: [(String, Int, Int)] = [
        ("startIndex=-5", 1, 3),
        ("startIndex=0&count=2", 1, 2),
        ("count=-1", 1, 0),
        ("count=99999999999999999999999999", 1, 3),
        ("startIndex=99999999999999999999999999", 2_147_483_647, 0),
        ("startIndex=-99999999999999999999999999&count=1", 1, 1),
    ]

    @Test(
        "paging values past any sense are read as the RFC says, not refused and not overflowed", arguments: pagingCases)
    func paging(_ query: String, _ startIndex: Int, _ items: Int) async throws {
        try await TestServer.with(SQLiteHarness.make) { server, client in
            let scim = Exchange(client: client, token: server.token)
            for name in ["a", "b", "c"] {
                _ = try await scim.send(.post, "/scim/v2/Users", #"{"userName":"\#(name)@example.com"}"#)
            }
            let page = try await scim.send(.get, "/scim/v2/Users?\(query)")
            #expect(page.status == 200)
            #expect(page.json?["startIndex"] == .number(JSONNumber(startIndex)))
            #expect(page.json?["itemsPerPage"] == .number(JSONNumber(items)))
            #expect(page.json?["totalResults"] == .number(JSONNumber(3)))
        }
    }

    static let traversals = [
        "/assets/../../../../etc/passwd", "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fPackage.swift",
        "/assets/console.css/../../../../etc/passwd", "/assets/%2E%2E%5C%2E%2E%5Cetc%5Cpasswd",
        "/assets/....//....//etc/passwd",
        "/assets/console.css%00.html", "/scim/v2/../../etc/passwd", "/scim/v2/Users/..%2F..%2F..%2Fetc%2Fpasswd",
    ]

    @Test("a path that climbs out of the static routes reaches no file", arguments: traversals)
    func traversal(_ path: String) async throws {
        try await TestServer.with(SQLiteHarness.make) { server, client in
            let response = try await client.executeRequest(
                uri: path, method: .get, headers: [.authorization: "Bearer \(server.token)"], body: nil)
            let status = Int(response.status.code)
            let text = String(buffer: response.body)
            #expect(status == 404 || status == 400 || status == 303, "\(path): \(status)")
            #expect(!text.contains("root:"), "\(path) served /etc/passwd")
            #expect(!text.contains("PackageDescription"), "\(path) served a source file")
        }
    }
}
