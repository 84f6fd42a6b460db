import AccountConsole
import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SCIM
import TestSupport
import Testing

@testable import Console

/// What the pages do, through the running router: the directory's rules as an admin meets them.
@Suite("Console actions")
struct ConsoleActionTests {
    static func signedIn(_ server: ConsoleHarness, _ client: any TestClientProtocol) async throws -> Browser {
        let browser = Browser(client)
        try await browser.logIn("admin", ConsoleHarness.adminPassword)
        return browser
    }

    @Test("deleting an IdP user is refused with the connection's name, and the user stays")
    func idpDeleteRefused() async throws {
        try await ConsoleHarness.with { server, client in
            let created = try await server.scim(
                client, .post, "/Users", ConsolePageTests.user("ada@example.com", "Ada", "L"))
            let id = try #require(created.json?["id"]?.stringValue)
            let browser = try await Self.signedIn(server, client)
            try await browser.get("/users/\(id)")
            let page = try await browser.post("/users/\(id)/delete", [])
            #expect(browser.status == 403)
            #expect(page.contains("okta-prod"))
            #expect(try await server.service.user(id: id, by: .commandLine).user.userName == "ada@example.com")
        }
    }

    @Test("a local user: created, suspended, restored and deleted from its page, each on its timeline")
    func localUserLifecycle() async throws {
        try await ConsoleHarness.with { server, client in
            let browser = try await Self.signedIn(server, client)
            try await browser.get("/users/new")
            try await browser.post(
                "/users", [("userName", "local@example.com"), ("givenName", "Lo"), ("familyName", "Cal")])
            let location = try #require(browser.location)
            let path = String(location.prefix { $0 != "?" })
            try await browser.get(path)
            try await browser.post("\(path)/suspend", [])
            #expect(browser.location == "\(path)?notice=user-suspended")
            var page = try await browser.get(path)
            #expect(page.contains("Suspended"))
            try await browser.post("\(path)/restore", [])
            await server.activity.flush()
            page = try await browser.get(path)
            #expect(page.contains("users.suspend"))
            #expect(page.contains("users.restore"))
            #expect(page.contains("by admin (console)"))
            try await browser.post("\(path)/delete", [])
            #expect(browser.location == "/users?notice=user-deleted")
            try await browser.get(path)
            #expect(browser.status == 404)
        }
    }

    @Test("a token is shown once; the page never shows it again")
    func tokenShownOnce() async throws {
        try await ConsoleHarness.with { server, client in
            let browser = try await Self.signedIn(server, client)
            let path = "/connections/\(server.connection.id)"
            try await browser.get(path)
            let page = try await browser.post("\(path)/tokens", [("name", "second"), ("expiresInDays", "10")])
            #expect(browser.status == 200)
            let token = try #require(page.firstMatch(of: /id="new-token-value">([^<]+)</).map { String($0.1) })
            #expect(try await server.service.authenticate(token: token).caller?.connection.id == server.connection.id)
            let again = try await browser.get(path)
            #expect(!again.contains(token))
            // Expiring within 14 days is a visible warning.
            #expect(again.contains("expires"))
            #expect(again.contains("class=\"warning\""))
        }
    }

    @Test("a token is rotated or revoked only from its own connection's page, with a bounded overlap")
    func tokenBelongsToPage() async throws {
        try await ConsoleHarness.with { server, client in
            let other = try await server.service.createConnection(name: "entra", kind: .entra, by: .commandLine)
            let token = try #require(
                try await server.service.tokens(connectionID: server.connection.id, by: .commandLine).first)
            let browser = try await Self.signedIn(server, client)
            try await browser.get("/connections/\(other.id)")
            for action in ["rotate", "revoke"] {
                try await browser.post("/connections/\(other.id)/tokens/\(token.id)/\(action)", [("overlapHours", "1")])
                #expect(browser.status == 404, "\(action) through another connection")
            }
            try await browser.get("/connections/\(server.connection.id)")
            for hours in ["-1", "721", "9223372036854775807", "soon"] {
                let page = try await browser.post(
                    "/connections/\(server.connection.id)/tokens/\(token.id)/rotate", [("overlapHours", hours)])
                #expect(browser.status == 400, "overlap \(hours)")
                #expect(page.contains("from 0 to 720"))
                try await browser.get("/connections/\(server.connection.id)")
            }
            #expect(try await server.service.authenticate(token: server.scimToken).caller != nil)
            #expect(try await server.service.tokens(connectionID: server.connection.id, by: .commandLine).count == 1)
        }
    }

    @Test("removing a manual member first says what will follow, then removes only the manual mapping")
    func removeManualMember() async throws {
        try await ConsoleHarness.with { server, client in
            let ada = try #require(
                try await server.scim(client, .post, "/Users", ConsolePageTests.user("ada@example.com", "Ada", "L"))
                    .json?["id"]?.stringValue)
            let group = try #require(
                try await server.scim(
                    client, .post, "/Groups",
                    #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops","members":[{"value":"\#(ada)"}]}"#
                ).json?["id"]?.stringValue)
            try await server.service.grantRole(.viewer, to: .group(group), by: .commandLine)
            let browser = try await Self.signedIn(server, client)
            try await browser.get("/groups/\(group)")
            try await browser.post("/groups/\(group)/members", [("userName", "ada@example.com")])
            let confirm = try await browser.get("/groups/\(group)/members/\(ada)/remove")
            #expect(confirm.contains("stays a member of Ops through its IdP mapping (IDP via okta-prod)"))
            try await browser.post("/groups/\(group)/members/\(ada)/remove", [])
            #expect(browser.location == "/groups/\(group)?notice=member-removed")
            let mapping = try await server.service.user(id: ada, by: .commandLine).groups.first
            #expect(mapping?.sources == [.connection(server.connection.id)])
        }
    }

    @Test("the CSV export is the filtered view, with formula cells defused")
    func csvExport() async throws {
        try await ConsoleHarness.with { server, client in
            for name in ["ada@example.com", "adam@example.com", "grace@example.com"] {
                try await server.scim(client, .post, "/Users", ConsolePageTests.user(name, "=HYPERLINK(\"x\")", "L"))
            }
            let browser = try await Self.signedIn(server, client)
            let csv = try await browser.get("/users.csv?q=ada")
            #expect(browser.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.split(separator: "\r\n").map(String.init)
            #expect(lines.first == CSV.header.joined(separator: ","))
            #expect(lines.count == 3)
            #expect(lines.dropFirst().allSatisfy { $0.contains(",\"'=HYPERLINK(\"\"x\"\") L\",") })
        }
    }

    /// (cell, as written).
    static let cells: [(String, String)] = [
        ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("=1+1", "'=1+1"),
        ("+1", "'+1"), ("-1", "'-1"), ("@cmd", "'@cmd"), ("line\nbreak", "\"line\nbreak\""),
        ("windows\r\nline", "\"windows\r\nline\""), ("\rcarriage", "\"'\rcarriage\""),
    ]

    @Test("CSV cells (RFC 4180 quoting, OWASP formula prefix)", arguments: cells)
    func csvCell(_ input: String, _ expected: String) {
        #expect(CSV.cell(input) == expected)
    }

    @Test("the chart: one bar per busy hour, failures stacked on top, a summary for screen readers")
    func chart() {
        let svg = ActivityChart.draw(totals: [0, 4, 2], failures: [0, 1, 2], label: "last 3 hours")
        #expect(svg.components(separatedBy: "class=\"ok\"").count - 1 == 1)
        #expect(svg.components(separatedBy: "class=\"failed\"").count - 1 == 2)
        #expect(svg.contains("aria-label=\"Requests per hour, last 3 hours: 6 in all, 3 failed; busiest hour 4.\""))
        #expect(!svg.contains("style="))
    }

    /// (next parameter, kept).
    static let nexts: [(String?, String?)] = [
        ("/users?q=a", "/users?q=a"), ("//evil.example", nil), ("/\\evil.example", nil), ("https://evil.example", nil),
        ("/login", nil), (nil, nil),
        // Browsers drop tabs and line breaks from a Location: these would become //evil.example.
        ("/\t/evil.example", nil), ("/\n/evil.example", nil), ("/\t\\evil.example", nil), ("/users /x", nil),
    ]

    @Test("after login, only a path of ours", arguments: nexts)
    func safeNext(_ next: String?, _ kept: String?) {
        #expect(LoginPages<AppRequestContext>.safeNext(next) == kept)
    }
}

/// Which hosts single sign-on trusts without a configured public URL.
@Suite("Single sign-on's public address")
struct SignInAddressTests {
    static let hosts: [(String?, Bool)] = [
        ("127.0.0.1:8080", true), ("localhost", true), ("localhost:3000", true), ("[::1]:8080", true),
        ("console.example.com", false), ("127.0.0.1.evil.example", false), ("localhost.evil.example:80", false),
        (nil, false),
    ]

    @Test("only a loopback host is trusted when no public URL is set", arguments: hosts)
    func loopback(_ authority: String?, _ trusted: Bool) {
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: authority, path: "/saml/x/metadata"),
            body: RequestBody(buffer: ByteBuffer()))
        #expect(ConsoleConfiguration().isLoopback(request) == trusted)
    }
}
