import SCIM
import Testing

/// `attributes`, `excludedAttributes` and `returned` (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §7).
@Suite("Projection (RFC 7644 §3.4.2.5)")
struct ProjectionTests {
    static let user: JSONObject = [
        "schemas": [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser)],
        "id": "u1",
        "externalId": "e1",
        "userName": "bjensen",
        "name": ["givenName": "Barbara", "familyName": "Jensen"],
        "emails": [["value": "a@x", "type": "work"], ["value": "b@x", "type": "home"]],
        "password": "secret",
        "groups": [["value": "g1", "display": "Tour Guides"]],
        .init(stringLiteral: SCIMURN.enterpriseUser): ["employeeNumber": "1", "department": "D"],
        "meta": ["resourceType": "User", "version": "W/\"1\""],
    ]

    /// (attributes, excludedAttributes, the top-level keys kept, extra checks as key → value).
    static let cases: [(String?, String?, [String])] = [
        (
            nil, nil,
            ["schemas", "id", "externalId", "userName", "name", "emails", "groups", SCIMURN.enterpriseUser, "meta"]
        ),
        ("userName", nil, ["schemas", "id", "userName"]),
        ("USERNAME,name.givenName", nil, ["schemas", "id", "userName", "name"]),
        ("emails.value", nil, ["schemas", "id", "emails"]),
        ("password", nil, ["schemas", "id"]),
        (nil, "emails,groups", ["schemas", "id", "externalId", "userName", "name", SCIMURN.enterpriseUser, "meta"]),
        (
            nil, "id",
            ["schemas", "id", "externalId", "userName", "name", "emails", "groups", SCIMURN.enterpriseUser, "meta"]
        ),
        (
            nil, "name.givenName",
            ["schemas", "id", "externalId", "userName", "name", "emails", "groups", SCIMURN.enterpriseUser, "meta"]
        ),
        ("\(SCIMURN.enterpriseUser):employeeNumber", nil, ["schemas", "id", SCIMURN.enterpriseUser]),
        (SCIMURN.enterpriseUser, nil, ["schemas", "id", SCIMURN.enterpriseUser]),
        ("meta.version", nil, ["schemas", "id", "meta"]),
        (" userName , externalId ", nil, ["schemas", "id", "externalId", "userName"]),
        (
            "\(SCIMURN.user),\(SCIMURN.enterpriseUser)", nil,
            ["schemas", "id", "externalId", "userName", "name", "emails", "groups", SCIMURN.enterpriseUser, "meta"]
        ),
        (SCIMURN.user, nil, ["schemas", "id", "externalId", "userName", "name", "emails", "groups", "meta"]),
        (nil, SCIMURN.enterpriseUser, ["schemas", "id", "externalId", "userName", "name", "emails", "groups", "meta"]),
    ]

    @Test("keeps the right attributes", arguments: cases)
    func projects(attributes: String?, excluded: String?, keys: [String]) throws {
        let projection = try Projection(attributes: attributes, excludedAttributes: excluded, resourceType: .user)
        let output = projection.apply(to: Self.user, resourceType: .user)
        #expect(output.keys == keys)
        #expect(output["password"] == nil)
    }

    @Test("sub-attribute selection and exclusion")
    func subAttributes() throws {
        let only = try Projection(
            attributes: "name.givenName,emails.value", excludedAttributes: nil, resourceType: .user)
        let projected = only.apply(to: Self.user, resourceType: .user)
        #expect(projected["name"] == ["givenName": "Barbara"])
        #expect(projected["emails"] == [["value": "a@x"], ["value": "b@x"]])
        let without = try Projection(attributes: nil, excludedAttributes: "name.givenName", resourceType: .user)
        #expect(without.apply(to: Self.user, resourceType: .user)["name"] == ["familyName": "Jensen"])
        let enterpriseOnly = try Projection(
            attributes: "\(SCIMURN.enterpriseUser):employeeNumber", excludedAttributes: nil, resourceType: .user)
        #expect(
            enterpriseOnly.apply(to: Self.user, resourceType: .user)[SCIMURN.enterpriseUser] == ["employeeNumber": "1"])
    }

    @Test("Entra reads groups with excludedAttributes=members")
    func excludeMembers() throws {
        let group: JSONObject = [
            "schemas": [.string(SCIMURN.group)], "id": "g", "displayName": "R", "members": [["value": "u"]],
        ]
        let projection = try Projection(attributes: nil, excludedAttributes: "members", resourceType: .group)
        #expect(projection.apply(to: group, resourceType: .group).keys == ["schemas", "id", "displayName"])
        #expect(!projection.includes(attributeNamed: "members", in: .group))
        #expect(Projection.default.includes(attributeNamed: "members", in: .group))
        #expect(
            try !Projection(attributes: "displayName", excludedAttributes: nil, resourceType: .group).includes(
                attributeNamed: "members", in: .group))
    }

    @Test("an unknown attribute is invalidValue naming it")
    func unknown() {
        let error = #expect(throws: SCIMError.self) {
            try Projection(attributes: "userName,shoeSize", excludedAttributes: nil, resourceType: .user)
        }
        #expect(error?.scimType == .invalidValue)
        #expect(error?.detail.contains("shoeSize") == true)
    }
}
