import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SCIM
import Synchronization
import TestSupport
import Testing

/// Every route of the server against every kind of caller, with the status each must get. The
/// same table is printed in docs/reliability.md, and this test keeps the two equal
/// (`ACCOUNT_CONSOLE_RECORD_GOLDEN=1` rewrites the printed copy).
@Suite("Authorization matrix")
struct AuthorizationMatrixTests {
    /// Who calls.
    enum Caller: String, CaseIterable, Sendable {
        case none = "no credentials"
        case provision = "provisioning token"
        case read = "read token"
        case other = "other connection's token"
        case revoked = "revoked token"
        case expired = "expired token"
        case viewer = "viewer session"
        case admin = "admin session"
        case ssoWithoutRole = "SSO user without a role"
    }

    struct Route: Sendable {
        var method: HTTPRequest.Method
        /// `{user}`, `{group}`, `{local}`, `{localGroup}`, `{connection}`, `{token}`, `{account}`,
        /// `{activity}` are replaced by ids made in ``World``.
        var path: String
        var body: String? = nil
        /// One cell per ``Caller``, in order: a status, or `login` (303 to the sign-in page).
        var expected: String
    }

    static let user = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"matrix@example.com"}"#
    static let group = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Matrix"}"#
    static let patch =
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Matrix"}]}"#
    static let groupPatch =
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Matrix renamed"}]}"#
    static let search = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"count":1}"#
    static let bulk =
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","bulkId":"b1","path":"/Users","data":{"userName":"bulk@example.com"}}]}"#
    static let put =
        #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","title":"Put"}"#

    //                      none prov read other revoked expired viewer admin sso-no-role
    static let routes: [Route] = [
        Route(method: .get, path: "/healthz", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/readyz", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/metrics", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/openapi.yaml", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/assets/console.css", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/scim/v2/ServiceProviderConfig", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/scim/v2/ResourceTypes", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/scim/v2/Schemas", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/scim/v2/Users", expected: "401 200 200 200 401 401 401 401 401"),
        Route(method: .get, path: "/scim/v2/Users/{user}", expected: "401 200 200 200 401 401 401 401 401"),
        Route(
            method: .post, path: "/scim/v2/Users/.search", body: search,
            expected: "401 200 200 200 401 401 401 401 401"),
        Route(method: .post, path: "/scim/v2/Users", body: user, expected: "401 201 403 201 401 401 401 401 401"),
        Route(method: .put, path: "/scim/v2/Users/{user}", body: put, expected: "401 200 403 403 401 401 401 401 401"),
        Route(
            method: .patch, path: "/scim/v2/Users/{user}", body: patch, expected: "401 200 403 403 401 401 401 401 401"),
        Route(method: .get, path: "/scim/v2/Groups", expected: "401 200 200 200 401 401 401 401 401"),
        Route(method: .get, path: "/scim/v2/Groups/{group}", expected: "401 200 200 200 401 401 401 401 401"),
        Route(method: .post, path: "/scim/v2/Groups", body: group, expected: "401 201 403 201 401 401 401 401 401"),
        Route(
            method: .patch, path: "/scim/v2/Groups/{group}", body: groupPatch,
            expected: "401 204 403 403 401 401 401 401 401"),
        Route(method: .post, path: "/scim/v2/Bulk", body: bulk, expected: "401 200 200 200 401 401 401 401 401"),
        Route(method: .get, path: "/scim/v2/Me", expected: "401 501 501 501 401 401 401 401 401"),
        Route(method: .get, path: "/login", expected: "200 200 200 200 200 200 303 303 200"),
        Route(method: .get, path: "/saml/okta-prod/metadata", expected: "200 200 200 200 200 200 200 200 200"),
        Route(method: .get, path: "/saml/okta-prod/login", expected: "303 303 303 303 303 303 303 303 303"),
        Route(method: .post, path: "/saml/okta-prod/acs", body: "", expected: "403 403 403 403 403 403 403 403 403"),
        Route(method: .get, path: "/users", expected: "login login login login login login 200 200 login"),
        Route(method: .get, path: "/users.csv", expected: "login login login login login login 200 200 login"),
        Route(method: .get, path: "/users/new", expected: "login login login login login login 403 200 login"),
        Route(method: .get, path: "/users/{user}", expected: "login login login login login login 200 200 login"),
        Route(method: .get, path: "/groups", expected: "login login login login login login 200 200 login"),
        Route(method: .get, path: "/groups/new", expected: "login login login login login login 403 200 login"),
        Route(method: .get, path: "/groups/{group}", expected: "login login login login login login 200 200 login"),
        Route(
            method: .get, path: "/groups/{localGroup}/edit",
            expected: "login login login login login login 403 200 login"
        ),
        Route(
            method: .get, path: "/groups/{localGroup}/candidates?q=a",
            expected: "login login login login login login 403 200 login"),
        Route(method: .get, path: "/connections", expected: "login login login login login login 200 200 login"),
        Route(
            method: .get, path: "/connections/{connection}",
            expected: "login login login login login login 200 200 login"
        ),
        Route(method: .get, path: "/activity", expected: "login login login login login login 200 200 login"),
        Route(
            method: .get, path: "/activity/{activity}", expected: "login login login login login login 200 200 login"),
        Route(method: .get, path: "/settings", expected: "login login login login login login 200 200 login"),
        Route(method: .get, path: "/account/password", expected: "login login login login login login 200 200 login"),
        Route(
            method: .post, path: "/users", body: "userName=made%40example.com",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/users/{local}", body: "userName=local%40example.com&displayName=Local+One",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/users/{local}/suspend", expected: "login login login login login login 403 303 login"
        ),
        Route(
            method: .post, path: "/users/{local}/restore", expected: "login login login login login login 403 303 login"
        ),
        Route(
            method: .post, path: "/users/{local}/groups", body: "group=Local",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/users/{local}/roles", body: "role=viewer",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/users/{local}/roles/revoke", body: "role=viewer",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/groups", body: "displayName=Made",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/groups/{localGroup}/edit", body: "displayName=Local+renamed",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/groups/{localGroup}/members", body: "userName=local%40example.com",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .get, path: "/groups/{localGroup}/members/{local}/remove",
            expected: "login login login login login login 403 200 login"),
        Route(
            method: .post, path: "/groups/{localGroup}/members/{local}/remove",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/groups/{localGroup}/roles", body: "role=viewer",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/groups/{localGroup}/roles/revoke", body: "role=viewer",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/connections", body: "name=made&kind=okta",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/connections/{connection}/tokens", body: "scope=read",
            expected: "login login login login login login 403 200 login"),
        Route(
            method: .post, path: "/connections/{connection}/policies",
            body: "onDeactivate=suspend&onDelete=delete&orphanRule=off&deletionGuard=50",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/connections/{connection}/held/release", body: "all=1",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/connections/{connection}/held/reject", body: "all=1",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/settings/accounts", body: "userName=made&role=viewer",
            expected: "login login login login login login 403 200 login"),
        Route(
            method: .post, path: "/settings/accounts/{account}/role", body: "role=viewer",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .post, path: "/settings/accounts/{account}/reset-password",
            expected: "login login login login login login 403 200 login"),
        Route(
            method: .post, path: "/connections/{connection}/tokens/{token}/rotate",
            expected: "login login login login login login 403 200 login"),
        Route(
            method: .post, path: "/connections/{connection}/tokens/{token}/revoke",
            expected: "login login login login login login 403 303 login"),
        Route(
            method: .get, path: "/groups/{localGroup}/delete",
            expected: "login login login login login login 403 200 login"
        ),
        Route(
            method: .post, path: "/groups/{localGroup}/delete",
            expected: "login login login login login login 403 303 login"
        ),
        Route(
            method: .post, path: "/users/{local}/delete", expected: "login login login login login login 403 303 login"),
        Route(
            method: .delete, path: "/scim/v2/Groups/{group}", expected: "401 204 403 403 401 401 401 401 401"),
        Route(method: .delete, path: "/scim/v2/Users/{user}", expected: "401 204 403 403 401 401 401 401 401"),
        Route(method: .post, path: "/logout", expected: "login login login login login login login login login"),
    ]

    /// The directory each caller meets, made the same way for every column.
    struct World {
        var ids: [String: String] = [:]
        var bearer: String?
        var session: String?

        static func make(
            _ server: ConsoleHarness, _ client: any TestClientProtocol, as caller: Caller
        ) async throws
            -> World
        {
            let service = server.service
            var world = World()
            try await SingleSignOnTests.configure(server)
            let ada = try #require(
                try await server.scim(client, .post, "/Users", ConsolePageTests.user("ada@example.com", "Ada", "L"))
                    .json?["id"]?.stringValue)
            let group = try #require(
                try await server.scim(
                    client, .post, "/Groups",
                    #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Console viewers","members":[{"value":"\#(ada)"}]}"#
                ).json?["id"]?.stringValue)
            let local = try await service.createLocalUser(
                LocalUserProfile(userName: "local@example.com"), by: .commandLine)
            let localGroup = try await service.createLocalGroup(
                displayName: "Local", description: nil, by: .commandLine)
            let other = try await service.createConnection(name: "entra-prod", kind: .entra, by: .commandLine)
            let read = try await service.issueToken(connectionID: server.connection.id, scope: .read, by: .commandLine)
            let revoked = try await service.issueToken(
                connectionID: server.connection.id, scope: .provision, by: .commandLine)
            try await service.revokeToken(id: revoked.record.id, by: .commandLine)
            let expired = try await service.issueToken(
                connectionID: server.connection.id, scope: .provision,
                expiresAt: Timestamp(microseconds: server.fixtures.clock.now().microseconds - 1_000_000),
                by: .commandLine)
            try await service.createAccount(
                userName: "vera", password: "vera-password-123", role: .viewer, by: .commandLine)
            let accounts = try await service.accounts(by: .commandLine)
            let vera = try #require(accounts.first(where: { $0.account.userName == "vera" })?.account)
            let activity = try #require(
                try await service.activity(ActivityQuery(count: 1), by: .commandLine).items.first)
            world.ids = [
                "user": ada, "group": group, "local": local.user.id, "localGroup": localGroup.group.id,
                "connection": server.connection.id, "token": read.record.id, "account": vera.id,
                "activity": activity.id,
            ]
            switch caller {
            case .none: break
            case .provision: world.bearer = server.scimToken
            case .read: world.bearer = read.token
            case .other:
                world.bearer =
                    try await service.issueToken(connectionID: other.id, scope: .provision, by: .commandLine).token
            case .revoked: world.bearer = revoked.token
            case .expired: world.bearer = expired.token
            case .viewer: world.session = try await Self.logIn(service, "vera", "vera-password-123")
            case .admin: world.session = try await Self.logIn(service, "admin", ConsoleHarness.adminPassword)
            case .ssoWithoutRole:
                // Signed in through the IdP with a role from a group; the role is then taken away.
                try await service.grantRole(.viewer, to: .group(group), by: .commandLine)
                guard
                    case .signedIn(let started) = try await service.signIn(
                        through: server.connection, identity: SingleSignOnTests.identity("ada@example.com"),
                        address: nil)
                else {
                    Issue.record("ada could not sign in through SAML")
                    return world
                }
                try await service.revokeRole(.viewer, from: .group(group), by: .commandLine)
                world.session = started.token
            }
            return world
        }

        static func logIn(_ service: DirectoryService, _ name: String, _ password: String) async throws -> String? {
            guard
                case .signedIn(let started) = try await service.logIn(userName: name, password: password, address: nil)
            else {
                Issue.record("\(name) could not sign in")
                return nil
            }
            return started.token
        }

        func fill(_ text: String) -> String {
            ids.reduce(text) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
    }

    /// Runs every route as `caller`, in table order, and returns the cells.
    static func column(_ caller: Caller) async throws -> [String] {
        let cells = Mutex<[String]>([])
        try await ConsoleHarness.with { server, client in
            let world = try await World.make(server, client, as: caller)
            let browser = Browser(client)
            if let session = world.session {
                browser.cookies["ac_session"] = session
                // A page of the console, for the session's CSRF token.
                try await browser.get("/users")
            }
            let csrf = Browser.csrf(in: browser.page)
            var results: [String] = []
            for route in routes {
                var headers = HTTPFields()
                if let bearer = world.bearer { headers[.authorization] = "Bearer \(bearer)" }
                if let session = world.session { headers[.cookie] = "ac_session=\(session)" }
                var body = route.body.map(world.fill)
                if route.path.hasPrefix("/scim/") {
                    headers[.contentType] = "application/scim+json"
                } else if route.method == .post {
                    headers[.contentType] = "application/x-www-form-urlencoded"
                    if let csrf, !route.path.hasPrefix("/saml/") {
                        body = ["csrf=\(csrf)", body].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "&")
                    }
                }
                let response = try await client.executeRequest(
                    uri: world.fill(route.path), method: route.method, headers: headers,
                    body: body.map { ByteBuffer(string: $0) })
                await server.activity.flush()
                let status = Int(response.status.code)
                let location = response.headers[.location] ?? ""
                results.append(status == 303 && location.hasPrefix("/login") ? "login" : String(status))
            }
            cells.withLock { $0 = results }
        }
        return cells.withLock { $0 }
    }

    @Test("every route answers every kind of caller as the table says", arguments: Caller.allCases)
    func matrix(_ caller: Caller) async throws {
        let index = try #require(Caller.allCases.firstIndex(of: caller))
        let cells = try await Self.column(caller)
        #expect(cells.count == Self.routes.count)
        for (route, cell) in zip(Self.routes, cells) {
            let expected = route.expected.split(separator: " ").map(String.init)
            #expect(expected.count == Caller.allCases.count, "\(route.method) \(route.path): a cell per caller")
            #expect(
                cell == expected[safe: index], "\(route.method) \(route.path) as \(caller.rawValue): \(cell)")
        }
    }

    /// The table as docs/reliability.md prints it.
    static var printed: String {
        var lines = [
            "| Route | " + Caller.allCases.map(\.rawValue).joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: Caller.allCases.count),
        ]
        for route in routes {
            let cells = route.expected.split(separator: " ").map { $0 == "login" ? "303 → sign-in" : String($0) }
            lines.append("| `\(route.method) \(route.path)` | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("docs/reliability.md prints this table")
    func documented() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/reliability.md")
        let document = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- authorization matrix: begin -->\n"
        let end = "<!-- authorization matrix: end -->"
        let start = try #require(document.range(of: begin), "docs/reliability.md has no matrix markers")
        let stop = try #require(document.range(of: end, range: start.upperBound..<document.endIndex))
        let current = String(document[start.upperBound..<stop.lowerBound])
        if ProcessInfo.processInfo.environment["ACCOUNT_CONSOLE_RECORD_GOLDEN"] == "1", current != Self.printed {
            try document.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: Self.printed)
                .write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(current == Self.printed, "docs/reliability.md's authorization matrix is out of date")
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
