import AccountConsole
import Directory
import DirectorySQL
import Logging
import TestSupport
import Testing

/// The retention job keeps the activity log and the sessions table bounded.
@Suite("Retention")
struct RetentionTests {
    @Test("activity past the age or the row limit, expired sessions and stale login failures go; the rest stays")
    func prunes() async throws {
        try await withStore(SQLiteHarness.make) { store, fixtures in
            let now = fixtures.clock.now()
            func event(_ id: String, daysAgo: Int64) -> ActivityEvent {
                ActivityEvent(
                    id: id, at: now.adding(seconds: -daysAgo * 86_400), method: "GET", path: "/scim/v2/Users",
                    status: 200, summary: id)
            }
            try await store.recordActivities([
                event("old", daysAgo: 40), event("a", daysAgo: 3), event("b", daysAgo: 2), event("c", daysAgo: 1),
            ])
            let account = try await store.createAccount(
                Account(id: "acc", userName: "admin", passwordHash: "$2b$hash", createdAt: now))
            try await store.createSession(
                Session(
                    idHash: "expired", accountID: account.id, createdAt: now, expiresAt: now.adding(seconds: -1),
                    lastSeenAt: now))
            try await store.createSession(
                Session(
                    idHash: "live", accountID: account.id, createdAt: now, expiresAt: now.adding(seconds: 3600),
                    lastSeenAt: now))
            _ = try await store.recordLoginFailure(
                subject: "account:stale", at: now.adding(seconds: -2 * 86_400),
                windowStart: now.adding(seconds: -3 * 86_400))
            _ = try await store.recordLoginFailure(
                subject: "account:recent", at: now.adding(seconds: -60), windowStart: now.adding(seconds: -900))

            let policy = RetentionPolicy(activityDays: 30, activityRows: 2, interval: .seconds(3600))
            await RetentionJob(store: store, clock: fixtures.clock, policy: policy, logger: Logger(label: "test"))
                .prune()

            let kept = try await store.activity(ActivityQuery(count: 10)).items.map(\.id)
            #expect(kept == ["c", "b"])
            #expect(try await store.session(idHash: "expired") == nil)
            #expect(try await store.session(idHash: "live") != nil)
            #expect(try await store.loginFailures(subject: "account:stale") == nil)
            #expect(try await store.loginFailures(subject: "account:recent") != nil)
        }
    }

    @Test("instances on one database: one pass per round, whoever asks first", arguments: [true, false])
    func onePassPerRound(postgres: Bool) async throws {
        guard !postgres || PostgresHarness.available else { return }
        try await withStore(postgres ? PostgresHarness.make : SQLiteHarness.make) { store, fixtures in
            let now = fixtures.clock.now()
            let notBefore = now.adding(seconds: -3240)
            // Two instances asking at once: exactly one wins.
            async let first = store.claimJob("retention", at: now, notBefore: notBefore)
            async let second = store.claimJob("retention", at: now, notBefore: notBefore)
            let claims = try await [first, second]
            #expect(claims.filter { $0 }.count == 1)
            // Later in the same round: no one.
            let later = now.adding(seconds: 600)
            #expect(try await !store.claimJob("retention", at: later, notBefore: later.adding(seconds: -3240)))
            // The next round: one again.
            let next = now.adding(seconds: 3600)
            #expect(try await store.claimJob("retention", at: next, notBefore: next.adding(seconds: -3240)))
        }
    }
}
