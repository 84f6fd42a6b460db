import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SCIM
import TestSupport
import Testing

/// Single sign-on through the console: the SP side of SAML (metadata, the redirect, the ACS's
/// refusals) and the rules of who may sign in (the signatures themselves are the SAML suite's).
@Suite("Single sign-on")
struct SingleSignOnTests {
    /// The test IdP's certificate (the SAML suite's fixture).
    static var certificate: String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SAMLTests/Fixtures/idp-cert.pem")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    static func configure(_ server: ConsoleHarness, idpInitiated: Bool = false, justInTime: Bool = false) async throws {
        try await server.service.configureSAML(
            connectionID: server.connection.id,
            saml: SAMLSettings(
                idpEntityID: "http://www.okta.com/exk1fixture", ssoURL: "https://idp.example.com/sso",
                certificate: certificate, idpInitiated: idpInitiated),
            justInTime: justInTime, by: .commandLine)
    }

    static func identity(_ userName: String, assertion: String = UUID().uuidString) -> SSOIdentity {
        SSOIdentity(
            userName: userName, email: userName, givenName: "Ada", familyName: "L", assertionID: assertion,
            validUntil: Timestamp(microseconds: Int64.max / 2))
    }

    static func reason(_ outcome: SSOOutcome) -> String? {
        if case .refused(let reason) = outcome { return reason }
        return nil
    }

    static func started(_ outcome: SSOOutcome) -> StartedSession? {
        if case .signedIn(let started) = outcome { return started }
        return nil
    }

    @Test("the metadata names our entity ID and ACS; the login page offers the connection")
    func metadataAndButton() async throws {
        try await ConsoleHarness.with { server, client in
            try await Self.configure(server)
            let browser = Browser(client)
            let metadata = try await browser.get("/saml/okta-prod/metadata")
            #expect(browser.headers[.contentType] == "application/samlmetadata+xml; charset=utf-8")
            #expect(metadata.contains(#"entityID="http://localhost/saml/okta-prod/metadata""#))
            #expect(metadata.contains(#"Location="http://localhost/saml/okta-prod/acs""#))
            let login = try await browser.get("/login?next=/groups")
            #expect(login.contains(#"href="/saml/okta-prod/login?next=/groups""#))
            try await browser.get("/saml/nobody/metadata")
            #expect(browser.status == 404)
        }
    }

    @Test("an SP-initiated sign-in redirects to the IdP with a one-use RelayState, never a URL")
    func redirect() async throws {
        try await ConsoleHarness.with { server, client in
            try await Self.configure(server)
            let browser = Browser(client)
            try await browser.get("/saml/okta-prod/login?next=/groups")
            #expect(browser.status == 303)
            let location = try #require(browser.location)
            #expect(location.hasPrefix("https://idp.example.com/sso?SAMLRequest="))
            let state = try #require(location.firstMatch(of: /RelayState=([A-Za-z0-9_-]+)$/).map { String($0.1) })
            let started = try #require(
                try await server.service.takeSignIn(state: state, connectionID: server.connection.id))
            #expect(started.next == "/groups")
            #expect(started.requestID.hasPrefix("_"))
            #expect(try await server.service.takeSignIn(state: state, connectionID: server.connection.id) == nil)
        }
    }

    /// (RelayState, SAMLResponse, what the "no access" page says).
    static let refusals: [(String, String, String)] = [
        ("", "PHg+", "sign-in started at the IdP is off"),
        ("made-up", "PHg+", "expired or was already used"),
    ]

    @Test("the ACS refuses what it cannot trust, says why, and keeps an activity row", arguments: refusals)
    func acsRefusals(_ relayState: String, _ response: String, _ reason: String) async throws {
        try await ConsoleHarness.with { server, client in
            try await Self.configure(server)
            let browser = Browser(client)
            let page = try await browser.send(
                .post, "/saml/okta-prod/acs",
                body: "SAMLResponse=\(Browser.encode(response))&RelayState=\(Browser.encode(relayState))",
                extra: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(browser.status == 403)
            #expect(page.contains("No access"))
            #expect(page.contains(reason))
            #expect(browser.cookies["ac_session"] == nil)
            let rows = try await server.service.activity(ActivityQuery(count: 5), by: .commandLine).items
            #expect(rows.contains { $0.path == "sign-in" && $0.status == 401 && $0.summary.contains(reason) })
        }
    }

    @Test("an ACS post with another browser's binding cookie is refused (login CSRF)")
    func acsOtherBrowser() async throws {
        try await ConsoleHarness.with { server, client in
            try await Self.configure(server)
            let browser = Browser(client)
            try await browser.get("/saml/okta-prod/login")
            let bound = try #require(browser.cookies["ac_sso_state"])
            browser.cookies["ac_sso_state"] = "someone-else"
            let page = try await browser.send(
                .post, "/saml/okta-prod/acs",
                body: "SAMLResponse=\(Browser.encode("PHgvPg=="))&RelayState=\(Browser.encode(bound))")
            #expect(browser.status == 403)
            #expect(page.contains("started in another browser"))
        }
    }

    @Test("changing a connection's SAML settings ends the sessions they let in")
    func settingsChangeEndsSessions() async throws {
        try await ConsoleHarness.with { server, client in
            try await Self.configure(server)
            let ada = try #require(
                try await server.scim(client, .post, "/Users", ConsolePageTests.user("ada@example.com", "Ada", "L"))
                    .json?["id"]?.stringValue)
            try await server.service.grantRole(.viewer, to: .user(ada), by: .commandLine)
            let started = try #require(
                Self.started(
                    try await server.service.signIn(
                        through: server.connection, identity: Self.identity("ada@example.com"), address: nil)))
            #expect(try await server.service.session(token: started.token) != nil)
            try await server.service.configureSAML(
                connectionID: server.connection.id, saml: nil, justInTime: false, by: .commandLine)
            #expect(try await server.service.session(token: started.token) == nil)
        }
    }

    @Test("an IdP-initiated post is verified when allowed: a bad signature is refused")
    func idpInitiatedVerified() async throws {
        try await ConsoleHarness.with { server, client in
            try await Self.configure(server, idpInitiated: true)
            let browser = Browser(client)
            let page = try await browser.send(
                .post, "/saml/okta-prod/acs", body: "SAMLResponse=\(Browser.encode("PHgvPg=="))")
            #expect(browser.status == 403)
            #expect(page.contains("not a SAML 2.0 Response"))
        }
    }

    @Test("who may sign in: this connection's active users with a role, directly or through a group")
    func rules() async throws {
        try await ConsoleHarness.with { server, client in
            try await Self.configure(server)
            let service = server.service
            let ada = try #require(
                try await server.scim(client, .post, "/Users", ConsolePageTests.user("ada@example.com", "Ada", "L"))
                    .json?["id"]?.stringValue)
            // Not provisioned by anyone.
            let unknown = try #require(
                Self.reason(
                    try await service.signIn(
                        through: server.connection, identity: Self.identity("eve@example.com"), address: nil)))
            #expect(unknown.contains("not a user of this directory"))
            // Provisioned, but no role.
            let noRole = try #require(
                Self.reason(
                    try await service.signIn(
                        through: server.connection, identity: Self.identity("ada@example.com"), address: nil)))
            #expect(noRole.contains("holds no console role"))
            // A role through a group the IdP pushed.
            let group = try #require(
                try await server.scim(
                    client, .post, "/Groups",
                    #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Console viewers","members":[{"value":"\#(ada)"}]}"#
                ).json?["id"]?.stringValue)
            try await service.grantRole(.viewer, to: .group(group), by: .commandLine)
            let assertion = "_assertion-1"
            let started = try #require(
                Self.started(
                    try await service.signIn(
                        through: server.connection, identity: Self.identity("ada@example.com", assertion: assertion),
                        address: "192.0.2.1")))
            #expect(started.signIn.account.role == .viewer)
            #expect(started.signIn.account.connectionID == server.connection.id)
            // The same assertion again is a replay.
            let replay = try #require(
                Self.reason(
                    try await service.signIn(
                        through: server.connection, identity: Self.identity("ada@example.com", assertion: assertion),
                        address: nil)))
            #expect(replay.contains("replay"))
            // The session works in the console, as a viewer.
            let browser = Browser(client)
            browser.cookies["ac_session"] = started.token
            let users = try await browser.get("/users")
            #expect(browser.status == 200)
            #expect(users.contains("ada@example.com"))
            try await browser.post("/connections", [("name", "x"), ("kind", "okta")])
            #expect(browser.status == 403)
            // Their password is the IdP's.
            let password = try await browser.get("/account/password")
            #expect(browser.status == 403)
            #expect(password.contains("managed there"))
            // Deprovisioned by the IdP while signed in: the next request has no session.
            try await server.scim(
                client, .patch, "/Users/\(ada)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#
            )
            try await browser.get("/users")
            #expect(browser.status == 303)
            #expect(try await service.session(token: started.token) == nil)
            let suspended = try #require(
                Self.reason(
                    try await service.signIn(
                        through: server.connection, identity: Self.identity("ada@example.com"), address: nil)))
            #expect(suspended.contains("suspended"))
            let rows = try await service.activity(ActivityQuery(count: 20), by: .commandLine).items
                .filter { $0.path == "sign-in" }
            #expect(rows.count == 5)
            #expect(rows.filter { $0.status == 200 }.count == 1)
        }
    }

    @Test("a user of another connection, or a local one, cannot sign in through this one")
    func otherConnection() async throws {
        try await ConsoleHarness.with { server, _ in
            try await Self.configure(server)
            let local = try await server.service.createLocalUser(
                LocalUserProfile(userName: "local@example.com"), by: .commandLine)
            try await server.service.grantRole(.admin, to: .user(local.user.id), by: .commandLine)
            let reason = try #require(
                Self.reason(
                    try await server.service.signIn(
                        through: server.connection, identity: Self.identity("local@example.com"), address: nil)))
            #expect(reason.contains("local user"))
        }
    }

    @Test("just-in-time creation, when on, makes an IdP user of the connection at the first sign-in")
    func justInTime() async throws {
        try await ConsoleHarness.with { server, _ in
            try await Self.configure(server, justInTime: true)
            let reason = try #require(
                Self.reason(
                    try await server.service.signIn(
                        through: server.connection, identity: Self.identity("new@example.com"), address: nil)))
            // Created, but a new user holds no role yet.
            #expect(reason.contains("holds no console role"))
            let user = try await server.service.user(userName: "new@example.com", by: .commandLine)
            #expect(user.origin == .idp(connectionID: server.connection.id))
        }
    }

    @Test("the connection page saves SAML settings from IdP metadata, and refuses a bad certificate")
    func connectionPage() async throws {
        try await ConsoleHarness.with { server, client in
            let browser = try await ConsoleActionTests.signedIn(server, client)
            let path = "/connections/\(server.connection.id)"
            try await browser.get(path)
            let body = Self.certificate.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let metadata = """
                <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1">
                <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
                <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
                <ds:X509Certificate>\(body)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
                <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://example.okta.com/sso"/>
                </md:IDPSSODescriptor></md:EntityDescriptor>
                """
            try await browser.post("\(path)/saml", [("idpMetadata", metadata), ("idpInitiated", "on")])
            #expect(browser.location == "\(path)?notice=saml-saved#saml")
            let saved = try #require(
                try await server.service.singleSignOn(connectionID: server.connection.id, by: .commandLine)?.saml)
            #expect(saved.idpEntityID == "http://www.okta.com/exk1")
            #expect(saved.ssoURL == "https://example.okta.com/sso")
            #expect(saved.idpInitiated)
            let page = try await browser.get(path)
            #expect(page.contains("SAML sign-in is on"))
            let refused = try await browser.post(
                "\(path)/saml",
                [("idpEntityID", "x"), ("ssoURL", "https://idp.example.com"), ("certificate", "not a certificate")])
            #expect(browser.status == 400)
            #expect(refused.contains("not an X.509 certificate"))
            #expect(
                try await server.service.singleSignOn(connectionID: server.connection.id, by: .commandLine)?.saml
                    == saved)
        }
    }
}

/// OpenID Connect through the console (the ID token checks are the OIDC suite's; the flow
/// against a real provider is the browser test's).
@Suite("OpenID Connect sign-in")
struct OIDCSignInTests {
    @Test("a started sign-in keeps its PKCE verifier sealed: the store alone cannot open it")
    func sealedVerifier() async throws {
        try await ConsoleHarness.with { server, _ in
            let state = try await server.service.startSignIn(
                connectionID: server.connection.id, requestID: "nonce-1", next: "/users", verifier: "the-verifier")
            let started = try #require(
                try await server.service.takeSignIn(state: state, connectionID: server.connection.id))
            #expect(started.verifier == "the-verifier")
            #expect(started.requestID == "nonce-1")
            #expect(try await server.service.takeSignIn(state: state, connectionID: server.connection.id) == nil)
        }
    }

    @Test("the connection page saves OpenID Connect settings, refusing an unreadable secret file")
    func connectionPage() async throws {
        try await ConsoleHarness.with { server, client in
            let secret = FileManager.default.temporaryDirectory.appendingPathComponent(
                "oidc-secret-\(UUID().uuidString)")
            try "s3cret\n".write(to: secret, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: secret) }
            let browser = try await ConsoleActionTests.signedIn(server, client)
            let path = "/connections/\(server.connection.id)"
            try await browser.get(path)
            let refused = try await browser.post(
                "\(path)/oidc",
                [("issuer", "https://idp.example.com"), ("clientID", "console"), ("clientSecretFile", "/nonexistent")])
            #expect(browser.status == 400)
            #expect(refused.contains("cannot read a client secret"))
            try await browser.get(path)
            try await browser.post(
                "\(path)/oidc", [("issuer", "http://evil.example.com"), ("clientID", "console")])
            #expect(browser.status == 400)
            try await browser.get(path)
            try await browser.post(
                "\(path)/oidc",
                [("issuer", "https://idp.example.com"), ("clientID", "console"), ("clientSecretFile", secret.path)])
            #expect(browser.location == "\(path)?notice=oidc-saved#oidc")
            let saved = try #require(
                try await server.service.singleSignOn(connectionID: server.connection.id, by: .commandLine)?.oidc)
            #expect(
                saved
                    == OIDCSettings(
                        issuer: "https://idp.example.com", clientID: "console", clientSecretFile: secret.path))
            let page = try await browser.get(path)
            #expect(page.contains("OpenID Connect sign-in is on"))
            #expect(!page.contains("s3cret"))
            let login = Browser(client)
            let form = try await login.get("/login")
            #expect(form.contains(#"href="/oidc/okta-prod/login?next=/users""#))
        }
    }

    @Test("setting SAML keeps OpenID Connect, and the other way round")
    func bothProtocols() async throws {
        try await ConsoleHarness.with { server, _ in
            let oidc = OIDCSettings(issuer: "https://idp.example.com", clientID: "console", clientSecretFile: nil)
            try await server.service.configureOIDC(
                connectionID: server.connection.id, oidc: oidc, justInTime: false, by: .commandLine)
            try await SingleSignOnTests.configure(server)
            var settings = try await server.service.singleSignOn(connectionID: server.connection.id, by: .commandLine)
            #expect(settings?.oidc == oidc)
            #expect(settings?.saml != nil)
            try await server.service.configureOIDC(
                connectionID: server.connection.id, oidc: nil, justInTime: false, by: .commandLine)
            settings = try await server.service.singleSignOn(connectionID: server.connection.id, by: .commandLine)
            #expect(settings?.oidc == nil)
            #expect(settings?.saml != nil)
        }
    }

    @Test("a callback with an unknown state or an error from the provider signs no one in")
    func callbackRefusals() async throws {
        try await ConsoleHarness.with { server, client in
            try await server.service.configureOIDC(
                connectionID: server.connection.id,
                oidc: OIDCSettings(issuer: "https://idp.example.com", clientID: "console", clientSecretFile: nil),
                justInTime: false, by: .commandLine)
            let browser = Browser(client)
            // No binding cookie: a link someone else started (login CSRF).
            let foreign = try await browser.get("/oidc/okta-prod/callback?code=abc&state=made-up")
            #expect(browser.status == 403)
            #expect(foreign.contains("started in another browser"))
            browser.cookies["ac_sso_state"] = "made-up"
            let unknown = try await browser.get("/oidc/okta-prod/callback?code=abc&state=made-up")
            #expect(browser.status == 403)
            #expect(unknown.contains("expired or was already used"))
            let state = try await server.service.startSignIn(
                connectionID: server.connection.id, requestID: "n", next: "/users", verifier: "v")
            browser.cookies["ac_sso_state"] = state
            let denied = try await browser.get(
                "/oidc/okta-prod/callback?error=access_denied&error_description=Call%20%2B1-555&state=\(state)")
            #expect(browser.status == 403)
            #expect(denied.contains("the provider answered access_denied."))
            #expect(!denied.contains("555"))
            #expect(browser.cookies["ac_session"] == nil)
        }
    }
}
