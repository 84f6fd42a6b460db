import Directory
import SCIM
import TestSupport
import Testing

/// The directory's rules as (actor, operation, expected outcome), through `DirectoryService`
/// alone: the SCIM API, the console and the command line all land here.
@Suite("Directory rules by actor")
struct RuleTests {
    /// What an operation is expected to do.
    enum Outcome: Sendable, CustomStringConvertible {
        case allowed
        /// Refused with this status and a detail containing the text.
        case refused(Int, String)

        var description: String {
            switch self {
            case .allowed: return "allowed"
            case .refused(let status, let text): return "\(status) \"\(text)\""
            }
        }
    }

    struct Rule: Sendable, CustomTestStringConvertible {
        var name: String
        var expected: Outcome
        var run: @Sendable (ServiceWorld) async throws(SCIMError) -> Void
        /// What must hold afterwards (for an allowed rule), or that nothing changed (refused).
        var check: (@Sendable (ServiceWorld) async throws -> Void)?
        /// Runs before the "nothing changed" snapshot is taken.
        var setUp: (@Sendable (ServiceWorld) async throws -> Void)?

        init(
            _ name: String, _ expected: Outcome, setUp: (@Sendable (ServiceWorld) async throws -> Void)? = nil,
            _ run: @escaping @Sendable (ServiceWorld) async throws(SCIMError) -> Void,
            check: (@Sendable (ServiceWorld) async throws -> Void)? = nil
        ) {
            self.name = name
            self.expected = expected
            self.setUp = setUp
            self.run = run
            self.check = check
        }

        var testDescription: String { "\(name) → \(expected)" }
    }

    static let note = ActivityNote()
    static let patchOp = SCIMURN.patchOp

    static func replaceDisplayName(_ name: String) -> PatchRequest {
        // A literal request; the initializer only fails on malformed input.
        (try? PatchRequest(
            json: [
                "schemas": [.string(patchOp)],
                "Operations": [["op": "replace", "path": "displayName", "value": .string(name)]],
            ])) ?? PatchRequest(operations: [])
    }

    static let rules: [Rule] = [
        // Connections (SCIM tokens)
        Rule(
            "a connection's POST naming a local user's userName is 409 (Okta then links)", .refused(409, "a local user")
        ) {
            world throws(SCIMError) in
            _ = try await world.service.createUser(
                ["schemas": [.string(SCIMURN.user)], "userName": "LIN@example.test"], by: world.okta, note: note)
        },
        Rule(
            "a connection's PATCH of a local user adopts it", .allowed,
            { world throws(SCIMError) in
                _ = try await world.service.patchUser(
                    id: world.local.id, request: replaceDisplayName("Lin L."), ifMatch: nil, by: world.okta,
                    note: note)
            },
            check: { world in
                let user = try await world.store.user(id: world.local.id)
                #expect(user?.origin == .idp(connectionID: world.okta.caller?.connection.id ?? ""))
                #expect(user?.displayName == "Lin L.")
            }),
        Rule("a connection may not change another connection's user (403 names the owner)", .refused(403, "\"Entra\""))
        {
            world throws(SCIMError) in
            _ = try await world.service.patchUser(
                id: world.entraUser.id, request: replaceDisplayName("x"), ifMatch: nil, by: world.okta, note: note)
        },
        Rule("a connection may not delete a local user", .refused(403, "local user")) { world throws(SCIMError) in
            try await world.service.deleteUser(id: world.local.id, by: world.okta, note: note)
        },
        Rule("a connection may not delete a local group", .refused(403, "local group")) { world throws(SCIMError) in
            try await world.service.deleteGroup(id: world.localGroup.id, by: world.okta, note: note)
        },
        Rule("a read token cannot write", .refused(403, "read-only")) { world throws(SCIMError) in
            _ = try await world.service.createUser(
                ["schemas": [.string(SCIMURN.user)], "userName": "new@example.test"], by: world.oktaReader, note: note)
        },
        Rule("a SCIM token cannot read another's tokens", .refused(403, "cannot read connections")) {
            world throws(SCIMError) in
            _ = try await world.service.tokens(connectionID: world.entra.caller?.connection.id ?? "", by: world.okta)
        },
        Rule("a SCIM token cannot issue tokens", .refused(403, "cannot change connections")) {
            world throws(SCIMError) in
            _ = try await world.service.issueToken(
                connectionID: world.okta.caller?.connection.id ?? "", scope: .provision, by: world.okta)
        },
        Rule(
            "a connection's members replace leaves manual mappings alone", .allowed,
            { world throws(SCIMError) in
                _ = try await world.service.replaceGroup(
                    id: world.oktaGroup.id, body: ["displayName": "Okta pushed", "members": []], ifMatch: nil,
                    by: world.okta, note: note)
            },
            check: { world in
                let members = try await world.store.memberships(
                    groupID: world.oktaGroup.id, source: nil, offset: 0, count: 10)
                #expect(members.map(\.userID) == [world.local.id])
                #expect(members.map(\.source) == [.manual])
            }),
        // Console accounts
        Rule("an account cannot write through SCIM", .refused(403, "console accounts")) { world throws(SCIMError) in
            _ = try await world.service.createUser(
                ["schemas": [.string(SCIMURN.user)], "userName": "new@example.test"], by: world.admin, note: note)
        },
        Rule(
            "an admin creates a local user", .allowed,
            { world throws(SCIMError) in
                _ = try await world.service.createLocalUser(
                    LocalUserProfile(userName: "ana@example.test", email: "ana@example.test"), by: world.admin)
            },
            check: { world in
                let user = try await world.store.user(userName: "ana@example.test")
                #expect(user?.origin == .local)
                #expect(user?.primaryEmail == "ana@example.test")
            }),
        Rule("a viewer creates nothing", .refused(403, "viewer")) { world throws(SCIMError) in
            _ = try await world.service.createLocalUser(LocalUserProfile(userName: "x@example.test"), by: world.viewer)
        },
        Rule("a viewer grants no role", .refused(403, "viewer")) { world throws(SCIMError) in
            try await world.service.grantRole(.admin, to: .user(world.local.id), by: world.viewer)
        },
        Rule("the console may not edit an IdP user's profile (names the connection)", .refused(403, "\"Okta\"")) {
            world throws(SCIMError) in
            _ = try await world.service.updateLocalUser(
                id: world.oktaUser.id, LocalUserProfile(userName: "olga@example.test", displayName: "O"),
                by: world.admin)
        },
        Rule("the console may not suspend an IdP user", .refused(403, "\"Okta\"")) { world throws(SCIMError) in
            _ = try await world.service.suspendUser(id: world.oktaUser.id, by: world.admin)
        },
        Rule("the console may not delete an IdP user", .refused(403, "\"Okta\"")) { world throws(SCIMError) in
            try await world.service.deleteUser(id: world.oktaUser.id, by: world.admin)
        },
        Rule("the console may not rename an IdP group", .refused(403, "\"Okta\"")) { world throws(SCIMError) in
            _ = try await world.service.updateLocalGroup(
                id: world.oktaGroup.id, displayName: "Renamed", description: nil, by: world.admin)
        },
        Rule("the console may not delete an IdP group", .refused(403, "\"Okta\"")) { world throws(SCIMError) in
            try await world.service.deleteLocalGroup(id: world.oktaGroup.id, by: world.admin)
        },
        Rule(
            "the console adds a manual member to an IdP group", .allowed,
            { world throws(SCIMError) in
                _ = try await world.service.addManualMembers(
                    groupID: world.oktaGroup.id, userIDs: [world.entraUser.id], by: world.admin)
            },
            check: { world in
                let members = try await world.store.memberships(
                    groupID: world.oktaGroup.id, source: .manual, offset: 0, count: 10)
                #expect(Set(members.map(\.userID)) == [world.local.id, world.entraUser.id])
            }),
        Rule("a manual member that names no user is an error for an admin", .refused(404, "not found")) {
            world throws(SCIMError) in
            _ = try await world.service.addManualMembers(
                groupID: world.localGroup.id, userIDs: ["00000000-0000-4000-8000-00000000dead"], by: world.admin)
        },
        Rule(
            "the console suspends and restores a local user", .allowed,
            { world throws(SCIMError) in
                _ = try await world.service.suspendUser(id: world.local.id, by: world.admin)
                _ = try await world.service.restoreUser(id: world.local.id, by: world.admin)
            },
            check: { world in
                let user = try await world.store.user(id: world.local.id)
                #expect(user?.active == true)
            }),
        Rule("DELETE /Users cannot be set to suspend", .refused(400, "delete or archive")) {
            world throws(SCIMError) in
            _ = try await world.service.updateConnection(
                id: world.okta.caller?.connection.id ?? "",
                policies: ConnectionPolicies(onDeactivate: .suspend, onDelete: .suspend, orphanRule: .delete),
                by: world.admin)
        },
        Rule(
            "an admin rotates a token: both work during the overlap", .allowed,
            { world throws(SCIMError) in
                let tokens = try await world.service.tokens(
                    connectionID: world.okta.caller?.connection.id ?? "", by: world.admin)
                guard let old = tokens.first else { throw SCIMError.notFound("no token") }
                _ = try await world.service.rotateToken(id: old.id, overlapSeconds: 3600, by: world.admin)
            },
            check: { world in
                let tokens = try await world.store.tokens(connectionID: world.okta.caller?.connection.id ?? "")
                let now = world.fixtures.clock.now()
                #expect(tokens.filter { $0.isUsable(at: now) }.count == 3)
                #expect(tokens.filter { $0.isUsable(at: now.adding(seconds: 7200)) }.count == 2)
            }),
        Rule(
            "a revoked token is not rotated", .refused(400, "revoked or expired"),
            setUp: { world in
                let tokens = try await world.store.tokens(connectionID: world.okta.caller?.connection.id ?? "")
                try await world.service.revokeToken(id: try #require(tokens.first).id, by: world.admin)
            }
        ) { world throws(SCIMError) in
            let tokens = try await world.service.tokens(
                connectionID: world.okta.caller?.connection.id ?? "", by: world.admin)
            guard let old = tokens.first else { throw SCIMError.notFound("no token") }
            _ = try await world.service.rotateToken(id: old.id, overlapSeconds: 60, by: world.admin)
        },
    ]

    @Test("each rule", arguments: rules)
    func rule(_ rule: Rule) async throws {
        try await ServiceWorld.with(SQLiteHarness.make) { world in
            try await rule.setUp?(world)
            let before = try await Snapshot(world.store)
            let failure: SCIMError?
            do throws(SCIMError) {
                try await rule.run(world)
                failure = nil
            } catch {
                failure = error
            }
            switch (rule.expected, failure) {
            case (.allowed, nil):
                try await rule.check?(world)
            case (.allowed, let error?):
                Issue.record("expected it to be allowed, got \(error)")
            case (.refused, nil):
                Issue.record("expected \(rule.expected), but it was allowed")
            case (.refused(let status, let text), let error?):
                #expect(error.status == status, "\(error)")
                #expect(error.detail.contains(text), "\(error.detail)")
                let after = try await Snapshot(world.store)
                #expect(after == before, "a refused operation changed the directory")
            }
        }
    }

    @Test("every change names its actor in the activity log, refusals included")
    func activityNamesTheActor() async throws {
        try await ServiceWorld.with(SQLiteHarness.make) { world in
            _ = try await world.service.createLocalGroup(displayName: "Named", by: world.admin)
            _ = try? await world.service.createLocalGroup(displayName: "Refused", by: world.viewer)
            let rows = try await world.store.activity(ActivityQuery(resourceType: nil, count: 100)).items
            let created = try #require(
                rows.first { $0.path == "groups.create" && $0.status == 200 && $0.actor == "account:account-admin" })
            #expect(created.summary == "created local group Named")
            #expect(created.changes.contains(FieldChange(field: "displayName", old: nil, new: "Named")))
            #expect(
                rows.contains { $0.path == "groups.create" && $0.status == 403 && $0.actor == "account:account-viewer" }
            )
        }
    }
}

/// Everything the rules could change, for "a refused operation changes nothing".
struct Snapshot: Equatable {
    var users: [User]
    var groups: [Group]
    var memberships: [String: [Membership]]
    var connections: [Connection]
    var tokens: [ScimToken]
    var roles: [RoleAssignment]

    init(_ store: any DirectoryBackend) async throws {
        users = try await store.users(ResourceQuery(count: 1000, includeArchived: true)).items
        groups = try await store.groups(ResourceQuery(count: 1000, includeArchived: true)).items
        var memberships: [String: [Membership]] = [:]
        for group in groups {
            memberships[group.id] = try await store.memberships(groupID: group.id, source: nil, offset: 0, count: 1000)
        }
        self.memberships = memberships
        connections = try await store.connections()
        var tokens: [ScimToken] = []
        for connection in connections { tokens += try await store.tokens(connectionID: connection.id) }
        self.tokens = tokens
        roles = try await store.roleAssignments()
    }
}
