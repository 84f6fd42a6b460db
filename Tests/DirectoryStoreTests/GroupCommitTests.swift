import Directory
import DirectorySQL
import TestSupport
import Testing

/// SQLite's group commit: concurrent write transactions share one COMMIT, and a failed one is
/// rolled back alone.
@Suite("Group commit (SQLite)")
struct GroupCommitTests {
    struct Refused: Error {}

    @Test("of 60 concurrent transactions, the failing ones leave nothing and the others all land")
    func failuresStayAlone() async throws {
        try await withStore(SQLiteHarness.make) { store, fixtures in
            let users = (0..<60).map { fixtures.user("batch\($0)@example.test") }
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for (index, user) in users.enumerated() {
                    group.addTask {
                        do {
                            try await store.transaction { transaction in
                                _ = try await transaction.createUser(user)
                                if index % 5 == 0 { throw Refused() }
                            }
                            return (index, true)
                        } catch {
                            return (index, false)
                        }
                    }
                }
                var outcomes: [Int: Bool] = [:]
                for await (index, committed) in group { outcomes[index] = committed }
                return outcomes
            }
            for (index, user) in users.enumerated() {
                let stored = try await store.user(id: user.id)
                #expect(outcomes[index] == (index % 5 != 0))
                #expect((stored != nil) == (index % 5 != 0), "transaction \(index)")
            }
            #expect(try await store.users(ResourceQuery(count: 100)).totalResults == 48)
        }
    }
}
