import Foundation
import SCIM

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

/// Sends a request — method, path under `/scim/v2` with its query, headers, body — to the server
/// under test: in-process in the tests, over async-http-client for `account-console replay`.
public typealias ReplaySend = @Sendable (String, String, [(String, String)], [UInt8]?) async throws -> ReplayResponse

/// The clients whose documented traffic can be replayed, each a list of flows (the sequences of
/// docs/idp-behaviour.md §1–§2.3) embedded in the binary: one definition for the tests and for
/// operators.
public enum ReplayClient: String, Sendable, CaseIterable {
    case okta, entra, onelogin

    /// The client's flows, in order.
    public func flows() throws -> [ReplayFlow] {
        let bytes: [UInt8]
        switch self {
        case .okta: bytes = PackageResources.okta_json
        case .entra: bytes = PackageResources.entra_json
        case .onelogin: bytes = PackageResources.onelogin_json
        }
        let document = try JSONParser().parse(bytes: bytes)
        return try (document.objectValue?["flows"]?.arrayValue ?? []).map { try ReplayFlow(json: $0, client: self) }
    }
}

/// One checked step of a flow.
public struct ReplayStepResult: Sendable, Hashable {
    public var flow: String
    public var step: Int
    public var name: String
    /// Empty when the step passed.
    public var problems: [String]
    public var passed: Bool { problems.isEmpty }
}

/// A sequence of requests as an IdP sends them, with what must come back. `{{name}}` in paths,
/// headers, bodies and expectations is replaced by values saved from earlier responses (`save`)
/// or given up front (`token`).
public struct ReplayFlow: Sendable {
    public var client: ReplayClient
    /// `02-push-new-user`.
    public var id: String
    public var name: String
    public var source: String
    /// Whether the flow counts what the directory holds (it is skipped on a directory that is not empty).
    public var needsEmptyDirectory: Bool
    public var steps: [JSONObject]

    /// A malformed flow definition.
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    init(json: JSONValue, client: ReplayClient) throws {
        guard let object = json.objectValue, let id = object["id"]?.stringValue else {
            throw Malformed(description: "a flow is an object with an id")
        }
        self.client = client
        self.id = id
        name = object["name"]?.stringValue ?? id
        source = object["source"]?.stringValue ?? ""
        needsEmptyDirectory = object["needsEmptyDirectory"]?.boolValue ?? false
        steps = (object["steps"]?.arrayValue ?? []).compactMap(\.objectValue)
        guard !steps.isEmpty else { throw Malformed(description: "\(id) has no steps") }
    }

    /// Runs the steps in order and returns one result for each step run; a failed step ends the
    /// flow (later steps depend on it). Then deletes what the flow created and did not delete
    /// itself, so a run leaves the directory as it found it.
    public func run(variables initial: [String: String], send: ReplaySend) async -> [ReplayStepResult] {
        var variables = initial
        var results: [ReplayStepResult] = []
        var created: [String] = []
        for (index, step) in steps.enumerated() {
            let name = step["name"]?.stringValue ?? "step \(index + 1)"
            let method = step["method"]?.stringValue ?? "GET"
            let path = Self.substitute(step["path"]?.stringValue ?? "/", variables)
            var headers: [(String, String)] = []
            for member in step["headers"]?.objectValue ?? [:] {
                headers.append((member.key, Self.substitute(member.value.stringValue ?? "", variables)))
            }
            var body: [UInt8]?
            if let value = step["body"], !value.isNull {
                body = Self.substitute(value, variables).serializedBytes()
            }
            let response: ReplayResponse
            do {
                response = try await send(method, path, headers, body)
            } catch {
                results.append(
                    ReplayStepResult(flow: id, step: index + 1, name: name, problems: ["no answer: \(error)"]))
                break
            }
            var problems = Self.check(response, against: step["expect"]?.objectValue ?? [:], variables: variables)
            let actualBody = response.body.isEmpty ? nil : try? JSONParser().parse(bytes: response.body)
            for member in step["save"]?.objectValue ?? [:] {
                guard let field = member.value.stringValue, let value = actualBody.flatMap({ Self.lookup($0, field) })
                else {
                    problems.append("cannot save \(member.key) from \(member.value)")
                    continue
                }
                switch value {
                case .string(let text): variables[member.key] = text
                case .number(let number): variables[member.key] = number.text
                default: variables[member.key] = value.serialized()
                }
            }
            if method == "POST", response.status == 201, let id = actualBody?.objectValue?["id"]?.stringValue,
                let type = Self.resourceType(path)
            {
                created.append("/scim/v2/\(type)/\(id)")
            }
            if method == "DELETE", (200..<300).contains(response.status) {
                created.removeAll { path.hasPrefix($0) }
            }
            if !problems.isEmpty {
                let text = String(decoding: response.body.prefix(2000), as: UTF8.self)
                problems.append("the answer was \(response.status) \(text)")
            }
            results.append(ReplayStepResult(flow: id, step: index + 1, name: name, problems: problems))
            if !problems.isEmpty { break }
        }
        let authorization = [("Authorization", "Bearer \(initial["token"] ?? "")")]
        // Members before groups' deletion does not matter; users and groups go in reverse order.
        for path in created.reversed() {
            _ = try? await send("DELETE", path, authorization, nil)
        }
        return results
    }

    static func resourceType(_ path: String) -> String? {
        let trimmed = path.split(separator: "?").first.map(String.init) ?? path
        if trimmed.hasSuffix("/Users") { return "Users" }
        if trimmed.hasSuffix("/Groups") { return "Groups" }
        return nil
    }

    /// What is wrong with an answer: its status, headers (by prefix, any case) and body (the
    /// partial-match rules of ``mismatches(_:_:at:)``).
    static func check(_ response: ReplayResponse, against expect: JSONObject, variables: [String: String]) -> [String] {
        var problems: [String] = []
        let statuses: [Int]
        switch expect["status"] {
        case .number(let number)?: statuses = [Int(number.int64Value ?? 0)]
        case .array(let values)?: statuses = values.compactMap { $0.numberValue?.int64Value }.map(Int.init)
        default: statuses = []
        }
        if !statuses.isEmpty, !statuses.contains(response.status) {
            problems.append(
                "status \(response.status), expected \(statuses.map(String.init).joined(separator: " or "))")
        }
        for member in expect["headers"]?.objectValue ?? [:] {
            let expected = substitute(member.value.stringValue ?? "", variables)
            let actual = response.headers.first { $0.key.lowercased() == member.key.lowercased() }?.value
            if !(actual?.lowercased().hasPrefix(expected.lowercased()) ?? false) {
                problems.append("header \(member.key) is \(actual ?? "absent"), expected to start with \(expected)")
            }
        }
        if let expected = expect["body"] {
            if !response.body.isEmpty, let actual = try? JSONParser().parse(bytes: response.body) {
                problems += mismatches(substitute(expected, variables), actual, at: "body")
            } else {
                problems.append("expected a JSON body")
            }
        }
        return problems
    }

    static func substitute(_ text: String, _ variables: [String: String]) -> String {
        var output = text
        for (name, value) in variables { output = output.replacingOccurrences(of: "{{\(name)}}", with: value) }
        return output
    }

    static func substitute(_ value: JSONValue, _ variables: [String: String]) -> JSONValue {
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

    /// Expected members must match, arrays element by element; `<any>`, `<absent>`, `<number>`
    /// and `<uuid>` match what they say.
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
