import Directory

/// Reads one row by column name. A column the decoder asks for that the row lacks, a value of the
/// wrong type, a `NULL` where a value is required, and — checked by ``finish()`` — a selected
/// column nobody read are each a thrown ``StoreError/corruptRow(_:)``, never a default value.
struct SQLRowDecoder {
    private let row: SQLRow
    private let table: String
    private var unread: Set<String>

    init(_ row: SQLRow, table: String) {
        self.row = row
        self.table = table
        self.unread = Set(row.names)
    }

    private mutating func value(_ name: String) throws -> SQLValue {
        guard let index = row.names.firstIndex(of: name) else {
            throw StoreError.corruptRow("\(table): the row has no column \(name)")
        }
        unread.remove(name)
        return row.values[index]
    }

    private func wrongType(_ name: String, _ expected: String, _ found: SQLValue) -> StoreError {
        .corruptRow("\(table).\(name): expected \(expected), found \(found.kind)")
    }

    mutating func optionalText(_ name: String) throws -> String? {
        switch try value(name) {
        case .null: return nil
        case .text(let text): return text
        case let other: throw wrongType(name, "text", other)
        }
    }

    mutating func text(_ name: String) throws -> String {
        guard let text = try optionalText(name) else { throw StoreError.corruptRow("\(table).\(name) is NULL") }
        return text
    }

    mutating func optionalInteger(_ name: String) throws -> Int64? {
        switch try value(name) {
        case .null: return nil
        case .integer(let integer): return integer
        case let other: throw wrongType(name, "an integer", other)
        }
    }

    mutating func integer(_ name: String) throws -> Int64 {
        guard let integer = try optionalInteger(name) else {
            throw StoreError.corruptRow("\(table).\(name) is NULL")
        }
        return integer
    }

    mutating func timestamp(_ name: String) throws -> Timestamp { Timestamp(microseconds: try integer(name)) }

    mutating func optionalTimestamp(_ name: String) throws -> Timestamp? {
        try optionalInteger(name).map(Timestamp.init(microseconds:))
    }

    /// A text column holding one of `T`'s raw values.
    mutating func enumeration<T: RawRepresentable>(_ name: String, _: T.Type) throws -> T where T.RawValue == String {
        let text = try text(name)
        guard let value = T(rawValue: text) else {
            throw StoreError.corruptRow("\(table).\(name): \"\(text)\" is not a value this build knows")
        }
        return value
    }

    /// Fails when the row had a column that no read asked for (the select list and the decoder
    /// disagree).
    func finish() throws {
        if let extra = unread.sorted().first {
            throw StoreError.corruptRow("\(table): the column \(extra) was selected but not decoded")
        }
    }
}

extension SQLValue {
    var kind: String {
        switch self {
        case .null: return "NULL"
        case .integer: return "an integer"
        case .real: return "a real"
        case .text: return "text"
        }
    }
}

extension Optional where Wrapped == Timestamp {
    var sql: SQLValue { self.map { .integer($0.microseconds) } ?? .null }
}

extension Timestamp {
    var sql: SQLValue { .integer(microseconds) }
}
