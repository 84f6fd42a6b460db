/// A query by POST to `/.search` (RFC 7644 §3.4.3), or the same parameters from a query string.
public struct SearchRequest: Sendable, Hashable {
    public var attributes: [String]
    public var excludedAttributes: [String]
    public var filter: String?
    public var sortBy: String?
    public var sortOrder: String?
    public var startIndex: Int?
    public var count: Int?
    /// RFC 9865 cursor (an empty string asks for the first cursor page).
    public var cursor: String?

    public init(
        attributes: [String] = [], excludedAttributes: [String] = [], filter: String? = nil, sortBy: String? = nil,
        sortOrder: String? = nil, startIndex: Int? = nil, count: Int? = nil, cursor: String? = nil
    ) {
        self.attributes = attributes
        self.excludedAttributes = excludedAttributes
        self.filter = filter
        self.sortBy = sortBy
        self.sortOrder = sortOrder
        self.startIndex = startIndex
        self.count = count
        self.cursor = cursor
    }

    /// Reads a SearchRequest body; `schemas` must name the SearchRequest URN; unknown members
    /// are refused with `invalidSyntax` so a misspelt parameter is not silently ignored.
    public init(json: JSONValue) throws(SCIMError) {
        guard case .object(let body) = json else { throw .invalidSyntax("a search body must be a JSON object") }
        guard case .array(let schemas)? = body["schemas"],
            schemas.contains(where: { $0.stringValue?.equalsIgnoringASCIICase(SCIMURN.searchRequest) == true })
        else {
            throw .invalidSyntax("a search body's 'schemas' must contain \"\(SCIMURN.searchRequest)\"")
        }
        self.init()
        for member in body {
            switch member.key.lowercasedASCII() {
            case "schemas": continue
            case "attributes": attributes = try SearchRequest.strings(member.value, "attributes")
            case "excludedattributes":
                excludedAttributes = try SearchRequest.strings(member.value, "excludedAttributes")
            case "filter": filter = try SearchRequest.string(member.value, "filter")
            case "sortby": sortBy = try SearchRequest.string(member.value, "sortBy")
            case "sortorder": sortOrder = try SearchRequest.string(member.value, "sortOrder")
            case "startindex": startIndex = try SearchRequest.integer(member.value, "startIndex")
            case "count": count = try SearchRequest.integer(member.value, "count")
            case "cursor": cursor = try SearchRequest.string(member.value, "cursor")
            default: throw .invalidSyntax("'\(member.key)' is not a SearchRequest parameter (RFC 7644 §3.4.3)")
            }
        }
    }

    private static func string(_ value: JSONValue, _ name: String) throws(SCIMError) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        default: throw .invalidValue("'\(name)' must be a string")
        }
    }

    private static func strings(_ value: JSONValue, _ name: String) throws(SCIMError) -> [String] {
        switch value {
        case .null: return []
        case .string(let text): return text.split(separator: ",").map { String($0).trimmingSpaces() }
        case .array(let values):
            var output: [String] = []
            for element in values {
                guard case .string(let text) = element else { throw .invalidValue("'\(name)' must list strings") }
                output.append(text)
            }
            return output
        default: throw .invalidValue("'\(name)' must be an array of attribute names")
        }
    }

    private static func integer(_ value: JSONValue, _ name: String) throws(SCIMError) -> Int? {
        switch value {
        case .null: return nil
        case .number(let number):
            guard let integer = number.int64Value else { throw .invalidValue("'\(name)' must be an integer") }
            return Int(clamping: integer)
        default: throw .invalidValue("'\(name)' must be an integer")
        }
    }
}
