import Crypto
import Foundation
import JWTKit
import Synchronization

/// How the relying party reaches the provider: the wiring supplies it (async-http-client), so
/// this module holds the protocol and no HTTP client, and tests can answer for the provider.
public protocol OIDCTransport: Sendable {
    func get(_ url: String) async throws -> OIDCHTTPResponse
    /// A form POST; `authorization` is the `Authorization` header when there is one.
    func postForm(_ url: String, fields: [(String, String)], authorization: String?) async throws -> OIDCHTTPResponse
}

public struct OIDCHTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Why a sign-in through OpenID Connect was refused, as a sentence an admin can act on.
public struct OIDCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A connection's OpenID Connect client, as an admin configured it.
public struct OIDCClientSettings: Sendable, Hashable {
    /// The issuer URL; discovery is read from `<issuer>/.well-known/openid-configuration`.
    public var issuer: String
    public var clientID: String
    /// The client secret (`client_secret_basic`); `nil` for a public client (PKCE alone).
    public var clientSecret: String?

    public init(issuer: String, clientID: String, clientSecret: String?) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// A client secret read from its file, trimmed of surrounding whitespace; `nil` when the file
    /// cannot be read or is empty.
    public static func secret(fromFile path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

/// What a verified ID token says about the person signing in.
public struct OIDCIdentity: Sendable, Hashable {
    public var subject: String
    public var preferredUsername: String?
    public var email: String?
    /// Whether the provider says it verified `email` (`email_verified`).
    public var emailVerified: Bool
    public var givenName: String?
    public var familyName: String?
    /// Seconds since 1970 when the ID token expires.
    public var expiresAt: Int64
    /// The token's `jti`, else the SHA-256 of the token: used once (the replay cache).
    public var tokenID: String
}

/// Proof Key for Code Exchange (RFC 7636), S256 only.
public enum PKCE {
    /// 32 random bytes, base64url: 43 characters, inside RFC 7636's 43 to 128.
    public static func verifier() -> String {
        base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    public static func challenge(for verifier: String) -> String {
        base64URL(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
