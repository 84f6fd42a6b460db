import Crypto
import Foundation
import JWTKit
import Synchronization

/// The provider's endpoints, from its discovery document (OpenID Connect Discovery 1.0 §3).
struct ProviderMetadata: Decodable, Sendable {
    var issuer: String
    var authorizationEndpoint: String
    var tokenEndpoint: String
    var jwksURI: String

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
    }
}

/// The ID token's claims this relying party reads (RFC 7519, OpenID Connect Core §2).
struct IDTokenClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim?
    var nonce: String?
    var jti: String?
    var azp: String?
    var preferredUsername: String?
    var email: String?
    /// `true`, `false`, or as some providers send it, `"true"` / `"false"`.
    var emailVerified: Bool?
    var givenName: String?
    var familyName: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, jti, azp, email
        case preferredUsername = "preferred_username"
        case emailVerified = "email_verified"
        case givenName = "given_name"
        case familyName = "family_name"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        sub = try container.decode(String.self, forKey: .sub)
        aud = try container.decode(AudienceClaim.self, forKey: .aud)
        exp = try container.decode(ExpirationClaim.self, forKey: .exp)
        iat = try container.decodeIfPresent(IssuedAtClaim.self, forKey: .iat)
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        jti = try container.decodeIfPresent(String.self, forKey: .jti)
        azp = try container.decodeIfPresent(String.self, forKey: .azp)
        preferredUsername = try container.decodeIfPresent(String.self, forKey: .preferredUsername)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        givenName = try container.decodeIfPresent(String.self, forKey: .givenName)
        familyName = try container.decodeIfPresent(String.self, forKey: .familyName)
        if let flag = try? container.decodeIfPresent(Bool.self, forKey: .emailVerified) {
            emailVerified = flag
        } else if let text = try? container.decodeIfPresent(String.self, forKey: .emailVerified) {
            emailVerified = text == "true"
        }
    }

    /// The signature is jwt-kit's; every claim is checked by ``OIDCRelyingParty`` against its
    /// own clock, so the checks are the same in tests and in production.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A JWKS read one key at a time, so that one key jwt-kit cannot read does not hide the others.
struct KeySet: Decodable {
    struct Entry: Decodable {
        var key: JWK?
        var use: String?

        enum CodingKeys: String, CodingKey { case use }

        init(from decoder: any Decoder) throws {
            key = try? JWK(from: decoder)
            use = try? decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .use)
        }
    }

    var keys: [Entry]
}

struct TokenResponse: Decodable {
    var idToken: String?
    var error: String?
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case idToken = "id_token"
        case error
        case errorDescription = "error_description"
    }
}

/// An OpenID Connect relying party for one connection: the authorization code flow with PKCE
/// (S256), `state` and `nonce`; discovery and the provider's keys are cached, and an unknown
/// `kid` re-reads the keys (at most once per `keyRefreshInterval`, and once a minute for a `kid`
/// a fresh read did not have). Each key's algorithm is fixed from the JWKS
/// (RS256 when a key does not say) and a token whose header names another is refused: jwt-kit
/// would otherwise take a key's algorithm from the first token that used it.
public final class OIDCRelyingParty: Sendable {
    public let settings: OIDCClientSettings
    let transport: any OIDCTransport
    /// Accepted clock difference for `exp` and `iat`, in seconds.
    let leeway: Int64 = 60

    private struct Cache: Sendable {
        var metadata: ProviderMetadata?
        var keys: JWTKeyCollection?
        var algorithms: [String: String] = [:]
        var keysReadAt: ContinuousClock.Instant?
        /// Kids a fresh read did not have, and when: refused without reading again for a minute.
        var missing: [String: ContinuousClock.Instant] = [:]
    }

    private let cache = Mutex(Cache())

    /// How soon the keys may be read again for an unknown `kid`.
    let keyRefreshInterval: Duration

    public init(
        settings: OIDCClientSettings, transport: any OIDCTransport, keyRefreshInterval: Duration = .seconds(10)
    ) {
        self.settings = settings
        self.transport = transport
        self.keyRefreshInterval = keyRefreshInterval
    }

    /// Where to send the browser: the provider's authorization endpoint with this sign-in's
    /// state, nonce and PKCE challenge.
    public func authorizationURL(
        redirectURI: String, state: String, nonce: String, verifier: String
    ) async throws(OIDCError) -> String {
        let metadata = try await discover()
        let query: [(String, String)] = [
            ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", redirectURI),
            ("scope", "openid profile email"), ("state", state), ("nonce", nonce),
            ("code_challenge", PKCE.challenge(for: verifier)), ("code_challenge_method", "S256"),
        ]
        let separator = metadata.authorizationEndpoint.contains("?") ? "&" : "?"
        return metadata.authorizationEndpoint + separator + Self.formEncoded(query)
    }

    /// Exchanges the code for tokens and verifies the ID token: signature by the provider's key
    /// for its `kid`, `iss` exactly the discovered issuer, `aud` this client, `exp` not past,
    /// `nonce` this sign-in's.
    public func finish(
        code: String, redirectURI: String, verifier: String, nonce: String, now: Int64
    ) async throws(OIDCError) -> OIDCIdentity {
        let metadata = try await discover()
        var fields: [(String, String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier),
        ]
        var authorization: String?
        if let secret = settings.clientSecret {
            let pair = Self.formComponent(settings.clientID) + ":" + Self.formComponent(secret)
            authorization = "Basic " + Data(pair.utf8).base64EncodedString()
        } else {
            fields.append(("client_id", settings.clientID))
        }
        let response: OIDCHTTPResponse
        do {
            response = try await transport.postForm(
                metadata.tokenEndpoint, fields: fields, authorization: authorization)
        } catch {
            throw OIDCError("the provider's token endpoint could not be reached")
        }
        let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(response.body))
        guard response.status == 200, let token = decoded?.idToken else {
            let said = decoded?.errorDescription ?? decoded?.error ?? "HTTP \(response.status)"
            throw OIDCError("the provider refused the code: \(said.prefix(200))")
        }
        let claims = try await verify(idToken: token)
        guard claims.iss == metadata.issuer else {
            throw OIDCError("the ID token was issued by \(claims.iss), not by \(metadata.issuer)")
        }
        guard claims.aud.value.contains(settings.clientID) else {
            throw OIDCError(
                "the ID token is for \(claims.aud.value.joined(separator: ", ")), not for \(settings.clientID)")
        }
        // Several audiences: the token must say it was issued to us (OpenID Connect Core §3.1.3.7).
        if claims.aud.value.count > 1, claims.azp != settings.clientID {
            throw OIDCError("the ID token names several audiences but was not issued to \(settings.clientID) (azp)")
        }
        guard let expires = Self.seconds(claims.exp.value.timeIntervalSince1970) else {
            throw OIDCError("the ID token's exp is not a time")
        }
        guard now < expires + leeway else { throw OIDCError("the ID token has expired") }
        if let issued = claims.iat {
            guard let seconds = Self.seconds(issued.value.timeIntervalSince1970) else {
                throw OIDCError("the ID token's iat is not a time")
            }
            if seconds > now + leeway { throw OIDCError("the ID token was issued in the future (check the clocks)") }
        }
        guard let sent = claims.nonce, sent == nonce else {
            throw OIDCError("the ID token's nonce is not this sign-in's")
        }
        return OIDCIdentity(
            subject: claims.sub, preferredUsername: claims.preferredUsername, email: claims.email,
            emailVerified: claims.emailVerified == true,
            givenName: claims.givenName, familyName: claims.familyName, expiresAt: expires,
            tokenID: claims.jti ?? PKCE.base64URL(Array(SHA256.hash(data: Array(token.utf8)))))
    }

    /// A JWT time as whole seconds, for times between 1970 and 2200 (anything else, from a
    /// signed token or not, is refused rather than trapped on).
    static func seconds(_ value: Double) -> Int64? {
        guard value.isFinite, value >= 0, value < 7_258_118_400 else { return nil }
        return Int64(value)
    }

    // MARK: Discovery and keys

    func discover() async throws(OIDCError) -> ProviderMetadata {
        if let metadata = cache.withLock({ $0.metadata }) { return metadata }
        let issuer = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        let metadata: ProviderMetadata = try await fetchJSON(issuer + "/.well-known/openid-configuration", "discovery")
        let discovered = metadata.issuer.hasSuffix("/") ? String(metadata.issuer.dropLast()) : metadata.issuer
        guard discovered == issuer else {
            throw OIDCError("the discovery document names the issuer \(metadata.issuer), not \(settings.issuer)")
        }
        cache.withLock { $0.metadata = metadata }
        return metadata
    }

    func fetchJSON<Value: Decodable>(_ url: String, _ what: String) async throws(OIDCError) -> Value {
        let response: OIDCHTTPResponse
        do {
            response = try await transport.get(url)
        } catch {
            throw OIDCError("the provider's \(what) (\(url)) could not be reached")
        }
        guard response.status == 200 else { throw OIDCError("the provider's \(what) answered HTTP \(response.status)") }
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(response.body)) else {
            throw OIDCError("the provider's \(what) is not what OpenID Connect describes")
        }
        return value
    }

    /// The keys for a `kid`, read again when the `kid` is unknown (a rotation), at most once a minute.
    func keys(for kid: String) async throws(OIDCError) -> (JWTKeyCollection, String) {
        let cached = cache.withLock { cache -> (JWTKeyCollection, String)? in
            guard let keys = cache.keys, let algorithm = cache.algorithms[kid] else { return nil }
            return (keys, algorithm)
        }
        if let cached { return cached }
        let now = ContinuousClock.now
        let refused = cache.withLock { cache -> Bool in
            if let missed = cache.missing[kid], now - missed < .seconds(60) { return true }
            guard cache.keys != nil, let last = cache.keysReadAt else { return false }
            return now - last < keyRefreshInterval
        }
        if refused { throw OIDCError("the ID token's key (kid \(kid)) is not among the provider's keys") }
        let metadata = try await discover()
        let set: KeySet = try await fetchJSON(metadata.jwksURI, "keys")
        var algorithms: [String: String] = [:]
        let collection = JWTKeyCollection()
        for entry in set.keys {
            // A key for encryption, or of a type jwt-kit does not read, is skipped, not fatal.
            guard entry.use == nil || entry.use == "sig", var key = entry.key, let id = key.keyIdentifier?.string
            else { continue }
            if key.algorithm == nil, key.keyType == .rsa { key.algorithm = .rs256 }
            guard let algorithm = key.algorithm else { continue }
            do {
                try await collection.add(jwk: key)
                algorithms[id] = algorithm.rawValue
            } catch {
                continue
            }
        }
        cache.withLock {
            $0.keys = collection
            $0.algorithms = algorithms
            $0.keysReadAt = .now
            if algorithms[kid] == nil {
                if $0.missing.count >= 100 { $0.missing = [:] }
                $0.missing[kid] = .now
            }
        }
        guard let algorithm = algorithms[kid] else {
            throw OIDCError("the ID token's key (kid \(kid)) is not among the provider's keys")
        }
        return (collection, algorithm)
    }

    struct Header: Decodable {
        var alg: String
        var kid: String?
    }

    func verify(idToken token: String) async throws(OIDCError) -> IDTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Self.base64URLDecoded(parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: headerBytes)
        else { throw OIDCError("the ID token is not a signed JWT") }
        guard let kid = header.kid else { throw OIDCError("the ID token names no key (kid)") }
        let (keys, algorithm) = try await keys(for: kid)
        guard header.alg == algorithm else {
            throw OIDCError("the ID token is signed with \(header.alg), but its key is for \(algorithm)")
        }
        do {
            return try await keys.verify(token, as: IDTokenClaims.self)
        } catch {
            throw OIDCError("the ID token's signature does not verify with the provider's key")
        }
    }

    static func base64URLDecoded(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    /// RFC 3986's unreserved characters, ASCII only.
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `application/x-www-form-urlencoded`, for the token request (and the transport's body).
    public static func formEncoded(_ fields: [(String, String)]) -> String {
        fields.map { formComponent($0.0) + "=" + formComponent($0.1) }.joined(separator: "&")
    }

    /// `application/x-www-form-urlencoded` escaping of one name or value.
    static func formComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
