import SCIM
import Testing

@Suite("Filter printing")
struct FilterPrinterTests {
    /// (input, canonical text): lower-case keywords, JSON strings, minimal parentheses.
    static let canonical: [(String, String)] = [
        (#"userName Eq "john""#, #"userName eq "john""#),
        ("title PR", "title pr"),
        ("a pr AND b pr", "a pr and b pr"),
        ("(a pr and b pr) or c pr", "a pr and b pr or c pr"),
        ("a pr and (b pr or c pr)", "a pr and (b pr or c pr)"),
        ("a pr and (b pr and c pr)", "a pr and (b pr and c pr)"),
        ("((a pr))", "a pr"),
        ("not(a pr)", "not (a pr)"),
        (#"emails[type eq "work" and value co "@x"]"#, #"emails[type eq "work" and value co "@x"]"#),
        (#"userName eq "a\"b""#, #"userName eq "a\"b""#),
        (#"userName eq "a\/b""#, #"userName eq "a/b""#),
        ("x eq 1.50", "x eq 1.50"),
        ("active eq TRUE", "active eq true"),
        ("title eq NULL", "title eq null"),
    ]

    @Test("canonical text", arguments: canonical)
    func canonicalText(input: String, expected: String) throws {
        #expect(try FilterParser().parse(input).description == expected)
    }

    /// Found by the filter fuzz target: raw control characters in a literal print as `\u00XX`
    /// (six characters each), so the printed form of a filter within the length limit can pass
    /// it; read back without the limit, it is the same filter.
    @Test("raw control characters print escaped and read back to the same filter")
    func controlCharacters() throws {
        let text = "displayName sw \"A" + String(repeating: "\u{15}", count: 700) + "\u{0C}\" and title pr"
        let filter = try FilterParser().parse(text)
        let printed = filter.description
        #expect(printed.contains("\\u0015\\u0015") && printed.contains("\\u000c"))
        #expect(printed.count > FilterLimits.default.maximumLength)
        #expect(throws: FilterParseError.self) { try FilterParser().parse(printed) }
        var limits = FilterLimits.default
        limits.maximumLength = Int.max
        #expect(try FilterParser(limits: limits).parse(printed) == filter)
    }
}
