import Directory

/// Reads a row column by column, in the order of the `SELECT` list.
struct RowReader {
    let row: SQLRow
    var index = 0

    init(_ row: SQLRow) {
        self.row = row
    }

    mutating func next() -> SQLValue {
        defer { index += 1 }
        return index < row.count ? row[index] : .null
    }

    mutating func text() -> String { next().text ?? "" }
    mutating func optionalText() -> String? { next().text }
    mutating func integer() -> Int64 { next().integer ?? 0 }
    mutating func optionalInteger() -> Int64? { next().integer }
    mutating func timestamp() -> Timestamp { Timestamp(microseconds: integer()) }
    mutating func optionalTimestamp() -> Timestamp? { optionalInteger().map(Timestamp.init(microseconds:)) }
    mutating func optionalBool() -> Bool? { optionalInteger().map { $0 != 0 } }
}

extension Optional where Wrapped == Timestamp {
    var sql: SQLValue { self.map { .integer($0.microseconds) } ?? .null }
}

extension Timestamp {
    var sql: SQLValue { .integer(microseconds) }
}
