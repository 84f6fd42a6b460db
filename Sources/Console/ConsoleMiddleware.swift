import Directory
import HTTPTypes
import Hummingbird
import Logging
import SCIM

/// The headers every console response carries: a strict Content-Security-Policy (no inline
/// script or style, no framing), no referrer outside the site, no content sniffing.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    // swift-http-types names neither header.
    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy") ?? .contentSecurityPolicy }
    static var frameOptions: HTTPField.Name { HTTPField.Name("X-Frame-Options") ?? .contentSecurityPolicy }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response = try await next(request, context)
        Self.apply(to: &response)
        return response
    }

    static func apply(to response: inout Response) {
        response.headers[.contentSecurityPolicy] = policy
        response.headers[referrerPolicy] = "same-origin"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[frameOptions] = "DENY"
    }
}

/// Reads the session cookie and puts the signed-in account into the context. It runs before
/// the error middleware, so an error page still shows who is signed in; a failure to read the
/// session (the database is down) is kept and thrown by the sign-in gate, inside it.
struct ConsoleSessionMiddleware<Parent: ConsoleParentContext>: RouterMiddleware {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let cookie: String

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        if let token = request.cookies[cookie]?.value, !token.isEmpty {
            let value = String(token)
            do {
                if let signIn = try await service.session(token: value) {
                    context.signIn = signIn
                    context.sessionToken = value
                }
            } catch {
                context.sessionFailure = error
            }
        }
        return try await next(request, context)
    }
}

/// Pages that need a session: without one, to the login page (and back afterwards); with a
/// one-time password, to the page that replaces it; a viewer's POST is refused before it runs.
struct SignInGateMiddleware<Parent: ConsoleParentContext>: RouterMiddleware {
    typealias Context = ConsoleRequestContext<Parent>

    /// What a session with a one-time password may still reach.
    static var passwordPaths: Set<String> { ["/account/password", "/logout"] }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        if let failure = context.sessionFailure { throw failure }
        guard let signIn = context.signIn else {
            if request.method == .get, let next = LoginPages<Parent>.safeNext(request.uri.string) {
                return Views.redirect("/login?next=\(next.addingPercentEncodingForQuery())")
            }
            return Views.redirect("/login")
        }
        let path = request.uri.path
        if signIn.mustChangePassword, !Self.passwordPaths.contains(path) {
            return Views.redirect("/account/password")
        }
        if request.method == .post, signIn.account.role != .admin, !Self.passwordPaths.contains(path) {
            throw Self.viewerRefused(signIn)
        }
        return try await next(request, context)
    }

    static func viewerRefused(_ signIn: ConsoleSignIn) -> ConsolePageError {
        ConsolePageError(
            status: .forbidden,
            message: "\(signIn.account.userName) is a viewer: viewers see everything and change nothing.")
    }
}

/// The pages that exist only to change something (a form, a confirmation): a viewer who opens
/// one by its address gets the 403 page, not a form whose button would be refused anyway.
struct AdminOnlyMiddleware<Parent: ConsoleParentContext>: RouterMiddleware {
    typealias Context = ConsoleRequestContext<Parent>

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        if let signIn = context.signIn, signIn.account.role != .admin {
            throw SignInGateMiddleware<Parent>.viewerRefused(signIn)
        }
        return try await next(request, context)
    }
}

/// Every failure as a friendly page with the request id: a refusal says why, a missing page is a
/// 404 page, and a server failure is logged and shown without its cause (no driver text).
struct ConsoleErrorMiddleware<Parent: ConsoleParentContext>: RouterMiddleware {
    typealias Context = ConsoleRequestContext<Parent>
    let views: Views
    let logger: Logger

    struct ErrorPage: Sendable {
        var chrome: PageChrome
        var status: Int
        var heading: String
        var message: String
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ConsolePageError {
            return page(error.status, error.message, context: context)
        } catch let error as SCIMError {
            if error.status >= 500 {
                logger.error(
                    "\(request.method.rawValue) \(request.uri.path) failed: \(error.diagnostic ?? error.detail)",
                    metadata: ["request.id": .string(context.id)])
                let message =
                    error.status == 503
                    ? "The database is not answering. Try again in a few seconds."
                    : "Something went wrong on the server."
                return page(HTTPResponse.Status(code: error.status), message, context: context)
            }
            return page(HTTPResponse.Status(code: error.status), Self.sentence(error.detail), context: context)
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            let message =
                error.status == .notFound
                ? "There is no page at this address." : "The request was refused (\(error.status.reasonPhrase))."
            return page(error.status, message, context: context)
        } catch {
            logger.error(
                "\(request.method.rawValue) \(request.uri.path) failed: \(String(describing: error))",
                metadata: ["request.id": .string(context.id)])
            return page(.internalServerError, "Something went wrong on the server.", context: context)
        }
    }

    static func sentence(_ text: String) -> String {
        guard let first = text.first else { return text }
        let capitalized = first.uppercased() + text.dropFirst()
        return capitalized.hasSuffix(".") ? capitalized : capitalized + "."
    }

    func page(_ status: HTTPResponse.Status, _ message: String, context: Context) -> Response {
        let heading: String
        switch status.code {
        case 403: heading = "Not allowed"
        case 404: heading = "Not found"
        case 409: heading = "Conflict"
        case 400, 422: heading = "Check what you entered"
        case 429: heading = "Too many attempts"
        case 500...: heading = "Something went wrong"
        default: heading = status.reasonPhrase
        }
        let model = ErrorPage(
            chrome: PageChrome(heading, section: nil, context: context), status: Int(status.code), heading: heading,
            message: message)
        return views.page("error", model, status: status)
    }
}

extension String {
    /// Percent-encoded for a query value (unreserved characters stay).
    func addingPercentEncodingForQuery() -> String {
        var output = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }
}
