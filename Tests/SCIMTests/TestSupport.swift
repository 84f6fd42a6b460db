import Foundation
import SCIM
import Testing

/// Fixture files shipped with the tests (`Tests/SCIMTests/Fixtures`).
enum Fixtures {
    static func location(_ name: String, folder: String = "rfc") -> URL? {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/\(folder)")
    }

    static func text(_ name: String, folder: String = "rfc") throws -> String {
        let url = try #require(location(name, folder: folder), "fixture \(folder)/\(name) is missing")
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func json(_ name: String, folder: String = "rfc") throws -> JSONValue {
        try JSONParser().parse(try text(name, folder: folder))
    }

    static func object(_ name: String, folder: String = "rfc") throws -> JSONObject {
        try #require(json(name, folder: folder).objectValue, "\(name) is not a JSON object")
    }

    static func names(folder: String = "rfc", suffix: String = ".json") -> [String] {
        guard let url = Bundle.module.url(forResource: folder, withExtension: nil, subdirectory: "Fixtures"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: url.path)
        else { return [] }
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }
}

/// JSON text → value, failing the test on bad JSON.
func json(_ text: String) throws -> JSONValue {
    try JSONParser().parse(text)
}

func object(_ text: String) throws -> JSONObject {
    try #require(json(text).objectValue)
}

/// An unambiguous rendering of a filter tree, for tables of (text, expected tree).
func tree(_ filter: Filter) -> String {
    switch filter {
    case .compare(let path, let comparison, let value): return "\(comparison.rawValue)(\(path),\(value))"
    case .present(let path): return "pr(\(path))"
    case .and(let left, let right): return "and(\(tree(left)),\(tree(right)))"
    case .or(let left, let right): return "or(\(tree(left)),\(tree(right)))"
    case .not(let inner): return "not(\(tree(inner)))"
    case .valuePath(let path, let inner): return "\(path)[\(tree(inner))]"
    }
}
