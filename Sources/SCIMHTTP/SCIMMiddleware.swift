import Directory
import Foundation
import Hummingbird
import Logging
import SCIM

/// `Authorization: Bearer <token>`, or the bare token (some Okta set-ups send it so,
/// docs/idp-behaviour.md §1.1): checks it and puts the connection into the context, or fails 401.
struct BearerTokenMiddleware<Parent: SCIMParentContext>: RouterMiddleware {
    typealias Context = SCIMRequestContext<Parent>
    let service: DirectoryService

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let actor = try await authenticate(request, context: context)
        context.actor = actor
        context.note.acted(by: actor)
        return try await next(request, context)
    }

    func authenticate(_ request: Request, context: Context) async throws(SCIMError) -> DirectoryActor {
        guard let header = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw SCIMError(
                status: 401,
                detail: "Authorization failure: send the connection's token as 'Authorization: Bearer <token>'")
        }
        guard let token = SCIMCredential.token(fromAuthorization: header) else {
            throw SCIMError(
                status: 401,
                detail: "Authorization failure: only bearer tokens are accepted ('Authorization: Bearer <token>')")
        }
        return try await service.authenticate(token: token, address: context.clientAddress, note: context.note)
    }
}

/// The credential of a SCIM request, as the API reads it.
public enum SCIMCredential {
    /// The token of an `Authorization` header: `Bearer <token>` in any case and spacing, or a bare
    /// token (some IdPs send one); `nil` for another scheme.
    public static func token(fromAuthorization header: String) -> String? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix("bearer ") {
            return String(trimmed.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        return trimmed.contains(" ") || trimmed.isEmpty ? nil : trimmed
    }
}

/// Renders every failure of a SCIM route as the RFC 7644 §3.12 Error message: a `SCIMError` as
/// it is, a 405 with its `Allow` header, anything else as 500. A server-side failure (5xx) is
/// logged with the request id and whatever the driver said; the client's `detail` names the
/// request id and never the driver's text. The failure's detail is noted for the activity row.
struct SCIMErrorMiddleware<Parent: SCIMParentContext>: RouterMiddleware {
    typealias Context = SCIMRequestContext<Parent>
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as MethodNotAllowed {
            var response = render(error.scimError, request: request, context: context)
            response.headers[.allow] = error.allowed.joined(separator: ", ")
            return response
        } catch let error as SCIMError {
            return render(error, request: request, context: context)
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            // Hummingbird's own (a body past the size limit, a malformed request line).
            let status = Int(error.status.code)
            return render(
                SCIMError(status: status, detail: "the request was refused (\(error.status.reasonPhrase))"),
                request: request, context: context)
        } catch {
            let failure = SCIMError(
                status: 500, detail: "the server could not complete the request", diagnostic: String(describing: error))
            return render(failure, request: request, context: context)
        }
    }

    func render(_ error: SCIMError, request: Request, context: Context) -> Response {
        var error = error
        // 501 (`/Me`) is a documented answer, not a failure of the server.
        if error.status >= 500, error.status != 501 {
            logger.error(
                "\(request.method.rawValue) \(request.uri.path) failed: \(error.diagnostic ?? error.detail)",
                metadata: ["request.id": .string(context.id)])
            error.detail += " (request id \(context.id))"
        }
        context.note.failed(error.detail)
        var response = SCIMResponder(request: request).error(error)
        if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
        return response
    }
}

/// One activity row per SCIM request: who called, what it did (the note the service filled in),
/// the status and the time it took.
struct SCIMActivityMiddleware<Parent: SCIMParentContext>: RouterMiddleware {
    typealias Context = SCIMRequestContext<Parent>
    let service: DirectoryService
    let activity: ActivityLog

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let micros = (ContinuousClock.now - started).microseconds
        let note = context.note
        let status = Int(response.status.code)
        // A failed request's transaction rolled back: its row names the failure, not the changes
        // the service had described before it failed.
        var summary = status < 400 ? note.summary : ""
        if summary.isEmpty { summary = "\(request.method.rawValue) \(request.uri.path) → \(status)" }
        var detail = note.details
        if let failure = note.failure { detail = [failure, detail].compactMap { $0 }.joined(separator: "\n") }
        let event = ActivityEvent(
            id: service.ids.next(), at: service.clock.now(), connectionID: note.connectionID,
            actor: note.actor?.activityActor, method: request.method.rawValue, path: request.uri.string,
            status: status, resourceType: note.resourceType, resourceID: note.resourceID, summary: summary,
            detail: detail, durationMicroseconds: micros, changes: status < 400 ? note.changes : [],
            related: status < 400 ? note.relatedIDs : [])
        await activity.record(event)
        return response
    }
}
