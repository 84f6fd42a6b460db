import DirectorySQL
import Synchronization

/// Group commit on one writer connection: concurrent write transactions share one `COMMIT`.
///
/// SQLite has one writer, and with `synchronous=FULL` every commit waits for the disk: one
/// request, one fsync. Here a write joins a queue; whoever finds no batch in progress leads one:
/// `BEGIN`, then each queued write in a `SAVEPOINT` of its own (a write that throws is rolled back
/// to its savepoint alone and fails alone), then one `COMMIT`, and only then are the writes of the
/// batch answered. Writes that arrive while a batch runs join it, up to ``maximumBatch``; the rest
/// wait for the next, which the leader hands to the first of them, so no request leads batches
/// forever.
///
/// A write inside a batch sees the writes before it in the same batch, exactly as if they had
/// committed just before it: the order is the queue's. If the `COMMIT` itself fails, every write
/// of the batch fails with its error and nothing of the batch is kept.
final class GroupCommit: Sendable {
    /// The most writes one batch takes, so one commit never waits on an unbounded queue.
    static let maximumBatch = 128

    private let connection: any SQLConnection
    private let begin: String
    private let state = Mutex(QueueState())

    private struct QueueState {
        var queue: [Job] = []
        var leading = false
    }

    init(connection: any SQLConnection, begin: String) {
        self.connection = connection
        self.begin = begin
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            let result = Mutex<T?>(nil)
            let job = Job { connection in
                let value = try await body(connection)
                result.withLock { $0 = value }
            }
            let leads = state.withLock { state in
                state.queue.append(job)
                if state.leading { return false }
                state.leading = true
                return true
            }
            if leads { await lead() }
            while true {
                switch await job.outcome() {
                case .committed:
                    guard let value = result.withLock({ $0 }) else {
                        throw CancellationError()
                    }
                    return value
                case .failed(let error):
                    throw error
                case .lead:
                    await lead()
                }
            }
        }
    }

    /// `BEGIN IMMEDIATE`; if a transaction was left open (a `ROLLBACK` that failed), it is rolled
    /// back and `BEGIN` tried once more, so one failure never blocks every later write.
    private func beginTransaction() async throws {
        do {
            _ = try await connection.query(begin, [])
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            _ = try await connection.query(begin, [])
        }
    }

    /// Runs one batch: every queued job — and those that queue while it runs, up to the maximum —
    /// in its own savepoint, one commit, then answers them and hands the lead to the next waiting
    /// job, if any. Taking the late arrivals into the running batch is what makes it a group: with
    /// 16 concurrent writers most of them join a batch already open.
    private func lead() async {
        var batch = take(Self.maximumBatch)
        var done: [Job] = []
        do {
            try await beginTransaction()
            var index = 0
            while index < batch.count {
                if index == batch.count - 1, batch.count < Self.maximumBatch {
                    batch += take(Self.maximumBatch - batch.count)
                }
                let job = batch[index]
                index += 1
                _ = try await connection.query("SAVEPOINT group_write", [])
                do {
                    try await job.run(connection)
                    _ = try await connection.query("RELEASE SAVEPOINT group_write", [])
                    done.append(job)
                } catch {
                    // Some errors (a full disk, an I/O error) make SQLite roll back the whole
                    // transaction by itself: then ROLLBACK TO fails, the jobs already run are
                    // gone too, and the batch must stop — a later SAVEPOINT would open a
                    // transaction of its own and its RELEASE would commit it unseen.
                    job.finish(.failed(error))
                    _ = try await connection.query("ROLLBACK TO SAVEPOINT group_write", [])
                    _ = try await connection.query("RELEASE SAVEPOINT group_write", [])
                }
            }
            _ = try await connection.query("COMMIT", [])
            for job in done { job.finish(.committed) }
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            for job in batch where !job.isFinished { job.finish(.failed(error)) }
        }
        let next = state.withLock { state -> Job? in
            guard let first = state.queue.first else {
                state.leading = false
                return nil
            }
            return first
        }
        next?.finish(.lead)
    }

    /// Up to `count` queued jobs, oldest first.
    private func take(_ count: Int) -> [Job] {
        state.withLock { state in
            let taken = Array(state.queue.prefix(count))
            state.queue.removeFirst(taken.count)
            return taken
        }
    }
}

/// One queued write and the way its waiter learns what became of it.
private final class Job: Sendable {
    enum Outcome: Sendable {
        /// The batch committed: the result is durable.
        case committed
        case failed(any Error)
        /// The waiter must lead the next batch (its own job is in it).
        case lead
    }

    /// The write itself; dropped once the job is finished, because `GroupCommit.write` lends it
    /// a closure that must not outlive the call (`withoutActuallyEscaping` checks that).
    private let work: Mutex<(@Sendable (any SQLConnection) async throws -> Void)?>
    private let state = Mutex<(outcomes: [Outcome], waiter: CheckedContinuation<Outcome, Never>?, finished: Bool)>(
        ([], nil, false))

    init(_ work: @escaping @Sendable (any SQLConnection) async throws -> Void) {
        self.work = Mutex(work)
    }

    func run(_ connection: any SQLConnection) async throws {
        guard let work = work.withLock({ $0 }) else { return }
        try await work(connection)
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    func finish(_ outcome: Outcome) {
        if case .lead = outcome {} else { work.withLock { $0 = nil } }
        let waiter = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            if case .lead = outcome {} else { state.finished = true }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.outcomes.append(outcome)
            return nil
        }
        waiter?.resume(returning: outcome)
    }

    func outcome() async -> Outcome {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Outcome? in
                if !state.outcomes.isEmpty { return state.outcomes.removeFirst() }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
