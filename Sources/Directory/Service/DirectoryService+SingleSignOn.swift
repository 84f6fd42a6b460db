import Crypto
import SCIM

/// What an IdP said, once its response was verified, about the person signing in.
public struct SSOIdentity: Sendable, Hashable {
    /// The `username` attribute (SAML, as IOMETE names it), else `preferred_username` (OIDC),
    /// else the NameID / `sub`.
    public var userName: String
    public var email: String?
    public var givenName: String?
    public var familyName: String?
    /// The assertion's (or ID token's) id: each is used once, across every instance.
    public var assertionID: String
    /// When the assertion expires: it is remembered until then.
    public var validUntil: Timestamp

    public init(
        userName: String, email: String?, givenName: String?, familyName: String?, assertionID: String,
        validUntil: Timestamp
    ) {
        self.userName = userName
        self.email = email
        self.givenName = givenName
        self.familyName = familyName
        self.assertionID = assertionID
        self.validUntil = validUntil
    }
}

/// What a single sign-on came to.
public enum SSOOutcome: Sendable, Hashable {
    case signedIn(StartedSession)
    /// No session: the reason is shown on the "no access" page and kept in the activity log.
    case refused(String)
}

/// A started sign-in, taken back: what the response must answer and where to go after.
public struct StartedSignIn: Sendable, Hashable {
    /// The AuthnRequest's ID (SAML) or the nonce (OpenID Connect).
    public var requestID: String
    public var next: String
    /// OpenID Connect's PKCE verifier, opened.
    public var verifier: String?
}

/// A connection whose users may sign in through it, for the login page's buttons.
public struct SignInOption: Sendable, Hashable {
    public var connection: Connection
    public var settings: SingleSignOn
}

extension DirectoryService {
    /// How long a started sign-in may take at the IdP.
    public static let signInLifetime: Int64 = 10 * 60

    /// The connections with single sign-on configured (public: the login page lists them).
    public func signInOptions() async throws(SCIMError) -> [SignInOption] {
        try await read {
            let settings = try await store.singleSignOns()
            let connections = Dictionary(
                try await store.connections().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let options = settings.filter { $0.saml != nil || $0.oidc != nil }.compactMap { entry in
                connections[entry.connectionID].map { SignInOption(connection: $0, settings: entry) }
            }
            return options.sorted { $0.connection.name < $1.connection.name }
        }
    }

    /// A connection's single sign-on settings, `nil` when it has none.
    public func singleSignOn(connectionID: String, by actor: DirectoryActor) async throws(SCIMError) -> SingleSignOn? {
        try actor.authorize(.readAccess)
        return try await read { try await store.singleSignOn(connectionID: connectionID) }
    }

    /// Sets (or, with `saml: nil`, removes) a connection's SAML settings. The certificate is
    /// checked by the caller, which can load it (this module knows no XML security library).
    public func configureSAML(
        connectionID: String, saml: SAMLSettings?, justInTime: Bool, by actor: DirectoryActor
    ) async throws(SCIMError) {
        if let saml {
            for (label, value) in [("IdP entity ID", saml.idpEntityID), ("SSO URL", saml.ssoURL)] {
                guard !value.isEmpty, value.utf8.count <= 1024 else {
                    throw .invalidValue("the \(label) needs 1 to 1024 characters")
                }
            }
            guard saml.ssoURL.hasPrefix("https://") || saml.ssoURL.hasPrefix("http://") else {
                throw .invalidValue("the SSO URL must be an http(s) URL")
            }
            guard !saml.certificate.isEmpty, saml.certificate.utf8.count <= 16 * 1024 else {
                throw .invalidValue("the signing certificate is missing or too long")
            }
        }
        try await change("connections.saml", by: actor) { service, note in
            guard let connection = try await service.store.connection(id: connectionID) else {
                throw StoreError.notFound("Connection \(connectionID)")
            }
            let old = try await service.store.singleSignOn(connectionID: connectionID)
            // The OpenID Connect settings stay as they are.
            try await service.store.saveSingleSignOn(
                SingleSignOn(
                    connectionID: connectionID, saml: saml, oidc: old?.oidc, justInTime: justInTime,
                    updatedAt: service.clock.now()))
            // A new certificate or IdP, or SAML off: what the old settings let in ends now.
            if old?.saml != nil, old?.saml != saml {
                try await service.store.deleteSessions(connectionID: connectionID)
                note.add("the connection's single-sign-on sessions ended")
            }
            note.subject("Connection", connectionID)
            note.add(
                saml == nil
                    ? "turned SAML sign-in off for \(connection.name)" : "set SAML sign-in for \(connection.name)")
            var changes = Self.fieldChanges([
                ("saml.idpEntityID", old?.saml?.idpEntityID, saml?.idpEntityID),
                ("saml.ssoURL", old?.saml?.ssoURL, saml?.ssoURL),
                ("saml.idpInitiated", old?.saml.map { String($0.idpInitiated) }, saml.map { String($0.idpInitiated) }),
                ("justInTime", old.map { String($0.justInTime) }, String(justInTime)),
            ])
            if old?.saml?.certificate != saml?.certificate {
                changes.append(FieldChange(field: "saml.certificate", old: nil, new: "(replaced)"))
            }
            note.changed(changes)
        }
    }

    /// Sets (or, with `oidc: nil`, removes) a connection's OpenID Connect settings. The client
    /// secret stays in its file; only the path is kept.
    public func configureOIDC(
        connectionID: String, oidc: OIDCSettings?, justInTime: Bool, by actor: DirectoryActor
    ) async throws(SCIMError) {
        if let oidc {
            guard oidc.issuer.hasPrefix("https://") || Self.isLoopbackHTTP(oidc.issuer) else {
                throw .invalidValue("the issuer must be an https:// URL (plain http only on this machine's loopback)")
            }
            guard oidc.issuer.utf8.count <= 1024, !oidc.clientID.isEmpty, oidc.clientID.utf8.count <= 256 else {
                throw .invalidValue("the issuer (up to 1024 characters) and the client ID (1 to 256) are required")
            }
            if let file = oidc.clientSecretFile, file.isEmpty || !file.hasPrefix("/") {
                throw .invalidValue("the client secret file must be an absolute path on the server")
            }
        }
        try await change("connections.oidc", by: actor) { service, note in
            guard let connection = try await service.store.connection(id: connectionID) else {
                throw StoreError.notFound("Connection \(connectionID)")
            }
            let old = try await service.store.singleSignOn(connectionID: connectionID)
            try await service.store.saveSingleSignOn(
                SingleSignOn(
                    connectionID: connectionID, saml: old?.saml, oidc: oidc, justInTime: justInTime,
                    updatedAt: service.clock.now()))
            if old?.oidc != nil, old?.oidc != oidc {
                try await service.store.deleteSessions(connectionID: connectionID)
                note.add("the connection's single-sign-on sessions ended")
            }
            note.subject("Connection", connectionID)
            note.add(
                oidc == nil
                    ? "turned OpenID Connect sign-in off for \(connection.name)"
                    : "set OpenID Connect sign-in for \(connection.name)")
            note.changed(
                Self.fieldChanges([
                    ("oidc.issuer", old?.oidc?.issuer, oidc?.issuer),
                    ("oidc.clientID", old?.oidc?.clientID, oidc?.clientID),
                    ("oidc.clientSecretFile", old?.oidc?.clientSecretFile, oidc?.clientSecretFile),
                    ("justInTime", old.map { String($0.justInTime) }, String(justInTime)),
                ]))
        }
    }

    /// The settings that differ, old → new.
    static func fieldChanges(_ fields: [(name: String, old: String?, new: String?)]) -> [FieldChange] {
        fields.filter { $0.old != $0.new }.map { FieldChange(field: $0.name, old: $0.old, new: $0.new) }
    }

    /// `http://localhost…`, `http://127.0.0.1…` or `http://[::1]…`: a provider on this machine.
    static func isLoopbackHTTP(_ url: String) -> Bool {
        ["http://localhost:", "http://localhost/", "http://127.0.0.1:", "http://127.0.0.1/", "http://[::1]:"].contains {
            url.hasPrefix($0)
        } || url == "http://localhost" || url == "http://127.0.0.1"
    }

    /// Records a sign-in this server starts: returns the state the browser carries (SAML's
    /// RelayState, OpenID Connect's `state`); only its SHA-256 is stored, and a PKCE verifier is
    /// stored sealed with a key derived from the state.
    public func startSignIn(
        connectionID: String, requestID: String, next: String, verifier: String? = nil
    ) async throws(SCIMError) -> String {
        let state = Self.base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
        let now = clock.now()
        var sealed: String?
        if let verifier {
            guard let box = try? AES.GCM.seal(Array(verifier.utf8), using: Self.verifierKey(state)).combined else {
                throw SCIMError(status: 500, detail: "the sign-in could not be started")
            }
            sealed = Self.base64URL(Array(box))
        }
        let request = SSORequest(
            stateHash: Self.hash(token: state), connectionID: connectionID, requestID: requestID, next: next,
            sealedVerifier: sealed, createdAt: now, expiresAt: now.adding(seconds: Self.signInLifetime))
        try await read { try await store.createSSORequest(request) }
        return state
    }

    static func verifierKey(_ state: String) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Array("account-console pkce verifier \(state)".utf8)))
    }

    /// The started sign-in a state stands for, used up by this call; `nil` when it is unknown,
    /// used, expired or another connection's.
    public func takeSignIn(state: String, connectionID: String) async throws(SCIMError) -> StartedSignIn? {
        guard !state.isEmpty, state.utf8.count <= 128 else { return nil }
        let taken = try await read { try await store.takeSSORequest(stateHash: Self.hash(token: state)) }
        guard let taken, taken.connectionID == connectionID, clock.now() < taken.expiresAt else { return nil }
        var verifier: String?
        if let sealed = taken.sealedVerifier {
            guard let bytes = Self.base64URLDecoded(sealed), let box = try? AES.GCM.SealedBox(combined: bytes),
                let opened = try? AES.GCM.open(box, using: Self.verifierKey(state))
            else { return nil }
            verifier = String(decoding: opened, as: UTF8.self)
        }
        return StartedSignIn(requestID: taken.requestID, next: taken.next, verifier: verifier)
    }

    /// Signs in a person the connection's IdP vouched for. They must be a user this connection
    /// provisioned (or, with just-in-time creation on, become one), not suspended or archived,
    /// and hold a console role directly or through a group. Every attempt is an activity row.
    public func signIn(
        through connection: Connection, identity: SSOIdentity, address: String?
    ) async throws(SCIMError) -> SSOOutcome {
        let now = clock.now()
        let used = UsedAssertion(id: "\(connection.id):\(identity.assertionID)", expiresAt: identity.validUntil)
        guard try await read({ try await store.useAssertion(used) }) else {
            return await refuseSignIn(
                connection, identity.userName, address: address, "this assertion was used before (a replay)")
        }
        let settings = try await read { try await store.singleSignOn(connectionID: connection.id) }
        var user = try await read { try await store.user(userName: identity.userName) }
        if user == nil, settings?.justInTime == true {
            user = try await createJustInTime(identity, connection: connection)
        }
        guard let user else {
            return await refuseSignIn(
                connection, identity.userName, address: address,
                "\(identity.userName) is not a user of this directory; \(connection.name) provisions users over SCIM first"
            )
        }
        guard user.origin.connectionID == connection.id else {
            let owner = user.origin.connectionID.map { "the connection \($0)" } ?? "this console (a local user)"
            return await refuseSignIn(
                connection, identity.userName, address: address,
                "\(user.userName) belongs to \(owner), not to \(connection.name)", userID: user.id)
        }
        if user.isArchived || user.active == false {
            return await refuseSignIn(
                connection, identity.userName, address: address,
                "\(user.userName) is \(user.isArchived ? "deprovisioned" : "suspended")", userID: user.id)
        }
        guard let role = try await read({ try await userRole(user.id) }) else {
            return await refuseSignIn(
                connection, identity.userName, address: address,
                "\(user.userName) holds no console role (give one to the user or to one of their groups)",
                userID: user.id)
        }
        let signIn = ConsoleSignIn(
            account: ConsoleAccount(id: user.id, userName: user.userName, role: role, connectionID: connection.id),
            mustChangePassword: false,
            expiresAt: Timestamp(microseconds: now.microseconds + sessionPolicy.absolute.microseconds))
        let started = try await startSession(signIn, at: now)
        await recordSignIn(
            connection, address: address, status: 200,
            summary: "\(user.userName) signed in through \(connection.name) as \(role.rawValue)", userID: user.id,
            actor: "user:\(user.id)")
        return .signedIn(started)
    }

    /// A sign-in refused before a user was known (a response that did not verify): its row.
    public func recordRefusedSignIn(through connection: Connection, reason: String, address: String?) async {
        await recordSignIn(connection, address: address, status: 401, summary: "sign-in refused: \(reason)")
    }

    private func refuseSignIn(
        _ connection: Connection, _ userName: String, address: String?, _ reason: String, userID: String? = nil
    ) async -> SSOOutcome {
        await recordSignIn(
            connection, address: address, status: 403, summary: "sign-in refused: \(reason)", userID: userID)
        return .refused(reason)
    }

    private func recordSignIn(
        _ connection: Connection, address: String?, status: Int, summary: String, userID: String? = nil,
        actor: String? = nil
    ) async {
        let event = ActivityEvent(
            id: ids.next(), at: clock.now(), connectionID: connection.id, actor: actor ?? "system:sign-in",
            method: "SSO", path: "sign-in", status: status, resourceType: userID == nil ? nil : "User",
            resourceID: userID, summary: String(summary.prefix(500)),
            detail: "through \(connection.name) from \(address ?? "an unknown address")")
        try? await store.recordActivity(event)
    }

    private func createJustInTime(_ identity: SSOIdentity, connection: Connection) async throws(SCIMError) -> User {
        let profile = LocalUserProfile(
            userName: identity.userName, givenName: identity.givenName, familyName: identity.familyName,
            email: identity.email)
        let resource = try ResourceValidator(resourceType: .user).validate(profile.resource().setting("active", true))
        return try await change("users.create", by: .system("single sign-on")) { service, note in
            let now = service.clock.now()
            let user = User(
                id: service.ids.next(), resource: resource, origin: .idp(connectionID: connection.id), createdAt: now,
                updatedAt: now, createdBy: "system:single sign-on")
            let created = try await service.store.createUser(user)
            note.subject("User", created.id)
            note.add("created \(created.userName) at its first sign-in through \(connection.name) (just in time)")
            note.changed(FieldChange.between([:], created.resource))
            return created
        }
    }

    /// The strongest console role a directory user holds, directly or through a group.
    func userRole(_ userID: String) async throws -> Role? {
        let assignments = try await store.roleAssignments()
        var roles = Set(assignments.filter { $0.subject == .user(userID) }.map(\.role))
        for mapping in try await store.groupMappings(userID: userID) {
            roles.formUnion(assignments.filter { $0.subject == .group(mapping.groupID) }.map(\.role))
        }
        return roles.contains(.admin) ? .admin : roles.contains(.viewer) ? .viewer : nil
    }
}
