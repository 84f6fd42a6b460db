import Foundation
import SCIM
import Testing

/// One HTTP exchange as the replay runner sees it.
public struct ReplayResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Sends a request (method, path with query, headers, body) to the server under test.
public typealias ReplaySend = @Sendable (String, String, [(String, String)], [UInt8]?) async throws -> ReplayResponse

/// Replays an IdP fixture (`Tests/SCIMHTTPTests/Fixtures/idp/<idp>/NN-name.json`): each step's
/// request is sent as the IdP sends it, and the response is checked against the step's
/// expectations. Variables `{{name}}` in paths, headers, bodies and expectations are replaced by
/// values saved from earlier responses (`save`) or given up front (`token`).
public struct IdPReplay: Sendable {
    public var name: String
    public var steps: [JSONObject]

    public init(fixture: JSONValue) throws {
        let object = try #require(fixture.objectValue, "a fixture is a JSON object")
        name = object["name"]?.stringValue ?? "unnamed"
        steps = (object["steps"]?.arrayValue ?? []).compactMap(\.objectValue)
        try #require(!steps.isEmpty, "\(name) has no steps")
    }

    /// Runs every step; records an issue for each mismatch and stops at the first failed step.
    public func run(variables initial: [String: String], send: ReplaySend) async throws {
        var variables = initial
        for (index, step) in steps.enumerated() {
            let label = "\(name) — step \(index + 1): \(step["name"]?.stringValue ?? "")"
            let method = step["method"]?.stringValue ?? "GET"
            let path = substitute(step["path"]?.stringValue ?? "/", variables)
            var headers: [(String, String)] = []
            for member in step["headers"]?.objectValue ?? [:] {
                headers.append((member.key, substitute(member.value.stringValue ?? "", variables)))
            }
            var body: [UInt8]?
            if let value = step["body"], !value.isNull {
                body = substitute(value, variables).serializedBytes()
            }
            let response = try await send(method, path, headers, body)
            let expect = step["expect"]?.objectValue ?? [:]
            var failed = false
            let statuses: [Int] = {
                switch expect["status"] {
                case .number(let number)?: return [Int(number.int64Value ?? 0)]
                case .array(let values)?: return values.compactMap { $0.numberValue?.int64Value }.map(Int.init)
                default: return []
                }
            }()
            let bodyText = String(decoding: response.body, as: UTF8.self)
            if !statuses.isEmpty, !statuses.contains(response.status) {
                Issue.record("\(label): status \(response.status), expected \(statuses); body \(bodyText)")
                failed = true
            }
            for member in expect["headers"]?.objectValue ?? [:] {
                let expected = substitute(member.value.stringValue ?? "", variables)
                let actual = response.headers.first { $0.key.lowercased() == member.key.lowercased() }?.value
                if !(actual?.lowercased().hasPrefix(expected.lowercased()) ?? false) {
                    Issue.record(
                        "\(label): header \(member.key) is \(actual ?? "absent"), expected to start with \(expected)")
                    failed = true
                }
            }
            var actualBody: JSONValue?
            if !response.body.isEmpty { actualBody = try? JSONParser().parse(bytes: response.body) }
            if let expected = expect["body"] {
                if let actualBody {
                    for problem in Self.mismatches(substitute(expected, variables), actualBody, at: "body") {
                        Issue.record("\(label): \(problem); body \(bodyText)")
                        failed = true
                    }
                } else {
                    Issue.record("\(label): expected a JSON body, got \(bodyText.isEmpty ? "none" : bodyText)")
                    failed = true
                }
            }
            for member in step["save"]?.objectValue ?? [:] {
                guard let path = member.value.stringValue, let value = actualBody.flatMap({ Self.lookup($0, path) })
                else {
                    Issue.record("\(label): cannot save \(member.key) from \(member.value); body \(bodyText)")
                    failed = true
                    continue
                }
                switch value {
                case .string(let text): variables[member.key] = text
                case .number(let number): variables[member.key] = number.text
                default: variables[member.key] = value.serialized()
                }
            }
            if failed { return }
        }
    }

    func substitute(_ text: String, _ variables: [String: String]) -> String {
        var output = text
        for (name, value) in variables { output = output.replacingOccurrences(of: "{{\(name)}}", with: value) }
        return output
    }

    func substitute(_ value: JSONValue, _ variables: [String: String]) -> JSONValue {
        switch value {
        case .string(let text): return .string(substitute(text, variables))
        case .array(let elements): return .array(elements.map { substitute($0, variables) })
        case .object(let object):
            var output = JSONObject()
            for member in object { output[member.key] = substitute(member.value, variables) }
            return .object(output)
        default: return value
        }
    }

    static func lookup(_ value: JSONValue, _ path: String) -> JSONValue? {
        var current: JSONValue? = value
        for part in path.split(separator: ".") {
            if let index = Int(part), case .array(let elements)? = current {
                current = index < elements.count ? elements[index] : nil
            } else {
                current = current?.objectValue?[String(part)]
            }
        }
        return current
    }

    /// The partial-match rules of the fixtures' README: expected members must match, arrays
    /// element by element, `<any>`, `<absent>`, `<number>`, `<uuid>`.
    static func mismatches(_ expected: JSONValue, _ actual: JSONValue?, at path: String) -> [String] {
        switch expected {
        case .string("<any>"):
            return actual == nil || actual?.isNull == true ? ["\(path) is missing"] : []
        case .string("<number>"):
            if case .number? = actual { return [] }
            return ["\(path) is \(actual?.serialized() ?? "missing"), expected a number"]
        case .string("<uuid>"):
            if case .string(let text)? = actual, UUID(uuidString: text) != nil { return [] }
            return ["\(path) is \(actual?.serialized() ?? "missing"), expected a UUID"]
        case .object(let object):
            guard case .object(let actualObject)? = actual else {
                return ["\(path) is \(actual?.serialized() ?? "missing"), expected an object"]
            }
            var problems: [String] = []
            for member in object {
                if member.value == .string("<absent>") {
                    if actualObject[member.key] != nil { problems.append("\(path).\(member.key) should be absent") }
                    continue
                }
                problems += mismatches(member.value, actualObject[member.key], at: "\(path).\(member.key)")
            }
            return problems
        case .array(let elements):
            guard case .array(let actualElements)? = actual else {
                return ["\(path) is \(actual?.serialized() ?? "missing"), expected an array of \(elements.count)"]
            }
            guard actualElements.count == elements.count else {
                return ["\(path) has \(actualElements.count) elements, expected \(elements.count)"]
            }
            return zip(elements, actualElements).enumerated().flatMap { index, pair in
                mismatches(pair.0, pair.1, at: "\(path)[\(index)]")
            }
        default:
            return actual == expected
                ? [] : ["\(path) is \(actual?.serialized() ?? "missing"), expected \(expected.serialized())"]
        }
    }
}
