/// The activity log's writer: requests hand it their row and go on; rows are written in batches
/// (one transaction per batch), so logging every SCIM request never serializes the requests
/// behind SQLite's single writer. `flush()` writes what is pending (tests, shutdown).
public actor ActivityLog {
    private let store: any DirectoryStore
    private var pending: [ActivityEvent] = []
    private var scheduled = false
    /// Rows kept before a write is forced.
    private let batchSize: Int
    private let delay: Duration

    public init(store: any DirectoryStore, batchSize: Int = 256, delay: Duration = .milliseconds(200)) {
        self.store = store
        self.batchSize = batchSize
        self.delay = delay
    }

    /// Queues a row.
    public func record(_ event: ActivityEvent) {
        pending.append(event)
        if pending.count >= batchSize {
            Task { await self.flush() }
        } else if !scheduled {
            scheduled = true
            Task {
                try? await Task.sleep(for: delay)
                await self.flush()
            }
        }
    }

    /// Writes every pending row now.
    public func flush() async {
        scheduled = false
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        do {
            try await store.recordActivities(batch)
        } catch {
            // The log must not take requests down with it; the rows are lost, which is logged.
            print("activity log: could not write \(batch.count) rows: \(error)")
        }
    }
}
