import SCIM
import Testing

/// Resolution against the schemas: unknown attributes and type-incompatible operators are
/// `invalidFilter` with a detail naming the attribute — never silently dropped.
@Suite("Filter resolution")
struct FilterResolutionTests {
    /// (filter, canonical resolved text): implicit `value`, canonical names, URN only for extensions.
    static let resolved: [(String, String)] = [
        (#"USERNAME eq "a""#, #"userName eq "a""#),
        (#"emails co "example.com""#, #"emails.value co "example.com""#),
        (#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#, #"userName sw "J""#),
        (
            #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1""#,
            #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1""#
        ),
        (
            #"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:MANAGER.VALUE eq "1""#,
            #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "1""#
        ),
        (#"meta.lastModified gt "2011-05-13T04:42:34Z""#, #"meta.lastModified gt "2011-05-13T04:42:34Z""#),
        (#"meta.created le "2011-05-13T06:42:34+02:00""#, #"meta.created le "2011-05-13T04:42:34Z""#),
        (#"emails[TYPE eq "work"]"#, #"emails[type eq "work"]"#),
        ("name pr", "name pr"),
        (#"groups.value eq "g1""#, #"groups.value eq "g1""#),
        ("active eq true", "active eq true"),
        (#"id eq "x""#, #"id eq "x""#),
        (#"externalId eq "x""#, #"externalId eq "x""#),
        (
            #"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            #"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#
        ),
        ("title eq null", "title eq null"),
        (#"x509Certificates.value eq "TUlJ""#, #"x509Certificates.value eq "TUlJ""#),
    ]

    @Test("resolves to canonical attributes", arguments: resolved)
    func resolves(text: String, expected: String) throws {
        #expect(try ResourceType.user.resolveFilter(text).description == expected)
    }

    /// (filter, fragment of the detail).
    static let rejected: [(String, String)] = [
        (#"nickname2 eq "x""#, "'nickname2' is not an attribute of User resources"),
        (#"name.nick eq "x""#, "'nick' is not a sub-attribute of 'name'"),
        (#"userName.x eq "x""#, "'userName' has no sub-attributes"),
        ("active gt true", "'gt' cannot compare 'active', a boolean"),
        (#"active co "t""#, "'co' needs a string attribute"),
        (#"x509Certificates.value gt "x""#, "a binary attribute"),
        ("userName eq 5", "'userName' is a string attribute and cannot be compared with 5"),
        (#"active eq "true""#, "'active' is a boolean attribute"),
        (#"meta.lastModified gt "yesterday""#, "is not a dateTime"),
        ("meta.lastModified gt 5", "dateTime attribute"),
        ("title gt null", "meaningless"),
        (#"name eq "x""#, "'name' is complex"),
        (#"urn:example:foo:bar eq "x""#, "'urn:example:foo' is not a schema of User resources"),
        (#"employeeNumber eq "1""#, "qualify it with the extension's URN"),
        (#"password eq "x""#, "write-only"),
        (#"userName[value eq "x"]"#, "not a complex attribute"),
        (#"emails[value.x eq "1"]"#, "name sub-attributes of emails alone"),
        (#"emails[nope eq "1"]"#, "'nope' is not a sub-attribute of 'emails'"),
        (#"emails[type[value eq "x"]]"#, "cannot be nested"),
        ("meta.created eq true", "dateTime attribute"),
        (#"meta.created co "2011""#, "'co' needs a string attribute"),
        (#"emails.primary sw "t""#, "'sw' needs a string attribute"),
        (#"urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x""#, "is not a schema of User resources"),
        (#"userName eq "x" and bogus pr"#, "'bogus' is not an attribute"),
        (#"not (emails[type eq "work"] or foo eq "x")"#, "'foo' is not an attribute"),
        (#"emails[urn:x:y:type eq "w"]"#, "name sub-attributes of emails alone"),
    ]

    @Test("rejects with invalidFilter and a detail naming the problem", arguments: rejected)
    func rejects(text: String, fragment: String) {
        let error = #expect(throws: SCIMError.self) { try ResourceType.user.resolveFilter(text) }
        #expect(error?.status == 400)
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail.contains(fragment) == true, "\(error?.detail ?? "")")
    }

    @Test("group filters resolve against the Group schema")
    func groups() throws {
        #expect(try ResourceType.group.resolveFilter(#"DisplayName eq "Eng""#).description == #"displayName eq "Eng""#)
        #expect(
            try ResourceType.group.resolveFilter(#"members[value eq "1"]"#).description == #"members[value eq "1"]"#)
        #expect(throws: SCIMError.self) { try ResourceType.group.resolveFilter(#"userName eq "x""#) }
    }

    @Test("a parse error surfaces as invalidFilter with the caret drawing")
    func parseErrorBecomesSCIMError() {
        let error = #expect(throws: SCIMError.self) { try ResourceType.user.resolveFilter("userName eq") }
        #expect(error?.scimType == .invalidFilter)
        #expect(error?.detail.contains("column 12") == true)
        #expect(error?.detail.contains("^") == true)
    }
}
