import SCIM
import Testing

@Suite("JSON values")
struct JSONTests {
    /// Texts that must serialize back byte for byte (compact form).
    static let roundTrips: [String] = [
        "null", "true", "false", "0", "-0", "42", "-17", "1.50", "1e400", "-2.5E-3", "12345678901234567890123",
        "0.1000000000000000055511151231257827", #""""#, #""plain""#, #""quote \" backslash \\ newline \n tab \t""#,
        #""é ü 😀 中文""#, #""\u0001\u001f""#, "[]", "{}", "[1,[2,[3]]]", #"{"b":1,"a":2}"#,
        #"{"userName":"x","emails":[{"value":"a@b","primary":true}],"meta":{"version":"W/\"1\""}}"#,
    ]

    @Test("round-trips exactly", arguments: roundTrips)
    func roundTrip(text: String) throws {
        #expect(try JSONParser().parse(text).serialized() == text)
    }

    /// Texts whose compact serialization differs only by whitespace or escapes.
    static let normalizations: [(String, String)] = [
        (" { \"a\" : [ 1 , 2 ] } ", #"{"a":[1,2]}"#),
        (#""\/""#, #""/""#),
        (#""\u00e9""#, #""é""#),
        (#""\ud83d\ude00""#, #""😀""#),
        ("\u{FEFF}[]", "[]"),
    ]

    @Test("normalizes whitespace and escapes", arguments: normalizations)
    func normalizes(text: String, expected: String) throws {
        #expect(try JSONParser().parse(text).serialized() == expected)
    }

    /// (text, line, column, message fragment).
    static let invalid: [(String, Int, Int, String)] = [
        ("", 1, 1, "empty"),
        ("{", 1, 2, "expected a member name"),
        ("{\"a\":1,}", 1, 8, "expected a member name"),
        ("[1,]", 1, 4, "expected a value"),
        ("{\"a\" 1}", 1, 6, "expected ':'"),
        ("{\"a\":1 \"b\":2}", 1, 8, "expected ',' or '}'"),
        ("[1 2]", 1, 4, "expected ',' or ']'"),
        ("tru", 1, 1, "expected 'true'"),
        ("nul", 1, 1, "expected 'null'"),
        ("01", 1, 1, "not a valid JSON number"),
        ("1.", 1, 1, "not a valid JSON number"),
        ("-", 1, 1, "not a valid JSON number"),
        ("\"abc", 1, 5, "not closed"),
        ("\"a\u{01}b\"", 1, 3, "control character"),
        (#""\x""#, 1, 3, "not a JSON escape"),
        (#""\u12""#, 1, 4, "four hexadecimal digits"),
        (#""\ud800""#, 1, 8, "low surrogate"),
        ("{\"a\":1}\n{\"b\":2}", 2, 1, "unexpected text after"),
        ("{\n  \"userName\": \"x\",\n  \"USERNAME\": \"y\"\n}", 3, 3, "appears twice"),
        ("'single'", 1, 1, "expected a value"),
        ("[1,2", 1, 5, "not closed"),
        ("{\"a\":1", 1, 7, "not closed"),
        ("NaN", 1, 1, "expected a value"),
    ]

    @Test("rejects malformed JSON with line, column and reason", arguments: invalid)
    func rejects(text: String, line: Int, column: Int, fragment: String) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser().parse(text) }
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.column == column, "\(error?.description ?? "")")
        #expect(error?.message.contains(fragment) == true, "\(error?.description ?? "")")
    }

    @Test("invalid UTF-8 inside a string is an error, not a crash")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser().parse(bytes: [0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test("nesting beyond the limit is an error, not a stack overflow")
    func nestingLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONParseError.self) { try JSONParser().parse(deep) }
        #expect(error?.message.contains("deeper than 64") == true)
        #expect(throws: Never.self) { try JSONParser(maximumDepth: 3).parse("[[[1]]]") }
    }

    @Test("member names are case-insensitive (RFC 7643 §2.1); order is kept; equality ignores order")
    func caseInsensitiveNames() throws {
        var object = try object(#"{"userName":"a","Emails":[]}"#)
        #expect(object["USERNAME"] == "a")
        #expect(object["emails"] == .array([]))
        object["username"] = "b"
        #expect(object.keys == ["username", "Emails"])
        object["emails"] = nil
        #expect(object.keys == ["username"])
        #expect(try JSONParser().parse(#"{"a":1,"b":2}"#) == JSONParser().parse(#"{"B":2,"A":1}"#))
        #expect(try JSONParser().parse(#"{"a":1}"#) != JSONParser().parse(#"{"a":2}"#))
        #expect(try JSONParser().parse("[1,2]") != JSONParser().parse("[2,1]"))
    }

    @Test("a body with a hundred thousand members parses (duplicate detection is not quadratic)")
    func largeObject() throws {
        let members = (0..<100_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let value = try JSONParser().parse("{\(members)}")
        #expect(value.objectValue?.count == 100_000)
        #expect(value.objectValue?["K99999"] == 99999)
    }

    @Test("numbers keep their text and compare numerically")
    func numbers() throws {
        let text = try #require(JSONNumber(text: "1.50"))
        #expect(text.text == "1.50")
        #expect(JSONNumber(text: "1.5") == text)
        #expect(JSONNumber(text: "1e0") == JSONNumber(1))
        #expect(JSONNumber(text: "100").map { $0.int64Value } == 100)
        #expect(JSONNumber(text: "1.5")?.int64Value == nil)
        #expect(JSONNumber(text: "+1") == nil)
        #expect(JSONNumber(text: ".5") == nil)
        #expect(JSONNumber(2.5).text == "2.5")
        #expect(JSONNumber(3.0).text == "3")
        #expect(JSONNumber(Double.nan).text == "0")
    }

    @Test("pretty and sorted output for golden files")
    func prettySorted() throws {
        let value = try JSONParser().parse(#"{"b":[1,{"d":true,"c":null}],"a":"x"}"#)
        #expect(
            value.serialized(pretty: true, sortedKeys: true) == """
                {
                  "a": "x",
                  "b": [
                    1,
                    {
                      "c": null,
                      "d": true
                    }
                  ]
                }
                """)
    }
}
