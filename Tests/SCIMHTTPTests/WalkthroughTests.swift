import AccountConsole
import Directory
import DirectorySQL
import HTTPTypes
import SCIM
import TestSupport
import Testing

/// The README's Okta walkthrough end to end through the running server: connector test → assign
/// users → push a group with members → add a member → remove a member → the user with no
/// provisioned group left is deprovisioned; origins and mappings checked, manual mappings
/// untouched.
@Suite("Okta walkthrough")
struct WalkthroughTests {
    @Test("on SQLite")
    func sqlite() async throws { try await walkthrough(SQLiteHarness.make) }

    @Test("on PostgreSQL", .enabled(if: PostgresHarness.available))
    func postgres() async throws { try await walkthrough(PostgresHarness.make) }

    @Test("a rename-only PUT of a group keeps the connection's mappings (RFC 7644 §3.5.1)")
    func renameOnlyPut() async throws {
        try await TestServer.with(SQLiteHarness.make) { server, client in
            let scim = Exchange(client: client, token: server.token)
            let user = try await scim.send(.post, "/scim/v2/Users", #"{"userName":"kept@example.test"}"#)
            let userID = try #require(user.json?["id"]?.stringValue)
            let group = try await scim.send(
                .post, "/scim/v2/Groups", #"{"displayName":"Kept","members":[{"value":"\#(userID)"}]}"#)
            let groupID = try #require(group.json?["id"]?.stringValue)
            let renamed = try await scim.send(.put, "/scim/v2/Groups/\(groupID)", #"{"displayName":"Kept Renamed"}"#)
            #expect(renamed.status == 200)
            #expect(renamed.json?["members"]?.arrayValue?.count == 1)
            #expect(try await scim.send(.get, "/scim/v2/Users/\(userID)").status == 200)
            let emptied = try await scim.send(
                .put, "/scim/v2/Groups/\(groupID)", #"{"displayName":"Kept Renamed","members":[]}"#)
            #expect(emptied.json?["members"] == nil)
            // Its last group from the connection is gone: the orphan rule deletes the user.
            #expect(try await scim.send(.get, "/scim/v2/Users/\(userID)").status == 404)
        }
    }

    func walkthrough(_ make: (FixedClock) async throws -> StoreUnderTest) async throws {
        try await TestServer.with(make, kind: .okta) { server, client in
            let scim = Exchange(client: client, token: server.token)
            // 1. Test Connector Configuration.
            let users = try await scim.send(.get, "/api/v1/identity/scim/v2/Users?startIndex=1&count=2")
            #expect(users.status == 200)
            #expect(users.json?["schemas"] == [.string(SCIMURN.listResponse)])
            #expect(try await scim.send(.get, "/api/v1/identity/scim/v2/Groups?startIndex=1&count=100").status == 200)

            // A local user with a manual membership, which SCIM must never touch.
            let local = try await server.store.createUser(server.fixtures.user("local.admin@example.test"))

            // 2. Assign users: lookup, then create.
            var ids: [String: String] = [:]
            for name in ["ada", "grace", "linus"] {
                let lookup = try await scim.send(
                    .get,
                    "/api/v1/identity/scim/v2/Users?filter=userName+eq+%22\(name)%40example.test%22&startIndex=1&count=100"
                )
                #expect(lookup.json?["totalResults"] == 0)
                let created = try await scim.send(
                    .post, "/api/v1/identity/scim/v2/Users",
                    #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(name)@example.test","name":{"givenName":"\#(name)","familyName":"Example"},"emails":[{"primary":true,"value":"\#(name)@example.test","type":"work"}],"active":true,"password":"p4ssw0rd!"}"#
                )
                #expect(created.status == 201)
                #expect(created.json?["password"] == nil)
                ids[name] = try #require(created.json?["id"]?.stringValue)
            }
            let ada = try #require(ids["ada"]), grace = try #require(ids["grace"]), linus = try #require(ids["linus"])
            #expect(try await server.store.user(id: ada)?.origin == .idp(connectionID: server.connection.id))

            // 3. Push a group, then its members (Okta's membership delta).
            let group = try await scim.send(
                .post, "/api/v1/identity/scim/v2/Groups",
                #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[]}"#
            )
            #expect(group.status == 201)
            let groupID = try #require(group.json?["id"]?.stringValue)
            _ = try await server.store.addMembers(
                groupID: groupID, userIDs: [local.id], source: .manual, at: server.fixtures.clock.now())
            let push = try await scim.send(
                .patch, "/api/v1/identity/scim/v2/Groups/\(groupID)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"\#(ada)","display":"ada@example.test"},{"value":"\#(grace)","display":"grace@example.test"}]}]}"#
            )
            #expect(push.status == 204)
            #expect(try await server.store.group(id: groupID)?.origin == .idp(connectionID: server.connection.id))
            let mapping = try await server.store.groupMappings(userID: ada)
            #expect(mapping.first?.sources == [.connection(server.connection.id)])
            let adaView = try await scim.send(.get, "/api/v1/identity/scim/v2/Users/\(ada)")
            #expect(adaView.json?["groups"]?.arrayValue?.first?.objectValue?["value"] == .string(groupID))

            // 4. Add a member.
            let add = try await scim.send(
                .patch, "/scim/v2/Groups/\(groupID)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"\#(linus)"}]}]}"#
            )
            #expect(add.status == 204)

            // 5. Remove a member: grace has no provisioned group left and is deprovisioned.
            let remove = try await scim.send(
                .patch, "/scim/v2/Groups/\(groupID)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"\#(grace)\"]"},{"op":"replace","value":{"id":"\#(groupID)","displayName":"Engineering"}}]}"#
            )
            #expect(remove.status == 204)
            #expect(try await scim.send(.get, "/scim/v2/Users/\(grace)").status == 404)
            // Deprovisioning is idempotent for the IdP: a later active=false answers 204.
            let again = try await scim.send(
                .patch, "/scim/v2/Users/\(grace)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#
            )
            #expect(again.status == 204)

            // Manual mapping untouched; the group lists the local user, ada and linus.
            let final = try await scim.send(.get, "/scim/v2/Groups/\(groupID)")
            let members = Set(
                final.json?["members"]?.arrayValue?.compactMap { $0.objectValue?["value"]?.stringValue } ?? [])
            #expect(members == [local.id, ada, linus])
            #expect(try await server.store.groupMappings(userID: local.id).first?.sources == [.manual])
            #expect(try await server.store.user(id: local.id)?.origin == .local)

            // The activity log tells the story in one line per request.
            await server.activity.flush()
            let activity = try await server.store.activity(ActivityQuery(count: 100))
            let summaries = activity.items.map(\.summary)
            #expect(summaries.contains("added 2 members to Engineering"))
            #expect(
                summaries.contains(
                    "removed 1 member from Engineering; grace@example.test deprovisioned (orphan rule: delete)"))
            // The set-up (connection and token) names the command line; every SCIM request, the connection.
            let setUp = activity.items.filter { $0.actor == DirectoryActor.commandLine.activityActor }
            #expect(Set(setUp.map(\.path)) == ["connections.create", "tokens.issue"])
            let requests = activity.items.filter { $0.actor == nil }
            #expect(requests.count == activity.items.count - setUp.count)
            #expect(requests.allSatisfy { $0.connectionID == server.connection.id })
        }
    }
}
