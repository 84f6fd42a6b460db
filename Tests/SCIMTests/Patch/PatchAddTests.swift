import SCIM
import Testing

private let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
private let bothSchemas = #"["urn:ietf:params:scim:schemas:core:2.0:User","\#(enterprise)"]"#

/// RFC 7644 §3.5.2.1 "Add Operation".
@Suite("PATCH add (RFC 7644 §3.5.2.1)")
struct PatchAddTests {
    static let cases: [PatchCase] = [
        PatchCase(
            "path-less add of a new attribute", #"[{"op":"add","value":{"nickName":"Babs"}}]"#,
            .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "add with a path", #"[{"op":"add","path":"nickName","value":"Babs"}]"#, .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "add to a single-valued attribute replaces it", #"[{"op":"add","path":"userName","value":"barbara"}]"#,
            .after(#"{"userName":"barbara"}"#)),
        PatchCase(
            "add to a multi-valued attribute appends",
            #"[{"op":"add","path":"emails","value":[{"value":"b@other.example","type":"other"}]}]"#,
            .after(
                #"{"emails":[{"value":"bj@work.example","type":"work","primary":true},{"value":"bj@home.example","type":"home"},{"value":"b@other.example","type":"other"}]}"#
            )),
        PatchCase(
            "adding a value already there changes nothing",
            #"[{"op":"add","path":"emails","value":[{"value":"bj@home.example","type":"home"}]}]"#, .unchanged),
        PatchCase(
            "a new primary value clears the old primary",
            #"[{"op":"add","path":"emails","value":[{"value":"b@new.example","type":"other","primary":true}]}]"#,
            .after(
                #"{"emails":[{"value":"bj@work.example","type":"work","primary":false},{"value":"bj@home.example","type":"home"},{"value":"b@new.example","type":"other","primary":true}]}"#
            )),
        PatchCase(
            "add to a complex attribute merges sub-attributes",
            #"[{"op":"add","path":"name","value":{"middleName":"Jane"}}]"#,
            .after(#"{"name":{"givenName":"Barbara","familyName":"Jensen","middleName":"Jane"}}"#)),
        PatchCase(
            "add a sub-attribute", #"[{"op":"add","path":"name.middleName","value":"Jane"}]"#,
            .after(#"{"name":{"givenName":"Barbara","familyName":"Jensen","middleName":"Jane"}}"#)),
        PatchCase(
            "path-less add merges a complex value", #"[{"op":"add","value":{"name":{"middleName":"Jane"}}}]"#,
            .after(#"{"name":{"givenName":"Barbara","familyName":"Jensen","middleName":"Jane"}}"#)),
        PatchCase(
            "add through a value filter sets the sub-attribute of matching values",
            #"[{"op":"add","path":"emails[type eq \"work\"].display","value":"Work"}]"#,
            .after(
                #"{"emails":[{"value":"bj@work.example","type":"work","primary":true,"display":"Work"},{"value":"bj@home.example","type":"home"}]}"#
            )),
        PatchCase(
            "add through a filter that matches nothing creates the value it describes",
            #"[{"op":"add","path":"emails[type eq \"other\"].value","value":"b@other.example"}]"#,
            .after(
                #"{"emails":[{"value":"bj@work.example","type":"work","primary":true},{"value":"bj@home.example","type":"home"},{"type":"other","value":"b@other.example"}]}"#
            )),
        PatchCase(
            "add a multi-valued attribute that had no value",
            #"[{"op":"add","path":"phoneNumbers","value":[{"value":"555-1234","type":"work"}]}]"#,
            .after(#"{"phoneNumbers":[{"value":"555-1234","type":"work"}]}"#)),
        PatchCase(
            "a lone object for a multi-valued attribute is one value",
            #"[{"op":"add","path":"phoneNumbers","value":{"value":"555-1234","type":"work"}}]"#,
            .after(#"{"phoneNumbers":[{"value":"555-1234","type":"work"}]}"#)),
        PatchCase(
            "add an extension attribute by URN path",
            #"[{"op":"add","path":"\#(enterprise):employeeNumber","value":"42"}]"#,
            .after(#"{"schemas":\#(bothSchemas),"\#(enterprise)":{"employeeNumber":"42"}}"#)),
        PatchCase(
            "path-less add of an extension object",
            #"[{"op":"add","value":{"\#(enterprise)":{"department":"Tour Operations"}}}]"#,
            .after(#"{"schemas":\#(bothSchemas),"\#(enterprise)":{"department":"Tour Operations"}}"#)),
        PatchCase(
            "a core attribute may carry the core URN",
            #"[{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:User:nickName","value":"Babs"}]"#,
            .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "add to the manager of an existing extension",
            before: PatchCase.enterpriseUser,
            #"[{"op":"add","path":"\#(enterprise):manager","value":{"value":"m1","displayName":"ignored: read-only"}}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912","department":"Research","manager":{"value":"m1"}}}"#)),
        PatchCase(
            "add a merged value to the element a filter selects",
            #"[{"op":"add","path":"emails[type eq \"home\"]","value":{"display":"Home"}}]"#,
            .after(
                #"{"emails":[{"value":"bj@work.example","type":"work","primary":true},{"value":"bj@home.example","type":"home","display":"Home"}]}"#
            )),
        PatchCase(
            "add a binary certificate", #"[{"op":"add","path":"x509Certificates","value":[{"value":"TUlJ"}]}]"#,
            .after(#"{"x509Certificates":[{"value":"TUlJ"}]}"#)),
        PatchCase("adding null changes nothing", #"[{"op":"add","path":"nickName","value":null}]"#, .unchanged),
        PatchCase(
            "add to read-only groups is refused", #"[{"op":"add","path":"groups","value":[{"value":"g1"}]}]"#,
            .error(.mutability, "'groups' is read-only")),
        PatchCase(
            "add to id is refused", #"[{"op":"add","path":"id","value":"u9"}]"#, .error(.mutability, "read-only")),
        PatchCase(
            "add to meta is refused", #"[{"op":"add","path":"meta.created","value":"2020-01-01T00:00:00Z"}]"#,
            .error(.mutability, "read-only")),
        PatchCase(
            "an unknown attribute is invalidPath", #"[{"op":"add","path":"favouriteColour","value":"blue"}]"#,
            .error(.invalidPath, "'favouriteColour' is not an attribute of User resources")),
        PatchCase(
            "an unknown sub-attribute is invalidPath", #"[{"op":"add","path":"name.nick","value":"x"}]"#,
            .error(.invalidPath, "'nick' is not a sub-attribute of 'name'")),
        PatchCase(
            "a value of the wrong type is invalidValue", #"[{"op":"add","path":"active","value":"yes"}]"#,
            .error(.invalidValue, "'active' must be true or false")),
        PatchCase(
            "an unknown sub-attribute inside a value is invalidValue",
            #"[{"op":"add","path":"emails","value":[{"value":"a@b.example","colour":"red"}]}]"#,
            .error(.invalidValue, "'colour' is not a sub-attribute of 'emails[0]'")),
        PatchCase(
            "two primaries in one value is invalidValue",
            #"[{"op":"add","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}]"#,
            .error(.invalidValue, "only one of the values of 'emails' may be primary")),
        PatchCase(
            "a failing attribute in a path-less add fails the whole request",
            #"[{"op":"add","value":{"nickName":"Babs","favouriteColour":"blue"}}]"#,
            .error(.invalidPath, "favouriteColour")),
        PatchCase(
            "a later failing operation fails the whole request",
            #"[{"op":"add","path":"nickName","value":"Babs"},{"op":"add","path":"id","value":"x"}]"#,
            .error(.mutability, "Operations[1]")),
        PatchCase(
            "a single value for a single-valued attribute must not be an array",
            #"[{"op":"add","path":"nickName","value":["a","b"]}]"#, .error(.invalidValue, "single-valued")),
        PatchCase(
            "a path that does not parse is invalidPath", #"[{"op":"add","path":"emails[type eq","value":"x"}]"#,
            .error(.invalidPath, "not closed")),
        PatchCase(
            "a path-less add needs an object", #"[{"op":"add","value":"Babs"}]"#,
            .error(.invalidValue, "must be an object of attributes")),
        PatchCase("add needs a value", #"[{"op":"add","path":"nickName"}]"#, .error(.invalidValue, "needs a 'value'")),
    ]

    @Test("add", arguments: cases)
    func add(_ row: PatchCase) throws {
        try row.run(.users)
    }
}
