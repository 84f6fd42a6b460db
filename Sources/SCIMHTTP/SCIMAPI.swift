import Directory
import Foundation
import Hummingbird
import Logging
import SCIM

/// The SCIM API (RFC 7644) as Hummingbird route groups, mounted at the path IOMETE documents and
/// at the short alias. Discovery answers without a token (RFC 7644 §4); every other route runs
/// behind ``BearerTokenMiddleware``. Failures are `SCIMError`s, rendered as the RFC's Error
/// message by ``SCIMErrorMiddleware``; ``SCIMActivityMiddleware`` writes one activity row per
/// request.
public struct SCIMAPI: Sendable {
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

    /// Adds the API under both mount points.
    public func addRoutes<Parent: SCIMParentContext>(to router: Router<Parent>) {
        for mount in SCIMAPIConfiguration.mountPoints {
            let group = router.group(RouterPath(mount), context: SCIMRequestContext<Parent>.self)
                .add(middleware: SCIMActivityMiddleware(service: service, activity: activity))
                .add(middleware: SCIMErrorMiddleware(logger: logger))
            addRoutes(to: group, mount: mount)
        }
    }

    typealias Handler<Parent: SCIMParentContext> =
        @Sendable (Handlers, SCIMRequestContext<Parent>) async throws ->
        Response

    private func addRoutes<Parent: SCIMParentContext>(
        to group: RouterGroup<SCIMRequestContext<Parent>>, mount: String
    ) {
        let endpoint = Endpoint<Parent>(api: self, mount: mount)
        endpoint.on(
            group, "", [:], fallback: { _ in SCIMError.notFound("no SCIM endpoint at \(mount)/; try \(mount)/Users") })
        endpoint.on(group, "ServiceProviderConfig", [.get: { handlers, _ in handlers.serviceProviderConfig() }])
        endpoint.on(group, "ResourceTypes", [.get: { handlers, _ in try handlers.resourceTypes(id: nil) }])
        endpoint.on(
            group, "ResourceTypes/:id",
            [.get: { handlers, context in try handlers.resourceTypes(id: try context.pathParameter("id")) }])
        endpoint.on(group, "Schemas", [.get: { handlers, _ in try handlers.schemas(id: nil) }])
        endpoint.on(
            group, "Schemas/:id",
            [.get: { handlers, context in try handlers.schemas(id: try context.pathParameter("id")) }])

        let resources = group.group().add(middleware: BearerTokenMiddleware(service: service))
        for type in [ResourceType.user, .group] {
            let kind = SCIMResourceKind(type)
            endpoint.on(
                resources, RouterPath(kind.endpoint),
                [
                    .get: { handlers, _ in
                        try await handlers.list(type, query: QueryParameters(handlers.request.uri.query))
                    },
                    .post: { handlers, _ in try await handlers.create(kind) },
                ])
            endpoint.on(
                resources, RouterPath("\(kind.endpoint)/.search"),
                [.post: { handlers, _ in try await handlers.search([type]) }])
            endpoint.on(
                resources, RouterPath("\(kind.endpoint)/:id"),
                [
                    .get: { handlers, context in
                        try await handlers.get(
                            kind, id: try context.pathParameter("id"),
                            query: QueryParameters(handlers.request.uri.query))
                    },
                    .put: { handlers, context in
                        try await handlers.replace(
                            kind, id: try context.pathParameter("id"))
                    },
                    .patch: { handlers, context in
                        try await handlers.patch(
                            kind, id: try context.pathParameter("id"))
                    },
                    .delete: { handlers, context in
                        try await handlers.delete(
                            kind, id: try context.pathParameter("id"))
                    },
                ])
        }
        endpoint.on(resources, ".search", [.post: { handlers, _ in try await handlers.search([.user, .group]) }])
        endpoint.on(
            resources, "Bulk",
            [.post: { handlers, _ in try await handlers.bulk() }]
        )
        let me: @Sendable (Handlers) throws -> SCIMError = { _ in
            SCIMError(
                status: 501, detail: "/Me is not implemented: a provisioning token stands for a connection, not a user")
        }
        endpoint.on(resources, "Me", [:], fallback: me)
        endpoint.on(resources, "Me/**", [:], fallback: me)
        endpoint.on(
            resources, "**", [:],
            fallback: { handlers in SCIMError.notFound("no SCIM endpoint at \(handlers.request.uri.path)") })
    }

    /// The absolute base of the API as the client reached it.
    func baseURL(_ request: Request, mount: String) -> String {
        if let publicURL = configuration.publicURL { return publicURL + mount }
        let host = request.head.authority ?? "127.0.0.1"
        let scheme = request.head.scheme == "https" ? "https" : "http"
        return "\(scheme)://\(host)\(mount)"
    }
}

/// Registers one SCIM path: its methods, and 405 with `Allow` for every other method (RFC 9110
/// §15.5.6), or — for a path that is no endpoint — a fallback error for every method.
private struct Endpoint<Parent: SCIMParentContext>: Sendable {
    let api: SCIMAPI
    let mount: String

    static var methods: [HTTPRequest.Method] { [.get, .post, .put, .patch, .delete, .head, .options] }

    func on(
        _ group: RouterGroup<SCIMRequestContext<Parent>>, _ path: RouterPath,
        _ handlers: [HTTPRequest.Method: SCIMAPI.Handler<Parent>],
        fallback: (@Sendable (Handlers) throws -> SCIMError)? = nil
    ) {
        let allowed = Self.methods.filter { handlers[$0] != nil }.map(\.rawValue)
        let api = self.api
        let mount = self.mount
        for method in Self.methods {
            if let handler = handlers[method] {
                group.on(path, method: method) { request, context in
                    try await handler(api.handlers(request, context: context, mount: mount), context)
                }
            } else if let fallback {
                group.on(path, method: method) { request, context -> Response in
                    throw try fallback(api.handlers(request, context: context, mount: mount))
                }
            } else {
                group.on(path, method: method) { request, _ -> Response in
                    throw MethodNotAllowed(method: request.method.rawValue, allowed: allowed)
                }
            }
        }
    }
}

extension SCIMAPI {
    func handlers<Parent>(_ request: Request, context: SCIMRequestContext<Parent>, mount: String) -> Handlers {
        Handlers(
            service: service, configuration: configuration, request: request,
            responder: SCIMResponder(request: request), base: baseURL(request, mount: mount), actor: context.actor,
            note: context.note)
    }
}

extension SCIMRequestContext {
    /// A path parameter, percent-decoded (`%20` in an id is a space; `+` stays a plus).
    func pathParameter(_ name: String) throws(SCIMError) -> String {
        guard let raw = parameters.get(name) else { throw SCIMError.notFound("no \(name) in the path") }
        let decoded = QueryParameters.decodePath(Substring(raw))
        // No resource has a NUL in its id or name, and PostgreSQL could not even look for one.
        if decoded.contains("\u{0}") { throw SCIMError.notFound("no resource has a NUL (%00) in its \(name)") }
        return decoded
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

/// Which of the two resource types a route serves, as a type rather than a string compared in
/// many places.
enum SCIMResourceKind: Sendable {
    case user, group

    init(_ type: ResourceType) {
        self = type.name == ResourceType.user.name ? .user : .group
    }

    var resourceType: ResourceType { self == .user ? .user : .group }
    var endpoint: String { self == .user ? "Users" : "Groups" }
    /// The attribute that lists the other side of a membership (`groups` of a user, `members`).
    var relationAttribute: String { self == .user ? "groups" : "members" }
}
