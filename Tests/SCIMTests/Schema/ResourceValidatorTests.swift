import SCIM
import Testing

/// Validation of POST/PUT bodies against RFC 7643 schemas.
@Suite("Resource validation (RFC 7643 §2, §7)")
struct ResourceValidatorTests {
    let users = ResourceValidator(resourceType: .user)
    let groups = ResourceValidator(resourceType: .group)

    @Test("canonical names, read-only values dropped, nulls dropped, schemas rebuilt")
    func canonicalizes() throws {
        let body = try object(
            #"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"client-id","USERNAME":"ada",
             "name":{"GIVENNAME":"Ada"},"groups":[{"value":"g"}],"title":null,"meta":{"created":"01-01-2025 00:00:00"},
             "emails":[{"value":"ada@x","primary":"True","$ref":null}]}
            """#)
        let output = try users.validate(body)
        #expect(
            output
                == (try object(
                    #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada","name":{"givenName":"Ada"},"emails":[{"value":"ada@x","primary":true}]}"#
                )))
        #expect(output.keys == ["schemas", "userName", "name", "emails"])
    }

    @Test("Okta's create body (docs/idp-behaviour.md §4.2) is accepted; password is kept for the service to hash")
    func oktaCreate() throws {
        let body = try object(
            #"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"grace.hopper@example.test",
             "name":{"givenName":"Grace","familyName":"Hopper"},
             "emails":[{"primary":true,"value":"grace.hopper@example.test","type":"work"}],"displayName":"Grace Hopper",
             "locale":"en-US","externalId":"00uabc123DEF456ghi7","groups":[],"password":"q7Rz2kLm","active":true}
            """#)
        let output = try users.validate(body)
        #expect(output["password"] == "q7Rz2kLm")
        #expect(output["groups"] == nil)
        #expect(output["externalId"] == "00uabc123DEF456ghi7")
    }

    @Test("Entra's create with the enterprise extension and meta (docs/idp-behaviour.md §4.7)")
    func entraCreate() throws {
        let body = try object(
            #"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
             "externalId":"alan.turing","userName":"alan.turing@contoso.test","active":true,"displayName":"Alan Turing",
             "emails":[{"primary":true,"type":"work","value":"alan.turing@contoso.test"}],"meta":{"resourceType":"User"},
             "name":{"formatted":"Alan Turing","familyName":"Turing","givenName":"Alan"},"roles":[],
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1912","department":"Research"}}
            """#)
        let output = try users.validate(body)
        #expect(output["schemas"] == [.string(SCIMURN.user), .string(SCIMURN.enterpriseUser)])
        #expect(output["roles"] == nil)
        #expect(output[SCIMURN.enterpriseUser]?.objectValue?["employeeNumber"] == "1912")
    }

    @Test("Entra's group with the ADSCIM schema URN (unknown URNs are tolerated)")
    func entraGroup() throws {
        let body = try object(
            #"""
            {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
             "externalId":"5e1d","displayName":"Research","meta":{"resourceType":"Group"}}
            """#)
        #expect(try groups.validate(body)["displayName"] == "Research")
    }

    /// (body, scimType, fragment).
    static let rejected: [(String, SCIMErrorType, String)] = [
        (
            #"{"userName":"a","favouriteColour":"blue"}"#, .invalidSyntax,
            "'favouriteColour' is not an attribute of User resources"
        ),
        (#"{"userName":"a","name":{"nick":"x"}}"#, .invalidSyntax, "'nick' is not a sub-attribute of 'name'"),
        (
            #"{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"shoeSize":9}}"#,
            .invalidSyntax, "'shoeSize'"
        ),
        (
            #"{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}"#, .invalidSyntax,
            "must be an object"
        ),
        (#"{"name":{"givenName":"x"}}"#, .invalidValue, "'userName' is required"),
        (#"{"userName":""}"#, .invalidValue, "'userName' is required"),
        (#"{"userName":true}"#, .invalidValue, "must be a string"),
        (#"{"userName":{"a":1}}"#, .invalidValue, "'userName' must be a string"),
        // Types are checked, not coerced: a number is never stored as its text.
        (#"{"userName":42}"#, .invalidValue, "'userName' must be a string, not number 42"),
        (#"{"userName":"a","displayName":7}"#, .invalidValue, "'displayName' must be a string"),
        (#"{"userName":"a","externalId":1001}"#, .invalidValue, "'externalId' must be a string"),
        (#"{"userName":"a","name":{"givenName":3.5}}"#, .invalidValue, "'name.givenName' must be a string"),
        (
            #"{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":701984}}"#,
            .invalidValue, "employeeNumber' must be a string"
        ),
        (#"{"userName":"a","active":"yes"}"#, .invalidValue, "'active' must be true or false"),
        (#"{"userName":"a","emails":"a@b"}"#, .invalidValue, "'emails[0]' must be an object"),
        (
            #"{"userName":"a","emails":[{"value":"a","primary":true},{"value":"b","primary":true}]}"#, .invalidValue,
            "primary"
        ),
        (#"{"userName":"a","nickName":["x"]}"#, .invalidValue, "single-valued"),
        (
            #"{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User","userName":"a"}"#, .invalidSyntax,
            "'schemas' must be an array"
        ),
    ]

    @Test("rejects with a detail naming the attribute", arguments: rejected)
    func rejects(body: String, type: SCIMErrorType, fragment: String) throws {
        let parsed = try object(body)
        let error = #expect(throws: SCIMError.self) { try users.validate(parsed) }
        #expect(error?.scimType == type, "\(error?.description ?? "")")
        #expect(error?.detail.contains(fragment) == true, "\(error?.detail ?? "")")
    }

    @Test("an immutable value cannot change on PUT")
    func immutable() throws {
        let schema = Schema(
            id: "urn:example:Thing", name: "Thing", description: "",
            attributes: [
                AttributeDefinition(name: "serial", type: .string, required: true, mutability: .immutable)
            ])
        let validator = ResourceValidator(
            resourceType: ResourceType(id: "Thing", name: "Thing", endpoint: "/Things", description: "", schema: schema)
        )
        let existing = try object(#"{"serial":"A"}"#)
        _ = try validator.validate(try object(#"{"serial":"A"}"#), existing: existing)
        let error = #expect(throws: SCIMError.self) {
            try validator.validate(try object(#"{"serial":"B"}"#), existing: existing)
        }
        #expect(error?.scimType == .mutability)
    }
}
