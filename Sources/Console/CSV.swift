/// RFC 4180 CSV for the users export. A cell that a spreadsheet would run as a formula (it starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`: provisioned names are
/// not ours to trust (OWASP, "CSV Injection").
enum CSV {
    static let header = [
        "id", "userName", "fullName", "email", "groups", "origin", "status", "added", "addedBy", "lastChange",
    ]

    static func fields<Parent>(_ row: UserPages<Parent>.Row) -> [String] {
        [
            row.id, row.userName, row.fullName, row.email, String(row.groups), row.origin, row.status, row.addedISO,
            row.addedBy, row.changedISO,
        ]
    }

    static func line(_ fields: [String]) -> String {
        fields.map(cell).joined(separator: ",") + "\r\n"
    }

    /// What a cell may start with that a spreadsheet would run as a formula.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    /// What makes a cell need quotes. Compared by scalar: Swift's `"\r\n"` is one `Character`,
    /// equal to neither `"\r"` nor `"\n"`.
    static let needsQuotes: Set<Unicode.Scalar> = [",", "\"", "\n", "\r"]

    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) {
            text = "'" + text
        }
        guard text.unicodeScalars.contains(where: { needsQuotes.contains($0) }) else { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append(scalar) }
            quoted.unicodeScalars.append(scalar)
        }
        quoted.unicodeScalars.append("\"")
        return quoted
    }
}
