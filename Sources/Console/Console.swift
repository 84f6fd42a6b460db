import Directory
import Hummingbird
import Logging
import OIDC

/// The admin console as a Hummingbird route group at `/`: pages over ``DirectoryService`` with
/// the signed-in account as the actor, so the console obeys the same rules as the SCIM API.
public struct Console: Sendable {
    let service: DirectoryService
    let configuration: ConsoleConfiguration
    let logger: Logger
    let views: Views
    let check: (any ConnectorChecking)?
    let parties: OIDCParties?

    /// `check` runs a connection page's *Test* button; without one the button is not shown.
    /// `oidc` reaches OpenID Connect providers; without one, OpenID Connect sign-in is off.
    public init(
        service: DirectoryService, configuration: ConsoleConfiguration, check: (any ConnectorChecking)? = nil,
        oidc: (any OIDCTransport)? = nil, logger: Logger
    ) throws {
        self.service = service
        self.configuration = configuration
        self.check = check
        self.parties = oidc.map { OIDCParties(transport: $0) }
        self.logger = logger
        self.views = try Views()
    }

    typealias Page<Parent: ConsoleParentContext> =
        @Sendable (Request, ConsoleRequestContext<Parent>) async throws -> Response

    public func addRoutes<Parent: ConsoleParentContext>(to router: Router<Parent>) {
        router.get("/assets/console.css") { _, _ in Self.asset(PackageResources.console_css, type: "text/css") }
        router.get("/assets/console.js") { _, _ in
            Self.asset(PackageResources.console_js, type: "text/javascript")
        }
        let console = router.group("", context: ConsoleRequestContext<Parent>.self)
            .add(middleware: SecurityHeadersMiddleware())
            .add(middleware: ConsoleSessionMiddleware(service: service, cookie: configuration.sessionCookie))
            .add(middleware: ConsoleErrorMiddleware(views: views, logger: logger))
        let login = LoginPages<Parent>(service: service, views: views, configuration: configuration)
        console.get("/login", use: login.loginPage)
        console.post("/login", use: login.logIn)
        console.post("/logout", use: login.logOut)
        // Single sign-on: reached before any session, so outside the sign-in gate.
        let sso = SSOPages<Parent>(service: service, views: views, configuration: configuration, parties: parties)
        console.get("/saml/:name/metadata", use: sso.metadata)
        console.get("/saml/:name/login", use: sso.login)
        console.post("/saml/:name/acs", use: sso.acs)
        console.get("/oidc/:name/login", use: sso.oidcLogin)
        console.get("/oidc/:name/callback", use: sso.oidcCallback)

        let pages = console.group().add(middleware: SignInGateMiddleware())
        pages.get("/") { _, _ in Views.redirect("/users") }
        pages.get("/account/password", use: login.passwordPage)
        pages.post("/account/password", use: login.changePassword)
        let forms = pages.group().add(middleware: AdminOnlyMiddleware<Parent>())

        let users = UserPages<Parent>(service: service, views: views)
        let user = UserPage<Parent>(service: service, views: views)
        pages.get("/users", use: users.list)
        pages.get("/users.csv", use: users.csv)
        forms.get("/users/new", use: user.newPage)
        pages.post("/users", use: user.create)
        pages.get("/users/:id", use: user.page)
        pages.post("/users/:id", use: user.update)
        pages.post("/users/:id/suspend", use: user.suspend)
        pages.post("/users/:id/restore", use: user.restore)
        pages.post("/users/:id/delete", use: user.delete)
        pages.post("/users/:id/groups", use: user.addToGroup)
        let userRoles = RolePages<Parent>(service: service, subject: { .user($0) }, page: { "/users/\($0)" })
        pages.post("/users/:id/roles", use: userRoles.grant)
        pages.post("/users/:id/roles/revoke", use: userRoles.revoke)

        let groups = GroupPages<Parent>(service: service, views: views)
        pages.get("/groups", use: groups.list)
        forms.get("/groups/new", use: groups.newPage)
        pages.post("/groups", use: groups.create)
        pages.get("/groups/:id", use: groups.page)
        forms.get("/groups/:id/edit", use: groups.editPage)
        pages.post("/groups/:id/edit", use: groups.update)
        forms.get("/groups/:id/delete", use: groups.confirmDelete)
        pages.post("/groups/:id/delete", use: groups.delete)
        pages.post("/groups/:id/members", use: groups.addMember)
        forms.get("/groups/:id/candidates", use: groups.candidates)
        forms.get("/groups/:id/members/:user/remove", use: groups.confirmRemove)
        pages.post("/groups/:id/members/:user/remove", use: groups.removeMember)
        let groupRoles = RolePages<Parent>(service: service, subject: { .group($0) }, page: { "/groups/\($0)" })
        pages.post("/groups/:id/roles", use: groupRoles.grant)
        pages.post("/groups/:id/roles/revoke", use: groupRoles.revoke)

        let connections = ConnectionPages<Parent>(
            service: service, views: views, configuration: configuration, check: check,
            canSignInWithOIDC: parties != nil)
        pages.get("/connections", use: connections.list)
        pages.post("/connections", use: connections.create)
        pages.get("/connections/:id", use: connections.page)
        pages.post("/connections/:id/tokens", use: connections.issueToken)
        pages.post("/connections/:id/tokens/:token/rotate", use: connections.rotateToken)
        pages.post("/connections/:id/tokens/:token/revoke", use: connections.revokeToken)
        pages.post("/connections/:id/policies", use: connections.savePolicies)
        pages.post("/connections/:id/held/release", use: connections.release)
        pages.post("/connections/:id/held/reject", use: connections.reject)
        pages.post("/connections/:id/saml", use: connections.saveSAML)
        pages.post("/connections/:id/oidc", use: connections.saveOIDC)
        pages.post("/connections/:id/test", use: connections.runCheck)

        let activity = ActivityPages<Parent>(service: service, views: views)
        pages.get("/activity", use: activity.list)
        pages.get("/activity/:id", use: activity.detail)

        let settings = SettingsPages<Parent>(service: service, views: views)
        pages.get("/settings", use: settings.page)
        pages.post("/settings/accounts", use: settings.createAccount)
        pages.post("/settings/accounts/:id/role", use: settings.setRole)
        pages.post("/settings/accounts/:id/reset-password", use: settings.resetPassword)
    }

    /// A static file of the console, cacheable for an hour.
    static func asset(_ bytes: [UInt8], type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "\(type); charset=utf-8", .cacheControl: "public, max-age=3600",
                .xContentTypeOptions: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The 404 page for an address nothing serves (outside the SCIM API, which answers its own).
    public func notFoundMiddleware<Parent: ConsoleParentContext>(for: Parent.Type) -> some RouterMiddleware<Parent> {
        NotFoundPageMiddleware<Parent>(views: views)
    }
}

/// An unrouted address outside the SCIM API gets the console's 404 page, not a bare status.
struct NotFoundPageMiddleware<Context: ConsoleParentContext>: RouterMiddleware {
    let views: Views

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            let path = request.uri.path
            guard !path.hasPrefix("/scim/"), !path.hasPrefix("/api/") else { throw error }
            var response = views.page(
                "error",
                ConsoleErrorMiddleware<Context>.ErrorPage(
                    chrome: PageChrome("Not found", requestID: context.id), status: 404, heading: "Not found",
                    message: "There is no page at this address."),
                status: .notFound)
            SecurityHeadersMiddleware<Context>.apply(to: &response)
            return response
        }
    }
}
