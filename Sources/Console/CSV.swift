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

    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            text = "'" + text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + String(text.flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) + "\""
    }
}
