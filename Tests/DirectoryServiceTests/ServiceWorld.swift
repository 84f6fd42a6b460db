import Directory
import SCIM
import TestSupport
import Testing

/// A directory with two connections (Okta and Entra) and one object of each origin, driven only
/// through `DirectoryService` — no HTTP.
struct ServiceWorld: Sendable {
    let service: DirectoryService
    let fixtures: DirectoryFixtures
    let okta: DirectoryActor
    let oktaReader: DirectoryActor
    let entra: DirectoryActor
    let admin = DirectoryActor.account(ConsoleAccount(id: "account-admin", userName: "admin", role: .admin))
    let viewer = DirectoryActor.account(ConsoleAccount(id: "account-viewer", userName: "vera", role: .viewer))
    /// A local user, an Okta user, an Entra user.
    let local: User
    let oktaUser: User
    let entraUser: User
    /// A local group and an Okta group holding the Okta user (from Okta) and the local user (manually).
    let localGroup: Group
    let oktaGroup: Group

    var store: any DirectoryBackend { service.store }

    /// Builds the world on a fresh store and runs `body`.
    static func with(
        _ make: (FixedClock) async throws -> StoreUnderTest, orphanRule: OrphanRule = .delete,
        _ body: (ServiceWorld) async throws -> Void
    ) async throws {
        let fixtures = DirectoryFixtures()
        let harness = try await make(fixtures.clock)
        do {
            let world = try await build(harness.store, fixtures: fixtures, orphanRule: orphanRule)
            try await body(world)
            await harness.close()
        } catch {
            await harness.close()
            throw error
        }
    }

    private static func build(
        _ store: any DirectoryBackend, fixtures: DirectoryFixtures, orphanRule: OrphanRule
    ) async throws -> ServiceWorld {
        let service = DirectoryService(store: store, clock: fixtures.clock, ids: fixtures.ids)
        let system = DirectoryActor.commandLine
        let policies = ConnectionPolicies(onDeactivate: .suspend, onDelete: .delete, orphanRule: orphanRule)
        let oktaConnection = try await service.createConnection(
            name: "Okta", kind: .okta, policies: policies, by: system)
        let entraConnection = try await service.createConnection(name: "Entra", kind: .entra, by: system)
        func actor(_ connection: Connection, _ scope: TokenScope) async throws -> DirectoryActor {
            let issued = try await service.issueToken(connectionID: connection.id, scope: scope, by: system)
            return try await service.authenticate(token: issued.token)
        }
        let okta = try await actor(oktaConnection, .provision)
        let entra = try await actor(entraConnection, .provision)
        let oktaReader = try await actor(oktaConnection, .read)
        let local = try await service.createLocalUser(
            LocalUserProfile(userName: "lin@example.test", givenName: "Lin"), by: system
        ).user
        let note = ActivityNote()
        let oktaUser = try await service.createUser(
            [
                "schemas": [.string(SCIMURN.user)], "userName": "olga@example.test", "name": ["givenName": "Olga"],
                "active": true,
            ], by: okta, note: note
        ).user
        let entraUser = try await service.createUser(
            ["schemas": [.string(SCIMURN.user)], "userName": "eve@example.test"], by: entra, note: note
        ).user
        let localGroup = try await service.createLocalGroup(displayName: "Local crew", by: system).group
        let oktaGroup = try await service.createGroup(
            ["displayName": "Okta pushed", "members": [["value": .string(oktaUser.id)]]], by: okta, note: note
        ).group
        _ = try await service.addManualMembers(groupID: oktaGroup.id, userIDs: [local.id], by: system)
        return ServiceWorld(
            service: service, fixtures: fixtures, okta: okta, oktaReader: oktaReader, entra: entra, local: local,
            oktaUser: oktaUser, entraUser: entraUser, localGroup: localGroup, oktaGroup: oktaGroup)
    }

    /// A PATCH that removes `userID` from a group's members.
    static func removal(_ userID: String) throws -> PatchRequest {
        try PatchRequest(
            json: [
                "schemas": [.string(SCIMURN.patchOp)],
                "Operations": [["op": "remove", "path": .string("members[value eq \"\(userID)\"]")]],
            ])
    }
}
