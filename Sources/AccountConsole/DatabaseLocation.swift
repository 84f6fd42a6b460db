import Directory
import DirectoryPostgres
import DirectorySQL
import DirectorySQLite
import Foundation
import Logging
import SCIM

/// Where the directory lives: a `postgres://` / `postgresql://` URL, or else a SQLite file path.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// The default when neither `--database` nor `ACCOUNT_CONSOLE_DATABASE` says otherwise.
    public static let defaultPath = "account-console.db"

    public init(parsing text: String) throws(StoreError) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(url: text))
        } else {
            guard !text.isEmpty else { throw .configuration("the database path is empty") }
            self = .sqlite(path: text)
        }
    }

    /// `--database`, else `ACCOUNT_CONSOLE_DATABASE`, else `account-console.db`.
    public static func resolve(_ option: String?) throws(StoreError) -> DatabaseLocation {
        let text = option ?? ProcessInfo.processInfo.environment["ACCOUNT_CONSOLE_DATABASE"] ?? defaultPath
        return try DatabaseLocation(parsing: text)
    }

    /// Without the password.
    public var description: String {
        switch self {
        case .sqlite(let path): return "SQLite \(path)"
        case .postgres(let location):
            return "PostgreSQL \(location.username)@\(location.host):\(location.port)/\(location.database ?? "")"
        }
    }
}

/// An open directory store and how to close it.
public struct OpenDirectory: Sendable {
    public let store: SQLDirectoryStore
    public let close: @Sendable () async -> Void
}

/// A store for the server: not migrated yet, and with the database client's run loop (`nil` for
/// SQLite) for the server's `ServiceGroup` to run.
public struct ServerDatabase: Sendable {
    public let store: SQLDirectoryStore
    public let client: (@Sendable () async -> Void)?
    public let close: @Sendable () async -> Void
}

/// The wall clock (tests inject a fixed one).
public struct SystemClock: DirectoryClock {
    public init() {}
    public func now() -> Timestamp {
        Timestamp(microseconds: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()))
    }
}

/// Random lower-case UUIDs.
public struct RandomIdentifiers: IdentifierGenerator {
    public init() {}
    public func next() -> String { UUID().uuidString.lowercased() }
}

extension DatabaseLocation {
    /// The store the server uses; it migrates once its services run.
    public func prepare(logger: Logger) async throws(StoreError) -> ServerDatabase {
        switch self {
        case .sqlite(let path):
            let database = try await SQLiteDirectoryDatabase.open(path: path, logger: logger)
            return ServerDatabase(store: SQLDirectoryStore(database: database), client: nil) { await database.close() }
        case .postgres(let location):
            let database = PostgresDirectoryDatabase(location: location, logger: logger)
            return ServerDatabase(
                store: SQLDirectoryStore(database: database), client: { await database.run() }, close: {})
        }
    }

    /// Opens the store; `migrate` applies pending migrations (serve and migrate do), otherwise an
    /// older schema is an error that says how to migrate.
    public func open(migrate: Bool, clock: any DirectoryClock, logger: Logger) async throws(StoreError) -> OpenDirectory
    {
        switch self {
        case .sqlite(let path):
            let (store, database) = try await SQLiteDirectoryStore.open(
                path: path, migrate: migrate, clock: clock, logger: logger)
            return OpenDirectory(store: store) { await database.close() }
        case .postgres(let location):
            let (store, database) = try await PostgresDirectoryStore.open(
                location: location, migrate: migrate, clock: clock, logger: logger)
            return OpenDirectory(store: store) { await database.close() }
        }
    }
}

/// The directory for one command of the command line: opened (and migrated), handed to `body`
/// as a service, closed whatever happens.
public enum CommandLineDirectory {
    /// A refused or failed operation, in one line for the terminal.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run<T: Sendable>(
        _ location: DatabaseLocation, _ body: (DirectoryService) async throws -> T
    ) async throws -> T {
        let clock = SystemClock()
        let directory: OpenDirectory
        do {
            directory = try await location.open(migrate: true, clock: clock, logger: Logger(label: "account-console"))
        } catch {
            throw Failure(description: error.description)
        }
        let service = DirectoryService(store: directory.store, clock: clock, ids: RandomIdentifiers())
        do {
            let result = try await body(service)
            await directory.close()
            return result
        } catch let error as SCIMError {
            await directory.close()
            throw Failure(description: error.detail)
        } catch {
            await directory.close()
            throw error
        }
    }
}
