import Directory
import DirectorySQL
import Logging
import SCIM
import SQLiteNIO
import Synchronization

/// How hard SQLite works to keep an acknowledged write through a power loss.
public enum SQLiteSynchronous: String, Sendable, Hashable {
    /// `synchronous=FULL`: a committed write survives power loss (the default).
    case full = "FULL"
    /// `synchronous=NORMAL`: faster in WAL mode; the last commits may be lost on power loss.
    case normal = "NORMAL"
}

/// SQLite through sqlite-nio (which bundles its own SQLite, so nothing comes from the system):
/// WAL, one writer connection with writes serialized, a small pool of reader connections that run
/// one query at a time, foreign keys on, a busy timeout.
public final class SQLiteDirectoryDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    private let writer: SQLiteConnection
    private let groupCommit: GroupCommit
    private let readers: ConnectionPool<SQLiteConnection>
    private let leases = LeaseCounter()
    private let all: [SQLiteConnection]

    /// `scim_fold(x)`: `String.scimCaseFolded`, so SQL and the SCIM evaluator fold identically
    /// (SQLite's own `lower()` folds ASCII only).
    static let fold = SQLiteCustomFunction("scim_fold", argumentCount: 1, pure: true) { arguments in
        guard let first = arguments.first else { return nil }
        switch first {
        case .text(let text): return text.scimCaseFolded
        case .null: return nil
        default: return first.string?.scimCaseFolded
        }
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.writer = writer
        self.groupCommit = GroupCommit(connection: SQLiteStatementRunner(connection: writer), begin: "BEGIN IMMEDIATE")
        self.readers = ConnectionPool(readers)
        self.all = [writer] + readers
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(
        path: String, readers: Int = 4, synchronous: SQLiteSynchronous = .full,
        logger: Logger = Logger(label: "account-console.sqlite")
    ) async throws(StoreError) -> SQLiteDirectoryDatabase {
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            try await configure(writer)
            _ = try await writer.query("PRAGMA journal_mode = WAL", [])
            _ = try await writer.query("PRAGMA synchronous = \(synchronous.rawValue)", [])
            var pool: [SQLiteConnection] = []
            for _ in 0..<max(1, readers) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                try await configure(reader)
                pool.append(reader)
            }
            return SQLiteDirectoryDatabase(writer: writer, readers: pool)
        } catch {
            throw .unavailable(reason: "cannot open the SQLite database at \(path): \(error)")
        }
    }

    private static func configure(_ connection: SQLiteConnection) async throws {
        // sqlite-nio installs a busy handler that retries forever; a timeout replaces it.
        _ = try await connection.query("PRAGMA busy_timeout = 5000", [])
        _ = try await connection.query("PRAGMA foreign_keys = ON", [])
        // `LIKE` must be case-sensitive: case-insensitive comparisons fold both sides first.
        _ = try await connection.query("PRAGMA case_sensitive_like = ON", [])
        // An 8 MiB page cache per connection and no memory map. A map looked cheaper, but every
        // commit made each reader unmap and fault the file back in on its next read (the pager
        // resets when the WAL changes, and the activity log commits every 200 ms), and the
        // mapped pages count in the server's RSS: 328 MB after the HTTP benchmark with a 256 MiB
        // map and 32 MiB caches, against the bound of 150 MB.
        _ = try await connection.query("PRAGMA cache_size = -8192", [])
        _ = try await connection.query("PRAGMA mmap_size = 0", [])
        try await connection.install(customFunction: fold)
    }

    public var pool: SQLPoolUsage { SQLPoolUsage(capacity: all.count, inUse: leases.current) }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await leases.leased { try await readLeased(body) }
    }

    private func readLeased<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        let connection = await readers.acquire()
        do {
            let result = try await body(SQLiteStatementRunner(connection: connection))
            readers.release(connection)
            return result
        } catch {
            readers.release(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on the writer connection. Concurrent writes share one
    /// durable commit (group commit, see ``GroupCommit``): each runs in a savepoint of its own
    /// inside one transaction, a failed one is rolled back to its savepoint alone, and none is
    /// answered before the shared `COMMIT` — with `synchronous=FULL`, on disk.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T
    {
        try await leases.leased { try await groupCommit.write(body) }
    }

    public func classify(_ error: any Error) -> SQLErrorKind {
        guard let error = error as? SQLiteError else { return .notDatabaseError }
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return .uniqueViolation(error.message)
        case .constraintForeignKeyFailed: return .foreignKeyViolation(error.message)
        case .full: return .full(error.message)
        case .tooBig, .mismatch, .range, .constraint, .constraintCheckFailed, .constraintNotNullFailed:
            return .refused(error.message)
        default: return .other(error.message)
        }
    }

    /// Closes every connection.
    public func close() async {
        for connection in all { try? await connection.close() }
    }
}

/// Runs statements on one sqlite-nio connection.
struct SQLiteStatementRunner: SQLConnection {
    let connection: SQLiteConnection

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let rows = try await connection.query(sql, binds.map(Self.data))
        return rows.map { row in
            SQLRow(names: row.columns.map(\.name), values: row.columns.map { Self.value($0.data) })
        }
    }

    static func data(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: return .null
        case .integer(let integer): return .integer(SQLiteInt64(integer))
        case .real(let double): return .float(double)
        case .text(let text): return .text(text)
        }
    }

    static func value(_ data: SQLiteData) -> SQLValue {
        switch data {
        case .null: return .null
        case .integer(let integer): return .integer(Int64(integer))
        case .float(let double): return .real(double)
        case .text(let text): return .text(text)
        case .blob(let buffer): return .text(String(buffer: buffer))
        }
    }
}

/// A pool of connections each used by one caller at a time. A lock rather than an actor: taking an
/// idle connection is then a plain call, not a hop to the actor's executor and back (two per
/// read, in every request).
final class ConnectionPool<Connection: Sendable>: Sendable {
    private let state: Mutex<(idle: [Connection], waiters: [CheckedContinuation<Connection, Never>])>

    init(_ connections: [Connection]) {
        self.state = Mutex((connections, []))
    }

    func acquire() async -> Connection {
        if let connection = state.withLock({ $0.idle.popLast() }) { return connection }
        return await withCheckedContinuation { continuation in
            // Checked again under the lock: a release between the two looks must not be missed.
            let ready = state.withLock { state -> Connection? in
                if let connection = state.idle.popLast() { return connection }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func release(_ connection: Connection) {
        let waiter = state.withLock { state -> CheckedContinuation<Connection, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }
}

/// The SQLite directory store: the shared SQL store over an SQLite database.
public enum SQLiteDirectoryStore {
    /// Opens the database at `path` and returns the store; with `migrate`, applies pending
    /// migrations, otherwise fails with `schemaOutdated` on an older schema.
    public static func open(
        path: String, migrate: Bool, clock: any DirectoryClock, readers: Int = 4,
        synchronous: SQLiteSynchronous = .full,
        logger: Logger = Logger(label: "account-console.sqlite")
    ) async throws(StoreError) -> (store: SQLDirectoryStore, database: SQLiteDirectoryDatabase) {
        let database = try await SQLiteDirectoryDatabase.open(
            path: path, readers: readers, synchronous: synchronous, logger: logger)
        do {
            return (try await SQLDirectoryStore.prepare(database: database, migrate: migrate, clock: clock), database)
        } catch {
            await database.close()
            throw error
        }
    }
}
