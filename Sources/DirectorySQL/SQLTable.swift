import Directory
import SCIM

/// What a column holds: how it is bound and read, and what the schema test expects of it.
public enum SQLColumnType: String, Sendable, Hashable {
    case text, integer, json
}

/// One column of a table description: its name, type, whether reads select it, and how a
/// domain value encodes into it.
public struct SQLColumn<Row>: Sendable {
    public let name: String
    public let type: SQLColumnType
    /// `false` for columns derived from others for indexing (`user_name_key`): written, never read.
    public let decoded: Bool
    let encode: @Sendable (Row) -> SQLValue

    init(_ name: String, _ type: SQLColumnType, decoded: Bool = true, _ encode: @escaping @Sendable (Row) -> SQLValue) {
        self.name = name
        self.type = type
        self.decoded = decoded
        self.encode = encode
    }
}

/// A table described once: inserts, updates, the select list and row decoding are all derived
/// from the one list of columns, so they cannot drift apart (a decoder that forgets a selected
/// column, or asks for one that is not selected, throws — see ``SQLRowDecoder``).
public struct SQLTable<Row: Sendable>: Sendable {
    /// The name in the schema (unquoted).
    public let name: String
    public let columns: [SQLColumn<Row>]
    let decodeRow: @Sendable (inout SQLRowDecoder) throws -> Row

    init(
        _ name: String, columns: [SQLColumn<Row>], decode: @escaping @Sendable (inout SQLRowDecoder) throws -> Row
    ) {
        self.name = name
        self.columns = columns
        self.decodeRow = decode
    }

    /// As written in SQL: `groups` is a keyword in both databases and is quoted.
    public var sqlName: String { name == "groups" ? #""groups""# : name }

    /// `users.id AS id, …, users.resource::text AS resource`: every decoded column.
    func selectList(_ dialect: SQLDialect) -> String {
        columns.filter(\.decoded).map { column in
            "\(sqlName).\(column.name)\(column.type == .json ? dialect.jsonTextSuffix : "") AS \(column.name)"
        }.joined(separator: ", ")
    }

    func select(_ dialect: SQLDialect) -> String { "SELECT \(selectList(dialect)) FROM \(sqlName)" }

    /// The placeholder for column `index` (1-based) with the JSON cast where the type needs one.
    private func placeholder(_ dialect: SQLDialect, _ index: Int) -> String {
        dialect.placeholder(index) + (columns[index - 1].type == .json ? dialect.jsonPlaceholderSuffix : "")
    }

    /// `INSERT INTO t (every column) VALUES (…)`, binds from ``values(_:)``.
    func insert(_ dialect: SQLDialect, suffix: String = "") -> String {
        let names = columns.map(\.name).joined(separator: ", ")
        let marks = (1...columns.count).map { placeholder(dialect, $0) }.joined(separator: ", ")
        return "INSERT INTO \(sqlName) (\(names)) VALUES (\(marks))\(suffix)"
    }

    /// `UPDATE t SET (every column but the key) … WHERE key = ?1 [AND extra]`, binds from
    /// ``values(_:)`` (the key is the first column).
    func update(_ dialect: SQLDialect, extraCondition: ((Int) -> String)? = nil) -> String {
        let assignments = (2...columns.count).map { "\(columns[$0 - 1].name) = \(placeholder(dialect, $0))" }
            .joined(separator: ", ")
        var sql = "UPDATE \(sqlName) SET \(assignments) WHERE \(columns[0].name) = \(dialect.placeholder(1))"
        if let extraCondition { sql += " AND " + extraCondition(columns.count + 1) }
        return sql
    }

    /// Every column's value for `row`, in column order.
    func values(_ row: Row) -> [SQLValue] { columns.map { $0.encode(row) } }

    /// A row of ``select(_:)`` as a domain value.
    func decode(_ row: SQLRow) throws -> Row {
        var decoder = SQLRowDecoder(row, table: name)
        let value = try decodeRow(&decoder)
        try decoder.finish()
        return value
    }

    /// A row of ``select(_:)`` plus columns of its own (an aggregate beside the table's columns):
    /// `combine` reads them from the same decoder, so they are checked like the rest.
    func decode<Output>(_ row: SQLRow, _ combine: (Row, inout SQLRowDecoder) throws -> Output) throws -> Output {
        var decoder = SQLRowDecoder(row, table: name)
        let value = try decodeRow(&decoder)
        let output = try combine(value, &decoder)
        try decoder.finish()
        return output
    }

    /// The column names and types, for the test that the description and the schema agree.
    public var schema: [String: SQLColumnType] {
        Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0.type) })
    }
}

extension Origin {
    var sqlOrigin: SQLValue { .text(connectionID == nil ? "local" : "idp") }

    static func decode(_ decoder: inout SQLRowDecoder) throws -> Origin {
        let origin = try decoder.text("origin")
        let connectionID = try decoder.optionalText("connection_id")
        if origin == "idp", let connectionID { return .idp(connectionID: connectionID) }
        return .local
    }
}

func decodeResource(_ text: String, table: String) throws -> JSONObject {
    guard case .object(let object) = try? JSONParser().parse(text) else {
        throw StoreError.corruptRow("\(table).resource is not a JSON object")
    }
    return object
}
