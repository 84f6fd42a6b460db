import AccountConsole
import Directory
import DirectorySQL
import HTTPTypes
import SCIM
import TestSupport
import Testing

/// A group's members are streamed a page at a time (`Handlers.memberPage` ids): the bytes must be
/// the same JSON the non-streamed rendering gives, whatever the size and the projection.
@Suite("Big groups are streamed")
struct BigGroupTests {
    /// More than two pages of members, so page joins are exercised.
    static let size = 2_345

    @Test("GET a group, its list page and projections: valid JSON with every member")
    func streamed() async throws {
        try await TestServer.with(SQLiteHarness.make) { server, client in
            let scim = Exchange(client: client, token: server.token)
            let ids = try await server.store.transaction { store in
                var ids: [String] = []
                for index in 0..<Self.size {
                    let user = try await store.createUser(
                        server.fixtures.user(
                            "member\(index)@example.test", origin: .idp(connectionID: server.connection.id)))
                    ids.append(user.id)
                }
                return ids
            }
            let empty = try await scim.send(.post, "/scim/v2/Groups", #"{"displayName":"Empty"}"#)
            let created = try await scim.send(.post, "/scim/v2/Groups", #"{"displayName":"Everyone"}"#)
            let groupID = try #require(created.json?["id"]?.stringValue)
            let members = ids.map { #"{"value":"\#($0)"}"# }.joined(separator: ",")
            let added = try await scim.send(
                .patch, "/scim/v2/Groups/\(groupID)",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[\#(members)]}]}"#
            )
            #expect(added.status == 204)

            let group = try await scim.send(.get, "/scim/v2/Groups/\(groupID)")
            #expect(group.status == 200)
            let listed = try #require(group.json?["members"]?.arrayValue)
            #expect(listed.count == Self.size)
            #expect(listed.compactMap { $0.objectValue?["value"]?.stringValue } == ids.sorted())
            #expect(listed.first?.objectValue?["$ref"]?.stringValue?.hasSuffix("/Users/\(ids.sorted()[0])") == true)
            #expect(group.json?["displayName"] == "Everyone")
            #expect(group.headers[.eTag] != nil)

            // Only `value` of each member.
            let values = try await scim.send(.get, "/scim/v2/Groups/\(groupID)?attributes=members.value")
            let valueOnly = try #require(values.json?["members"]?.arrayValue)
            #expect(valueOnly.count == Self.size)
            #expect(valueOnly.allSatisfy { $0.objectValue?.keys == ["value"] })

            // A projection that leaves every member empty: no members, still valid JSON.
            let nothing = try await scim.send(.get, "/scim/v2/Groups/\(groupID)?attributes=members.display")
            #expect(nothing.status == 200)
            #expect(nothing.json != nil)
            #expect(nothing.json?["members"] == nil)

            let excluded = try await scim.send(.get, "/scim/v2/Groups/\(groupID)?excludedAttributes=members")
            #expect(excluded.json?["members"] == nil)
            #expect(excluded.json?["id"]?.stringValue == groupID)

            // A list page holding the big group and the empty one.
            let page = try await scim.send(.get, "/scim/v2/Groups?sortBy=displayName")
            #expect(page.json?["totalResults"] == 2)
            #expect(page.json?["itemsPerPage"] == 2)
            let resources = try #require(page.json?["Resources"]?.arrayValue)
            #expect(resources.count == 2)
            #expect(resources[0].objectValue?["displayName"] == "Empty")
            #expect(resources[0].objectValue?["members"] == nil)
            #expect(resources[0].objectValue?["id"]?.stringValue == empty.json?["id"]?.stringValue)
            #expect(resources[1].objectValue?["members"]?.arrayValue?.count == Self.size)

            let searched = try await scim.send(
                .post, "/scim/v2/Groups/.search",
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"displayName eq \"Everyone\""}"#
            )
            #expect(
                searched.json?["Resources"]?.arrayValue?.first?.objectValue?["members"]?.arrayValue?.count == Self.size)
        }
    }
}
