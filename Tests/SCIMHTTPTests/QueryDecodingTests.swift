import Testing

@testable import SCIMHTTP

/// docs/idp-behaviour.md §5.2: `+` and `%20` are spaces; raw quotes arrive as they are.
@Suite("Query string decoding")
struct QueryDecodingTests {
    static let cases: [(String, String, String?)] = [
        (
            "filter=userName+eq+%22jane.doe%40example.com%22&startIndex=1&count=100", "filter",
            #"userName eq "jane.doe@example.com""#
        ),
        ("filter=userName%20eq%20%22test.user%40okta.local%22", "filter", #"userName eq "test.user@okta.local""#),
        (#"filter=userName+eq+"VALUE""#, "filter", #"userName eq "VALUE""#),
        ("excludedAttributes=members&filter=displayName+eq+%22R%26D%22", "filter", #"displayName eq "R&D""#),
        ("STARTINDEX=3", "startIndex", "3"),
        ("count=", "count", ""),
        ("filter=100%25", "filter", "100%"),
        ("filter=bad%zzescape", "filter", "bad%zzescape"),
        ("a=1", "b", nil),
    ]

    @Test("decodes as the IdPs encode", arguments: cases)
    func decodes(query: String, name: String, expected: String?) throws {
        #expect(try QueryParameters(query)[name] == expected)
    }

    @Test("path segments keep a literal plus")
    func pathSegments() {
        #expect(QueryParameters.decodePath("a+b%20c") == "a+b c")
    }
}
