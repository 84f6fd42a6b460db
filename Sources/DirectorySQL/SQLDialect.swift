/// Every difference between the SQL this project sends to SQLite and to PostgreSQL, in one value
/// (in the manner of sql-kit's `SQLDialect`). Tests also use a deliberately odd dialect so that SQL
/// hard-coded for one database shows up.
public struct SQLDialect: Sendable, Hashable {
    public enum Name: String, Sendable, Hashable {
        case sqlite, postgres, odd
    }

    public var name: Name
    /// The text of the `n`th placeholder (1-based): `?1`, `$1`.
    public var placeholderPrefix: String
    /// The column type holding JSON: `TEXT`, `JSONB`.
    public var jsonType: String
    /// A cast applied to a JSON placeholder: `""`, `"::jsonb"`.
    public var jsonPlaceholderSuffix: String
    /// How a JSON column is read back as text: `resource`, `resource::text`.
    public var jsonTextSuffix: String
    /// The case-folding function matching `String.scimCaseFolded` (SQLite gets a custom
    /// function, PostgreSQL its own `lower`).
    public var foldFunction: String
    /// Appended to a string operand so ordering compares code points: `""`, ` COLLATE "C"`.
    public var binaryCollation: String
    /// The false literal: `0`, `FALSE`.
    public var falseLiteral: String
    /// The true literal: `1`, `TRUE`.
    public var trueLiteral: String

    public static let sqlite = SQLDialect(
        name: .sqlite, placeholderPrefix: "?", jsonType: "TEXT", jsonPlaceholderSuffix: "", jsonTextSuffix: "",
        foldFunction: "scim_fold", binaryCollation: "", falseLiteral: "0", trueLiteral: "1")

    public static let postgres = SQLDialect(
        name: .postgres, placeholderPrefix: "$", jsonType: "JSONB", jsonPlaceholderSuffix: "::jsonb",
        jsonTextSuffix: "::text", foldFunction: "lower", binaryCollation: #" COLLATE "C""#, falseLiteral: "FALSE",
        trueLiteral: "TRUE")

    /// For golden tests only: every dialect-specific spelling is different and recognisable.
    public static let odd = SQLDialect(
        name: .odd, placeholderPrefix: ":p", jsonType: "ODD_JSON", jsonPlaceholderSuffix: "::odd_json",
        jsonTextSuffix: "::odd_text", foldFunction: "odd_fold", binaryCollation: " COLLATE odd_binary",
        falseLiteral: "ODD_FALSE", trueLiteral: "ODD_TRUE")

    public func placeholder(_ index: Int) -> String { "\(placeholderPrefix)\(index)" }

    /// An ORDER BY term the planner must not read from an index: SQLite's unary `+` (its
    /// documented hint); PostgreSQL plans by statistics and needs none.
    public func unindexedOrder(_ column: String) -> String {
        switch name {
        case .sqlite: return "+\(column)"
        case .postgres: return column
        case .odd: return "odd_unindexed(\(column))"
        }
    }

    /// The text at a path of keys inside a JSON column or element (`json_extract`, `#>>`).
    public func jsonText(_ base: String, _ keys: [String]) -> String {
        switch name {
        case .sqlite:
            let path = keys.map { "\"\($0.replacingSingleQuotes())\"" }.joined(separator: ".")
            return "json_extract(\(base), '$.\(path)')"
        case .postgres, .odd:
            if keys.isEmpty { return "(\(base) #>> '{}')" }
            let path = keys.map { "\"\($0.replacingSingleQuotes())\"" }.joined(separator: ",")
            return "(\(base) #>> '{\(path)}')"
        }
    }

    /// Whether the JSON value at a path is the boolean `value`.
    public func jsonBooleanEquals(_ base: String, _ keys: [String], _ value: Bool) -> String {
        switch name {
        case .sqlite:
            // json_extract yields 1/0 for true/false; json_type tells a boolean from a number.
            let path = keys.map { "\"\($0.replacingSingleQuotes())\"" }.joined(separator: ".")
            return "json_type(\(base), '$.\(path)') = '\(value ? "true" : "false")'"
        case .postgres, .odd:
            return "\(jsonText(base, keys)) = '\(value ? "true" : "false")'"
        }
    }

    /// A table-valued source of the elements of a JSON array at `keys`, aliased `alias`, whose
    /// element is `alias.value` (an object or a scalar).
    public func jsonElements(_ base: String, _ keys: [String], alias: String) -> String {
        switch name {
        case .sqlite:
            let path = keys.map { "\"\($0.replacingSingleQuotes())\"" }.joined(separator: ".")
            return "json_each(\(base), '$.\(path)') AS \(alias)"
        case .postgres, .odd:
            let path = keys.map { "\"\($0.replacingSingleQuotes())\"" }.joined(separator: ",")
            return
                "jsonb_array_elements(CASE WHEN jsonb_typeof(\(base) #> '{\(path)}') = 'array' THEN \(base) #> '{\(path)}' ELSE '[]'::jsonb END) AS \(alias)(value)"
        }
    }

    /// The element itself as JSON, for `jsonText(_:_:)` on sub-attributes.
    public func elementJSON(_ alias: String) -> String {
        switch name {
        case .sqlite: return "\(alias).value"
        case .postgres, .odd: return "\(alias).value"
        }
    }

    /// The element as text, for arrays of strings (`schemas`).
    public func elementText(_ alias: String) -> String {
        switch name {
        case .sqlite: return "\(alias).value"
        case .postgres, .odd: return "(\(alias).value #>> '{}')"
        }
    }

    /// Whether an element's sub-attribute is the boolean `value`.
    public func elementBooleanEquals(_ alias: String, _ key: String, _ value: Bool) -> String {
        jsonBooleanEquals(elementJSON(alias), [key], value)
    }

    /// A case-folded operand.
    public func fold(_ expression: String) -> String { "\(foldFunction)(\(expression))" }

    /// `BEGIN` for a write transaction.
    public var beginWrite: String { name == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN" }

    /// A JSON array of `[value, …]` rows, as text, aggregated in `order` over `from`: SQLite's
    /// `json_group_array(… ORDER BY …)` (SQLite 3.44 and later; sqlite-nio bundles a newer one),
    /// PostgreSQL's `json_agg(… ORDER BY …)`. `[]` when no row matches.
    public func jsonRows(_ values: [String], from: String, order: String) -> String {
        let list = values.joined(separator: ", ")
        switch name {
        case .sqlite:
            return "(SELECT json_group_array(json_array(\(list)) ORDER BY \(order)) FROM \(from))"
        case .postgres:
            return
                "(SELECT COALESCE(json_agg(json_build_array(\(list)) ORDER BY \(order)), '[]'::json)::text FROM \(from))"
        case .odd:
            return "(SELECT odd_json_rows(\(list) ORDER BY \(order)) FROM \(from))"
        }
    }

    /// Whether one failed statement aborts the whole transaction (PostgreSQL), rather than just
    /// itself (SQLite).
    public var failedStatementAbortsTransaction: Bool { name != .sqlite }
}
