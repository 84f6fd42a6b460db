import Crypto
import Directory
import Hummingbird
import SAML
import SCIM

/// Single sign-on. SAML 2.0: our SP metadata, SP-initiated login (HTTP-Redirect) and the assertion
/// consumer service (HTTP-POST), per connection, at `/saml/<connection name>/…`.
struct SSOPages<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let views: Views
    let configuration: ConsoleConfiguration
    /// OpenID Connect's relying parties; `nil` when the wiring gave no HTTP transport.
    let parties: OIDCParties?

    /// Our side of a connection's SAML: the entity ID is the metadata URL, as most SPs do.
    static func serviceProvider(base: String, connection: Connection) -> SAMLServiceProvider {
        let root = base + "/saml/" + connection.name.addingPercentEncodingForPathSegment()
        return SAMLServiceProvider(entityID: root + "/metadata", acsURL: root + "/acs")
    }

    func serviceProvider(_ request: Request, _ connection: Connection) throws -> SAMLServiceProvider {
        Self.serviceProvider(base: try signInBase(request), connection: connection)
    }

    /// The address single sign-on is bound to: the configured public URL. Without one, only a
    /// loopback host is trusted (tests, a first look): otherwise the `Host` header would choose
    /// the audience and ACS an assertion is checked against.
    func signInBase(_ request: Request) throws -> String {
        if configuration.publicURL == nil, !configuration.isLoopback(request) {
            throw ConsolePageError(
                status: .serviceUnavailable,
                message: "Single sign-on needs the server's public address: start it with --public-url.")
        }
        return configuration.baseURL(for: request)
    }

    /// The cookie that ties a started sign-in to the browser that started it (login CSRF).
    static var stateCookie: String { "ac_sso_state" }

    /// The binding cookie: `SameSite=Lax` reaches an OpenID Connect callback (a top-level GET);
    /// a SAML POST from the IdP is cross-site, which only `SameSite=None; Secure` reaches (HTTPS).
    func stateCookie(_ state: String, crossSitePost: Bool) -> Cookie {
        Cookie(
            name: Self.stateCookie, value: state, maxAge: Int(DirectoryService.signInLifetime), path: "/",
            secure: configuration.secureCookies, httpOnly: true,
            sameSite: crossSitePost && configuration.secureCookies ? .none : .lax)
    }

    /// Whether the request comes from the browser that started the sign-in. Without the cookie
    /// this is `nil` (unknown), which the caller decides on.
    static func sameBrowser(_ request: Request, state: String) -> Bool? {
        guard let bound = request.cookies[stateCookie]?.value else { return nil }
        return CSRF.matches(String(bound), state)
    }

    func clearingStateCookie(_ response: Response) -> Response {
        var response = response
        response.setCookie(
            Cookie(
                name: Self.stateCookie, value: "", maxAge: 0, path: "/", secure: configuration.secureCookies,
                httpOnly: true, sameSite: .lax))
        return response
    }

    /// The connection a `/saml/<name>/…` or `/oidc/<name>/…` address names; the service's 404
    /// (rendered as the 404 page) when there is none.
    func namedConnection(_ context: Context) async throws -> Connection {
        let name = try context.parameters.require("name").removingPercentEncodingForPath()
        return try await service.connection(named: name, by: .system("single sign-on"))
    }

    /// The named connection with its SAML settings; 404 when it has none.
    func connection(_ context: Context) async throws -> (Connection, SAMLSettings) {
        let connection = try await namedConnection(context)
        let settings = try await service.singleSignOn(connectionID: connection.id, by: .system("single sign-on"))
        guard let saml = settings?.saml else {
            throw ConsolePageError(status: .notFound, message: "\(connection.name) has no SAML sign-in set up.")
        }
        return (connection, saml)
    }

    func metadata(_ request: Request, _ context: Context) async throws -> Response {
        let connection = try await namedConnection(context)
        let xml = SAMLMetadata.serviceProvider(try serviceProvider(request, connection))
        return Response(
            status: .ok, headers: [.contentType: "application/samlmetadata+xml; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: xml)))
    }

    /// Starts an SP-initiated sign-in: an AuthnRequest to the IdP, with a one-use state as
    /// RelayState (never a URL: the page to return to stays here).
    func login(_ request: Request, _ context: Context) async throws -> Response {
        let (connection, saml) = try await connection(context)
        let next = LoginPages<Parent>.safeNext(request.uri.queryParameters["next"].map(String.init)) ?? "/users"
        let requestID = "_" + CSRF.random()
        let state = try await service.startSignIn(connectionID: connection.id, requestID: requestID, next: next)
        let identityProvider = SAMLIdentityProvider(
            entityID: saml.idpEntityID, ssoURL: saml.ssoURL, certificate: saml.certificate)
        let authnRequest = SAMLAuthnRequest(
            id: requestID, issuedAt: service.clock.now().microseconds / 1_000_000,
            serviceProvider: try serviceProvider(request, connection), identityProvider: identityProvider)
        guard let location = try? authnRequest.redirectURL(to: identityProvider, relayState: state) else {
            throw ConsolePageError(status: .internalServerError, message: "The sign-in request could not be built.")
        }
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        response.setCookie(stateCookie(state, crossSitePost: true))
        return response
    }

    struct ACSForm: Decodable, Sendable {
        var samlResponse: String
        var relayState: String?

        enum CodingKeys: String, CodingKey {
            case samlResponse = "SAMLResponse"
            case relayState = "RelayState"
        }
    }

    /// The assertion consumer service: the IdP's browser POST. No CSRF token (it comes from the
    /// IdP's page, cross-site by nature): the signed, one-use, request-bound assertion is the proof.
    func acs(_ request: Request, _ context: Context) async throws -> Response {
        let (connection, saml) = try await connection(context)
        guard let buffer = try? await request.body.collect(upTo: 512 * 1024) else {
            return try await refuse(connection, "the SAML response is larger than 512 KiB", context)
        }
        guard let form = try? URLEncodedFormDecoder().decode(ACSForm.self, from: String(buffer: buffer)) else {
            return try await refuse(connection, "the post carries no SAMLResponse", context)
        }
        var expected: String?
        var next = "/users"
        let relayState = form.relayState ?? ""
        // A sign-in started in another browser is refused (login CSRF). Over plain HTTP the
        // browser cannot send the binding cookie with the IdP's cross-site POST: it is then only
        // required when present.
        let sameBrowser = Self.sameBrowser(request, state: relayState)
        if sameBrowser == false || (sameBrowser == nil && configuration.secureCookies && !relayState.isEmpty) {
            return try await refuse(
                connection, "this sign-in was started in another browser; start again here", context)
        }
        if let started = try await service.takeSignIn(state: relayState, connectionID: connection.id) {
            expected = started.requestID
            next = started.next
        } else if !saml.idpInitiated {
            return try await refuse(
                connection,
                relayState.isEmpty
                    ? "sign-in started at the IdP is off for \(connection.name); start at this console's sign-in page"
                    : "this sign-in expired or was already used; start again", context)
        } else {
            next = LoginPages<Parent>.safeNext(relayState) ?? "/users"
        }
        let verified = try verify(form.samlResponse, request, connection, saml, expected: expected)
        guard case .success(let login) = verified else {
            let reason = verified.failureReason ?? "the SAML response was refused"
            return try await refuse(connection, reason, context)
        }
        let identity = SSOIdentity(
            userName: login.attribute("username", "userName") ?? login.nameID,
            email: login.attribute("email", "mail"), givenName: login.attribute("firstName", "givenName"),
            familyName: login.attribute("lastName", "familyName", "surname"), assertionID: login.assertionID,
            validUntil: Timestamp(microseconds: login.validUntil * 1_000_000))
        let outcome = try await service.signIn(through: connection, identity: identity, address: context.clientAddress)
        switch outcome {
        case .refused(let reason):
            return noAccess(reason, context)
        case .signedIn(let started):
            return signedIn(started, next: next)
        }
    }

    /// The response checked against the connection's IdP (a function of its own, with `Result`:
    /// see `LoginPages.passwordChanged` on Swift 6.3.1 and `do` blocks).
    func verify(
        _ field: String, _ request: Request, _ connection: Connection, _ saml: SAMLSettings, expected: String?
    ) throws -> Result<SAMLLogin, SAMLError> {
        let identityProvider = SAMLIdentityProvider(
            entityID: saml.idpEntityID, ssoURL: saml.ssoURL, certificate: saml.certificate)
        let expectation = SAMLExpectation(inResponseTo: expected, now: service.clock.now().microseconds / 1_000_000)
        let serviceProvider = try serviceProvider(request, connection)
        return Result { () throws(SAMLError) -> SAMLLogin in
            try SAMLResponseVerifier.verify(
                base64: field, serviceProvider: serviceProvider, identityProvider: identityProvider,
                expecting: expectation)
        }
    }

    func signedIn(_ started: StartedSession, next: String) -> Response {
        var response = Views.redirect(next)
        response.setCookie(
            Cookie(
                name: configuration.sessionCookie, value: started.token,
                maxAge: Int(service.sessionPolicy.absolute.components.seconds), path: "/",
                secure: configuration.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    func refuse(_ connection: Connection, _ reason: String, _ context: Context) async throws -> Response {
        await service.recordRefusedSignIn(through: connection, reason: reason, address: context.clientAddress)
        return noAccess(reason, context)
    }

    /// The "no access" page: who was refused and why, and no session.
    func noAccess(_ reason: String, _ context: Context) -> Response {
        var response = views.page(
            "error",
            ConsoleErrorMiddleware<Parent>.ErrorPage(
                chrome: PageChrome("No access", requestID: context.id), status: 403, heading: "No access",
                message: "The sign-in was refused: \(reason)."),
            status: .forbidden)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension Result where Failure == SAMLError {
    var failureReason: String? {
        if case .failure(let error) = self { return error.reason }
        return nil
    }
}

extension ConsoleConfiguration {
    /// Whether the request names a loopback host (127.0.0.1, localhost, [::1]).
    func isLoopback(_ request: Request) -> Bool {
        guard let authority = request.head.authority else { return false }
        return ["127.0.0.1", "localhost", "[::1]"].contains { authority == $0 || authority.hasPrefix($0 + ":") }
    }

    /// The address users reach the server at: the configured public URL, else the request's host.
    func baseURL(for request: Request) -> String {
        var base =
            publicURL ?? (request.head.authority.map { "\(secureCookies ? "https" : "http")://\($0)" } ?? "")
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}

extension String {
    /// For one segment of a path: as for a query, and `/` escaped too.
    func addingPercentEncodingForPathSegment() -> String {
        var output = ""
        for scalar in addingPercentEncodingForQuery().unicodeScalars {
            if scalar == "/" { output += "%2F" } else { output.unicodeScalars.append(scalar) }
        }
        return output
    }
}

extension StringProtocol {
    /// `%XX` escapes decoded (a path segment as the browser sent it); invalid escapes stay as typed.
    func removingPercentEncodingForPath() -> String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
