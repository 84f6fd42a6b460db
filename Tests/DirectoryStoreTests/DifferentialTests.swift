import Directory
import DirectorySQL
import Foundation
import SCIM
import TestSupport
import Testing

/// The SQL compiler against the SCIM evaluator: for random filters over a seeded directory, the
/// store must select exactly the users the evaluator selects on their rendered resources.
@Suite("Differential: SQL compiler vs SCIM evaluator")
struct DifferentialTests {
    static let filterCount = 500
    static let enterprise = SCIMURN.enterpriseUser

    struct Seeded {
        var users: [User] = []
        var groups: [Group] = []
        var strings: [String] = []
        var instants: [String] = []
    }

    static let words = [
        "ada", "Ada", "ADA", "grace", "Grace Hopper", "émile", "Émile", "zoë", "100%", "under_score", "back\\slash",
        "o'malley", "x", "", "work", "home", "WORK", "other", "Eng", "eng", "Sales", "1912", "1912-A", "@example.test",
        ".test", "@Example.Test", "alpha", "Bravo",
    ]

    static func seed(_ store: SQLDirectoryStore, _ fixtures: DirectoryFixtures) async throws -> Seeded {
        var random = SeededGenerator(state: 20_261_129)
        var seeded = Seeded()
        let okta = try await store.createConnection(fixtures.connection("Okta"))
        for name in ["Engineering", "sales", "Émigrés", "Ops_100%"] {
            seeded.groups.append(try await store.createGroup(fixtures.group(name)))
        }
        func maybe(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }
        func word() -> String { words.randomElement(using: &random) ?? "x" }
        for index in 0..<80 {
            fixtures.clock.advance(seconds: Int64.random(in: 1...5000, using: &random))
            var extra: JSONObject = [:]
            let local = "\(word().replacingOccurrences(of: " ", with: "."))\(index)"
            let userName = maybe(0.5) ? "\(local)@example.test" : "\(local.uppercased())@Example.Test"
            extra["userName"] = .string(userName)
            if maybe(0.7) { extra["displayName"] = .string("\(word()) \(word())") }
            if maybe(0.6) { extra["externalId"] = .string("00u\(word())\(index % 7)") }
            if maybe(0.5) { extra["title"] = .string(word()) }
            if maybe(0.3) { extra["nickName"] = .string(word()) }
            switch Int.random(in: 0..<3, using: &random) {
            case 0: extra["active"] = true
            case 1: extra["active"] = false
            default: extra["active"] = nil
            }
            var name = JSONObject()
            if maybe(0.8) { name["givenName"] = .string(word()) }
            if maybe(0.8) { name["familyName"] = .string(word()) }
            extra["name"] = name.isEmpty ? nil : .object(name)
            var emails: [JSONValue] = []
            var primaryGiven = false
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                var email: JSONObject = [
                    "value": .string("\(word())\(index)@\(maybe(0.5) ? "example.test" : "Example.Test")")
                ]
                if maybe(0.8) {
                    email["type"] = .string(["work", "home", "other", "Work"].randomElement(using: &random) ?? "work")
                }
                if maybe(0.3) { email["display"] = .string(word()) }
                if !primaryGiven, maybe(0.4) {
                    email["primary"] = true
                    primaryGiven = true
                } else if maybe(0.2) {
                    email["primary"] = false
                }
                emails.append(.object(email))
            }
            extra["emails"] = emails.isEmpty ? nil : .array(emails)
            var phones: [JSONValue] = []
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                var phone: JSONObject = ["value": .string("+1-555-\(Int.random(in: 1000...1010, using: &random))")]
                if maybe(0.7) { phone["type"] = .string(["work", "mobile"].randomElement(using: &random) ?? "work") }
                if maybe(0.3) { phone["primary"] = .bool(maybe(0.5)) }
                phones.append(.object(phone))
            }
            extra["phoneNumbers"] = phones.isEmpty ? nil : .array(phones)
            var enterpriseAttributes = JSONObject()
            if maybe(0.4) { enterpriseAttributes["employeeNumber"] = .string(word()) }
            if maybe(0.4) { enterpriseAttributes["department"] = .string(word()) }
            if maybe(0.2) { enterpriseAttributes["manager"] = ["value": .string("m\(index % 3)")] }
            var schemas: [JSONValue] = [.string(SCIMURN.user)]
            if !enterpriseAttributes.isEmpty {
                extra[enterprise] = .object(enterpriseAttributes)
                schemas.append(.string(enterprise))
            }
            extra["schemas"] = .array(schemas)
            var user = fixtures.user(userName, origin: maybe(0.5) ? .idp(connectionID: okta.id) : .local, extra: extra)
            user.updatedAt = user.createdAt.adding(seconds: Int64.random(in: 0...100, using: &random))
            seeded.users.append(try await store.createUser(user))
            seeded.instants.append(user.createdAt.description)
            seeded.instants.append(user.updatedAt.description)
            for group in seeded.groups where maybe(0.3) {
                _ = try await store.addMembers(
                    groupID: group.id, userIDs: [user.id], source: maybe(0.5) ? .manual : .connection(okta.id),
                    at: fixtures.clock.now())
            }
        }
        seeded.strings =
            words + seeded.users.prefix(10).map(\.userName) + seeded.users.prefix(5).map(\.id)
            + seeded.groups.map(\.id) + seeded.groups.map(\.displayName)
        return seeded
    }

    /// Random filters over every attribute the compiler maps.
    struct Generator {
        var random: SeededGenerator
        let seeded: Seeded

        static let stringPaths = [
            "userName", "displayName", "externalId", "id", "name.givenName", "name.familyName", "title", "nickName",
            "emails.value", "emails.type", "emails.display", "emails", "phoneNumbers.value", "phoneNumbers.type",
            "\(enterprise):employeeNumber", "\(enterprise):department", "\(enterprise):manager.value", "schemas",
            "groups.value", "groups.display", "meta.resourceType", "groups.type",
        ]
        static let booleanPaths = ["active", "emails.primary", "phoneNumbers.primary"]
        static let datePaths = ["meta.created", "meta.lastModified"]

        mutating func literal() -> String {
            let text = seeded.strings.randomElement(using: &random) ?? "x"
            var mutated = text
            switch Int.random(in: 0..<5, using: &random) {
            case 0: mutated = text.uppercased()
            case 1: mutated = String(text.prefix(Int.random(in: 0...max(0, text.count), using: &random)))
            case 2: mutated = String(text.suffix(Int.random(in: 0...max(0, text.count), using: &random)))
            default: break
            }
            return ComparisonValue.string(mutated).description
        }

        mutating func instant() -> String {
            let base = seeded.instants.randomElement(using: &random) ?? "2023-01-01T00:00:00Z"
            guard var instant = SCIMDateTime(base) else { return "\"\(base)\"" }
            switch Int.random(in: 0..<4, using: &random) {
            case 0: instant.seconds += Int64.random(in: -3...3, using: &random)
            case 1: instant.nanoseconds = Int32.random(in: 0..<1_000_000_000, using: &random)
            default: break
            }
            return "\"\(instant)\""
        }

        mutating func comparison(prefix: String = "") -> String {
            switch Int.random(in: 0..<10, using: &random) {
            case 0...5:
                let path = prefix.isEmpty ? (Self.stringPaths.randomElement(using: &random) ?? "userName") : prefix
                if Int.random(in: 0..<8, using: &random) == 0 { return "\(path) pr" }
                if Int.random(in: 0..<12, using: &random) == 0 { return "\(path) eq null" }
                let operation =
                    ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"].randomElement(using: &random) ?? "eq"
                return "\(path) \(operation) \(literal())"
            case 6, 7:
                let path = Self.booleanPaths.randomElement(using: &random) ?? "active"
                if Int.random(in: 0..<5, using: &random) == 0 { return "\(path) pr" }
                return "\(path) \(Bool.random(using: &random) ? "eq" : "ne") \(Bool.random(using: &random))"
            default:
                let path = Self.datePaths.randomElement(using: &random) ?? "meta.created"
                let operation = ["eq", "ne", "gt", "ge", "lt", "le"].randomElement(using: &random) ?? "gt"
                return "\(path) \(operation) \(instant())"
            }
        }

        mutating func valuePath() -> String {
            let (attribute, subs): (String, [String]) =
                Bool.random(using: &random)
                ? ("emails", ["value", "type", "display"]) : ("phoneNumbers", ["value", "type"])
            func inner(_ generator: inout Generator) -> String {
                let sub = subs.randomElement(using: &generator.random) ?? "value"
                switch Int.random(in: 0..<5, using: &generator.random) {
                case 0: return "primary eq \(Bool.random(using: &generator.random))"
                case 1: return "\(sub) pr"
                default:
                    let operation = ["eq", "ne", "co", "sw"].randomElement(using: &generator.random) ?? "eq"
                    return "\(sub) \(operation) \(generator.literal())"
                }
            }
            var text = inner(&self)
            if Bool.random(using: &random) { text += " \(Bool.random(using: &random) ? "and" : "or") \(inner(&self))" }
            if Int.random(in: 0..<4, using: &random) == 0 { text = "not (\(text))" }
            if Int.random(in: 0..<4, using: &random) == 0 {
                return "\(attribute)[\(text)].\(subs[0]) co \(literal())"
            }
            return "\(attribute)[\(text)]"
        }

        mutating func filter(depth: Int) -> String {
            if depth == 0 || Int.random(in: 0..<3, using: &random) == 0 {
                return Int.random(in: 0..<5, using: &random) == 0 ? valuePath() : comparison()
            }
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return "(\(filter(depth: depth - 1)) and \(filter(depth: depth - 1)))"
            case 1: return "(\(filter(depth: depth - 1)) or \(filter(depth: depth - 1)))"
            default: return "not (\(filter(depth: depth - 1)))"
            }
        }
    }

    func run(_ make: (FixedClock) async throws -> StoreUnderTest) async throws {
        try await withStore(make) { store, fixtures in
            let seeded = try await Self.seed(store, fixtures)
            var rendered: [(String, JSONObject)] = []
            for user in seeded.users {
                let groups = try await store.groupMappings(userID: user.id)
                rendered.append((user.id, user.scimResource(groups: groups, baseURL: "https://h/scim/v2")))
            }
            var generator = Generator(random: SeededGenerator(state: 7), seeded: seeded)
            var nonEmpty = 0
            for _ in 0..<Self.filterCount {
                let text = generator.filter(depth: 3)
                let filter = try ResourceType.user.resolveFilter(text)
                let expected = Set(rendered.filter { FilterEvaluator.matches(filter, $0.1) }.map(\.0))
                let page = try await store.users(ResourceQuery(filter: filter, count: 1000))
                #expect(Set(page.items.map(\.id)) == expected, "\(text)")
                #expect(page.totalResults == expected.count, "\(text)")
                if !expected.isEmpty && expected.count < seeded.users.count { nonEmpty += 1 }
            }
            // The filters must discriminate, or the comparison proves nothing.
            #expect(nonEmpty > Self.filterCount / 4)
        }
    }

    @Test("SQLite selects what the evaluator selects")
    func sqlite() async throws { try await run(SQLiteHarness.make) }

    @Test("PostgreSQL selects what the evaluator selects", .enabled(if: PostgresHarness.available))
    func postgres() async throws { try await run(PostgresHarness.make) }
}
