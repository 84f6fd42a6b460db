import Directory
import DirectorySQL
import Foundation
import Logging
import PostgresNIO
import SCIM

/// Where and how to reach PostgreSQL.
public struct PostgresLocation: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    /// `search_path` for every connection (the conformance suite gives each test its own schema).
    public var searchPath: String?
    /// Require TLS (`sslmode=require`); otherwise TLS is off (`sslmode=disable`, the default for
    /// a server on localhost).
    public var requireTLS: Bool
    public var maximumConnections: Int

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String? = nil,
        searchPath: String? = nil, requireTLS: Bool = false, maximumConnections: Int = 20
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.searchPath = searchPath
        self.requireTLS = requireTLS
        self.maximumConnections = maximumConnections
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=…&search_path=…` (also
    /// `postgresql://`). The password is never part of an error message.
    public init(url: String) throws(StoreError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw .unavailable("the database URL must look like postgres://user:password@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .unavailable("the database URL names no host (postgres://user@HOST:5432/database)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .unavailable("the database URL names no user (postgres://USER@host:5432/database)")
        }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        let query = components.queryItems ?? []
        let sslmode = query.first { $0.name == "sslmode" }?.value ?? "disable"
        self.init(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? nil : database, searchPath: query.first { $0.name == "search_path" }?.value,
            requireTLS: sslmode == "require" || sslmode == "verify-full")
    }
}

/// PostgreSQL through PostgresNIO's pooled `PostgresClient`; every multi-row rule runs in a
/// transaction on one leased connection.
public final class PostgresDirectoryDatabase: SQLDatabase {
    public let dialect = SQLDialect.postgres
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    private init(location: PostgresLocation, logger: Logger, onStart: @escaping @Sendable () -> Void) {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database,
            tls: location.requireTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = location.maximumConnections
        if let searchPath = location.searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.runTask = Task {
            onStart()
            await client.run()
        }
    }

    /// Connects, and returns once the client's pool is running: a lease before `run()` has been
    /// called only logs a warning, but that warning would mislead operators.
    public static func connect(
        location: PostgresLocation, logger: Logger = Logger(label: "account-console.postgres")
    )
        async -> PostgresDirectoryDatabase
    {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let database = PostgresDirectoryDatabase(location: location, logger: logger) {
            signal.yield()
            signal.finish()
        }
        for await _ in started { break }
        return database
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(PostgresStatementRunner(connection: connection, logger: logger))
        }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresStatementRunner(connection: connection, logger: logger))
            }
        } catch let error as PostgresTransactionError {
            // Surface what the closure threw (a StoreError, a constraint violation), not the wrapper.
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }

    public func classify(_ error: any Error) -> SQLErrorKind {
        guard let error = error as? PSQLError else { return .other(String(describing: error)) }
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        switch error.serverInfo?[.sqlState] {
        case "23505"?: return .uniqueViolation(error.serverInfo?[.constraintName] ?? message)
        case "23503"?: return .foreignKeyViolation(message)
        default: return .other(message)
        }
    }

    /// Stops the client's connections.
    public func close() async {
        runTask.cancel()
        _ = await runTask.value
    }
}

/// Runs statements on one leased PostgresNIO connection.
struct PostgresStatementRunner: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let double): bindings.append(double)
            case .text(let text): bindings.append(text)
            }
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        var output: [SQLRow] = []
        for try await row in rows {
            var values: SQLRow = []
            for cell in row {
                values.append(try Self.value(cell))
            }
            output.append(values)
        }
        return output
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// The PostgreSQL directory store: the shared SQL store over a PostgreSQL database.
public enum PostgresDirectoryStore {
    /// Connects and returns the store; with `migrate`, applies pending migrations, otherwise
    /// fails with `schemaOutdated` on an older schema.
    public static func open(
        location: PostgresLocation, migrate: Bool, clock: any DirectoryClock,
        logger: Logger = Logger(label: "account-console.postgres")
    ) async throws(StoreError) -> (store: SQLDirectoryStore, database: PostgresDirectoryDatabase) {
        let database = await PostgresDirectoryDatabase.connect(location: location, logger: logger)
        do {
            return (try await SQLDirectoryStore.prepare(database: database, migrate: migrate, clock: clock), database)
        } catch {
            await database.close()
            throw error
        }
    }
}
