import SCIM

/// An instant with microsecond precision, as both SQLite (integer column) and PostgreSQL
/// (`timestamptz`) keep it; stored as microseconds since 1970-01-01T00:00:00Z.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// The instant as an `xsd:dateTime` (RFC 7643 §2.3.5), UTC, as `meta.created` renders it.
    public var dateTime: SCIMDateTime {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let remainder = microseconds - seconds * 1_000_000
        return SCIMDateTime(seconds: seconds, nanoseconds: Int32(remainder * 1000))
    }

    public var description: String { dateTime.description }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// Adds seconds.
    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(microseconds: microseconds &+ seconds &* 1_000_000)
    }
}

/// Where "now" comes from; injected so tests use a fixed clock (no globals).
public protocol DirectoryClock: Sendable {
    func now() -> Timestamp
}

/// Where new ids come from; injected so tests get predictable ids.
public protocol IdentifierGenerator: Sendable {
    /// A new, lower-case UUID string.
    func next() -> String
}

extension Duration {
    /// The duration in whole microseconds, as `activity.duration_us` and the request log keep it.
    public var microseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}
