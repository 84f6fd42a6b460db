import SCIM
import Testing

private let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

/// RFC 7644 §3.5.2.3 "Replace Operation".
@Suite("PATCH replace (RFC 7644 §3.5.2.3)")
struct PatchReplaceTests {
    static let cases: [PatchCase] = [
        PatchCase(
            "path-less replace of several attributes",
            #"[{"op":"replace","value":{"nickName":"Babs","displayName":"Babs J"}}]"#,
            .after(#"{"nickName":"Babs","displayName":"Babs J"}"#)),
        PatchCase(
            "replace a single-valued attribute", #"[{"op":"replace","path":"userName","value":"barbara"}]"#,
            .after(#"{"userName":"barbara"}"#)),
        PatchCase(
            "replace every value of a multi-valued attribute",
            #"[{"op":"replace","path":"emails","value":[{"value":"b@new.example","type":"work"}]}]"#,
            .after(#"{"emails":[{"value":"b@new.example","type":"work"}]}"#)),
        PatchCase(
            "replace a sub-attribute of the values a filter selects",
            #"[{"op":"replace","path":"emails[type eq \"work\"].value","value":"b@new.example"}]"#,
            .after(
                #"{"emails":[{"value":"b@new.example","type":"work","primary":true},{"value":"bj@home.example","type":"home"}]}"#
            )),
        PatchCase(
            "replace the values a filter selects (sub-attributes not given are kept)",
            #"[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"b@new.example"}}]"#,
            .after(
                #"{"emails":[{"value":"b@new.example","type":"work","primary":true},{"value":"bj@home.example","type":"home"}]}"#
            )),
        PatchCase(
            "a filter that matches none of the existing values is noTarget",
            #"[{"op":"replace","path":"emails[type eq \"fax\"].value","value":"x"}]"#,
            .error(.noTarget, "matches no value of emails")),
        PatchCase(
            "replace through a filter on an absent attribute is an add",
            #"[{"op":"replace","path":"phoneNumbers[type eq \"work\"].value","value":"555-1234"}]"#,
            .after(#"{"phoneNumbers":[{"type":"work","value":"555-1234"}]}"#)),
        PatchCase(
            "replace of a complex attribute leaves unnamed sub-attributes unchanged",
            #"[{"op":"replace","path":"name","value":{"givenName":"Babs"}}]"#,
            .after(#"{"name":{"givenName":"Babs","familyName":"Jensen"}}"#)),
        PatchCase(
            "a null sub-attribute unassigns only itself",
            #"[{"op":"replace","path":"name","value":{"givenName":null,"middleName":"J"}}]"#,
            .after(#"{"name":{"familyName":"Jensen","middleName":"J"}}"#)),
        PatchCase(
            "a path-less complex value with an empty sub-attribute unassigns only it",
            #"[{"op":"replace","value":{"name":{"givenName":""}}}]"#, .after(#"{"name":{"familyName":"Jensen"}}"#)),
        PatchCase(
            "a null sub-attribute in a filtered value unassigns it there",
            #"[{"op":"replace","path":"emails[type eq \"work\"]","value":{"primary":null}}]"#,
            .after(#"{"emails":[{"value":"bj@work.example","type":"work"},{"value":"bj@home.example","type":"home"}]}"#)
        ),
        PatchCase(
            "replace a whole extension by its URN", before: PatchCase.enterpriseUser,
            #"[{"op":"replace","path":"\#(enterprise)","value":{"department":"R&D"}}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912","department":"R&D"}}"#)),
        PatchCase(
            "a syntax error inside a path's value filter is invalidFilter (RFC 7644 Table 9)",
            #"[{"op":"replace","path":"emails[type eq \"work\" and].value","value":"x"}]"#,
            .error(.invalidFilter, "expected")),
        PatchCase(
            "replace a sub-attribute", #"[{"op":"replace","path":"name.givenName","value":"Babs"}]"#,
            .after(#"{"name":{"givenName":"Babs","familyName":"Jensen"}}"#)),
        PatchCase(
            "replace a boolean", #"[{"op":"replace","path":"active","value":false}]"#, .after(#"{"active":false}"#)),
        PatchCase(
            "replace with null unassigns", #"[{"op":"replace","path":"active","value":null}]"#,
            .after(#"{"active":null}"#)),
        PatchCase(
            "a required attribute cannot be replaced with null", #"[{"op":"replace","path":"userName","value":null}]"#,
            .error(.mutability, "'userName' is required")),
        PatchCase(
            "replace of an absent attribute is an add", #"[{"op":"replace","path":"nickName","value":"Babs"}]"#,
            .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "id cannot be replaced", #"[{"op":"replace","path":"id","value":"u9"}]"#, .error(.mutability, "read-only")),
        PatchCase(
            "a path-less id equal to the stored one is ignored",
            #"[{"op":"replace","value":{"id":"u1","nickName":"Babs"}}]"#,
            .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "a path-less id that differs is refused", #"[{"op":"replace","value":{"id":"u9"}}]"#,
            .error(.mutability, "read-only")),
        PatchCase(
            "a path-less meta is ignored",
            #"[{"op":"replace","value":{"meta":{"created":"01-01-2025 00:00:00"},"nickName":"Babs"}}]"#,
            .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "a path-less schemas is ignored",
            #"[{"op":"replace","value":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"nickName":"Babs"}}]"#,
            .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "two primaries in a replacement is invalidValue",
            #"[{"op":"replace","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}]"#,
            .error(.invalidValue, "may be primary")),
        PatchCase(
            "read-only groups cannot be replaced", #"[{"op":"replace","path":"groups","value":[]}]"#,
            .error(.mutability, "read-only")),
        PatchCase(
            "meta cannot be replaced by path",
            #"[{"op":"replace","path":"meta.lastModified","value":"2020-01-01T00:00:00Z"}]"#,
            .error(.mutability, "read-only")),
        PatchCase(
            "an unknown sub-attribute after a filter is invalidPath",
            #"[{"op":"replace","path":"emails[type eq \"work\"].colour","value":"red"}]"#,
            .error(.invalidPath, "'colour' is not a sub-attribute of 'emails'")),
        PatchCase(
            "path-less replace of an extension object replaces the named attributes", before: PatchCase.enterpriseUser,
            #"[{"op":"replace","value":{"\#(enterprise)":{"department":"R&D"}}}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912","department":"R&D"}}"#)),
        PatchCase(
            "making another value primary clears the old primary",
            #"[{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}]"#,
            .after(
                #"{"emails":[{"value":"bj@work.example","type":"work","primary":false},{"value":"bj@home.example","type":"home","primary":true}]}"#
            )),
        PatchCase(
            "replace with an empty array unassigns", #"[{"op":"replace","path":"emails","value":[]}]"#,
            .after(#"{"emails":null}"#)),
        PatchCase(
            "a string for a complex attribute is invalidValue", #"[{"op":"replace","path":"name","value":"Barbara"}]"#,
            .error(.invalidValue, "'name' must be an object")),
        PatchCase(
            "replacing a value with itself changes nothing", #"[{"op":"replace","path":"userName","value":"bjensen"}]"#,
            .unchanged),
        PatchCase(
            "replacing a complex value with itself changes nothing",
            #"[{"op":"replace","path":"name","value":{"familyName":"Jensen","givenName":"Barbara"}}]"#, .unchanged),
        PatchCase(
            "a certificate value must be a string",
            #"[{"op":"replace","path":"x509Certificates","value":[{"value":5}]}]"#,
            .error(.invalidValue, "must be a string")),
        PatchCase(
            "operations apply in order",
            #"[{"op":"replace","path":"nickName","value":"A"},{"op":"replace","path":"nickName","value":"B"}]"#,
            .after(#"{"nickName":"B"}"#)),
    ]

    @Test("replace", arguments: cases)
    func replace(_ row: PatchCase) throws {
        try row.run(.users)
    }
}
