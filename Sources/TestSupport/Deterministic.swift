import Directory
import Synchronization

/// A clock that stands still until told to move: tests never read the wall clock.
public final class FixedClock: DirectoryClock {
    private let current: Mutex<Timestamp>

    public init(_ start: Timestamp = Timestamp(microseconds: 1_700_000_000_000_000)) {
        self.current = Mutex(start)
    }

    public func now() -> Timestamp { current.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(seconds: Int64) {
        current.withLock { $0 = $0.adding(seconds: seconds) }
    }
}

/// Ids `00000000-0000-4000-8000-000000000001`, `…0002`, …: valid lower-case UUIDs in order.
public final class SequentialIdentifiers: IdentifierGenerator {
    private let counter = Mutex(0)
    private let prefix: String

    /// `prefix` (8 hex digits) keeps ids of different generators apart.
    public init(prefix: String = "00000000") {
        self.prefix = prefix
    }

    public func next() -> String {
        let value = counter.withLock { value -> Int in
            value += 1
            return value
        }
        let hex = String(value, radix: 16)
        return "\(prefix)-0000-4000-8000-\(String(repeating: "0", count: max(0, 12 - hex.count)))\(hex)"
    }
}
