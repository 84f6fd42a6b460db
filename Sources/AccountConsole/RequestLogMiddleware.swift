import Directory
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One log line per request — method, target, status, time, who — with the request id, which
/// the response also carries (`X-Request-Id`) so an admin can find the line a client saw. Never
/// the `Authorization` header, and never the value of a query parameter that carries a
/// credential (an OpenID Connect `code` or `state`, a SAML message or RelayState, a token).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let requestIDHeader = HTTPField.Name("X-Request-Id")

    let logger: Logger
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        do {
            var response = try await next(request, context)
            if let name = Self.requestIDHeader { response.headers[name] = context.id }
            log(request, context: context, status: Int(response.status.code), started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError).map { Int($0.status.code) } ?? 500
            if status >= 500 {
                logger.error(
                    "\(request.method.rawValue) \(request.uri.path) failed: \(String(describing: error))",
                    metadata: ["request.id": .string(context.id)])
            }
            log(request, context: context, status: status, started: started)
            throw error
        }
    }

    /// Query parameters whose values are credentials, and stay out of the log.
    static let secretParameters: Set<String> = [
        "code", "state", "samlrequest", "samlresponse", "relaystate", "token", "access_token", "id_token",
        "session_state",
    ]

    /// The request target with those parameters' values replaced by `…`.
    static func redacted(_ target: String) -> String {
        guard let mark = target.firstIndex(of: "?") else { return target }
        let query = target[target.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false)
        let kept = query.map { pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return secretParameters.contains(name.lowercased()) ? "\(name)=…" : String(pair)
        }
        return String(target[..<mark]) + "?" + kept.joined(separator: "&")
    }

    private func log(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        let micros = (ContinuousClock.now - started).microseconds
        let who = context.note.actor?.description ?? "-"
        let target = Self.redacted(request.uri.string)
        let milliseconds = "\(micros / 1000).\(String(format: "%03d", micros % 1000))"
        logger.info(
            "\(request.method.rawValue) \(target) \(status) \(milliseconds)ms \(who)",
            metadata: [
                "request.id": .string(context.id), "http.method": .string(request.method.rawValue),
                "http.target": .string(target), "http.status": .stringConvertible(status),
                "duration.ms": .string(milliseconds),
            ])
        guard let caller = context.note.actor?.caller else { return }
        let connection = caller.connection.name
        if let resource = context.note.resourceType {
            metrics.provisioning(
                connection: connection, kind: Self.kind(request), resource: resource, status: status)
        }
        let deprovisions = context.note.deprovisions
        metrics.deprovisions(connection: connection, deprovisions)
        let held = deprovisions.filter(\.held).count
        if held > 0 {
            logger.warning(
                "deletion guard of connection \(connection) tripped: \(held) deprovision\(held == 1 ? "" : "s") held for an admin (account-console guard list --connection \"\(connection)\")",
                metadata: ["request.id": .string(context.id)])
        }
    }

    /// The kind of a SCIM operation, for the provisioning metric.
    static func kind(_ request: Request) -> String {
        let path = request.uri.path
        if path.hasSuffix("/.search") { return "search" }
        if path.hasSuffix("/Bulk") { return "bulk" }
        switch request.method {
        case .get: return "read"
        case .post: return "create"
        case .put: return "replace"
        case .patch: return "patch"
        case .delete: return "delete"
        default: return request.method.rawValue.lowercased()
        }
    }
}
