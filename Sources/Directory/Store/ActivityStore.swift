/// The activity part of the store contract: one row per SCIM request and per change, and its
/// bounded retention.
public protocol ActivityStore: Sendable {
    func recordActivity(_ event: ActivityEvent) async throws(StoreError)
    /// Several rows in as few statements as the database allows (the batched activity writer).
    func recordActivities(_ events: [ActivityEvent]) async throws(StoreError)
    func activity(_ query: ActivityQuery) async throws(StoreError) -> Page<ActivityEvent>
    func activity(id: String) async throws(StoreError) -> ActivityEvent?
    /// The resources a row touched (its subject first, then the related ones).
    func activitySubjects(activityID: String) async throws(StoreError) -> [String]
    /// Rows matching `query` (its paging ignored) since `since`, counted per `bucketSeconds`.
    func activityHistogram(
        _ query: ActivityQuery, since: Timestamp, bucketSeconds: Int64
    ) async throws(StoreError)
        -> [ActivityBucket]
    /// Bounded retention: keeps the newest `keep` rows and drops rows older than `before`.
    func pruneActivity(keep: Int, before: Timestamp) async throws(StoreError) -> Int
    /// Claims this round of a periodic job for the caller: `true` for exactly one of the
    /// instances that ask, unless the job last ran after `notBefore` (one statement, so two
    /// instances sharing a database cannot both win).
    func claimJob(_ name: String, at now: Timestamp, notBefore: Timestamp) async throws(StoreError) -> Bool
}

/// The whole store: every part, and transactions over all of them. One SQL type
/// (`SQLDirectoryStore`) conforms for both back ends.
public protocol DirectoryBackend: DirectoryStore, AccessStore, ActivityStore {
    /// Runs `body` as one transaction: all of its writes land or none do. A store method that
    /// fails inside it leaves nothing behind and the transaction usable.
    func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any DirectoryBackend) async throws -> T
    ) async throws -> T
}
