import SCIM
import Testing

/// The evaluator against the RFC 7643 §8.3 Enterprise User (Barbara Jensen) plus a sparse user.
@Suite("Filter evaluation")
struct FilterEvaluatorTests {
    static func barbara() throws -> JSONObject {
        var user = try Fixtures.object("rfc7643-8.3-enterprise-user.json")
        user["password"] = nil
        return user
    }

    static let sparse: JSONObject = [
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "sparse-1",
        "userName": "Sparse",
        "emails": [],
        "title": "",
    ]

    /// (filter, matches Barbara, matches the sparse user).
    static let cases: [(String, Bool, Bool)] = [
        (#"userName eq "bjensen@example.com""#, true, false),
        (#"userName eq "BJENSEN@EXAMPLE.COM""#, true, false),  // caseExact false
        (#"id eq "2819C223-7F76-453A-919D-413861904646""#, false, false),  // id is caseExact
        (#"id eq "2819c223-7f76-453a-919d-413861904646""#, true, false),
        (#"externalId eq "701984""#, true, false),
        (#"userName ne "bjensen@example.com""#, false, true),
        (#"userName co "JEN""#, true, false),
        (#"userName sw "bj""#, true, false),
        (#"userName ew "EXAMPLE.COM""#, true, false),
        (#"userName gt "a""#, true, true),
        (#"userName lt "c""#, true, false),
        (#"userName ge "bjensen@example.com""#, true, true),
        (#"userName le "bjensen@example.com""#, true, false),
        (#"userName co """#, true, true),
        ("title pr", true, false),  // "" is not present
        ("emails pr", true, false),  // [] is not present
        ("nickName pr", true, false),
        ("title eq null", false, true),
        ("title ne null", true, false),
        (#"title ne "Tour Guide""#, false, true),  // absent or empty is ne anything
        ("active eq true", true, false),
        ("active ne true", false, true),
        ("active eq false", false, false),
        (#"emails co "example.com""#, true, false),
        (#"emails.value ew "@jensen.org""#, true, false),
        (#"emails.type eq "home""#, true, false),
        (#"emails.type ne "home""#, false, true),  // ne = no value equals
        (#"emails[type eq "work" and value co "@example.com"]"#, true, false),
        (#"emails[type eq "home" and value co "@example.com"]"#, false, false),
        (#"emails[type eq "work"].value eq "BJENSEN@example.com""#, true, false),  // Entra's matching filter
        (#"emails[type eq "home"].value eq "bjensen@example.com""#, false, false),
        (#"emails[type eq "work" and primary eq true]"#, true, false),
        (#"emails[not (type eq "work")]"#, true, false),
        (#"phoneNumbers[type eq "fax"]"#, false, false),
        (#"addresses[postalCode eq "91608"]"#, true, false),
        (#"meta.lastModified gt "2011-05-13T04:42:34Z""#, false, false),
        (#"meta.lastModified gt "2011-05-13T04:42:33.999Z""#, true, false),
        (#"meta.lastModified ge "2011-05-13T04:42:34Z""#, true, false),
        (#"meta.lastModified le "2011-05-13T04:42:33Z""#, false, false),
        (#"meta.lastModified lt "2011-05-13T06:42:34.001+02:00""#, true, false),
        (#"meta.created eq "2010-01-23T04:56:22Z""#, true, false),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#, true, false),
        (#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value sw "2611""#, true, false),
        (#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#, true, false),
        (#"schemas eq "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER""#, true, false),
        (#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#, true, false),
        (#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#, false, true),
        (#"title pr and userType eq "Employee""#, true, false),
        (#"title pr or userName eq "sparse""#, true, true),
        (#"not (userName eq "sparse")"#, true, false),
        (#"name.familyName co "O'Malley""#, false, false),
        (#"name.givenName eq "barbara""#, true, false),
        (#"groups.display eq "Tour Guides""#, true, false),
        (#"x509Certificates.value sw "miid""#, false, false),  // binary is compared exactly
        (#"x509Certificates.value sw "MIID""#, true, false),
    ]

    @Test("evaluates", arguments: cases)
    func evaluates(text: String, barbaraMatches: Bool, sparseMatches: Bool) throws {
        let filter = try ResourceType.user.resolveFilter(text)
        #expect(FilterEvaluator.matches(filter, try Self.barbara()) == barbaraMatches, "Barbara: \(filter)")
        #expect(FilterEvaluator.matches(filter, Self.sparse) == sparseMatches, "sparse: \(filter)")
    }

    @Test("numbers compare numerically, not as text")
    func numbers() throws {
        let schema = Schema(
            id: "urn:example:params:scim:schemas:Thing", name: "Thing", description: "",
            attributes: [
                AttributeDefinition(name: "size", type: .integer),
                AttributeDefinition(name: "ratio", type: .decimal),
            ])
        let type = ResourceType(id: "Thing", name: "Thing", endpoint: "/Things", description: "", schema: schema)
        let thing: JSONObject = ["size": 10, "ratio": .number(JSONNumber(text: "0.5") ?? JSONNumber(0))]
        #expect(FilterEvaluator.matches(try type.resolveFilter("size gt 9"), thing))
        #expect(!FilterEvaluator.matches(try type.resolveFilter("size gt 10"), thing))
        #expect(FilterEvaluator.matches(try type.resolveFilter("size eq 1e1"), thing))
        #expect(FilterEvaluator.matches(try type.resolveFilter("ratio lt 0.75"), thing))
        #expect(FilterEvaluator.matches(try type.resolveFilter("ratio ge 5e-1"), thing))
    }
}
