import Directory
import Logging
import ServiceLifecycle

/// How long the activity log and expired sessions are kept.
public struct RetentionPolicy: Sendable, Hashable {
    /// Activity rows older than this many days go.
    public var activityDays: Int
    /// At most this many activity rows are kept (the newest).
    public var activityRows: Int
    /// How often the job runs.
    public var interval: Duration
    /// Failed-login counts untouched this long go (longer than any throttle window).
    public var loginFailureAge: Duration

    public static let `default` = RetentionPolicy(activityDays: 90, activityRows: 1_000_000, interval: .seconds(3600))

    public init(activityDays: Int, activityRows: Int, interval: Duration, loginFailureAge: Duration = .seconds(86_400))
    {
        self.activityDays = activityDays
        self.activityRows = activityRows
        self.interval = interval
        self.loginFailureAge = loginFailureAge
    }
}

/// The retention job: every `interval`, drops activity past the policy, expired sessions and
/// stale failed-login counts.
/// A service of the server's `ServiceGroup`: it stops at graceful shutdown.
public struct RetentionJob: Service {
    let store: any DirectoryBackend
    let clock: any DirectoryClock
    let policy: RetentionPolicy
    let logger: Logger
    /// Waited for before the first pass (the server's migration: the tables may not exist yet).
    let ready: @Sendable () async -> Void

    public init(
        store: any DirectoryBackend, clock: any DirectoryClock, policy: RetentionPolicy, logger: Logger,
        ready: @escaping @Sendable () async -> Void = {}
    ) {
        self.store = store
        self.clock = clock
        self.policy = policy
        self.logger = logger
        self.ready = ready
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            await ready()
            while !Task.isCancelled {
                await prune()
                do {
                    try await Task.sleep(for: policy.interval)
                } catch {
                    return
                }
            }
        }
    }

    /// One pass, unless another instance on the same database made this round's (the round is
    /// claimed in the database: 90 % of the interval must have passed since the last pass);
    /// failures are logged, and the next round (on whichever instance claims it) does the work.
    public func prune() async {
        let now = clock.now()
        do {
            let round = Int64(Double(policy.interval.components.seconds) * 0.9)
            guard try await store.claimJob("retention", at: now, notBefore: now.adding(seconds: -round)) else {
                logger.debug("retention: another instance ran this round")
                return
            }
            let before = now.adding(seconds: -Int64(policy.activityDays) * 86_400)
            let activity = try await store.pruneActivity(keep: policy.activityRows, before: before)
            let sessions = try await store.deleteExpiredSessions(before: now)
            let failures = try await store.deleteLoginFailures(
                before: now.adding(seconds: -policy.loginFailureAge.components.seconds))
            let signIns = try await store.deleteExpiredSingleSignOn(before: now)
            if activity + sessions + failures + signIns > 0 {
                logger.info(
                    "retention: dropped \(activity) activity rows, \(sessions) expired sessions and \(failures) stale failed-login counts, \(signIns) finished sign-ins and remembered assertions"
                )
            }
        } catch {
            logger.error("retention: \(error)")
        }
    }
}
