import Directory
import DirectoryPostgres
import DirectorySQL
import DirectorySQLite
import Foundation
import Logging

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
            guard !text.isEmpty else { throw .unavailable("the database path is empty") }
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
