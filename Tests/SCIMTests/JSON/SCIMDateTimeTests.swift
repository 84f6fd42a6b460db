import SCIM
import Testing

@Suite("xsd:dateTime (RFC 7643 §2.3.5)")
struct SCIMDateTimeTests {
    static let valid: [(String, String)] = [
        ("2011-05-13T04:42:34Z", "2011-05-13T04:42:34Z"),
        ("2011-05-13T04:42:34.5Z", "2011-05-13T04:42:34.5Z"),
        ("2011-08-01T18:29:49.793Z", "2011-08-01T18:29:49.793Z"),
        ("2011-05-13T06:42:34+02:00", "2011-05-13T04:42:34Z"),
        ("2011-05-13T00:42:34-04:00", "2011-05-13T04:42:34Z"),
        ("2011-05-13T04:42:34", "2011-05-13T04:42:34Z"),
        ("2011-05-13t04:42:34z", "2011-05-13T04:42:34Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ("2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z"),
        ("2024-12-31T23:59:59.123456789Z", "2024-12-31T23:59:59.123456789Z"),
        ("2011-05-13T04:42:34.1234567891Z", "2011-05-13T04:42:34.123456789Z"),
    ]

    @Test("parses and prints canonical UTC", arguments: valid)
    func parses(text: String, canonical: String) throws {
        let instant = try #require(SCIMDateTime(text))
        #expect(instant.description == canonical)
    }

    static let invalid = [
        "", "2011-05-13", "01-01-2025 00:00:00", "2011-13-01T00:00:00Z", "2011-02-30T00:00:00Z",
        "2011-05-13T25:00:00Z", "2011-05-13T04:60:00Z", "2011-05-13T04:42:34.Z", "2011-05-13T04:42:34+0200",
        "2011-05-13T04:42:34Zjunk", "1900-02-29T00:00:00Z", "yesterday",
    ]

    @Test("rejects what is not a dateTime", arguments: invalid)
    func rejects(text: String) {
        #expect(SCIMDateTime(text) == nil)
    }

    @Test("orders instants, not text")
    func ordering() throws {
        let early = try #require(SCIMDateTime("2011-05-13T06:42:34+02:00"))
        let late = try #require(SCIMDateTime("2011-05-13T04:42:34.001Z"))
        #expect(early < late)
        #expect(try #require(SCIMDateTime("2011-05-13T04:42:34Z")) == early)
    }
}
