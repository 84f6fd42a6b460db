import Console
import Directory
import DirectorySQL
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import OIDC
import SCIMHTTP
import ServiceLifecycle
import UnixSignals

/// How `account-console serve` runs.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    public var api: SCIMAPIConfiguration
    public var retention: RetentionPolicy
    public var console: ConsoleConfiguration
    /// The first `admin` account's password (`ACCOUNT_CONSOLE_ADMIN_PASSWORD`); without it a
    /// one-time password is generated and printed once.
    public var adminPassword: String?
    /// HTTPS from these files (reloaded on SIGHUP); plain HTTP without them.
    public var tls: TLSCredentials?
    /// The SCIM API's limit per token; none by default.
    public var rateLimit: RateLimit?
    /// Whether `serve` applies pending migrations to an existing database (`--migrate`); without
    /// it an older schema stops the server with "run account-console migrate". A new, empty
    /// database is always set up.
    public var migrate: Bool = false
    /// How long a connection may stay silent, and how long a request may take to arrive once its
    /// head has (`--request-timeout`); past either the connection is closed.
    public var requestTimeout: TimeAmount = .seconds(30)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation, api: SCIMAPIConfiguration,
        retention: RetentionPolicy = .default, console: ConsoleConfiguration? = nil, adminPassword: String? = nil
    ) {
        // Behind HTTPS (the public URL says so) the session cookie is `Secure`.
        self.console =
            console
            ?? ConsoleConfiguration(
                publicURL: api.publicURL, secureCookies: api.publicURL?.hasPrefix("https://") == true)
        self.adminPassword = adminPassword
        self.host = host
        self.port = port
        self.database = database
        self.api = api
        self.retention = retention
    }
}

/// The assembled server: store → service → routers → Application, run as one `ServiceGroup`.
public enum AccountConsoleServer {
    /// The router with every route: the SCIM API under its mount points, the console at `/` and
    /// `/healthz`, behind the request log.
    public static func router(
        service: DirectoryService, activity: ActivityLog, api: SCIMAPIConfiguration,
        console: ConsoleConfiguration = ConsoleConfiguration(), check: (any ConnectorChecking)? = nil,
        oidc: (any OIDCTransport)? = HTTPOIDCTransport(), metrics: ServerMetrics = .shared,
        rateLimit: RateLimit? = nil, logger: Logger
    ) throws -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestLogMiddleware(logger: logger, metrics: metrics))
        router.add(middleware: MetricsMiddleware())
        if let rateLimit { router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(limit: rateLimit))) }
        let pages = try Console(service: service, configuration: console, check: check, oidc: oidc, logger: logger)
        router.add(middleware: pages.notFoundMiddleware(for: AppRequestContext.self))
        SCIMAPI(service: service, activity: activity, configuration: api, logger: logger).addRoutes(to: router)
        pages.addRoutes(to: router)
        HealthRoutes.addLiveness(to: router)
        // Readiness and the pool gauge ask the SQL store (every back end is one).
        if let store = service.store as? SQLDirectoryStore {
            HealthRoutes(store: store, activity: activity, metrics: metrics).add(to: router)
        }
        return router
    }

    /// HTTP/1.1, over TLS when the server has a certificate, with the request timeout: the idle
    /// timeout for silent connections and a deadline for a request to arrive in full.
    static func serverBuilder(
        _ tls: TLSCredentials?, timeout: TimeAmount, logger: Logger
    ) throws
        -> HTTPServerBuilder
    {
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [RequestDeadlineHandler(timeout: timeout, logger: logger)],
                idleTimeout: timeout))
        guard let tls else { return http1 }
        return try .tls(http1, tlsConfiguration: tls.configuration)
    }

    /// Where the connector check reaches this server: its own listener (a wildcard address by
    /// the loopback), at the path IOMETE documents.
    static func selfCheckBase(_ configuration: ServerConfiguration) -> String {
        let host: String
        switch configuration.host {
        case "0.0.0.0", "": host = "127.0.0.1"
        case "::": host = "[::1]"
        default: host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        }
        return "http://\(host):\(configuration.port)\(SCIMAPIConfiguration.mountPoints[0])"
    }

    /// Serves until SIGINT/SIGTERM. The services, in start order: the database client (PostgreSQL's
    /// pool), the activity writer, the retention job, the HTTP server (which migrates the
    /// database before it listens). They stop in reverse order: the server drains its requests
    /// first, the activity writer then writes what is left, and the database goes last.
    public static func run(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let clock = SystemClock()
        ServerMetrics.bootstrap()
        let database = try await configuration.database.prepare(logger: logger)
        let service = DirectoryService(
            store: database.store, clock: clock, ids: RandomIdentifiers(),
            maximumResults: configuration.api.maximumResults, filterLimits: configuration.api.filterLimits)
        let activity = ActivityLog(store: database.store) { count, error in
            logger.error("activity log: could not write \(count) rows: \(error)")
        }
        var app = Application(
            router: try router(
                service: service, activity: activity, api: configuration.api, console: configuration.console,
                check: HTTPConnectorCheck(base: selfCheckBase(configuration)), rateLimit: configuration.rateLimit,
                logger: logger),
            server: try serverBuilder(configuration.tls, timeout: configuration.requestTimeout, logger: logger),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Account Console"),
            logger: logger)
        let store = database.store
        let migrated = Gate()
        app.beforeServerStarts {
            let version = try await store.schemaVersion()
            if version != 0, version < Migrations.latestVersion, !configuration.migrate {
                throw StoreError.schemaOutdated(found: version, required: Migrations.latestVersion)
            }
            let applied = try await store.migrate(at: clock.now())
            migrated.open()
            if !applied.isEmpty {
                logger.info("database migrated: \(applied.map(String.init).joined(separator: ", "))")
            }
            let initial = try await service.ensureInitialAdmin(password: configuration.adminPassword)
            if case .created(let issued) = initial {
                if let password = issued {
                    // Printed, never logged: the log may be shipped elsewhere. Written unbuffered:
                    // standard output to a pipe or file (systemd, a container) would hold it back.
                    FileHandle.standardOutput.write(
                        Data(
                            """

                            The console account "admin" was created. Its one-time password, shown once:

                                \(password)

                            Sign in at http://\(configuration.host):\(configuration.port)/ and choose a new one.


                            """.utf8))
                } else {
                    logger.info("console account admin created with the password of ACCOUNT_CONSOLE_ADMIN_PASSWORD")
                }
            }
            logger.info(
                "Account Console serving SCIM at \(configuration.tls == nil ? "http" : "https")://\(configuration.host):\(configuration.port)/scim/v2 and /api/v1/identity/scim/v2 (\(configuration.database))"
            )
        }
        var services: [any Service] = []
        if let client = database.client { services.append(DatabaseClientService(body: client)) }
        if let tls = configuration.tls { services.append(TLSReloadService(credentials: tls, logger: logger)) }
        services += [
            ActivityWriter(log: activity),
            RetentionJob(
                store: store, clock: clock, policy: configuration.retention, logger: logger,
                ready: { await migrated.wait() }),
            app,
        ]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
