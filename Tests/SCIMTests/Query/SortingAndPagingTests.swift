import SCIM
import Testing

@Suite("Sorting (RFC 7644 §3.4.2.3) and paging (§3.4.2.4)")
struct SortingAndPagingTests {
    static let users: [JSONObject] = [
        [
            "id": "1", "userName": "bravo", "meta": ["created": "2020-01-02T00:00:00Z"],
            "emails": [["value": "z@x"], ["value": "a@x", "primary": true]],
        ],
        [
            "id": "2", "userName": "Alpha", "meta": ["created": "2020-01-01T00:00:00+01:00"],
            "emails": [["value": "m@x"]],
        ],
        ["id": "3", "userName": "charlie", "meta": ["created": "2019-12-31T23:30:00Z"]],
        ["id": "4", "userName": "alpha2", "active": false],
        ["id": "0", "userName": "ALPHA", "active": true],
    ]

    /// (sortBy, sortOrder, expected ids in order).
    static let cases: [(String, String?, [String])] = [
        ("userName", nil, ["0", "2", "4", "1", "3"]),  // case-insensitive, ties by id
        ("userName", "descending", ["3", "1", "4", "0", "2"]),
        ("userName", "ASCENDING", ["0", "2", "4", "1", "3"]),
        ("id", nil, ["0", "1", "2", "3", "4"]),
        ("meta.created", nil, ["2", "3", "1", "0", "4"]),  // instants, not text; no value last
        ("meta.created", "descending", ["0", "4", "1", "3", "2"]),
        ("emails", nil, ["1", "2", "0", "3", "4"]),  // primary value, else first
        ("emails.value", nil, ["1", "2", "0", "3", "4"]),
        ("active", nil, ["4", "0", "1", "2", "3"]),  // false before true, then no value
    ]

    @Test("orders by type and caseExact", arguments: cases)
    func sorts(sortBy: String, order: String?, ids: [String]) throws {
        let specification = try #require(try SortSpecification(sortBy: sortBy, sortOrder: order, resourceType: .user))
        #expect(specification.sorted(Self.users).compactMap { $0["id"]?.stringValue } == ids)
    }

    @Test("sortBy absent is no sort; bad sortBy or sortOrder is invalidValue")
    func badSort() throws {
        #expect(try SortSpecification(sortBy: nil, sortOrder: nil, resourceType: .user) == nil)
        #expect(throws: SCIMError.self) {
            try SortSpecification(sortBy: "shoeSize", sortOrder: nil, resourceType: .user)
        }
        #expect(throws: SCIMError.self) {
            try SortSpecification(sortBy: "userName", sortOrder: "up", resourceType: .user)
        }
        #expect(throws: SCIMError.self) { try SortSpecification(sortBy: "name", sortOrder: nil, resourceType: .user) }
        #expect(throws: SCIMError.self) {
            try SortSpecification(sortBy: "password", sortOrder: nil, resourceType: .user)
        }
    }

    /// (startIndex, count, expected startIndex, expected count) with a maximum of 100.
    static let paging: [(String?, String?, Int, Int)] = [
        (nil, nil, 1, 100),
        ("1", "2", 1, 2),
        ("0", "10", 1, 10),
        ("-5", "10", 1, 10),
        ("101", "100", 101, 100),
        ("1", "-1", 1, 0),
        ("1", "0", 1, 0),
        ("1", "1000", 1, 100),
        (" 3 ", " 4 ", 3, 4),
        ("1", "99999999999999999999999", 1, 100),
        ("99999999999999999999999", "5", 2_147_483_647, 5),
        ("+2", "+3", 2, 3),
        ("", "", 1, 100),
    ]

    @Test("paging parameters are normalized as RFC 7644 §3.4.2.4 says", arguments: paging)
    func pages(startIndex: String?, count: String?, expectedStart: Int, expectedCount: Int) throws {
        let paging = try IndexPaging(startIndex: startIndex, count: count, maximumCount: 100)
        #expect(paging.startIndex == expectedStart)
        #expect(paging.count == expectedCount)
        #expect(paging.offset == expectedStart - 1)
    }

    @Test("non-integer paging parameters are invalidValue")
    func badPaging() {
        for (start, count) in [("one", "1"), ("1", "ten"), ("1.5", "1"), ("½", "1"), ("1", "٣"), ("-", "1")] {
            let error = #expect(throws: SCIMError.self) {
                try IndexPaging(startIndex: start, count: count, maximumCount: 100)
            }
            #expect(error?.scimType == .invalidValue)
        }
    }
}
