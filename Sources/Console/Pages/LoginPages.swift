import Directory
import Hummingbird
import SCIM

/// Login, logout and the forced password change.
struct LoginPages<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let views: Views
    let configuration: ConsoleConfiguration

    struct LoginModel: Sendable {
        var chrome: PageChrome
        var csrf: String
        var next: String
        var userName: String
        var error: String?
        /// A button per connection users can sign in through.
        var providers: [Provider]
        var hasProviders: Bool
    }

    struct Provider: Sendable {
        var label: String
        var href: String
    }

    struct LoginForm: Decodable, Sendable {
        var csrf: String
        var userName: String
        var password: String
        var next: String?
    }

    struct PasswordForm: ConsoleForm {
        var csrf: String
        var current: String
        var new: String
        var confirm: String
    }

    struct PasswordModel: Sendable {
        var chrome: PageChrome
        var forced: Bool
        var error: String?
    }

    /// Only a path of ours: `/` then printable ASCII other than `\`, and never `//` first.
    /// Anything else is refused rather than cleaned: browsers drop tabs and line breaks from a
    /// `Location`, so `/<tab>/evil.example` would arrive as `//evil.example` (an open redirect).
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.utf8.count <= 512 else { return nil }
        guard !next.hasPrefix("/login"), !next.hasPrefix("/logout") else { return nil }
        for byte in next.utf8 {
            // Space and below, DEL and above (any non-ASCII), and the backslash.
            if byte <= 0x20 || byte >= 0x7F || byte == 0x5C { return nil }
        }
        return next
    }

    func loginPage(_ request: Request, _ context: Context) async throws -> Response {
        if context.signIn != nil { return Views.redirect("/users") }
        let next = Self.safeNext(request.uri.queryParameters["next"].map(String.init)) ?? "/users"
        return try await loginForm(context, next: next, userName: "", error: nil, status: .ok)
    }

    private func loginForm(
        _ context: Context, next: String, userName: String, error: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        let token = CSRF.random()
        let query = "?next=" + next.addingPercentEncodingForQuery()
        var providers: [Provider] = []
        for option in try await service.signInOptions() {
            let name = option.connection.name
            let both = option.settings.saml != nil && option.settings.oidc != nil
            if option.settings.saml != nil {
                providers.append(
                    Provider(
                        label: both ? "Sign in with \(name) (SAML)" : "Sign in with \(name)",
                        href: "/saml/\(name.addingPercentEncodingForPathSegment())/login\(query)"))
            }
            if option.settings.oidc != nil {
                providers.append(
                    Provider(
                        label: both ? "Sign in with \(name) (OpenID Connect)" : "Sign in with \(name)",
                        href: "/oidc/\(name.addingPercentEncodingForPathSegment())/login\(query)"))
            }
        }
        let model = LoginModel(
            chrome: PageChrome("Sign in", section: nil, context: context), csrf: token, next: next,
            userName: userName, error: error, providers: providers, hasProviders: !providers.isEmpty)
        var response = views.page("login", model, status: status)
        response.setCookie(
            Cookie(
                name: CSRF.loginCookie, value: token, maxAge: 3600, path: "/login",
                secure: configuration.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    func logIn(_ request: Request, _ context: Context) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        let text = try Request.refusingNUL(String(buffer: buffer))
        guard let form = try? URLEncodedFormDecoder().decode(LoginForm.self, from: text) else {
            throw ConsolePageError(status: .badRequest, message: "The sign-in form could not be read.")
        }
        guard let expected = request.cookies[CSRF.loginCookie]?.value, CSRF.matches(form.csrf, String(expected))
        else {
            throw ConsolePageError(
                status: .forbidden, message: "The sign-in form expired. Reload the page and sign in again.")
        }
        let next = Self.safeNext(form.next) ?? "/users"
        switch try await service.logIn(userName: form.userName, password: form.password, address: context.clientAddress)
        {
        case .refused:
            return try await loginForm(
                context, next: next, userName: form.userName, error: "The account name or the password is wrong.",
                status: .unauthorized)
        case .throttled(let seconds):
            let minutes = max(1, (seconds + 59) / 60)
            var response = try await loginForm(
                context, next: next, userName: form.userName,
                error:
                    "Too many failed sign-ins. Wait \(Format.plural(minutes, "minute")) and try again, or ask another admin to reset the password.",
                status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        case .signedIn(let started):
            var response = Views.redirect(started.signIn.mustChangePassword ? "/account/password" : next)
            response.setCookie(
                sessionCookie(started.token, maxAge: Int(service.sessionPolicy.absolute.components.seconds)))
            response.setCookie(
                Cookie(
                    name: CSRF.loginCookie, value: "", maxAge: 0, path: "/login", secure: configuration.secureCookies,
                    httpOnly: true, sameSite: .strict))
            return response
        }
    }

    func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: configuration.sessionCookie, value: value, maxAge: maxAge, path: "/",
            secure: configuration.secureCookies, httpOnly: true, sameSite: .lax)
    }

    func logOut(_ request: Request, _ context: Context) async throws -> Response {
        if let token = context.sessionToken {
            _ = try await request.consoleForm(TokenOnlyForm.self, csrf: context.csrf)
            try await service.endSession(token: token)
        }
        var response = Views.redirect("/login")
        response.setCookie(sessionCookie("", maxAge: 0))
        return response
    }

    /// Someone signed in through their IdP has no password here.
    static func requireLocalAccount(_ context: Context) throws {
        if context.signIn?.account.connectionID != nil {
            throw ConsolePageError(
                status: .forbidden,
                message: "You signed in through your identity provider: your password is managed there, not here.")
        }
    }

    func passwordPage(_ request: Request, _ context: Context) async throws -> Response {
        try Self.requireLocalAccount(context)
        return views.page(
            "password",
            PasswordModel(
                chrome: PageChrome("Choose a password", section: nil, context: context),
                forced: context.signIn?.mustChangePassword == true, error: nil))
    }

    func changePassword(_ request: Request, _ context: Context) async throws -> Response {
        try Self.requireLocalAccount(context)
        let form = try await request.consoleForm(PasswordForm.self, csrf: context.csrf)
        guard let signIn = context.signIn else { return Views.redirect("/login") }
        func again(_ message: String) -> Response {
            views.page(
                "password",
                PasswordModel(
                    chrome: PageChrome("Choose a password", section: nil, context: context),
                    forced: signIn.mustChangePassword, error: message), status: .badRequest)
        }
        guard form.new == form.confirm else { return again("The two new passwords differ.") }
        do {
            let started = try await service.changePassword(
                accountID: signIn.account.id, current: form.current, new: form.new)
            return passwordChanged(started)
        } catch let error where error.status == 400 {
            return again(ConsoleErrorMiddleware<Parent>.sentence(error.detail))
        }
    }

    /// The change ended every session of the account, this one too: the browser gets a new one.
    /// (A function of its own: with this response built inside the `do` above, Swift 6.3.1's
    /// MandatoryAllocBoxToStack pass crashes or never ends: decision 0014.)
    func passwordChanged(_ started: StartedSession) -> Response {
        var response = Views.redirect("/users?notice=password-changed")
        response.setCookie(sessionCookie(started.token, maxAge: Int(service.sessionPolicy.absolute.components.seconds)))
        return response
    }
}
