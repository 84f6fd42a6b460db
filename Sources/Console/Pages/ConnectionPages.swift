import Crypto
import Directory
import Hummingbird
import OIDC
import SAML
import SCIM

/// Connections: the list, a connection's SCIM URL, tokens (shown once), policies and health.
struct ConnectionPages<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let views: Views
    let configuration: ConsoleConfiguration
    let check: (any ConnectorChecking)?
    /// Whether this server can reach OpenID Connect providers (the wiring gave a transport).
    let canSignInWithOIDC: Bool

    struct ListRow: Sendable {
        var id: String
        var name: String
        var kind: String
        var created: String
    }

    struct ListModel: Sendable {
        var chrome: PageChrome
        var rows: [ListRow]
        var hasRows: Bool
        var kinds: [SelectOption]
    }

    static var kindLabels: [ConnectionKind: String] {
        [.okta: "Okta", .entra: "Microsoft Entra ID", .generic: "Generic SCIM"]
    }

    func list(_ request: Request, _ context: Context) async throws -> Response {
        let connections = try await service.connections(by: try context.actor())
        let model = ListModel(
            chrome: PageChrome("Connections", section: "/connections", context: context),
            rows: connections.map {
                ListRow(
                    id: $0.id, name: $0.name, kind: Self.kindLabels[$0.kind] ?? $0.kind.rawValue,
                    created: Format.when($0.createdAt))
            }, hasRows: !connections.isEmpty,
            kinds: ConnectionKind.allCases.map {
                SelectOption(value: $0.rawValue, label: Self.kindLabels[$0] ?? $0.rawValue, selected: $0 == .okta)
            })
        return views.page("connections", model)
    }

    struct CreateForm: ConsoleForm {
        var csrf: String
        var name: String
        var kind: String
    }

    func create(_ request: Request, _ context: Context) async throws -> Response {
        let form = try await request.consoleForm(CreateForm.self, csrf: context.csrf)
        guard let kind = ConnectionKind(rawValue: form.kind) else {
            throw ConsolePageError(
                status: .badRequest, message: "Choose the kind Okta, Microsoft Entra ID or Generic SCIM.")
        }
        let connection = try await service.createConnection(name: form.name, kind: kind, by: try context.actor())
        return Views.redirect("/connections/\(connection.id)")
    }

    struct TokenRow: Sendable {
        var id: String
        var name: String
        var prefix: String
        var scope: String
        var created: String
        var expires: String
        var lastUsed: String
        var lastAddress: String
        var state: String
        var stateClass: String
        var live: Bool
    }

    struct Warning: Sendable {
        var text: String
    }

    struct Model: Sendable {
        var chrome: PageChrome
        var id: String
        var connectionID: String
        var name: String
        var kind: String
        var scimURL: String
        var tokens: [TokenRow]
        var hasTokens: Bool
        var newToken: String?
        var deactivate: [SelectOption]
        var delete: [SelectOption]
        var orphan: [SelectOption]
        var warnings: [Warning]
        var hasWarnings: Bool
        var lastRequest: String
        var requests: Int
        var errors: Int
        var rejected: Int
        var chartDay: String
        var chartWeek: String
        var events: [EventView]
        var hasEvents: Bool
        var canCheck: Bool
        var checkSteps: [ConnectorCheckStep]
        var hasCheck: Bool
        var checkPassed: Bool
        var checkSummary: String
        var saml: SAMLSection
        var oidc: OIDCSection
        var deletionGuard: GuardSection
    }

    /// The connection's OpenID Connect sign-in: the redirect URI to give the provider, and the
    /// issuer, client ID and secret file it gave us.
    struct OIDCSection: Sendable {
        var redirectURI: String
        var configured: Bool
        var issuer: String
        var clientID: String
        var clientSecretFile: String
        var available: Bool
    }

    func oidcSection(_ request: Request, _ connection: Connection, actor: DirectoryActor) async throws -> OIDCSection {
        let oidc = try await service.singleSignOn(connectionID: connection.id, by: actor)?.oidc
        return OIDCSection(
            redirectURI: SSOPages<Parent>.redirectURI(
                base: configuration.baseURL(for: request), connection: connection),
            configured: oidc != nil, issuer: oidc?.issuer ?? "", clientID: oidc?.clientID ?? "",
            clientSecretFile: oidc?.clientSecretFile ?? "", available: canSignInWithOIDC)
    }

    struct OIDCForm: ConsoleForm {
        var csrf: String
        var issuer: String?
        var clientID: String?
        var clientSecretFile: String?
        var oidcJustInTime: String?
        var remove: String?
    }

    /// Saves OpenID Connect sign-in: issuer, client ID and the path of the client secret's file.
    func saveOIDC(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(OIDCForm.self, csrf: context.csrf)
        let actor = try context.actor()
        if form.remove != nil {
            try await service.configureOIDC(connectionID: id, oidc: nil, justInTime: false, by: actor)
            return Views.redirect("/connections/\(id)?notice=oidc-saved#oidc")
        }
        let issuer = form.issuer?.trimmingWhitespace() ?? ""
        let clientID = form.clientID?.trimmingWhitespace() ?? ""
        let file = form.clientSecretFile?.trimmingWhitespace() ?? ""
        guard !issuer.isEmpty, !clientID.isEmpty else {
            throw ConsolePageError(status: .badRequest, message: "Give the issuer URL and the client ID.")
        }
        if !file.isEmpty, OIDCClientSettings.secret(fromFile: file) == nil {
            throw ConsolePageError(
                status: .badRequest, message: "The server cannot read a client secret from \(file).")
        }
        let settings = OIDCSettings(issuer: issuer, clientID: clientID, clientSecretFile: file.isEmpty ? nil : file)
        try await service.configureOIDC(
            connectionID: id, oidc: settings, justInTime: form.oidcJustInTime != nil, by: actor)
        return Views.redirect("/connections/\(id)?notice=oidc-saved#oidc")
    }

    /// The connection's SAML sign-in: what to give the IdP, and what it gave us.
    struct SAMLSection: Sendable {
        var entityID: String
        var acsURL: String
        var metadataURL: String
        var configured: Bool
        var idpEntityID: String
        var ssoURL: String
        var certificate: String
        var fingerprint: String
        var idpInitiated: Bool
        var justInTime: Bool
        /// No public URL and a non-loopback host: sign-in is refused until `--public-url` is set.
        var needsPublicURL: Bool
    }

    func samlSection(_ request: Request, _ connection: Connection, actor: DirectoryActor) async throws -> SAMLSection {
        let provider = SSOPages<Parent>.serviceProvider(
            base: configuration.baseURL(for: request), connection: connection)
        let settings = try await service.singleSignOn(connectionID: connection.id, by: actor)
        let saml = settings?.saml
        return SAMLSection(
            entityID: provider.entityID, acsURL: provider.acsURL, metadataURL: provider.entityID,
            configured: saml != nil, idpEntityID: saml?.idpEntityID ?? "", ssoURL: saml?.ssoURL ?? "",
            certificate: saml?.certificate ?? "", fingerprint: saml.map { Self.fingerprint($0.certificate) } ?? "",
            idpInitiated: saml?.idpInitiated ?? false, justInTime: settings?.justInTime ?? false,
            needsPublicURL: configuration.publicURL == nil && !configuration.isLoopback(request))
    }

    /// The SHA-256 fingerprint of a certificate, as IdP consoles show it (AB:CD:…).
    static func fingerprint(_ certificate: String) -> String {
        guard let der = SAMLCertificate.der(certificate) else { return "" }
        let hex = Array("0123456789ABCDEF")
        return SHA256.hash(data: der).map { "\(hex[Int($0 >> 4)])\(hex[Int($0 & 0x0F)])" }.joined(separator: ":")
    }

    struct SAMLForm: ConsoleForm {
        var csrf: String
        var idpMetadata: String?
        var idpEntityID: String?
        var ssoURL: String?
        var certificate: String?
        var idpInitiated: String?
        var justInTime: String?
        var remove: String?
    }

    /// Saves SAML sign-in: from pasted IdP metadata, or from the three fields.
    func saveSAML(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(SAMLForm.self, csrf: context.csrf)
        let actor = try context.actor()
        if form.remove != nil {
            try await service.configureSAML(connectionID: id, saml: nil, justInTime: false, by: actor)
            return Views.redirect("/connections/\(id)?notice=saml-saved#saml")
        }
        let settings = try Self.samlSettings(form)
        try await service.configureSAML(
            connectionID: id, saml: settings, justInTime: form.justInTime != nil, by: actor)
        return Views.redirect("/connections/\(id)?notice=saml-saved#saml")
    }

    static func samlSettings(_ form: SAMLForm) throws -> SAMLSettings {
        let metadata = form.idpMetadata?.trimmingWhitespace() ?? ""
        var entityID = form.idpEntityID?.trimmingWhitespace() ?? ""
        var ssoURL = form.ssoURL?.trimmingWhitespace() ?? ""
        var certificate = form.certificate?.trimmingWhitespace() ?? ""
        if !metadata.isEmpty {
            let parsed = Result { () throws(SAMLError) -> SAMLIdentityProvider in
                try SAMLMetadata.identityProvider(xml: Array(metadata.utf8))
            }
            guard case .success(let provider) = parsed else {
                let reason = parsed.failureReason ?? "it is not SAML metadata"
                throw ConsolePageError(status: .badRequest, message: "The IdP metadata could not be used: \(reason).")
            }
            entityID = provider.entityID
            ssoURL = provider.ssoURL
            certificate = provider.certificate
        }
        guard !entityID.isEmpty, !ssoURL.isEmpty, !certificate.isEmpty else {
            throw ConsolePageError(
                status: .badRequest,
                message: "Paste the IdP metadata, or give the IdP entity ID, its SSO URL and its signing certificate.")
        }
        guard let pem = SAMLCertificate.pem(certificate), SAMLCertificate.isLoadable(pem) else {
            throw ConsolePageError(
                status: .badRequest, message: "The signing certificate is not an X.509 certificate (PEM or base64).")
        }
        return SAMLSettings(
            idpEntityID: entityID, ssoURL: ssoURL, certificate: pem, idpInitiated: form.idpInitiated != nil)
    }

    func scimURL(_ request: Request) -> String {
        configuration.baseURL(for: request) + "/api/v1/identity/scim/v2"
    }

    func page(_ request: Request, _ context: Context) async throws -> Response {
        try await render(request, context, newToken: nil)
    }

    func render(
        _ request: Request, _ context: Context, newToken: String?, checkSteps: [ConnectorCheckStep] = []
    ) async throws -> Response {
        let actor = try context.actor()
        let id = try context.parameters.require("id")
        guard let connection = try await service.connections(by: actor).first(where: { $0.id == id }) else {
            throw ConsolePageError(status: .notFound, message: "There is no such connection.")
        }
        let now = service.clock.now()
        let tokens = try await service.tokens(connectionID: id, by: actor)
        let health = try await service.connectionHealth(connectionID: id, by: actor)
        let names = try await Names.load(service, by: actor)
        let recent = try await service.activity(ActivityQuery(connectionID: id, count: 10), by: actor)
        let chart = ActivityChart(service: service, actor: actor)
        var warnings: [Warning] = []
        if !tokens.contains(where: { $0.isUsable(at: now) }) {
            warnings.append(Warning(text: "No live token: the IdP cannot provision until you create one."))
        }
        for token in health.expiringSoon {
            warnings.append(
                Warning(
                    text:
                        "The token \(token.name) (\(token.prefix)…) expires \(Format.when(token.expiresAt)): rotate it and update the IdP before then."
                ))
        }
        if health.rejectedTokens > 0 {
            warnings.append(
                Warning(
                    text:
                        "\(Format.plural(health.rejectedTokens, "request")) in the last 24 hours came with a revoked or expired token: the IdP still holds an old one."
                ))
        }
        if health.errors > 0 {
            warnings.append(
                Warning(text: "\(Format.plural(health.errors, "request")) failed in the last 24 hours (see Activity)."))
        }
        let guardState = try await guardSection(connection, actor: actor)
        if let warning = Self.guardWarning(guardState) { warnings.insert(warning, at: 0) }
        let saml = try await samlSection(request, connection, actor: actor)
        let oidc = try await oidcSection(request, connection, actor: actor)
        let model = Model(
            chrome: PageChrome(
                connection.name, section: "/connections", context: context,
                notice: Notice.text(request.uri.queryParameters["notice"])),
            id: id, connectionID: id, name: connection.name,
            kind: Self.kindLabels[connection.kind] ?? connection.kind.rawValue,
            scimURL: scimURL(request),
            tokens: tokens.sorted { $0.createdAt > $1.createdAt }.map { token in
                let state: (String, String) =
                    token.revokedAt != nil
                    ? ("Revoked", "revoked")
                    : token.isUsable(at: now)
                        ? (token.expiresAt.map { _ in "Live (expires)" } ?? "Live", "live") : ("Expired", "expired")
                return TokenRow(
                    id: token.id, name: token.name, prefix: token.prefix, scope: token.scope.rawValue,
                    created: Format.when(token.createdAt), expires: token.expiresAt.map(Format.when) ?? "never",
                    lastUsed: token.lastUsedAt.map(Format.when) ?? "never", lastAddress: token.lastUsedAddress ?? "",
                    state: state.0, stateClass: state.1, live: token.isUsable(at: now))
            }, hasTokens: !tokens.isEmpty, newToken: newToken,
            deactivate: DeprovisionAction.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == connection.onDeactivate)
            },
            delete: DeprovisionAction.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == connection.onDelete)
            },
            orphan: OrphanRule.allCases.map {
                SelectOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == connection.orphanRule)
            }, warnings: warnings, hasWarnings: !warnings.isEmpty,
            lastRequest: health.lastRequestAt.map(Format.when) ?? "never", requests: health.requests,
            errors: health.errors, rejected: health.rejectedTokens,
            chartDay: try await chart.svg(ActivityQuery(connectionID: id), span: .day),
            chartWeek: try await chart.svg(ActivityQuery(connectionID: id), span: .week),
            events: recent.items.map { EventView($0, names: names) }, hasEvents: !recent.items.isEmpty,
            canCheck: check != nil, checkSteps: checkSteps, hasCheck: !checkSteps.isEmpty,
            checkPassed: checkSteps.allSatisfy(\.passed),
            checkSummary: checkSteps.allSatisfy(\.passed)
                ? "All \(checkSteps.count) steps passed: the IdP's test will pass with this URL and token."
                : "\(checkSteps.filter { !$0.passed }.count) of \(checkSteps.count) steps failed.", saml: saml,
            oidc: oidc, deletionGuard: guardState)
        return views.page("connection", model)
    }

    struct TokenForm: ConsoleForm {
        var csrf: String
        var name: String?
        var scope: String?
        var expiresInDays: String?
    }

    func issueToken(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(TokenForm.self, csrf: context.csrf)
        let scope = TokenScope(rawValue: form.scope ?? "provision") ?? .provision
        var expiresAt: Timestamp?
        if let text = form.expiresInDays?.trimmingWhitespace(), !text.isEmpty {
            guard let days = Int64(text), (1...3650).contains(days) else {
                throw ConsolePageError(status: .badRequest, message: "The lifetime is a number of days from 1 to 3650.")
            }
            expiresAt = service.clock.now().adding(seconds: days * 86_400)
        }
        let name = form.name?.trimmingWhitespace()
        let issued = try await service.issueToken(
            connectionID: id, scope: scope, name: name?.isEmpty == false ? name : nil, expiresAt: expiresAt,
            by: try context.actor())
        return try await render(request, context, newToken: issued.token)
    }

    struct RotateForm: ConsoleForm {
        var csrf: String
        var overlapHours: String?
    }

    /// The longest overlap a rotation may give the old token, in hours (30 days).
    static var maximumOverlapHours: Int64 { 720 }

    /// The overlap the rotate form asks for: 24 hours when left empty.
    static func overlapHours(_ text: String?) throws -> Int64 {
        let typed = text?.trimmingWhitespace() ?? ""
        if typed.isEmpty { return 24 }
        guard let hours = Int64(typed), hours >= 0, hours <= maximumOverlapHours else {
            throw ConsolePageError(
                status: .badRequest, message: "The overlap is a number of hours from 0 to \(maximumOverlapHours).")
        }
        return hours
    }

    /// Refuses a token id that is not one of this connection's: each page acts on its own tokens.
    func requireOwnToken(_ token: String, connectionID: String, actor: DirectoryActor) async throws {
        let tokens: [ScimToken] = try await service.tokens(connectionID: connectionID, by: actor)
        guard tokens.contains(where: { $0.id == token }) else {
            throw ConsolePageError(status: .notFound, message: "This connection has no such token.")
        }
    }

    func rotateToken(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let token = try context.parameters.require("token")
        let form = try await request.consoleForm(RotateForm.self, csrf: context.csrf)
        let hours = try Self.overlapHours(form.overlapHours)
        let actor = try context.actor()
        try await requireOwnToken(token, connectionID: id, actor: actor)
        let issued = try await service.rotateToken(id: token, overlapSeconds: hours * 3600, by: actor)
        return try await render(request, context, newToken: issued.token)
    }

    func revokeToken(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let token = try context.parameters.require("token")
        _ = try await request.consoleForm(TokenOnlyForm.self, csrf: context.csrf)
        let actor = try context.actor()
        try await requireOwnToken(token, connectionID: id, actor: actor)
        try await service.revokeToken(id: token, by: actor)
        return Views.redirect("/connections/\(id)?notice=token-revoked")
    }

    struct CheckForm: ConsoleForm {
        var csrf: String
        var token: String
    }

    /// Runs the IdP's connector test with a pasted token (the one the IdP holds: only its hash is
    /// stored here) and shows each step.
    func runCheck(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(CheckForm.self, csrf: context.csrf)
        let actor = try context.actor()
        let secret = form.token.trimmingWhitespace()
        guard let check else {
            throw ConsolePageError(status: .notFound, message: "The connector check is not available here.")
        }
        var steps: [ConnectorCheckStep] = []
        let owner = try await service.token(matching: secret, by: actor)
        let name = try await service.connections(by: actor).first { $0.id == id }?.name ?? id
        let now = service.clock.now()
        switch owner {
        case nil:
            steps.append(
                ConnectorCheckStep(
                    name: "The token is one of this server's", request: "(checked here)", passed: false,
                    detail: "no connection has this token: paste the whole token the IdP was given"))
        case let token? where token.connectionID != id:
            steps.append(
                ConnectorCheckStep(
                    name: "The token belongs to \(name)", request: "(checked here)", passed: false,
                    detail: "this token belongs to another connection; the IdP would provision into that one"))
        case let token?:
            steps.append(
                ConnectorCheckStep(
                    name: "The token belongs to \(name)", request: "(checked here)", passed: token.isUsable(at: now),
                    detail: token.isUsable(at: now)
                        ? "token \(token.name) (\(token.prefix)…), scope \(token.scope.rawValue)"
                        : "token \(token.prefix)… is \(token.revokedAt != nil ? "revoked" : "expired")"))
        }
        steps += await check.run(token: secret)
        return try await render(request, context, newToken: nil, checkSteps: steps)
    }

    struct PolicyForm: ConsoleForm {
        var csrf: String
        var onDeactivate: String
        var onDelete: String
        var orphanRule: String
        var deletionGuard: String?
    }

    func savePolicies(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(PolicyForm.self, csrf: context.csrf)
        guard let deactivate = DeprovisionAction(rawValue: form.onDeactivate),
            let delete = DeprovisionAction(rawValue: form.onDelete), let orphan = OrphanRule(rawValue: form.orphanRule)
        else { throw ConsolePageError(status: .badRequest, message: "Choose one of the listed policies.") }
        let policies = ConnectionPolicies(
            onDeactivate: deactivate, onDelete: delete, orphanRule: orphan,
            deletionGuard: try Self.deletionGuard(form.deletionGuard))
        _ = try await service.updateConnection(id: id, policies: policies, by: try context.actor())
        return Views.redirect("/connections/\(id)?notice=connection-saved")
    }
}
