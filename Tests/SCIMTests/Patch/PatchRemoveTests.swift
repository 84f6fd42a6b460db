import Foundation
import SCIM
import Testing

private let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

/// RFC 7644 §3.5.2.2 "Remove Operation".
@Suite("PATCH remove (RFC 7644 §3.5.2.2)")
struct PatchRemoveTests {
    static let withNickName = PatchCase.user.replacingOccurrences(
        of: #""active":true"#, with: #""active":true,"nickName":"Babs""#)

    static let cases: [PatchCase] = [
        PatchCase(
            "remove a single-valued attribute", before: withNickName, #"[{"op":"remove","path":"nickName"}]"#,
            .after(#"{"nickName":null}"#)),
        PatchCase("removing an absent attribute changes nothing", #"[{"op":"remove","path":"nickName"}]"#, .unchanged),
        PatchCase(
            "remove every value of a multi-valued attribute", #"[{"op":"remove","path":"emails"}]"#,
            .after(#"{"emails":null}"#)),
        PatchCase(
            "remove the values a filter selects", #"[{"op":"remove","path":"emails[type eq \"work\"]"}]"#,
            .after(#"{"emails":[{"value":"bj@home.example","type":"home"}]}"#)),
        PatchCase(
            "remove a sub-attribute of the values a filter selects",
            #"[{"op":"remove","path":"emails[type eq \"work\"].primary"}]"#,
            .after(#"{"emails":[{"value":"bj@work.example","type":"work"},{"value":"bj@home.example","type":"home"}]}"#)
        ),
        PatchCase(
            "remove a sub-attribute of a complex attribute", #"[{"op":"remove","path":"name.givenName"}]"#,
            .after(#"{"name":{"familyName":"Jensen"}}"#)),
        PatchCase("remove a complex attribute", #"[{"op":"remove","path":"name"}]"#, .after(#"{"name":null}"#)),
        PatchCase(
            "a required attribute cannot be removed", #"[{"op":"remove","path":"userName"}]"#,
            .error(.mutability, "'userName' is required")),
        PatchCase("remove needs a path", #"[{"op":"remove"}]"#, .error(.noTarget, "needs a 'path'")),
        PatchCase(
            "a filter that selects nothing is noTarget (RFC 7644 Table 9)",
            #"[{"op":"remove","path":"emails[type eq \"fax\"]"}]"#, .error(.noTarget, "matches no value of emails")),
        PatchCase(
            "a sub-attribute filter that selects nothing is noTarget",
            #"[{"op":"remove","path":"emails[type eq \"fax\"].display"}]"#, .error(.noTarget, "matches no value")),
        PatchCase(
            "remove a whole extension by its URN", before: PatchCase.enterpriseUser,
            #"[{"op":"remove","path":"\#(enterprise)"}]"#,
            .after(#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"\#(enterprise)":null}"#)),
        PatchCase(
            "read-only groups cannot be removed", #"[{"op":"remove","path":"groups"}]"#,
            .error(.mutability, "read-only")),
        PatchCase("id cannot be removed", #"[{"op":"remove","path":"id"}]"#, .error(.mutability, "read-only")),
        PatchCase(
            "removing the last extension attribute drops the extension and its schema URN",
            before: PatchCase.enterpriseUser,
            #"[{"op":"remove","path":"\#(enterprise):employeeNumber"},{"op":"remove","path":"\#(enterprise):department"}]"#,
            .after(#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"\#(enterprise)":null}"#)),
        PatchCase(
            "remove one extension attribute", before: PatchCase.enterpriseUser,
            #"[{"op":"remove","path":"\#(enterprise):department"}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912"}}"#)),
        PatchCase(
            "a complex filter selecting every value leaves the attribute unassigned",
            #"[{"op":"remove","path":"emails[value ew \".example\"]"}]"#, .after(#"{"emails":null}"#)),
        PatchCase(
            "a value filter on a single-valued attribute is invalidPath",
            #"[{"op":"remove","path":"name[givenName eq \"Barbara\"]"}]"#, .error(.invalidPath, "multi-valued")),
        PatchCase(
            "a filter naming an unknown sub-attribute is invalidFilter",
            #"[{"op":"remove","path":"emails[colour eq \"red\"]"}]"#, .error(.invalidFilter, "'colour'")),
        PatchCase(
            "remove with a value list removes those values",
            #"[{"op":"remove","path":"emails","value":[{"value":"BJ@HOME.EXAMPLE"}]}]"#,
            .after(#"{"emails":[{"value":"bj@work.example","type":"work","primary":true}]}"#)),
        PatchCase(
            "remove a sub-attribute from every value", #"[{"op":"remove","path":"emails.type"}]"#,
            .after(#"{"emails":[{"value":"bj@work.example","primary":true},{"value":"bj@home.example"}]}"#)),
        PatchCase("remove a boolean", #"[{"op":"remove","path":"active"}]"#, .after(#"{"active":null}"#)),
        PatchCase(
            "remove a sub-attribute of an extension's complex attribute",
            before: PatchCase.enterpriseUser.replacingOccurrences(
                of: #""department":"Research""#, with: #""department":"Research","manager":{"value":"m1"}"#),
            #"[{"op":"remove","path":"\#(enterprise):manager.value"}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912","department":"Research"}}"#)),
        PatchCase(
            "a bare remove of the manager (Entra validator)",
            before: PatchCase.enterpriseUser.replacingOccurrences(
                of: #""department":"Research""#, with: #""department":"Research","manager":{"value":"m1"}"#),
            #"[{"op":"remove","path":"\#(enterprise):manager"}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912","department":"Research"}}"#)),
        PatchCase("remove the write-only password", #"[{"op":"remove","path":"password"}]"#, .unchanged),
        PatchCase(
            "removing every sub-attribute of a value removes the value",
            before: PatchCase.user.replacingOccurrences(
                of: #""active":true"#, with: #""active":true,"ims":[{"value":"bj"}]"#),
            #"[{"op":"remove","path":"ims[value eq \"bj\"].value"}]"#, .after(#"{"ims":null}"#)),
    ]

    @Test("remove", arguments: cases)
    func remove(_ row: PatchCase) throws {
        try row.run(.users)
    }
}
