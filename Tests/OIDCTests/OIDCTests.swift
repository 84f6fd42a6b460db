import Crypto
import Foundation
import OIDC
import Synchronization
import Testing
import _CryptoExtras

/// A provider that answers from memory: discovery, its keys, and a token endpoint that returns
/// whatever ID token the test made.
final class FakeProvider: OIDCTransport, Sendable {
    static let issuer = "https://idp.example.com"
    let key: _RSA.Signing.PrivateKey
    let otherKey: _RSA.Signing.PrivateKey
    let state = Mutex<(idToken: String, posts: [[String: String]], jwksReads: Int, kid: String)>(("", [], 0, "k1"))

    init() throws {
        key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    func jwks() throws -> String {
        let primitives = try key.publicKey.getKeyPrimitives()
        let modulus = primitives.modulus
        let exponent = primitives.publicExponent
        let kid = state.withLock { $0.kid }
        return
            #"{"keys":[{"kty":"RSA","use":"sig","kid":"\#(kid)","n":"\#(Self.base64URL(modulus))","e":"\#(Self.base64URL(exponent))"}]}"#
    }

    func get(_ url: String) async throws -> OIDCHTTPResponse {
        switch url {
        case Self.issuer + "/.well-known/openid-configuration":
            let body = """
                {"issuer":"\(Self.issuer)","authorization_endpoint":"\(Self.issuer)/authorize",
                 "token_endpoint":"\(Self.issuer)/token","jwks_uri":"\(Self.issuer)/jwks"}
                """
            return OIDCHTTPResponse(status: 200, body: Array(body.utf8))
        case Self.issuer + "/jwks":
            state.withLock { $0.jwksReads += 1 }
            return OIDCHTTPResponse(status: 200, body: Array(try jwks().utf8))
        default:
            return OIDCHTTPResponse(status: 404, body: [])
        }
    }

    func postForm(_ url: String, fields: [(String, String)], authorization: String?) async throws -> OIDCHTTPResponse {
        var posted = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        posted["authorization"] = authorization ?? ""
        let token = state.withLock { state in
            state.posts.append(posted)
            return state.idToken
        }
        return OIDCHTTPResponse(status: 200, body: Array(#"{"id_token":"\#(token)","token_type":"Bearer"}"#.utf8))
    }

    /// A JWT over `claims`, signed RS256 by `key` (or the other key), with the header given.
    func token(
        _ claims: [String: Any], alg: String = "RS256", kid: String? = "k1", signer: _RSA.Signing.PrivateKey? = nil
    ) throws -> String {
        var header: [String: Any] = ["alg": alg, "typ": "JWT"]
        if let kid { header["kid"] = kid }
        let head = Self.base64URL(try JSONSerialization.data(withJSONObject: header))
        let body = Self.base64URL(try JSONSerialization.data(withJSONObject: claims))
        let input = Data("\(head).\(body)".utf8)
        let signature = try (signer ?? key).signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
        return "\(head).\(body).\(Self.base64URL(signature.rawRepresentation))"
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

@Suite("OpenID Connect")
struct OIDCTests {
    static let now: Int64 = 1_800_000_000

    static func claims(_ changes: [String: Any] = [:]) -> [String: Any] {
        var claims: [String: Any] = [
            "iss": FakeProvider.issuer, "aud": "account-console", "sub": "00u1", "exp": now + 300, "iat": now,
            "nonce": "n-1", "preferred_username": "ada@example.com", "email": "ada@example.com",
            "given_name": "Ada", "family_name": "Lovelace", "auth_time": Double(now) + 0.5,
        ]
        for (key, value) in changes { claims[key] = value }
        return claims
    }

    static func party(_ provider: FakeProvider, secret: String? = "s3cret") -> OIDCRelyingParty {
        OIDCRelyingParty(
            settings: OIDCClientSettings(
                issuer: FakeProvider.issuer + "/", clientID: "account-console", clientSecret: secret),
            transport: provider)
    }

    static func finish(_ party: OIDCRelyingParty, now: Int64 = now) async throws -> OIDCIdentity {
        try await party.finish(
            code: "c-1", redirectURI: "https://console.example.com/oidc/okta/callback", verifier: "v-1", nonce: "n-1",
            now: now)
    }

    @Test("the authorization URL carries state, nonce and an S256 challenge")
    func authorizationURL() async throws {
        let provider = try FakeProvider()
        let verifier = PKCE.verifier()
        #expect(verifier.count == 43)
        let url = try await Self.party(provider).authorizationURL(
            redirectURI: "https://console.example.com/oidc/okta/callback", state: "st", nonce: "n-1", verifier: verifier
        )
        #expect(url.hasPrefix("https://idp.example.com/authorize?response_type=code&client_id=account-console"))
        #expect(url.contains("redirect_uri=https%3A%2F%2Fconsole.example.com%2Foidc%2Fokta%2Fcallback"))
        #expect(
            url.contains(
                "&state=st&nonce=n-1&code_challenge=\(PKCE.challenge(for: verifier))&code_challenge_method=S256"))
        // RFC 7636 Appendix B.
        #expect(
            PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("a good ID token gives the identity; the code goes with the verifier and the client's secret")
    func accepted() async throws {
        let provider = try FakeProvider()
        provider.state.withLock { $0.idToken = (try? provider.token(Self.claims())) ?? "" }
        let identity = try await Self.finish(Self.party(provider))
        #expect(identity.preferredUsername == "ada@example.com")
        #expect(identity.subject == "00u1")
        #expect(identity.givenName == "Ada")
        #expect(identity.expiresAt == Self.now + 300)
        let post = try #require(provider.state.withLock { $0.posts.first })
        #expect(post["code_verifier"] == "v-1")
        #expect(post["grant_type"] == "authorization_code")
        #expect(post["authorization"] == "Basic " + Data("account-console:s3cret".utf8).base64EncodedString())
    }

    /// (what is wrong, the claims or the token, what the refusal says).
    static var refusals: [(String, [String: Any], String)] {
        [
            ("another issuer", ["iss": "https://evil.example.com"], "not by https://idp.example.com"),
            ("another audience", ["aud": "someone-else"], "not for account-console"),
            ("expired", ["exp": now - 120], "expired"),
            ("another nonce", ["nonce": "n-2"], "nonce"),
            ("no nonce", ["nonce": NSNull()], "nonce"),
        ]
    }

    /// Why `body` was refused, `nil` when it was not.
    static func refusal(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch {
            return (error as? OIDCError)?.reason ?? "\(error)"
        }
    }

    @Test("iss, aud, exp and nonce are checked", arguments: 0..<5)
    func refused(_ index: Int) async throws {
        let (label, changes, reason) = Self.refusals[index]
        let provider = try FakeProvider()
        var claims = Self.claims(changes)
        if changes["nonce"] is NSNull { claims["nonce"] = nil }
        provider.state.withLock { $0.idToken = (try? provider.token(claims)) ?? "" }
        let said = await Self.refusal { _ = try await Self.finish(Self.party(provider)) }
        #expect(said?.contains(reason) == true, "\(label): \(said ?? "accepted")")
    }

    @Test("a token signed by another key, for another algorithm, or with no kid is refused")
    func forged() async throws {
        let provider = try FakeProvider()
        let cases: [(String, String)] = [
            (try provider.token(Self.claims(), signer: provider.otherKey), "does not verify"),
            (try provider.token(Self.claims(), alg: "PS256"), "signed with PS256, but its key is for RS256"),
            (try provider.token(Self.claims(), alg: "none"), "signed with none"),
            (try provider.token(Self.claims(), kid: nil), "names no key"),
            ("not.a.jwt", "not a signed JWT"),
        ]
        for (token, reason) in cases {
            provider.state.withLock { $0.idToken = token }
            let said = await Self.refusal { _ = try await Self.finish(Self.party(provider)) }
            #expect(said?.contains(reason) == true, "\(reason): \(said ?? "accepted")")
        }
    }

    @Test("an unknown kid re-reads the keys once (rotation), then refuses")
    func rotation() async throws {
        let provider = try FakeProvider()
        let party = OIDCRelyingParty(
            settings: OIDCClientSettings(issuer: FakeProvider.issuer, clientID: "account-console", clientSecret: "s"),
            transport: provider, keyRefreshInterval: .zero)
        provider.state.withLock { $0.idToken = (try? provider.token(Self.claims())) ?? "" }
        _ = try await Self.finish(party)
        #expect(provider.state.withLock { $0.jwksReads } == 1)
        // The provider rotates: same key material, new kid. The token names the new kid.
        provider.state.withLock {
            $0.kid = "k2"
            $0.idToken = (try? provider.token(Self.claims(), kid: "k2")) ?? ""
        }
        #expect(try await Self.finish(party).subject == "00u1")
        #expect(provider.state.withLock { $0.jwksReads } == 2)
        // A kid the provider never had: one more read, then refused without reading again.
        provider.state.withLock { $0.idToken = (try? provider.token(Self.claims(), kid: "k9")) ?? "" }
        #expect(await Self.refusal { _ = try await Self.finish(party) }?.contains("kid k9") == true)
        #expect(await Self.refusal { _ = try await Self.finish(party) }?.contains("kid k9") == true)
        #expect(provider.state.withLock { $0.jwksReads } == 3)
    }

    @Test("a discovery document for another issuer is refused")
    func discoveryMismatch() async throws {
        let party = OIDCRelyingParty(
            settings: OIDCClientSettings(issuer: "https://other.example.com", clientID: "x", clientSecret: nil),
            transport: try FakeProvider())
        let said = await Self.refusal {
            _ = try await party.authorizationURL(redirectURI: "https://a/cb", state: "s", nonce: "n", verifier: "v")
        }
        #expect(said != nil)
    }
}
