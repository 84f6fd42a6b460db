import Directory
import Hummingbird
import Logging
import SCIMHTTP

/// How `account-console serve` runs.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    public var api: SCIMAPIConfiguration

    public init(host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation, api: SCIMAPIConfiguration) {
        self.host = host
        self.port = port
        self.database = database
        self.api = api
    }
}

/// The assembled server: store → service → routers → Application.
public enum AccountConsoleServer {
    /// The router with every route: the SCIM API under its mount points and `/healthz`.
    public static func router(
        service: DirectoryService, activity: ActivityLog, api: SCIMAPIConfiguration, logger: Logger
    )
        -> Router<SCIMRequestContext>
    {
        let router = Router(context: SCIMRequestContext.self)
        router.add(middleware: SCIMAPI(service: service, activity: activity, configuration: api, logger: logger))
        router.get("/healthz") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        return router
    }

    /// Opens the database (migrating), serves until SIGINT/SIGTERM, then flushes the activity log
    /// and closes the database.
    public static func run(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let clock = SystemClock()
        let directory = try await configuration.database.open(migrate: true, clock: clock, logger: logger)
        let service = DirectoryService(
            store: directory.store, clock: clock, ids: RandomIdentifiers(),
            maximumResults: configuration.api.maximumResults, filterLimits: configuration.api.filterLimits)
        let activity = ActivityLog(store: directory.store)
        let app = Application(
            router: router(service: service, activity: activity, api: configuration.api, logger: logger),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Account Console"),
            logger: logger)
        logger.info(
            "Account Console serving SCIM at http://\(configuration.host):\(configuration.port)/scim/v2 and /api/v1/identity/scim/v2 (\(configuration.database))"
        )
        do {
            try await app.runService()
        } catch {
            await activity.flush()
            await directory.close()
            throw error
        }
        await activity.flush()
        await directory.close()
    }
}
