import Directory
import Foundation
import Hummingbird
import Logging
import SCIM

/// The SCIM API (RFC 7644) as one middleware: requests under a mount point are answered here,
/// everything else goes on to the router. Each handler authenticates, calls `DirectoryService`,
/// and renders; every failure is a `SCIMError` rendered as the RFC's Error message.
public struct SCIMAPI: RouterMiddleware {
    public typealias Context = SCIMRequestContext

    let service: DirectoryService
    let activity: ActivityLog
    let configuration: SCIMAPIConfiguration
    let logger: Logger

    public init(service: DirectoryService, activity: ActivityLog, configuration: SCIMAPIConfiguration, logger: Logger) {
        self.service = service
        self.activity = activity
        self.configuration = configuration
        self.logger = logger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    )
        async throws -> Response
    {
        let path = request.uri.path
        guard
            let mount = SCIMAPIConfiguration.mountPoints.first(where: {
                path == $0 || path.hasPrefix($0 + "/")
            })
        else { return try await next(request, context) }
        let started = ContinuousClock.now
        var context = context
        let responder = SCIMResponder(request: request)
        var response: Response
        var errorDetail: String?
        do {
            response = try await route(request, mount: mount, context: &context, responder: responder)
        } catch let error as SCIMError {
            errorDetail = error.detail
            response = responder.error(error)
        } catch let error as MethodNotAllowed {
            errorDetail = error.scimError.detail
            response = responder.error(error.scimError)
            response.headers[.allow] = error.allowed.joined(separator: ", ")
        } catch {
            logger.error("unexpected error in \(request.method) \(path): \(error)")
            let failure = SCIMError(status: 500, detail: "internal error; see the server log")
            errorDetail = failure.detail
            response = responder.error(failure)
        }
        let elapsed = ContinuousClock.now - started
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        await record(request, context: context, status: response.status.code, error: errorDetail, micros: micros)
        return response
    }

    /// One activity row and one log line per request; never the Authorization header.
    func record(_ request: Request, context: Context, status: Int, error: String?, micros: Int64) async {
        let note = context.note
        // A failed request's transaction rolled back: its row names the failure, not the changes
        // the service had described before it failed.
        var summary = status < 400 ? note.summary : ""
        if summary.isEmpty { summary = "\(request.method.rawValue) \(request.uri.path) → \(status)" }
        var detail = note.details
        if let error { detail = [error, detail].compactMap { $0 }.joined(separator: "\n") }
        let event = ActivityEvent(
            id: service.ids.next(), at: service.clock.now(), connectionID: context.caller?.connection.id, actor: nil,
            method: request.method.rawValue, path: request.uri.string, status: status, resourceType: note.resourceType,
            resourceID: note.resourceID, summary: summary, detail: detail, durationMicroseconds: micros)
        await activity.record(event)
        logger.info(
            "\(request.method.rawValue) \(request.uri.string) \(status) \(micros / 1000).\(String(format: "%03d", micros % 1000))ms \(context.caller?.connection.name ?? "-")"
        )
    }

    // MARK: Routing

    func route(
        _ request: Request, mount: String, context: inout Context, responder: SCIMResponder
    ) async throws
        -> Response
    {
        let rest = request.uri.path.dropFirst(mount.count)
        let segments = rest.split(separator: "/", omittingEmptySubsequences: true).map(QueryParameters.decodePath)
        let base = baseURL(request, mount: mount)
        let method = request.method
        let handlers = Handlers(
            service: service, configuration: configuration, request: request, responder: responder, base: base)
        guard let first = segments.first else {
            throw SCIMError.notFound("no SCIM endpoint at \(mount)/; try \(mount)/Users")
        }
        // Discovery endpoints answer without a token (RFC 7644 §4).
        switch (first, segments.count) {
        case ("ServiceProviderConfig", 1):
            try allow(method, [.get])
            return handlers.serviceProviderConfig()
        case ("ResourceTypes", 1), ("ResourceTypes", 2):
            try allow(method, [.get])
            return try handlers.resourceTypes(id: segments.count == 2 ? segments[1] : nil)
        case ("Schemas", 1), ("Schemas", 2):
            try allow(method, [.get])
            return try handlers.schemas(id: segments.count == 2 ? segments[1] : nil)
        default:
            break
        }
        let caller = try await authenticate(request)
        context.caller = caller
        let note = context.note
        switch (first, segments.count) {
        case ("Users", 1), ("Groups", 1):
            let type: ResourceType = first == "Users" ? .user : .group
            try allow(method, [.get, .post])
            if method == .get { return try await handlers.list(type, query: QueryParameters(request.uri.query)) }
            return try await handlers.create(type, caller: caller, note: note)
        case ("Users", 2) where segments[1] == ".search", ("Groups", 2) where segments[1] == ".search":
            try allow(method, [.post])
            return try await handlers.search(first == "Users" ? [.user] : [.group])
        case ("Users", 2), ("Groups", 2):
            let type: ResourceType = first == "Users" ? .user : .group
            let id = segments[1]
            switch method {
            case .get: return try await handlers.get(type, id: id, query: QueryParameters(request.uri.query))
            case .put: return try await handlers.replace(type, id: id, caller: caller, note: note)
            case .patch: return try await handlers.patch(type, id: id, caller: caller, note: note)
            case .delete: return try await handlers.delete(type, id: id, caller: caller, note: note)
            default: throw methodNotAllowed(method, ["GET", "PUT", "PATCH", "DELETE"])
            }
        case (".search", 1):
            try allow(method, [.post])
            return try await handlers.search([.user, .group])
        case ("Bulk", 1):
            try allow(method, [.post])
            return try await handlers.bulk(caller: caller, note: note)
        case ("Me", _):
            throw SCIMError(
                status: 501,
                detail: "/Me is not implemented: a provisioning token stands for a connection, not a user")
        default:
            throw SCIMError.notFound("no SCIM endpoint at \(request.uri.path)")
        }
    }

    func allow(_ method: HTTPRequest.Method, _ allowed: [HTTPRequest.Method]) throws(MethodNotAllowed) {
        guard allowed.contains(method) else { throw methodNotAllowed(method, allowed.map(\.rawValue)) }
    }

    func methodNotAllowed(_ method: HTTPRequest.Method, _ allowed: [String]) -> MethodNotAllowed {
        MethodNotAllowed(method: method.rawValue, allowed: allowed)
    }

    /// `Authorization: Bearer <token>`, or the bare token (some Okta set-ups send it so, idp-wire.md §1.1).
    func authenticate(_ request: Request) async throws(SCIMError) -> Caller {
        guard let header = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw SCIMError(
                status: 401,
                detail: "Authorization failure: send the connection's token as 'Authorization: Bearer <token>'")
        }
        var token = header
        if header.lowercased().hasPrefix("bearer ") {
            token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if header.contains(" ") {
            throw SCIMError(
                status: 401,
                detail: "Authorization failure: only bearer tokens are accepted ('Authorization: Bearer <token>')")
        }
        return try await service.authenticate(token: token)
    }

    /// The absolute base of the API as the client reached it.
    func baseURL(_ request: Request, mount: String) -> String {
        if let publicURL = configuration.publicURL { return publicURL + mount }
        let host = request.head.authority ?? "127.0.0.1"
        let scheme = request.head.scheme == "https" ? "https" : "http"
        return "\(scheme)://\(host)\(mount)"
    }
}

/// 405 with the methods the endpoint does allow, for the `Allow` header (RFC 9110 §15.5.6).
struct MethodNotAllowed: Error {
    var method: String
    var allowed: [String]

    var scimError: SCIMError {
        SCIMError(
            status: 405,
            detail: "\(method) is not supported here; this endpoint allows \(allowed.joined(separator: ", "))")
    }
}
