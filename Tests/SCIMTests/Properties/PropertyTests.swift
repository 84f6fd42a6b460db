import SCIM
import TestSupport
import Testing

/// Random filter trees over the User schema.
struct FilterGenerator {
    var random: SeededGenerator

    static let paths: [AttributePath] = [
        AttributePath(name: "userName"), AttributePath(name: "name", subAttribute: "givenName"),
        AttributePath(name: "emails", subAttribute: "value"), AttributePath(name: "title"),
        AttributePath(schema: SCIMURN.enterpriseUser, name: "employeeNumber"),
        AttributePath(schema: SCIMURN.user, name: "nickName"),
        AttributePath(name: "meta", subAttribute: "lastModified"),
        AttributePath(name: "active"),
    ]
    static let strings = ["", "a", "Ab", "x y", "quote\"", "back\\slash", "é", "😀", "and", "(", "[x]", "\n"]

    mutating func value() -> ComparisonValue {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return .bool(Bool.random(using: &random))
        case 1: return .null
        case 2: return .number(JSONNumber(Int.random(in: -1000...1000, using: &random)))
        case 3: return .number(JSONNumber(text: "1.25e-3") ?? JSONNumber(0))
        default: return .string(Self.strings.randomElement(using: &random) ?? "")
        }
    }

    mutating func leaf(inValuePath: Bool) -> Filter {
        let path: AttributePath
        if inValuePath {
            path = AttributePath(
                name: ["type", "value", "primary", "display"].randomElement(using: &random) ?? "value")
        } else {
            path = Self.paths.randomElement(using: &random) ?? AttributePath(name: "userName")
        }
        if Int.random(in: 0..<5, using: &random) == 0 { return .present(path) }
        let comparison = ComparisonOperator.allCases.randomElement(using: &random) ?? .eq
        return .compare(path, comparison, value())
    }

    mutating func filter(depth: Int, inValuePath: Bool = false) -> Filter {
        guard depth > 0 else { return leaf(inValuePath: inValuePath) }
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            return .and(
                filter(depth: depth - 1, inValuePath: inValuePath), filter(depth: depth - 1, inValuePath: inValuePath))
        case 1:
            return .or(
                filter(depth: depth - 1, inValuePath: inValuePath), filter(depth: depth - 1, inValuePath: inValuePath))
        case 2: return .not(filter(depth: depth - 1, inValuePath: inValuePath))
        case 3 where !inValuePath:
            return .valuePath(AttributePath(name: "emails"), filter(depth: depth - 1, inValuePath: true))
        default: return leaf(inValuePath: inValuePath)
        }
    }
}

@Suite("Properties")
struct PropertyTests {
    @Test("random filter tree → print → parse gives the same tree", arguments: 0..<20)
    func printThenParse(seed: UInt64) throws {
        var generator = FilterGenerator(random: SeededGenerator(state: seed))
        for _ in 0..<100 {
            let filter = generator.filter(depth: 5)
            let text = filter.description
            let parsed = try FilterParser(
                limits: FilterLimits(maximumLength: 100_000, maximumDepth: 64, maximumComparisons: 10_000)
            )
            .parse(text)
            #expect(parsed == filter, "\(text)")
        }
    }

    /// Replacing any attribute of a realistic user with its own value reports no change.
    @Test("PATCH replacing a value with itself reports no change")
    func replaceWithItself() throws {
        var user = try Fixtures.object("rfc7643-8.3-enterprise-user.json")
        user["password"] = nil
        user["groups"] = nil
        var operations = 0
        for member in user where !["schemas", "id", "meta"].contains(member.key) {
            let path: String
            let value: JSONValue
            if member.key == SCIMURN.enterpriseUser, case .object(let inner) = member.value {
                for innerMember in inner where innerMember.key != "manager" {
                    let result = try Patcher.users.apply(
                        [
                            PatchOperation(
                                op: .replace,
                                path: try FilterParser().parsePatchPath("\(member.key):\(innerMember.key)"),
                                value: innerMember.value)
                        ],
                        to: user)
                    #expect(!result.changed, "\(innerMember.key)")
                    operations += 1
                }
                continue
            }
            path = member.key
            value = member.value
            let byPath = try Patcher.users.apply(
                [PatchOperation(op: .replace, path: try FilterParser().parsePatchPath(path), value: value)], to: user)
            #expect(!byPath.changed, "\(path)")
            #expect(byPath.resource == user)
            let pathless = try Patcher.users.apply(
                [PatchOperation(op: .replace, value: .object([member.key: value]))], to: user)
            #expect(!pathless.changed, "path-less \(path)")
            let added = try Patcher.users.apply(
                [PatchOperation(op: .add, value: .object([member.key: value]))], to: user)
            #expect(!added.changed, "add \(path)")
            operations += 3
        }
        #expect(operations > 40)
    }

    @Test("a failed PATCH leaves the resource as it was (all or nothing)")
    func atomicity() throws {
        let user = try object(PatchCase.user)
        let operations = [
            PatchOperation(op: .replace, value: ["nickName": "x"]),
            PatchOperation(
                op: .replace, path: try FilterParser().parsePatchPath("emails[type eq \"fax\"].value"), value: "y"),
        ]
        #expect(throws: SCIMError.self) { try Patcher.users.apply(operations, to: user) }
        #expect(try object(PatchCase.user) == user)
    }
}
