import Synchronization

/// The activity log's writer: requests hand it their row and go on; ``run()`` writes what is
/// pending every `delay`, in batches (one transaction per batch), so logging every SCIM request
/// never serializes the requests behind SQLite's single writer. When the queue grows past
/// `backlog` (the database is slow or down), the recording request writes it itself, so memory
/// stays bounded. The server runs it as a service: on shutdown it writes what is left.
///
/// A lock rather than an actor guards the queue: recording a row is then a plain append, not a
/// hop to the actor's executor in every request.
public final class ActivityLog: Sendable {
    private let store: any ActivityStore
    private let queue = Mutex<[ActivityEvent]>([])
    private let delay: Duration
    private let backlog: Int
    /// Called with a failure to write; the rows are lost (the log must not take requests down).
    private let onFailure: @Sendable (Int, StoreError) -> Void

    public init(
        store: any ActivityStore, delay: Duration = .milliseconds(200), backlog: Int = 10_000,
        onFailure: @escaping @Sendable (Int, StoreError) -> Void = { _, _ in }
    ) {
        self.store = store
        self.delay = delay
        self.backlog = backlog
        self.onFailure = onFailure
    }

    /// Rows queued and not yet written (a gauge of `/metrics`).
    public var pending: Int { queue.withLock { $0.count } }

    /// Queues a row.
    public func record(_ event: ActivityEvent) async {
        let event = event.storable
        let count = queue.withLock { queue in
            queue.append(event)
            return queue.count
        }
        if count >= backlog { await flush() }
    }

    /// Writes pending rows every `delay` until the task is cancelled. What is left is for the
    /// caller's ``flush()``, from a task that is not cancelled (a cancelled one cannot lease a
    /// database connection).
    public func run() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            await flush()
        }
    }

    /// Writes every pending row now.
    public func flush() async {
        let batch = queue.withLock { queue in
            defer { queue = [] }
            return queue
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.recordActivities(batch)
        } catch {
            // Cancelled at shutdown in the middle of a write: keep the rows for the final flush.
            if Task.isCancelled {
                queue.withLock { $0 = batch + $0 }
                return
            }
            onFailure(batch.count, error)
        }
    }
}

extension ActivityEvent {
    /// The row with every U+0000 shown as U+FFFD. Requests holding one are refused, but the
    /// refusal's own row names what was sent (a path, a detail), and PostgreSQL's text cannot
    /// store it: one such row would fail the whole batch it is written with.
    var storable: ActivityEvent {
        func clean(_ text: String) -> String { text.contains("\u{0}") ? text.replacingNUL() : text }
        var event = self
        event.path = clean(path)
        event.summary = clean(summary)
        event.detail = detail.map(clean)
        event.resourceID = resourceID.map(clean)
        event.actor = actor.map(clean)
        event.changes = changes.map {
            FieldChange(field: clean($0.field), old: $0.old.map(clean), new: $0.new.map(clean))
        }
        event.related = related.map(clean)
        return event
    }
}

extension String {
    fileprivate func replacingNUL() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }
}
