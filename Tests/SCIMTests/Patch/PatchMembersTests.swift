import SCIM
import Testing

/// RFC 7644 §3.5.2.1–3 applied to group `members`, returned as a delta so a store applies it in
/// time proportional to the change (docs/architecture.md, "Data model").
@Suite("PATCH members as a delta (RFC 7644 §3.5.2)")
struct PatchMembersTests {
    static let cases: [PatchCase] = [
        PatchCase(
            "RFC 7644 §3.5.2.1 add a member", before: PatchCase.group,
            #"[{"op":"add","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223","value":"2819c223"}]}]"#,
            .unchanged, members: .change(added: ["2819c223"], removed: [])),
        PatchCase(
            "RFC 7644 §3.5.2.2 remove a member by filter", before: PatchCase.group,
            #"[{"op":"remove","path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"}]"#,
            .unchanged, members: .change(added: [], removed: ["2819c223-7f76-453a-919d-413861904646"])),
        PatchCase(
            "RFC 7644 §3.5.2.2 remove all members", before: PatchCase.group, #"[{"op":"remove","path":"members"}]"#,
            .unchanged, members: .replaceAll([])),
        PatchCase(
            "RFC 7644 §3.5.2.2 remove all then add two is a replacement", before: PatchCase.group,
            #"[{"op":"remove","path":"members"},{"op":"add","path":"members","value":[{"value":"a"},{"value":"b"}]}]"#,
            .unchanged, members: .replaceAll(["a", "b"])),
        PatchCase(
            "RFC 7644 §3.5.2.3 replace members", before: PatchCase.group,
            #"[{"op":"replace","path":"members","value":[{"value":"a"},{"value":"a"},{"value":"b"}]}]"#,
            .unchanged, members: .replaceAll(["a", "b"])),
        PatchCase(
            "add then remove the same id is a removal", before: PatchCase.group,
            #"[{"op":"add","path":"members","value":[{"value":"a"}]},{"op":"remove","path":"members[value eq \"a\"]"}]"#,
            .unchanged, members: .change(added: [], removed: ["a"])),
        PatchCase(
            "remove then add the same id is an addition", before: PatchCase.group,
            #"[{"op":"remove","path":"members[value eq \"a\"]"},{"op":"add","path":"members","value":[{"value":"a"}]}]"#,
            .unchanged, members: .change(added: ["a"], removed: [])),
        PatchCase(
            "replace then add and remove edits the replacement", before: PatchCase.group,
            #"[{"op":"replace","path":"members","value":[{"value":"a"},{"value":"b"}]},{"op":"add","path":"members","value":[{"value":"c"}]},{"op":"remove","path":"members[value eq \"a\"]"}]"#,
            .unchanged, members: .replaceAll(["b", "c"])),
        PatchCase(
            "a rename and a member change in one request", before: PatchCase.group,
            #"[{"op":"replace","path":"displayName","value":"Eng"},{"op":"add","path":"members","value":[{"value":"a"}]}]"#,
            .after(#"{"displayName":"Eng"}"#), members: .change(added: ["a"], removed: [])),
        PatchCase(
            "members are selected by value only", before: PatchCase.group,
            #"[{"op":"remove","path":"members[display eq \"Babs\"]"}]"#,
            .error(.invalidFilter, "selected by value only")),
        PatchCase(
            "member sub-attributes cannot be patched", before: PatchCase.group,
            #"[{"op":"replace","path":"members[value eq \"a\"].display","value":"x"}]"#,
            .error(.invalidPath, "added or removed whole")),
        PatchCase(
            "a value filter on members is only for remove", before: PatchCase.group,
            #"[{"op":"add","path":"members[value eq \"a\"]","value":{"value":"a"}}]"#,
            .error(.invalidPath, "only for 'remove'")),
        PatchCase(
            "a member needs a value", before: PatchCase.group,
            #"[{"op":"add","path":"members","value":[{"display":"Babs"}]}]"#, .error(.invalidValue, "needs a 'value'")),
        PatchCase(
            "an unknown member sub-attribute is invalidValue", before: PatchCase.group,
            #"[{"op":"add","path":"members","value":[{"value":"a","role":"owner"}]}]"#, .error(.invalidValue, "'role'")),
        PatchCase(
            "a member must be an object", before: PatchCase.group, #"[{"op":"add","path":"members","value":[42]}]"#,
            .error(.invalidValue, "must be an object")),
        PatchCase(
            "displayName is required", before: PatchCase.group, #"[{"op":"remove","path":"displayName"}]"#,
            .error(.mutability, "required")),
        PatchCase(
            "a group has no userName", before: PatchCase.group, #"[{"op":"add","path":"userName","value":"x"}]"#,
            .error(.invalidPath, "not an attribute of Group resources")),
    ]

    @Test("members", arguments: cases)
    func members(_ row: PatchCase) throws {
        try row.run(.groups)
    }

    @Test("a PATCH carrying a hundred thousand member ids is applied (bookkeeping is linear)")
    func manyMembers() throws {
        let ids = (0..<100_000).map { "id-\($0)" }
        let add = PatchOperation(
            op: .add, path: try FilterParser().parsePatchPath("members"),
            value: .array(ids.map { .object(["value": .string($0)]) }))
        let removeFirst = PatchOperation(
            op: .remove, path: try FilterParser().parsePatchPath(#"members[value eq "id-0"]"#))
        let result = try Patcher.groups.apply([add, add, removeFirst], to: try object(PatchCase.group))
        #expect(result.members == .change(added: Array(ids.dropFirst()), removed: ["id-0"]))
        let replace = PatchOperation(
            op: .replace, path: try FilterParser().parsePatchPath("members"), value: .array(ids.map { .string($0) }))
        #expect(
            try Patcher.groups.apply([replace, removeFirst], to: try object(PatchCase.group)).members
                == .replaceAll(Array(ids.dropFirst())))
    }

    @Test("a user PATCH never yields a members delta")
    func usersHaveNoDelta() throws {
        let result = try Patcher.users.apply(
            [PatchOperation(op: .replace, value: ["nickName": "x"])], to: try object(PatchCase.user))
        #expect(result.members == nil)
    }
}
