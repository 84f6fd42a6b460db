import Directory
import Foundation
import Hummingbird
import HummingbirdTesting
import SCIM
import TestSupport
import Testing

/// The key pages as golden HTML: the directory the seed's screenshots show (users with their
/// origin, a group with IDP and manual mappings, a user's groups and timeline, a connection).
/// Re-record with `ACCOUNT_CONSOLE_RECORD_GOLDEN=1 swift test --filter ConsolePageTests`; a
/// recording run fails on purpose, so a recording is never mistaken for a pass.
@Suite("Console pages (golden HTML)")
struct ConsolePageTests {
    /// What differs between runs for reasons of security or timing, not behaviour: request ids,
    /// CSRF tokens, token prefixes and how long each request took.
    static func normalized(_ html: String) -> String {
        html.replacing(/request [0-9a-f]{8,32}/, with: "request REQUEST-ID")
            .replacing(/<code>[0-9a-f]{8,32}<\/code>/, with: "<code>REQUEST-ID</code>")
            .replacing(/name="csrf" value="[^"]*"/, with: "name=\"csrf\" value=\"CSRF\"")
            .replacing(/acs_[A-Za-z0-9_-]{6}/, with: "acs_TOKEN_")
            .replacing(/<td>[0-9]+ (µs|ms|s)<\/td>/, with: "<td>DURATION</td>")
    }

    static func check(_ html: String, golden name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Golden/\(name).html")
        let actual = normalized(html)
        if ProcessInfo.processInfo.environment["ACCOUNT_CONSOLE_RECORD_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("recorded \(name).html; run again without ACCOUNT_CONSOLE_RECORD_GOLDEN")
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(
            actual == expected,
            "\(name).html differs: regenerate with ACCOUNT_CONSOLE_RECORD_GOLDEN=1 and review the diff")
    }

    static func user(_ userName: String, _ given: String, _ family: String, display: String? = nil) -> String {
        let name = display.map { ", \"displayName\": \(JSONValue.string($0).serialized())" } ?? ""
        return """
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "\(userName)",
             "name": {"givenName": \(JSONValue.string(given).serialized()), "familyName": "\(family)"}\(name),
             "emails": [{"value": "\(userName)", "primary": true}], "active": true}
            """
    }

    /// Okta's first pushes: three users, a group with two of them, a PATCH adding the third.
    static func provision(_ server: ConsoleHarness, _ client: any TestClientProtocol) async throws -> [String: String] {
        var ids: [String: String] = [:]
        for (userName, given, family, display) in [
            ("ada@example.com", "Ada", "Lovelace", nil), ("grace@example.com", "Grace", "Hopper", nil),
            ("mallory@example.com", "<img src=x onerror=alert(1)>", "Mallory", "<script>alert(1)</script>Mallory"),
        ] {
            let created = try await server.scim(
                client, .post, "/Users", user(userName, given, family, display: display))
            #expect(created.status == 201)
            ids[userName] = created.json?["id"]?.stringValue
        }
        let group = try await server.scim(
            client, .post, "/Groups",
            #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineers","members":[{"value":"\#(ids["ada@example.com"] ?? "")"}]}"#
        )
        ids["Engineers"] = group.json?["id"]?.stringValue
        server.fixtures.clock.advance(seconds: 60)
        let patch = try await server.scim(
            client, .patch, "/Groups/\(ids["Engineers"] ?? "")",
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"\#(ids["grace@example.com"] ?? "")","display":"grace@example.com"}]}]}"#
        )
        #expect(patch.status == 204)
        return ids
    }

    @Test("users, user, group, connection, activity and login pages")
    func pages() async throws {
        try await ConsoleHarness.with { server, client in
            let ids = try await Self.provision(server, client)
            let browser = Browser(client)
            try Self.check(try await browser.get("/login"), golden: "login")
            try await browser.logIn("admin", ConsoleHarness.adminPassword)
            #expect(browser.status == 303)
            #expect(browser.location == "/users")
            server.fixtures.clock.advance(seconds: 60)
            try await browser.get("/groups/\(ids["Engineers"] ?? "")")
            try await browser.post("/groups/\(ids["Engineers"] ?? "")/members", [("userName", "mallory@example.com")])
            #expect(browser.status == 303)
            await server.activity.flush()

            try Self.check(try await browser.get("/users"), golden: "users")
            try Self.check(try await browser.get("/users?q=ada"), golden: "users-search")
            try Self.check(try await browser.get("/users/\(ids["grace@example.com"] ?? "")"), golden: "user")
            try Self.check(try await browser.get("/groups/\(ids["Engineers"] ?? "")"), golden: "group")
            try Self.check(try await browser.get("/connections/\(server.connection.id)"), golden: "connection")
            try Self.check(try await browser.get("/activity"), golden: "activity")
        }
    }
}
