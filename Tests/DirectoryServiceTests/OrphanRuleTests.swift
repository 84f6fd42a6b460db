import Directory
import SCIM
import TestSupport
import Testing

/// The back ends a service test runs on: SQLite always, PostgreSQL when `scripts/test.sh` started one.
enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    static var available: [Backend] { PostgresHarness.available ? [.sqlite, .postgres] : [.sqlite] }

    var make: @Sendable (FixedClock) async throws -> StoreUnderTest {
        switch self {
        case .sqlite: return { try await SQLiteHarness.make(clock: $0) }
        case .postgres: return { try await PostgresHarness.make(clock: $0) }
        }
    }

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }
}

/// The orphan rule: an IdP user whose last membership from its connection is removed is
/// deprovisioned as the connection says — and only then.
@Suite("Orphan rule")
struct OrphanRuleTests {
    /// What becomes of the user under each rule.
    enum Fate: Sendable { case deleted, archived, suspended, untouched }

    static let table: [(OrphanRule, Fate)] = [
        (.delete, .deleted), (.archive, .archived), (.suspend, .suspended), (.off, .untouched),
    ]

    @Test("removing the last membership from the connection", arguments: table)
    func lastMembership(rule: OrphanRule, fate: Fate) async throws {
        try await ServiceWorld.with(SQLiteHarness.make, orphanRule: rule) { world in
            _ = try await world.service.patchGroup(
                id: world.oktaGroup.id, request: try ServiceWorld.removal(world.oktaUser.id), ifMatch: nil,
                by: world.okta, note: ActivityNote())
            let live = try await world.store.user(id: world.oktaUser.id, includeArchived: false)
            let any = try await world.store.user(id: world.oktaUser.id, includeArchived: true)
            switch fate {
            case .deleted: #expect(any == nil)
            case .archived:
                #expect(live == nil)
                #expect(any?.isArchived == true)
            case .suspended: #expect(live?.active == false)
            case .untouched: #expect(live?.active == true)
            }
            // The local user's manual membership in the same group is never the connection's to remove.
            let manual = try await world.store.memberships(
                groupID: world.oktaGroup.id, source: .manual, offset: 0, count: 10)
            #expect(manual.map(\.userID) == [world.local.id])
            #expect(try await world.store.user(id: world.local.id) != nil)
        }
    }

    @Test("a membership left in another group of the connection keeps the user")
    func anotherMembershipKeeps() async throws {
        try await ServiceWorld.with(SQLiteHarness.make) { world in
            let note = ActivityNote()
            _ = try await world.service.createGroup(
                ["displayName": "Second", "members": [["value": .string(world.oktaUser.id)]]], by: world.okta,
                note: note)
            _ = try await world.service.patchGroup(
                id: world.oktaGroup.id, request: try ServiceWorld.removal(world.oktaUser.id), ifMatch: nil,
                by: world.okta, note: note)
            #expect(try await world.store.user(id: world.oktaUser.id)?.active == true)
        }
    }

    /// Two PATCHes, at once, each removing the user from one of its last two groups. Under
    /// PostgreSQL's READ COMMITTED each could see the other's membership still there and skip
    /// the rule; the row lock makes the second one wait and see.
    @Test("concurrent removals of the last two memberships deprovision exactly once", arguments: Backend.available)
    func concurrentRemovals(_ backend: Backend) async throws {
        try await ServiceWorld.with(backend.make) { world in
            let note = ActivityNote()
            for round in 0..<25 {
                let user = try await world.service.createUser(
                    ["schemas": [.string(SCIMURN.user)], "userName": .string("race\(round)@example.test")],
                    by: world.okta, note: note
                ).user
                var groups: [String] = []
                for side in ["a", "b"] {
                    let group = try await world.service.createGroup(
                        ["displayName": .string("race \(round) \(side)"), "members": [["value": .string(user.id)]]],
                        by: world.okta, note: note)
                    groups.append(group.group.id)
                }
                let removal = try ServiceWorld.removal(user.id)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for id in groups {
                        group.addTask {
                            _ = try await world.service.patchGroup(
                                id: id, request: removal, ifMatch: nil, by: world.okta, note: ActivityNote())
                        }
                    }
                    try await group.waitForAll()
                }
                let left = try await world.store.user(id: user.id, includeArchived: true)
                #expect(left == nil, "round \(round): the user survived both removals")
            }
        }
    }
}
