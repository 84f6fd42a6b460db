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
}
