import Directory
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One log line per request — method, target, status, time, who — with the request id, which
/// the response also carries (`X-Request-Id`) so an admin can find the line a client saw. Never
/// the `Authorization` header.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let requestIDHeader = HTTPField.Name("X-Request-Id")

    let logger: Logger

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

    private func log(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        let micros = (ContinuousClock.now - started).microseconds
        let who = context.note.actor?.description ?? "-"
        logger.info(
            "\(request.method.rawValue) \(request.uri.string) \(status) \(micros / 1000).\(String(format: "%03d", micros % 1000))ms \(who)",
            metadata: ["request.id": .string(context.id)])
    }
}
