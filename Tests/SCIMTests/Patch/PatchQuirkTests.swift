import Foundation
import SCIM
import Testing

private let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

/// Client behaviour from `docs/idp-behaviour.md` §1–§2 and §5.5 that departs from, or
/// goes beyond, RFC 7644 §3.5.2. Each row is named after the quirk it pins.
@Suite("PATCH: identity-provider quirks (docs/idp-behaviour.md)")
struct PatchQuirkTests {
    static let users: [PatchCase] = [
        PatchCase(
            "Entra sends capitalised op names (Replace)", #"[{"op":"Replace","path":"nickName","value":"Babs"}]"#,
            .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "Entra sends capitalised op names (Add)", #"[{"op":"Add","path":"nickName","value":"Babs"}]"#,
            .after(#"{"nickName":"Babs"}"#)),
        PatchCase(
            "Entra sends capitalised op names (Remove)", #"[{"op":"Remove","path":"active"}]"#,
            .after(#"{"active":null}"#)),
        PatchCase(
            "op names in upper case", #"[{"op":"REPLACE","path":"active","value":false}]"#, .after(#"{"active":false}"#)
        ),
        PatchCase(
            "an unknown op is invalidSyntax", #"[{"op":"move","path":"active","value":false}]"#,
            .error(.invalidSyntax, "must be \"add\", \"remove\" or \"replace\"")),
        PatchCase(
            "Entra aadOptscim062020 path-less replace with dotted keys",
            #"[{"op":"replace","value":{"displayName":"A. Turing","name.givenName":"Alan M.","name.familyName":"Turing"}}]"#,
            .after(#"{"displayName":"A. Turing","name":{"givenName":"Alan M.","familyName":"Turing"}}"#)),
        PatchCase(
            "Entra aadOptscim062020 path-less replace with URN-qualified keys", before: PatchCase.enterpriseUser,
            #"[{"op":"replace","value":{"\#(enterprise):employeeNumber":"1912-A"}}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912-A","department":"Research"}}"#)),
        PatchCase(
            "Entra default disable sends active as the string False",
            #"[{"op":"Replace","path":"active","value":"False"}]"#, .after(#"{"active":false}"#)),
        PatchCase(
            "the string True for a boolean", #"[{"op":"replace","value":{"active":"True"}}]"#, .unchanged),
        PatchCase(
            "a string boolean inside a complex value",
            #"[{"op":"replace","path":"emails[type eq \"home\"].primary","value":"True"}]"#,
            .after(
                #"{"emails":[{"value":"bj@work.example","type":"work","primary":false},{"value":"bj@home.example","type":"home","primary":true}]}"#
            )),
        PatchCase(
            "Entra flagged disable sends a real boolean", #"[{"op":"replace","path":"active","value":false}]"#,
            .after(#"{"active":false}"#)),
        PatchCase(
            "Okta deactivate is a path-less replace of active",
            #"[{"op":"replace","value":{"active":false}}]"#, .after(#"{"active":false}"#)),
        PatchCase(
            "Okta reactivate is a path-less replace of active",
            before: PatchCase.user.replacingOccurrences(of: #""active":true"#, with: #""active":false"#),
            #"[{"op":"replace","value":{"active":true}}]"#, .after(#"{"active":true}"#)),
        PatchCase(
            "Okta password sync is a path-less replace of password",
            #"[{"op":"replace","value":{"password":"N3w-Passw0rd!"}}]"#, .after(#"{"password":"N3w-Passw0rd!"}"#)),
        PatchCase(
            "Entra tutorial adds the manager by a bare path and an array value", before: PatchCase.enterpriseUser,
            #"[{"op":"Add","path":"manager","value":[{"$ref":"https://host/scim/v2/Users/m1","value":"m1"}]}]"#,
            .after(
                #"{"\#(enterprise)":{"employeeNumber":"1912","department":"Research","manager":{"$ref":"https://host/scim/v2/Users/m1","value":"m1"}}}"#
            )),
        PatchCase(
            "Entra validator adds the manager by URN path and an object value", before: PatchCase.enterpriseUser,
            #"[{"op":"add","path":"\#(enterprise):manager","value":{"value":"m1"}}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912","department":"Research","manager":{"value":"m1"}}}"#)),
        PatchCase(
            "Entra Add on emails[type eq work].value without a work email creates it",
            before: PatchCase.user.replacingOccurrences(
                of: #"{"value":"bj@work.example","type":"work","primary":true},"#, with: ""),
            #"[{"op":"Add","path":"emails[type eq \"work\"].value","value":"a.turing@contoso.test"}]"#,
            .after(
                #"{"emails":[{"value":"bj@home.example","type":"home"},{"type":"work","value":"a.turing@contoso.test"}]}"#
            )),
        PatchCase(
            "Entra Replace on emails[type eq work].value",
            #"[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"a.turing@contoso.test"}]"#,
            .after(
                #"{"emails":[{"value":"a.turing@contoso.test","type":"work","primary":true},{"value":"bj@home.example","type":"home"}]}"#
            )),
        PatchCase(
            "Entra validator replaces addresses[type eq work].streetAddress on a user without addresses",
            #"[{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1 Main St"}]"#,
            .after(#"{"addresses":[{"type":"work","streetAddress":"1 Main St"}]}"#)),
        PatchCase(
            "Entra validator path-less replace of userName",
            #"[{"op":"replace","value":{"userName":"new.name@contoso.test"}}]"#,
            .after(#"{"userName":"new.name@contoso.test"}"#)),
        PatchCase(
            "Entra validator several operations on the same attribute",
            #"[{"op":"add","path":"nickName","value":"A"},{"op":"replace","path":"nickName","value":"B"},{"op":"remove","path":"nickName"}]"#,
            .unchanged),
        PatchCase(
            "Entra Operations before schemas in the body",
            #"[{"op":"Replace","path":"externalId","value":"alan.turing"}]"#, .after(#"{"externalId":"alan.turing"}"#)),
        PatchCase(
            "an employeeNumber sent as a number is invalidValue, not stored as its text (no IdP sends it so)",
            before: PatchCase.enterpriseUser,
            #"[{"op":"replace","path":"\#(enterprise):employeeNumber","value":1912}]"#,
            .error(.invalidValue, "employeeNumber' must be a string, not number 1912")),
        PatchCase(
            "scim2-models sends the extension's schemas inside the extension object", before: PatchCase.enterpriseUser,
            #"[{"op":"replace","path":"\#(enterprise)","value":{"schemas":["\#(enterprise)"],"department":"R&D"}}]"#,
            .after(#"{"\#(enterprise)":{"employeeNumber":"1912","department":"R&D"}}"#)),
        PatchCase(
            "a member-style remove with a value list on emails (JumpCloud shape)",
            #"[{"op":"remove","path":"emails","value":[{"value":"bj@work.example"}]}]"#,
            .after(#"{"emails":[{"value":"bj@home.example","type":"home"}]}"#)),
    ]

    @Test("user quirks", arguments: users)
    func userQuirk(_ row: PatchCase) throws {
        try row.run(.users)
    }

    static let groups: [PatchCase] = [
        PatchCase(
            "Okta group rename carries the group id, which is ignored", before: PatchCase.group,
            #"[{"op":"replace","value":{"id":"g1","displayName":"Engineering Team"}}]"#,
            .after(#"{"displayName":"Engineering Team"}"#)),
        PatchCase(
            "Okta sends the same rename with every membership push", before: PatchCase.group,
            #"[{"op":"replace","value":{"id":"g1","displayName":"Engineering"}}]"#, .unchanged),
        PatchCase(
            "Okta membership delta: remove by value filter and add in one request", before: PatchCase.group,
            #"[{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u2","display":"grace.hopper@example.test"}]}]"#,
            .unchanged, members: .change(added: ["u2"], removed: ["u1"])),
        PatchCase(
            "Okta adding a member already present is a plain add (the store ignores it)", before: PatchCase.group,
            #"[{"op":"add","path":"members","value":[{"value":"u1"}]},{"op":"add","path":"members","value":[{"value":"u1"}]}]"#,
            .unchanged, members: .change(added: ["u1"], removed: [])),
        PatchCase(
            "Okta Push Now replaces all members", before: PatchCase.group,
            #"[{"op":"replace","path":"members","value":[{"value":"u1","display":"a"},{"value":"u2","display":"b"}]}]"#,
            .unchanged, members: .replaceAll(["u1", "u2"])),
        PatchCase(
            "Entra adds several members with $ref null", before: PatchCase.group,
            #"[{"op":"Add","path":"members","value":[{"$ref":null,"value":"u1"},{"$ref":null,"value":"u2"}]}]"#,
            .unchanged, members: .change(added: ["u1", "u2"], removed: [])),
        PatchCase(
            "Entra default removes members with a value list", before: PatchCase.group,
            #"[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u1"}]}]"#,
            .unchanged, members: .change(added: [], removed: ["u1"])),
        PatchCase(
            "Entra flagged removes a member by value filter", before: PatchCase.group,
            #"[{"op":"remove","path":"members[value eq \"u1\"]"}]"#,
            .unchanged, members: .change(added: [], removed: ["u1"])),
        PatchCase(
            "Entra renames a group by path", before: PatchCase.group,
            #"[{"op":"Replace","path":"displayName","value":"Research & Dev"}]"#,
            .after(#"{"displayName":"Research & Dev"}"#)),
        PatchCase(
            "Entra validator path-less group replace of displayName", before: PatchCase.group,
            #"[{"op":"replace","value":{"displayName":"RESEARCH2"}}]"#, .after(#"{"displayName":"RESEARCH2"}"#)),
        PatchCase(
            "Entra validator path-less group replace of externalId", before: PatchCase.group,
            #"[{"op":"replace","value":{"externalId":"5e1d2c3b"}}]"#, .after(#"{"externalId":"5e1d2c3b"}"#)),
        PatchCase(
            "JumpCloud removes members Entra-style", before: PatchCase.group,
            #"[{"op":"remove","path":"members","value":[{"value":"u1"},{"value":"u2"}]}]"#,
            .unchanged, members: .change(added: [], removed: ["u1", "u2"])),
        PatchCase(
            "a lone member object is one member", before: PatchCase.group,
            #"[{"op":"add","path":"members","value":{"value":"u1"}}]"#, .unchanged,
            members: .change(added: ["u1"], removed: [])),
        PatchCase(
            "several member ids in one value filter", before: PatchCase.group,
            #"[{"op":"remove","path":"members[value eq \"u1\" or value eq \"u2\"]"}]"#, .unchanged,
            members: .change(added: [], removed: ["u1", "u2"])),
        PatchCase(
            "path-less add of members", before: PatchCase.group,
            #"[{"op":"add","value":{"members":[{"value":"u1"}]}}]"#, .unchanged,
            members: .change(added: ["u1"], removed: [])),
    ]

    @Test("group quirks", arguments: groups)
    func groupQuirk(_ row: PatchCase) throws {
        try row.run(.groups)
    }
}
