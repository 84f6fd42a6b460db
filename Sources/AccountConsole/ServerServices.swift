import Directory
import ServiceLifecycle
import Synchronization

/// Opened once (the database is migrated); whoever waits before then is resumed then.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let isOpen = state.withLock { state in
                    if !state.open { state.waiters.append(continuation) }
                    return state.open
                }
                if isOpen { continuation.resume() }
            }
        } onCancel: {
            // Shutting down before the migration finished: let the waiter go.
            open()
        }
    }
}

/// The activity log's writer as a service: it writes batches until graceful shutdown, which it
/// reaches after the HTTP server has stopped (services stop in reverse order), then writes what
/// is left.
struct ActivityWriter: Service {
    let log: ActivityLog

    func run() async {
        await cancelWhenGracefulShutdown { await log.run() }
        await log.flush()
    }
}

/// A database client's run loop as a service (PostgreSQL's connection pool): it stops last, at
/// graceful shutdown, after everything that uses it.
struct DatabaseClientService: Service {
    let body: @Sendable () async -> Void

    func run() async {
        await cancelWhenGracefulShutdown { await body() }
    }
}
