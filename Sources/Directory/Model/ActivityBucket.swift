/// Requests in one interval of an activity chart, and how many of them failed.
public struct ActivityBucket: Sendable, Hashable {
    /// The start of the interval.
    public var start: Timestamp
    public var total: Int
    public var failed: Int

    public init(start: Timestamp, total: Int, failed: Int) {
        self.start = start
        self.total = total
        self.failed = failed
    }
}
