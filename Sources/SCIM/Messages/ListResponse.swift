/// A ListResponse (RFC 7644 §3.4.2), with the cursor fields of RFC 9865 when cursor paging is used.
public struct ListResponse: Sendable, Hashable {
    public var totalResults: Int
    /// The 1-based index of the first resource; absent for cursor pages.
    public var startIndex: Int?
    public var resources: [JSONObject]
    public var nextCursor: String?
    public var previousCursor: String?

    public init(
        totalResults: Int, startIndex: Int?, resources: [JSONObject], nextCursor: String? = nil,
        previousCursor: String? = nil
    ) {
        self.totalResults = totalResults
        self.startIndex = startIndex
        self.resources = resources
        self.nextCursor = nextCursor
        self.previousCursor = previousCursor
    }

    /// The JSON message: `totalResults`, `startIndex`, `itemsPerPage` as numbers (Okta requires
    /// numbers, docs/idp-behaviour.md §1.1), `Resources` always present, even empty.
    public var json: JSONObject {
        var object: JSONObject = [
            "schemas": [.string(SCIMURN.listResponse)],
            "totalResults": .number(JSONNumber(totalResults)),
        ]
        if let startIndex { object["startIndex"] = .number(JSONNumber(startIndex)) }
        object["itemsPerPage"] = .number(JSONNumber(resources.count))
        if let nextCursor { object["nextCursor"] = .string(nextCursor) }
        if let previousCursor { object["previousCursor"] = .string(previousCursor) }
        object["Resources"] = .array(resources.map { .object($0) })
        return object
    }
}
