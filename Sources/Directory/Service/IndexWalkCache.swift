import Synchronization

/// Where recent `startIndex` walks stopped, so the next page continues from there.
///
/// Okta imports users and groups by `startIndex` in pages of 100 and has no cursors. Answered
/// with `OFFSET`, page *n* costs *n* pages of skipped rows and a whole import is quadratic. A page
/// in id order that ended at offset *k* with id *x* lets the request for `startIndex=k+1` read
/// `id > x` instead (an index range scan), and reuse the total the walk counted. The total is
/// recounted when the one remembered is older than ``totalLifetime``, so an import that runs for
/// minutes sees users created meanwhile.
///
/// The difference from `OFFSET` shows only when rows before the position are inserted or deleted
/// between two pages: `OFFSET` then skips or repeats rows, the keyset continuation does neither.
/// Entries live ``lifetime`` and are per instance; a miss falls back to `OFFSET`.
final class IndexWalkCache: Sendable {
    struct Key: Hashable, Sendable {
        var type: String
        var filter: String
        var origin: OriginCriterion?
        var status: StatusCriterion?
        var search: String?
    }

    struct Position: Sendable {
        var lastID: String
        /// `nil` when the remembered total is too old to reuse.
        var total: Int?
        /// When the reused total was counted.
        var countedAt: Timestamp
    }

    private struct Entry {
        var lastID: String
        var total: Int
        var countedAt: Int64
        var storedAt: Int64
    }

    private struct Slot: Hashable {
        var key: Key
        var offset: Int
    }

    static let lifetime: Int64 = 300_000_000
    static let totalLifetime: Int64 = 10_000_000
    static let capacity = 4096
    private let entries = Mutex<[Slot: Entry]>([:])

    init() {}

    /// Where the walk that reached `offset` stopped; `total` is `nil` when it must be recounted.
    func position(_ key: Key, offset: Int, at now: Timestamp) -> Position? {
        entries.withLock { entries in
            let slot = Slot(key: key, offset: offset)
            guard let entry = entries[slot] else { return nil }
            entries[slot] = nil
            guard now.microseconds - entry.storedAt < Self.lifetime else { return nil }
            let fresh = now.microseconds - entry.countedAt < Self.totalLifetime
            return Position(
                lastID: entry.lastID, total: fresh ? entry.total : nil,
                countedAt: Timestamp(microseconds: fresh ? entry.countedAt : now.microseconds))
        }
    }

    /// Remembers that the page ending at `offset` ended with `lastID`, and when `total` was counted.
    func remember(_ key: Key, offset: Int, lastID: String, total: Int, countedAt: Timestamp, at now: Timestamp) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[Slot(key: key, offset: offset)] = Entry(
                lastID: lastID, total: total, countedAt: countedAt.microseconds, storedAt: now.microseconds)
        }
    }
}
