/// How a connection's users sign in to the console through their IdP: SAML 2.0 settings, and
/// whether a first sign-in may create the user (off by default: SCIM is the source of truth).
public struct SingleSignOn: Sendable, Hashable {
    public var connectionID: String
    public var saml: SAMLSettings?
    public var oidc: OIDCSettings?
    /// Just-in-time creation: a user the connection has not provisioned is created at sign-in.
    public var justInTime: Bool
    public var updatedAt: Timestamp

    public init(
        connectionID: String, saml: SAMLSettings?, oidc: OIDCSettings? = nil, justInTime: Bool = false,
        updatedAt: Timestamp
    ) {
        self.connectionID = connectionID
        self.saml = saml
        self.oidc = oidc
        self.justInTime = justInTime
        self.updatedAt = updatedAt
    }
}

/// The IdP side of a SAML connection, as an admin entered it or its metadata said.
public struct SAMLSettings: Sendable, Hashable {
    public var idpEntityID: String
    /// Where SP-initiated sign-ins send the AuthnRequest (HTTP-Redirect).
    public var ssoURL: String
    /// The IdP's signing certificate, PEM: the only key a response is verified with.
    public var certificate: String
    /// Whether a response the IdP sends unasked (a tile in the Okta dashboard) is accepted.
    public var idpInitiated: Bool

    public init(idpEntityID: String, ssoURL: String, certificate: String, idpInitiated: Bool = false) {
        self.idpEntityID = idpEntityID
        self.ssoURL = ssoURL
        self.certificate = certificate
        self.idpInitiated = idpInitiated
    }
}

/// The provider side of an OpenID Connect connection. The client secret is never stored: only
/// the path of the file that holds it, read when a sign-in needs it.
public struct OIDCSettings: Sendable, Hashable {
    public var issuer: String
    public var clientID: String
    /// A file on the server holding the client secret; `nil` for a public client (PKCE alone).
    public var clientSecretFile: String?

    public init(issuer: String, clientID: String, clientSecretFile: String?) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecretFile = clientSecretFile
    }
}

/// A sign-in this server started and has not finished: found again by the SHA-256 of the state
/// the browser carries (SAML's RelayState), used once, and only for a few minutes.
public struct SSORequest: Sendable, Hashable {
    public var stateHash: String
    public var connectionID: String
    /// The AuthnRequest's ID, which the response must answer.
    public var requestID: String
    /// The page of ours to return to.
    public var next: String
    /// OpenID Connect's PKCE verifier, sealed (AES-GCM) with a key derived from the state, which
    /// only the browser holds: the database alone cannot open it.
    public var sealedVerifier: String?
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(
        stateHash: String, connectionID: String, requestID: String, next: String, sealedVerifier: String? = nil,
        createdAt: Timestamp, expiresAt: Timestamp
    ) {
        self.stateHash = stateHash
        self.connectionID = connectionID
        self.requestID = requestID
        self.next = next
        self.sealedVerifier = sealedVerifier
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// An assertion (or ID token) already used to sign in, remembered until it would have expired
/// anyway: the replay cache, in the database so that every instance refuses a second use.
public struct UsedAssertion: Sendable, Hashable {
    /// The connection's id and the assertion's ID.
    public var id: String
    public var expiresAt: Timestamp

    public init(id: String, expiresAt: Timestamp) {
        self.id = id
        self.expiresAt = expiresAt
    }
}
