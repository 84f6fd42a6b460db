import Directory
import SCIM
import TestSupport
import Testing

@Suite("Directory domain")
struct DomainTests {
    @Test("indexed fields are read from the resource; unassigned values are pruned")
    func derivedFields() {
        let fixtures = DirectoryFixtures()
        let user = fixtures.user(
            "Ada@Example.Test",
            extra: [
                "id": "client-sent", "meta": ["created": "x"], "groups": [["value": "g"]], "password": "secret",
                "title": "", "nickName": .null, "roles": [],
                "emails": [
                    ["value": "a@work", "type": "work"], ["value": "a@home", "type": "home", "primary": true],
                ],
                "name": ["givenName": "Ada", "familyName": "", "middleName": .null],
            ])
        #expect(user.userNameKey == "ada@example.test")
        #expect(user.primaryEmail == "a@home")
        #expect(user.givenName == "Ada")
        #expect(user.familyName == nil)
        #expect(user.active == true)
        for key in ["id", "meta", "groups", "password", "title", "nickName", "roles"] {
            #expect(user.resource[key] == nil, "\(key)")
        }
        #expect(user.resource["name"] == ["givenName": "Ada"])
    }

    @Test("the SCIM representation carries id, groups and meta with the ETag version")
    func rendering() {
        let fixtures = DirectoryFixtures()
        var user = fixtures.user("ada@example.test")
        user.version = 3
        let resource = user.scimResource(
            groups: [
                UserGroupMapping(groupID: "g1", displayName: "Engineering", sources: [.manual, .connection("c")])
            ],
            baseURL: "https://host/scim/v2")
        #expect(resource["id"] == .string(user.id))
        #expect(
            resource["groups"] == [
                ["value": "g1", "$ref": "https://host/scim/v2/Groups/g1", "display": "Engineering", "type": "direct"]
            ])
        let meta = resource["meta"]?.objectValue
        #expect(meta?["version"] == #"W/"3""#)
        #expect(meta?["location"] == .string("https://host/scim/v2/Users/\(user.id)"))
        #expect(meta?["created"] == "2023-11-14T22:13:20Z")
        let group = fixtures.group("Engineering").scimResource(members: ["u1"], baseURL: "https://host/scim/v2")
        #expect(group["members"] == [["value": "u1", "$ref": "https://host/scim/v2/Users/u1", "type": "User"]])
        #expect(fixtures.group("E").scimResource(members: nil, baseURL: "b")["members"] == nil)
    }

    @Test("timestamps render as xsd:dateTime to the microsecond")
    func timestamps() {
        #expect(Timestamp(microseconds: 0).description == "1970-01-01T00:00:00Z")
        #expect(Timestamp(microseconds: 1_500_000).description == "1970-01-01T00:00:01.5Z")
        #expect(Timestamp(microseconds: -1).description == "1969-12-31T23:59:59.999999Z")
    }

    @Test("tokens are usable until revoked or expired")
    func tokenUsability() {
        let now = Timestamp(microseconds: 1_000_000)
        let token = ScimToken(
            id: "t", connectionID: "c", name: "n", prefix: "p", sha256: "h", scope: .provision, createdAt: now,
            expiresAt: now.adding(seconds: 10))
        #expect(token.isUsable(at: now))
        #expect(!token.isUsable(at: now.adding(seconds: 10)))
        var revoked = token
        revoked.revokedAt = now
        #expect(!revoked.isUsable(at: now))
    }
}
