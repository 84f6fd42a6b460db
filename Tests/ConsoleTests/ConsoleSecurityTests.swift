import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SCIM
import TestSupport
import Testing

/// Sessions, CSRF, roles and the headers: each a rule an attacker would probe.
@Suite("Console sessions, CSRF and roles")
struct ConsoleSecurityTests {
    @Test("a page without a session sends the browser to the login page, and back afterwards")
    func signInGate() async throws {
        try await ConsoleHarness.with { _, client in
            let browser = Browser(client)
            try await browser.get("/groups?q=eng")
            #expect(browser.status == 303)
            #expect(browser.location == "/login?next=/groups%3Fq%3Deng")
            try await browser.get("/login?next=/groups%3Fq%3Deng")
            try await browser.post(
                "/login",
                [("userName", "admin"), ("password", ConsoleHarness.adminPassword), ("next", "/groups?q=eng")])
            #expect(browser.location == "/groups?q=eng")
            try await browser.get("/groups?q=eng")
            // A next that leaves the site is ignored (no open redirect).
            try await browser.post("/logout", [])
            #expect(browser.location == "/login")
            #expect(browser.cookies["ac_session"] == nil)
            try await browser.get("/login")
            try await browser.post(
                "/login",
                [("userName", "admin"), ("password", ConsoleHarness.adminPassword), ("next", "//evil.example/x")])
            #expect(browser.location == "/users")
        }
    }

    @Test("the session cookie is HttpOnly and SameSite=Lax, and only its hash is stored")
    func cookie() async throws {
        try await ConsoleHarness.with { server, client in
            let browser = Browser(client)
            try await browser.logIn("admin", ConsoleHarness.adminPassword)
            let setCookie = browser.headers[values: .setCookie].first { $0.hasPrefix("ac_session=") } ?? ""
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Lax"))
            let token = try #require(browser.cookies["ac_session"])
            #expect(try await server.service.store.session(idHash: token) == nil)
            #expect(try await server.service.store.session(idHash: DirectoryService.hash(token: token)) != nil)
        }
    }

    /// (what is posted, the status, a phrase of the page).
    static let forgeries: [(name: String, csrf: String?, headers: [(String, String)], status: Int)] = [
        ("no token", "", [], 403),
        ("another session's token", "x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x0x", [], 403),
        ("from another site", nil, [("Sec-Fetch-Site", "cross-site")], 403),
    ]

    @Test("a forged form is refused and changes nothing", arguments: forgeries.indices)
    func forgery(_ index: Int) async throws {
        let forgery = Self.forgeries[index]
        try await ConsoleHarness.with { server, client in
            let browser = Browser(client)
            try await browser.logIn("admin", ConsoleHarness.adminPassword)
            try await browser.get("/connections")
            var extra = HTTPFields()
            for (name, value) in forgery.headers { if let field = HTTPField.Name(name) { extra[field] = value } }
            let page = try await browser.post(
                "/connections", [("name", "forged"), ("kind", "okta")], csrf: forgery.csrf, headers: extra)
            #expect(browser.status == forgery.status, "\(forgery.name)")
            #expect(page.contains("Not allowed"))
            #expect(try await server.service.connections(by: .commandLine).map(\.name) == ["okta-prod"])
        }
    }

    @Test("a viewer sees pages without change controls, and its POSTs are refused")
    func viewer() async throws {
        try await ConsoleHarness.with { server, client in
            let password = try #require(
                try await server.service.createAccount(userName: "vera", password: nil, role: .viewer, by: .commandLine)
            )
            let browser = Browser(client)
            try await browser.logIn("vera", password)
            // A one-time password leads to the password page, and nowhere else.
            #expect(browser.location == "/account/password")
            try await browser.get("/users")
            #expect(browser.location == "/account/password")
            try await browser.get("/account/password")
            try await browser.post(
                "/account/password",
                [("current", password), ("new", "vera-new-password"), ("confirm", "vera-new-password")])
            #expect(browser.location == "/users?notice=password-changed")
            for path in [
                "/users", "/groups", "/connections", "/connections/\(server.connection.id)", "/settings", "/activity",
            ] {
                let page = try await browser.get(path)
                #expect(browser.status == 200, "\(path)")
                let posts = page.components(separatedBy: "method=\"post\"").count - 1
                #expect(posts == 1, "\(path) has \(posts) POST forms; a viewer's page has only the sign-out form")
            }
            let refused = try await browser.post("/connections", [("name", "viewer-made"), ("kind", "okta")])
            #expect(browser.status == 403)
            #expect(refused.contains("viewers see everything and change nothing"))
            #expect(try await server.service.connections(by: .commandLine).count == 1)
            // The pages that exist only to change something are refused by address too.
            let group = try await server.service.createLocalGroup(
                displayName: "Local", description: nil, by: .commandLine
            ).group
            for path in [
                "/users/new", "/groups/new", "/groups/\(group.id)/edit", "/groups/\(group.id)/delete",
                "/groups/\(group.id)/candidates?q=a", "/groups/\(group.id)/members/u1/remove",
            ] {
                let page = try await browser.get(path)
                #expect(browser.status == 403, "\(path)")
                #expect(page.contains("viewers see everything and change nothing"), "\(path)")
            }
        }
    }

    @Test("sessions end after the idle limit and after the absolute limit")
    func expiry() async throws {
        try await ConsoleHarness.with { server, client in
            let browser = Browser(client)
            try await browser.logIn("admin", ConsoleHarness.adminPassword)
            let policy = server.service.sessionPolicy
            // Busy for longer than the idle limit: each request moves it on.
            for _ in 0..<3 {
                server.fixtures.clock.advance(seconds: policy.idle.components.seconds - 60)
                try await browser.get("/users")
                #expect(browser.status == 200)
            }
            server.fixtures.clock.advance(seconds: policy.idle.components.seconds + 1)
            try await browser.get("/users")
            #expect(browser.status == 303, "idle past the limit")

            try await browser.logIn("admin", ConsoleHarness.adminPassword)
            let steps = policy.absolute.components.seconds / (policy.idle.components.seconds - 60) + 1
            var status = 200
            for _ in 0..<steps {
                server.fixtures.clock.advance(seconds: policy.idle.components.seconds - 60)
                try await browser.get("/users")
                status = browser.status
                if status != 200 { break }
            }
            #expect(status == 303, "past the absolute limit, however busy")
        }
    }

    @Test("repeated failures throttle the account name with Retry-After; the right password then waits too")
    func throttle() async throws {
        try await ConsoleHarness.with { server, client in
            let browser = Browser(client)
            for _ in 0..<server.service.sessionPolicy.failuresPerAccount {
                try await browser.get("/login")
                let page = try await browser.post("/login", [("userName", "admin"), ("password", "wrong password!")])
                #expect(browser.status == 401)
                #expect(page.contains("The account name or the password is wrong."))
            }
            try await browser.get("/login")
            let page = try await browser.post(
                "/login", [("userName", "admin"), ("password", ConsoleHarness.adminPassword)])
            #expect(browser.status == 429)
            #expect(page.contains("Too many failed sign-ins"))
            #expect(Int(browser.headers[.retryAfter] ?? "") ?? 0 > 0)
            server.fixtures.clock.advance(seconds: server.service.sessionPolicy.window.components.seconds + 1)
            try await browser.get("/login")
            try await browser.post("/login", [("userName", "admin"), ("password", ConsoleHarness.adminPassword)])
            #expect(browser.status == 303)
            let logins = try await server.service.activity(ActivityQuery(count: 20), by: .commandLine).items
                .filter { $0.path == "login" }
            #expect(logins.map(\.status).filter { $0 == 401 }.count == 5)
            #expect(logins.contains { $0.status == 429 })
        }
    }

    @Test("concurrent wrong guesses at one name: only the allowed number reach the password check")
    func concurrentThrottle() async throws {
        try await ConsoleHarness.with { server, _ in
            let service = server.service
            let outcomes = try await withThrowingTaskGroup(of: LoginOutcome.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await service.logIn(
                            userName: "admin", password: "wrong password \(index)", address: "192.0.2.\(index)")
                    }
                }
                var all: [LoginOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let refused = outcomes.filter { $0 == .refused }.count
            #expect(refused == service.sessionPolicy.failuresPerAccount)
            #expect(outcomes.count - refused == 12 - service.sessionPolicy.failuresPerAccount)
        }
    }

    @Test("a success clears the name's failures but not the address's other failures")
    func successDoesNotResetAddress() async throws {
        try await ConsoleHarness.with { server, _ in
            var service = server.service
            service.sessionPolicy.failuresPerAddress = 3
            let address = "198.51.100.7"
            for name in ["alice", "bob"] {
                #expect(
                    try await service.logIn(userName: name, password: "guess guess 1", address: address) == .refused)
            }
            // The attacker's own account signs in from the same address: that is not forgiveness.
            guard
                case .signedIn = try await service.logIn(
                    userName: "admin", password: ConsoleHarness.adminPassword, address: address)
            else {
                Issue.record("the right password was refused")
                return
            }
            #expect(try await service.logIn(userName: "carol", password: "guess guess 1", address: address) == .refused)
            guard
                case .throttled = try await service.logIn(userName: "dave", password: "guess 1 guess", address: address)
            else {
                Issue.record("the fourth failure from the address was not throttled")
                return
            }
            // The activity row keeps a typed name only when it is an account's.
            let logins = try await service.activity(ActivityQuery(count: 20), by: .commandLine).items
                .filter { $0.path == "login" }
            #expect(!logins.contains { ($0.detail ?? "").contains("carol") })
            #expect(logins.contains { ($0.detail ?? "").contains("\"admin\"") })
        }
    }

    @Test("choosing a new password ends the account's other sessions; this browser stays signed in")
    func passwordChangeEndsSessions() async throws {
        try await ConsoleHarness.with { server, client in
            let elsewhere = Browser(client)
            try await elsewhere.logIn("admin", ConsoleHarness.adminPassword)
            let here = Browser(client)
            try await here.logIn("admin", ConsoleHarness.adminPassword)
            try await here.get("/account/password")
            try await here.post(
                "/account/password",
                [
                    ("current", ConsoleHarness.adminPassword), ("new", "a-brand-new-password"),
                    ("confirm", "a-brand-new-password"),
                ])
            #expect(here.location == "/users?notice=password-changed")
            try await here.get("/users")
            #expect(here.status == 200)
            try await elsewhere.get("/users")
            #expect(elsewhere.status == 303)
            #expect(elsewhere.location?.hasPrefix("/login") == true)
        }
    }

    @Test("every console response carries the security headers; a missing page is a 404 page")
    func headers() async throws {
        try await ConsoleHarness.with { _, client in
            let browser = Browser(client)
            for path in ["/login", "/users", "/no/such/page"] {
                try await browser.get(path)
                let policy = browser.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("frame-ancestors 'none'"), "\(path)")
                #expect(policy.contains("script-src 'self'"), "\(path)")
                #expect(browser.headers[.xContentTypeOptions] == "nosniff", "\(path)")
            }
            let missing = try await browser.get("/no/such/page")
            #expect(browser.status == 404)
            #expect(missing.contains("There is no page at this address."))
        }
    }
}
