import Directory
import Hummingbird
import OIDC
import Synchronization

/// One relying party per connection, kept while its settings stay the same (so discovery and
/// the provider's keys are cached between sign-ins).
final class OIDCParties: Sendable {
    let transport: any OIDCTransport
    private let parties = Mutex<[String: OIDCRelyingParty]>([:])

    init(transport: any OIDCTransport) { self.transport = transport }

    /// The party for a connection's settings; `nil` when its client secret file cannot be read.
    func party(connectionID: String, _ settings: OIDCSettings) -> OIDCRelyingParty? {
        var secret: String?
        if let file = settings.clientSecretFile {
            guard let read = OIDCClientSettings.secret(fromFile: file) else { return nil }
            secret = read
        }
        let client = OIDCClientSettings(issuer: settings.issuer, clientID: settings.clientID, clientSecret: secret)
        return parties.withLock { parties in
            if let existing = parties[connectionID], existing.settings == client { return existing }
            let party = OIDCRelyingParty(settings: client, transport: transport)
            parties[connectionID] = party
            return party
        }
    }
}

/// OpenID Connect sign-in: `/oidc/<connection name>/login` and `…/callback`.
extension SSOPages {
    static func redirectURI(base: String, connection: Connection) -> String {
        base + "/oidc/" + connection.name.addingPercentEncodingForPathSegment() + "/callback"
    }

    func oidcConnection(_ context: Context) async throws -> (Connection, OIDCSettings) {
        let connection = try await namedConnection(context)
        let settings = try await service.singleSignOn(connectionID: connection.id, by: .system("single sign-on"))
        guard let oidc = settings?.oidc else {
            throw ConsolePageError(
                status: .notFound, message: "\(connection.name) has no OpenID Connect sign-in set up.")
        }
        return (connection, oidc)
    }

    func relyingParty(_ connection: Connection, _ oidc: OIDCSettings) throws -> OIDCRelyingParty {
        guard let party = parties?.party(connectionID: connection.id, oidc) else {
            throw ConsolePageError(
                status: .serviceUnavailable,
                message:
                    "OpenID Connect sign-in through \(connection.name) is not available: the server cannot read its client secret file."
            )
        }
        return party
    }

    /// Starts the authorization code flow: state, nonce and a PKCE verifier, kept server-side.
    func oidcLogin(_ request: Request, _ context: Context) async throws -> Response {
        let (connection, oidc) = try await oidcConnection(context)
        let party = try relyingParty(connection, oidc)
        let next = LoginPages<Parent>.safeNext(request.uri.queryParameters["next"].map(String.init)) ?? "/users"
        let nonce = CSRF.random()
        let verifier = PKCE.verifier()
        let state = try await service.startSignIn(
            connectionID: connection.id, requestID: nonce, next: next, verifier: verifier)
        let redirect = Self.redirectURI(base: try signInBase(request), connection: connection)
        let location = await authorizationURL(party, redirect: redirect, state: state, nonce: nonce, verifier: verifier)
        guard case .success(let url) = location else {
            return try await refuse(connection, location.failureReason ?? "the provider could not be reached", context)
        }
        var response = Response(status: .seeOther, headers: [.location: url, .cacheControl: "no-store"])
        response.setCookie(stateCookie(state, crossSitePost: false))
        return response
    }

    func authorizationURL(
        _ party: OIDCRelyingParty, redirect: String, state: String, nonce: String, verifier: String
    ) async -> Result<String, OIDCError> {
        do {
            return .success(
                try await party.authorizationURL(redirectURI: redirect, state: state, nonce: nonce, verifier: verifier))
        } catch {
            return .failure(error)
        }
    }

    /// The provider sends the browser back with a code (or an error) and the state.
    func oidcCallback(_ request: Request, _ context: Context) async throws -> Response {
        let (connection, oidc) = try await oidcConnection(context)
        let query = request.uri.queryParameters
        let state = query["state"].map(String.init) ?? ""
        // The callback is a top-level GET: the binding cookie always comes with it (login CSRF).
        guard Self.sameBrowser(request, state: state) == true else {
            return try await refuse(
                connection, "this sign-in was started in another browser; start again here", context)
        }
        guard let started = try await service.takeSignIn(state: state, connectionID: connection.id),
            let verifier = started.verifier
        else {
            return try await refuse(connection, "this sign-in expired or was already used; start again", context)
        }
        if let error = query["error"] {
            // The code only, when it looks like one (RFC 6749 §4.1.2.1): the description is anyone's text.
            let code = error.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }) && error.count <= 40
            return try await refuse(
                connection, "the provider answered \(code ? String(error) : "with an error")", context)
        }
        guard let code = query["code"].map(String.init), !code.isEmpty, code.utf8.count <= 4096 else {
            return try await refuse(connection, "the provider sent no code", context)
        }
        let party = try relyingParty(connection, oidc)
        let redirect = Self.redirectURI(base: try signInBase(request), connection: connection)
        let result = await finish(party, code: code, redirect: redirect, verifier: verifier, nonce: started.requestID)
        guard case .success(let identity) = result else {
            return try await refuse(connection, result.failureReason ?? "the ID token was refused", context)
        }
        // preferred_username, else an email the provider says it verified, else the subject.
        let userName = identity.preferredUsername ?? (identity.emailVerified ? identity.email : nil) ?? identity.subject
        let outcome = try await service.signIn(
            through: connection,
            identity: SSOIdentity(
                userName: userName, email: identity.email, givenName: identity.givenName,
                familyName: identity.familyName, assertionID: "oidc:" + identity.tokenID,
                // Remembered as long as it could be accepted: its expiry and the leeway.
                validUntil: Timestamp(microseconds: (identity.expiresAt + 60) * 1_000_000)),
            address: context.clientAddress)
        switch outcome {
        case .refused(let reason):
            return noAccess(reason, context)
        case .signedIn(let session):
            return clearingStateCookie(signedIn(session, next: started.next))
        }
    }

    func finish(
        _ party: OIDCRelyingParty, code: String, redirect: String, verifier: String, nonce: String
    ) async -> Result<OIDCIdentity, OIDCError> {
        do {
            return .success(
                try await party.finish(
                    code: code, redirectURI: redirect, verifier: verifier, nonce: nonce,
                    now: service.clock.now().microseconds / 1_000_000))
        } catch {
            return .failure(error)
        }
    }
}

extension Result where Failure == OIDCError {
    var failureReason: String? {
        if case .failure(let error) = self { return error.reason }
        return nil
    }
}
