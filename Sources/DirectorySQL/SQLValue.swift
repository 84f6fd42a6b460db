import Synchronization

/// A value bound to, or read from, SQL: the common ground of SQLite's storage classes and the
/// PostgreSQL types this schema uses (`TEXT`, `BIGINT`/`INTEGER`/`SMALLINT`, `JSONB` read as text).
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return "'\(value.replacingSingleQuotes())'"
        }
    }

    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .real(let value): return Int64(exactly: value)
        default: return nil
        }
    }

    public static func optional(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }
    public static func optional(_ integer: Int64?) -> SQLValue { integer.map { .integer($0) } ?? .null }
    public static func bool(_ flag: Bool?) -> SQLValue { flag.map { .integer($0 ? 1 : 0) } ?? .null }
}

extension String {
    func replacingSingleQuotes() -> String {
        var output = ""
        for character in self {
            if character == "'" { output += "''" } else { output.append(character) }
        }
        return output
    }
}

/// SQL text with its binds; a value is never spliced into the text.
public struct SQLFragment: Sendable, Hashable, CustomStringConvertible {
    public var sql: String
    public var binds: [SQLValue]

    public init(_ sql: String, _ binds: [SQLValue] = []) {
        self.sql = sql
        self.binds = binds
    }

    public var description: String {
        binds.isEmpty ? sql : "\(sql)  -- \(binds.map(\.description).joined(separator: ", "))"
    }
}

/// One result row: the values and the names the database gave their columns. Rows of a table
/// are decoded by name (``SQLRowDecoder``); a scalar query reads ``first``.
public struct SQLRow: Sendable, Hashable {
    public var names: [String]
    public var values: [SQLValue]

    public init(names: [String], values: [SQLValue]) {
        self.names = names
        self.values = values
    }

    /// The first column's value (`SELECT COUNT(*)`, `RETURNING id`).
    public var first: SQLValue? { values.first }
}

/// A connection statements run on: inside a transaction when handed out by ``SQLDatabase/write(_:)``.
public protocol SQLConnection: Sendable {
    /// Runs one statement and returns its rows (empty for statements without results).
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

/// What a back end provides: a dialect and connections. Everything else — the SQL text, the
/// mapping of rows to domain values, the rules — is shared in ``SQLDirectoryStore``.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Runs `body` on a connection for reading (a reader of the pool).
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T
    /// Runs `body` in a transaction on a connection for writing; commits when `body` returns,
    /// rolls back when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T
    /// Translates a driver error to a ``StoreErrorKind``.
    func classify(_ error: any Error) -> SQLErrorKind
    /// The connection pool's size and how many of its connections are leased now (`/metrics`).
    var pool: SQLPoolUsage { get }
}

/// A connection pool at one moment.
public struct SQLPoolUsage: Sendable, Hashable {
    public var capacity: Int
    public var inUse: Int

    public init(capacity: Int, inUse: Int) {
        self.capacity = capacity
        self.inUse = inUse
    }
}

/// Counts leases as they are taken and given back (a database's ``SQLDatabase/pool``).
public final class LeaseCounter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public var current: Int { count.load(ordering: .relaxed) }

    /// A lease begins (for one that ends elsewhere than where it began).
    public func enter() { count.add(1, ordering: .relaxed) }
    /// A lease begun with ``enter()`` ends.
    public func leave() { count.subtract(1, ordering: .relaxed) }

    /// Runs `body` as one lease.
    public func leased<T>(_ body: () async throws -> T) async rethrows -> T {
        count.add(1, ordering: .relaxed)
        defer { count.subtract(1, ordering: .relaxed) }
        return try await body()
    }
}

/// What a driver error means to the store.
public enum SQLErrorKind: Sendable, Hashable {
    /// A unique constraint failed; the constraint or index name if known.
    case uniqueViolation(String)
    case foreignKeyViolation(String)
    /// A deadlock or serialization failure: the transaction was rolled back and may be run again.
    case transactionConflict(String)
    /// The database refused the statement for its data (PostgreSQL's data exceptions and rule
    /// violations, SQLite's type and size errors): a fault in this build, not an outage, so not
    /// worth a retry.
    case refused(String)
    /// The database's disk (or quota) is full.
    case full(String)
    /// Any other failure of the database or the driver (a failed `COMMIT`, a lost connection),
    /// with the driver's text for the log.
    case other(String)
    /// Not an error of the database at all (an error the caller's own code threw).
    case notDatabaseError
}
