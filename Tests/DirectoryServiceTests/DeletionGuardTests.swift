import Directory
import SCIM
import TestSupport
import Testing

/// The deletion guard: past a connection's limit of deprovisions an hour, further ones are held —
/// the IdP gets its usual answer and the user loses access at once, but nothing is deleted until
/// an admin releases (applies) or rejects (restores) it.
@Suite("Deletion guard")
struct DeletionGuardTests {
    /// A connection with a guard of `limit`, `count` users of it, and the service.
    struct Setup: Sendable {
        let service: DirectoryService
        let clock: FixedClock
        let connection: Connection
        let actor: DirectoryActor
        let users: [User]
    }

    static func with(
        _ backend: Backend, limit: Int?, users count: Int, onDeactivate: DeprovisionAction = .suspend,
        _ body: (Setup) async throws -> Void
    ) async throws {
        let fixtures = DirectoryFixtures()
        let harness = try await backend.make(fixtures.clock)
        do {
            let service = DirectoryService(store: harness.store, clock: fixtures.clock, ids: fixtures.ids)
            let connection = try await service.createConnection(
                name: "Okta", kind: .okta,
                policies: ConnectionPolicies(
                    onDeactivate: onDeactivate, onDelete: .delete, orphanRule: .delete, deletionGuard: limit),
                by: .commandLine)
            let issued = try await service.issueToken(connectionID: connection.id, scope: .provision, by: .commandLine)
            let actor = try await service.authenticate(token: issued.token)
            var users: [User] = []
            for index in 0..<count {
                users.append(
                    try await service.createUser(
                        ["schemas": [.string(SCIMURN.user)], "userName": .string("u\(index)@example.test")], by: actor,
                        note: ActivityNote()
                    ).user)
            }
            try await body(
                Setup(service: service, clock: fixtures.clock, connection: connection, actor: actor, users: users))
            await harness.close()
        } catch {
            await harness.close()
            throw error
        }
    }

    static func delete(_ users: [User], in setup: Setup) async throws -> [NotedDeprovision] {
        var noted: [NotedDeprovision] = []
        for user in users {
            let note = ActivityNote()
            try await setup.service.deleteUser(id: user.id, by: setup.actor, note: note)
            noted += note.deprovisions
        }
        return noted
    }

    @Test("past the limit, DELETEs are held: hidden and inactive, not deleted", arguments: Backend.available)
    func holdsPastTheLimit(backend: Backend) async throws {
        try await Self.with(backend, limit: 2, users: 5) { setup in
            let noted = try await Self.delete(setup.users, in: setup)
            #expect(noted.map(\.held) == [false, false, true, true, true])
            let store = setup.service.store
            for user in setup.users.prefix(2) {
                #expect(try await store.user(id: user.id, includeArchived: true) == nil)
            }
            for user in setup.users.dropFirst(2) {
                // The IdP asked for a delete: to it the user is gone (404), and it cannot sign in.
                #expect(try await store.user(id: user.id) == nil)
                let kept = try #require(try await store.user(id: user.id, includeArchived: true))
                #expect(kept.active == false)
            }
            let status = try await setup.service.deletionGuard(connectionID: setup.connection.id, by: .commandLine)
            #expect(status.isTripped)
            #expect(status.lastHour == 5)
            #expect(status.held.map(\.userName) == ["u2@example.test", "u3@example.test", "u4@example.test"])
            #expect(status.held.allSatisfy { $0.action == .delete && $0.trigger == "DELETE" && $0.wasActive })
        }
    }

    @Test("release applies the held action; reject restores the user as it was", arguments: Backend.available)
    func releaseAndReject(backend: Backend) async throws {
        try await Self.with(backend, limit: 1, users: 4) { setup in
            _ = try await Self.delete(setup.users, in: setup)
            let store = setup.service.store
            let released = try await setup.service.decideHeld(
                .release, connectionID: setup.connection.id, userIDs: [setup.users[1].id], by: .commandLine)
            #expect(released.map(\.userID) == [setup.users[1].id])
            #expect(try await store.user(id: setup.users[1].id, includeArchived: true) == nil)

            let rejected = try await setup.service.decideHeld(
                .reject, connectionID: setup.connection.id, userIDs: nil, by: .commandLine)
            #expect(Set(rejected.map(\.userID)) == [setup.users[2].id, setup.users[3].id])
            for user in setup.users.suffix(2) {
                let restored = try #require(try await store.user(id: user.id))
                #expect(restored.active == true)
                #expect(restored.isArchived == false)
                // The IdP can write it again (not "already deprovisioned").
                #expect(try await store.deprovisioning(userID: user.id, connectionID: setup.connection.id) == nil)
            }
            let status = try await setup.service.deletionGuard(connectionID: setup.connection.id, by: .commandLine)
            #expect(status.held.isEmpty)
        }
    }

    @Test("a user not held is 404; nothing is decided", arguments: Backend.available)
    func unknownHeldUser(backend: Backend) async throws {
        try await Self.with(backend, limit: 1, users: 2) { setup in
            _ = try await Self.delete(setup.users, in: setup)
            await #expect(throws: SCIMError.self) {
                try await setup.service.decideHeld(
                    .release, connectionID: setup.connection.id, userIDs: [setup.users[1].id, "nobody"],
                    by: .commandLine)
            }
            let status = try await setup.service.deletionGuard(connectionID: setup.connection.id, by: .commandLine)
            #expect(status.held.map(\.userID) == [setup.users[1].id])
        }
    }

    @Test("active=false suspends are counted and held; a reject reactivates", arguments: Backend.available)
    func suspensionsCount(backend: Backend) async throws {
        try await Self.with(backend, limit: 1, users: 2) { setup in
            let deactivate = try PatchRequest(
                json: [
                    "schemas": [.string(SCIMURN.patchOp)],
                    "Operations": [["op": "replace", "value": ["active": false]]],
                ])
            var held: [Bool] = []
            for user in setup.users {
                let note = ActivityNote()
                let outcome = try await setup.service.patchUser(
                    id: user.id, request: deactivate, ifMatch: nil, by: setup.actor, note: note)
                // Okta reads a suspended user back inactive, held or not.
                guard case .resource(let record) = outcome else { throw SCIMError.invalidValue("removed") }
                #expect(record.user.active == false)
                held += note.deprovisions.map(\.held)
            }
            #expect(held == [false, true])
            _ = try await setup.service.decideHeld(
                .reject, connectionID: setup.connection.id, userIDs: nil, by: .commandLine)
            #expect(try await setup.service.store.user(id: setup.users[1].id)?.active == true)
        }
    }

    @Test("active=false with an archive policy, held, then rejected: the user is back as it was, active")
    func rejectRestoresActive() async throws {
        try await Self.with(.sqlite, limit: 1, users: 2, onDeactivate: .archive) { setup in
            let deactivate = try PatchRequest(
                json: [
                    "schemas": [.string(SCIMURN.patchOp)],
                    "Operations": [["op": "replace", "path": "active", "value": false]],
                ])
            for user in setup.users {
                _ = try await setup.service.patchUser(
                    id: user.id, request: deactivate, ifMatch: nil, by: setup.actor, note: ActivityNote())
            }
            let status = try await setup.service.deletionGuard(connectionID: setup.connection.id, by: .commandLine)
            #expect(status.held.map(\.userID) == [setup.users[1].id])
            #expect(status.held.first?.wasActive == true)
            _ = try await setup.service.decideHeld(
                .reject, connectionID: setup.connection.id, userIDs: nil, by: .commandLine)
            let restored = try #require(try await setup.service.store.user(id: setup.users[1].id))
            #expect(restored.active == true && restored.isArchived == false)
        }
    }

    @Test(
        "held twice (a suspension, then a DELETE): a reject restores the user as before the first hold",
        arguments: Backend.available)
    func heldTwice(backend: Backend) async throws {
        try await Self.with(backend, limit: 1, users: 2) { setup in
            let deactivate = try PatchRequest(
                json: [
                    "schemas": [.string(SCIMURN.patchOp)],
                    "Operations": [["op": "replace", "path": "active", "value": false]],
                ])
            _ = try await Self.delete([setup.users[0]], in: setup)
            _ = try await setup.service.patchUser(
                id: setup.users[1].id, request: deactivate, ifMatch: nil, by: setup.actor, note: ActivityNote())
            _ = try await Self.delete([setup.users[1]], in: setup)
            let status = try await setup.service.deletionGuard(connectionID: setup.connection.id, by: .commandLine)
            #expect(status.held.map(\.action) == [.delete])
            #expect(status.held.first?.wasActive == true)
            _ = try await setup.service.decideHeld(
                .reject, connectionID: setup.connection.id, userIDs: nil, by: .commandLine)
            #expect(try await setup.service.store.user(id: setup.users[1].id)?.active == true)
        }
    }

    @Test("the window is an hour; a guard that is off holds nothing", arguments: Backend.available)
    func windowAndOff(backend: Backend) async throws {
        try await Self.with(backend, limit: 1, users: 3) { setup in
            let first = try await Self.delete([setup.users[0]], in: setup)
            setup.clock.advance(seconds: 3601)
            let second = try await Self.delete([setup.users[1]], in: setup)
            let third = try await Self.delete([setup.users[2]], in: setup)
            #expect([first, second, third].map { $0.map(\.held) } == [[false], [false], [true]])
        }
        try await Self.with(backend, limit: nil, users: 60) { setup in
            let all = try await Self.delete(setup.users, in: setup)
            #expect(all.count == 60 && all.allSatisfy { !$0.held })
        }
    }

    @Test("an IdP re-create of a held user drops the hold", arguments: Backend.available)
    func recreateDropsHold(backend: Backend) async throws {
        try await Self.with(backend, limit: 1, users: 2) { setup in
            _ = try await Self.delete(setup.users, in: setup)
            let again = try await setup.service.createUser(
                ["schemas": [.string(SCIMURN.user)], "userName": "u1@example.test"], by: setup.actor,
                note: ActivityNote())
            #expect(again.user.id == setup.users[1].id)
            let status = try await setup.service.deletionGuard(connectionID: setup.connection.id, by: .commandLine)
            #expect(status.held.isEmpty)
        }
    }
}
