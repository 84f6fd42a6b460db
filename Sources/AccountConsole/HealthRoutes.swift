import Directory
import DirectorySQL
import Hummingbird

/// `/healthz`, `/readyz` and `/metrics`: for load balancers, orchestrators and Prometheus; and
/// `/openapi.yaml`, the API's description. None needs a credential, and none says more than a probe needs (no driver text: the log has it).
struct HealthRoutes: Sendable {
    let store: SQLDirectoryStore
    let activity: ActivityLog
    let metrics: ServerMetrics

    /// The process is up and answering: needs nothing but the router.
    static func addLiveness(to router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ in text(.ok, "ok\n") }
        // The OpenAPI 3.1 description of the SCIM API and these routes (docs/openapi.yaml).
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml)))
        }
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("/readyz") { _, _ in await readiness() }
        router.get("/metrics") { _, _ -> Response in
            metrics.sample(pool: store.pool, activityQueue: activity.pending)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }

    /// Ready when the database answers and its schema is the one this build needs; 503 with a
    /// `Retry-After` otherwise, so a balancer sends requests to another instance meanwhile.
    func readiness() async -> Response {
        do {
            try await store.checkSchema()
            return Self.text(.ok, "ready\n")
        } catch {
            let reason: String
            switch error {
            case .schemaOutdated(let found, let required):
                reason =
                    "the database schema is at version \(found), this build needs \(required): run account-console migrate"
            case .schemaTooNew(let found, let supported):
                // Migrations add; they do not take away: an instance of the previous build keeps
                // serving while a rolling upgrade migrates the database and replaces it.
                return Self.text(
                    .ok,
                    "ready (the database schema is at version \(found), newer than this build's \(supported): upgrade this instance)\n"
                )
            default:
                reason = "the database is unreachable"
            }
            var response = Self.text(.serviceUnavailable, "not ready: \(reason)\n")
            response.headers[.retryAfter] = "5"
            return response
        }
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
