import Directory
import DirectorySQL
import Foundation
import Logging
import PostgresNIO
import SCIM
import Synchronization

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
            throw .configuration("the database URL must look like postgres://user:password@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .configuration("the database URL names no host (postgres://user@HOST:5432/database)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw .configuration("the database URL names no user (postgres://USER@host:5432/database)")
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
    private let logger: Logger
    /// How long a request waits for a pooled connection before it is answered 503.
    let leaseTimeout: Duration
    /// The pool's run loop when ``connect(location:logger:)`` started it (the command line and
    /// tests); the server runs ``run()`` as a service of its `ServiceGroup` instead.
    private let background = Mutex<Task<Void, Never>?>(nil)
    private let leases = LeaseCounter()
    private let capacity: Int

    /// A client for `location`; nothing connects until ``run()`` runs.
    public init(
        location: PostgresLocation, leaseTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "account-console.postgres")
    ) {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database,
            tls: location.requireTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = location.maximumConnections
        if let searchPath = location.searchPath {
            configuration.options.additionalStartupParameters = [("search_path", searchPath)]
        }
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.leaseTimeout = leaseTimeout
        self.capacity = location.maximumConnections
    }

    public var pool: SQLPoolUsage { SQLPoolUsage(capacity: capacity, inUse: leases.current) }

    /// Runs the connection pool until the task is cancelled.
    public func run() async {
        await client.run()
    }

    /// A client whose pool runs in a task of its own until ``close()``: for short-lived users (a
    /// command, a test). Returns once the pool runs, since a lease before then logs a misleading
    /// warning.
    public static func connect(
        location: PostgresLocation, logger: Logger = Logger(label: "account-console.postgres")
    )
        async -> PostgresDirectoryDatabase
    {
        let database = PostgresDirectoryDatabase(location: location, logger: logger)
        let (started, signal) = AsyncStream<Void>.makeStream()
        let task = Task {
            signal.yield()
            signal.finish()
            await database.run()
        }
        database.background.withLock { $0 = task }
        for await _ in started { break }
        return database
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await leased { client, acquired in
            try await client.withConnection { connection in
                acquired(connection)
                return try await body(PostgresStatementRunner(connection: connection, logger: logger))
            }
        }
    }

    /// Runs `body` in a transaction on a leased connection. The lease counts as granted before
    /// `BEGIN`, so a slow `BEGIN` is never mistaken for a missing connection (which would answer
    /// 503 for a write that then commits).
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T
    {
        let logger = self.logger
        do {
            return try await leased { client, acquired in
                try await client.withConnection { connection in
                    acquired(connection)
                    return try await connection.withTransaction(logger: logger) { connection in
                        try await body(PostgresStatementRunner(connection: connection, logger: logger))
                    }
                }
            }
        } catch let error as PostgresTransactionError {
            // Surface what the closure threw (a StoreError, a constraint violation), not the wrapper.
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }

    /// Runs `operation`, answering `unavailable` when no connection is leased within
    /// `leaseTimeout` (without it a request waits for the pool's own give-up, about a minute with
    /// the server down — longer than Okta waits), or when the leased connection closes before the
    /// operation ends. The second matters when PostgreSQL restarts: a statement sent on a
    /// connection the server has just terminated is never answered by PostgresNIO, so the request
    /// (and a graceful shutdown behind it) would wait forever. The operation runs in a task of its
    /// own so that neither answer waits for it; otherwise it decides the outcome, so a write that
    /// commits is never reported as failed, and a long statement runs to its end.
    private func leased<T: Sendable>(
        _ operation:
            @escaping @Sendable (PostgresClient, _ acquired: @escaping @Sendable (PostgresConnection) -> Void)
            async throws -> T
    ) async throws -> T {
        let client = self.client
        let timeout = leaseTimeout
        let acquired = LeaseFlag()
        let leases = self.leases
        let outcome = Outcome<T>()
        return try await withCheckedThrowingContinuation { continuation in
            outcome.install(continuation)
            let work = Task {
                do {
                    let value = try await operation(client) { connection in acquired.set(connection) }
                    outcome.resume(returning: value)
                } catch {
                    outcome.resume(throwing: error)
                }
            }
            // Watches the lease, then the leased connection, until the outcome is known.
            let timer = Task {
                let deadline = ContinuousClock.now + timeout
                while !Task.isCancelled {
                    if let connection = acquired.connection {
                        if connection.isClosed {
                            // Cancelled, the statement PostgresNIO would never answer gives up.
                            work.cancel()
                            outcome.resume(
                                throwing: StoreError.unavailable(
                                    reason: "the connection to PostgreSQL closed while the request ran"))
                            return
                        }
                    } else if ContinuousClock.now >= deadline {
                        // The lease may still come; the operation then runs, and its answer is dropped.
                        outcome.resume(
                            throwing: StoreError.unavailable(
                                reason: "no PostgreSQL connection within \(timeout) (is the server up and reachable?)"))
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
            // The lease counts until the request has its answer: an operation abandoned on a closed
            // connection holds no pool connection (the pool replaces closed ones), so it is not
            // counted on after that.
            leases.enter()
            outcome.onResume {
                timer.cancel()
                leases.leave()
            }
        }
    }

    public func classify(_ error: any Error) -> SQLErrorKind {
        if let error = error as? PostgresTransactionError {
            // BEGIN, COMMIT or ROLLBACK failed: the server or the connection did.
            let cause = error.beginError ?? error.commitError ?? error.rollbackError
            return .other(cause.map { String(describing: $0) } ?? String(describing: error))
        }
        // The pool's own errors (its type is not public API): no connection could be made.
        if String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError") {
            return .other(String(describing: error))
        }
        guard let error = error as? PSQLError else { return .notDatabaseError }
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        switch error.serverInfo?[.sqlState] {
        case "23505"?: return .uniqueViolation(error.serverInfo?[.constraintName] ?? message)
        case "23503"?: return .foreignKeyViolation(message)
        // Deadlock detected, serialization failure: PostgreSQL rolled the transaction back.
        case "40P01"?, "40001"?: return .transactionConflict(message)
        // disk_full.
        case "53100"?: return .full(message)
        // Data exceptions (22…), other integrity rules (23…), syntax and access rules (42…): the
        // statement was refused for what it said, and saying it again will not help.
        case let state? where state.hasPrefix("22") || state.hasPrefix("23") || state.hasPrefix("42"):
            return .refused(message)
        default: return .other(message)
        }
    }

    /// Stops the pool started by ``connect(location:logger:)``.
    public func close() async {
        guard let task = background.withLock({ $0 }) else { return }
        task.cancel()
        _ = await task.value
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
            var names: [String] = []
            var values: [SQLValue] = []
            for cell in row {
                names.append(cell.columnName)
                values.append(try Self.value(cell))
            }
            output.append(SQLRow(names: names, values: values))
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

/// Whether a lease has been granted (shared between the operation and its timer).
/// A continuation resumed once, by whichever of an operation, its connection's closing and its
/// lease timer comes first; the later ones are dropped.
private final class Outcome<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, onResume: (@Sendable () -> Void)?)>(
        (nil, nil))

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    /// Runs `action` once the outcome is known (at once if it already is).
    func onResume(_ action: @escaping @Sendable () -> Void) {
        let known = state.withLock { current -> Bool in
            if current.continuation == nil { return true }
            current.onResume = action
            return false
        }
        if known { action() }
    }

    func resume(returning value: T) { finish(.success(value)) }
    func resume(throwing error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<T, any Error>) {
        let taken = state.withLock { current in
            defer { current = (nil, nil) }
            return current
        }
        taken.continuation?.resume(with: result)
        taken.onResume?()
    }
}

private final class LeaseFlag: Sendable {
    private let value = Mutex<PostgresConnection?>(nil)

    func set(_ connection: PostgresConnection) { value.withLock { $0 = connection } }
    /// The leased connection, once there is one.
    var connection: PostgresConnection? { value.withLock { $0 } }
}
