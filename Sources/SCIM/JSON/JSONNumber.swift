/// A JSON number kept as the exact text it was written with, so it round-trips unchanged.
///
/// Equality and hashing are numeric for integers and for decimals that a `Double` represents
/// exactly, so `1`, `1.0` and `1e0` are the same value, as JSON intends.
public struct JSONNumber: Sendable, CustomStringConvertible {
    /// The number's JSON text (RFC 8259 §6 grammar).
    public let text: String

    /// Creates a number from JSON number text; `nil` when the text is not a JSON number.
    public init?(text: String) {
        guard JSONNumber.isValid(text) else { return nil }
        self.text = text
    }

    /// Creates a number from an integer.
    public init(_ value: Int) { self.text = String(value) }

    /// Creates a number from a double; non-finite values have no JSON form and become `0`.
    public init(_ value: Double) {
        if !value.isFinite {
            self.text = "0"
        } else if abs(value) < 1e15, let integer = Int64(exactly: value) {
            self.text = String(integer)
        } else {
            self.text = "\(value)"
        }
    }

    init(unchecked text: String) { self.text = text }

    /// Whether the text has neither a fraction nor an exponent.
    public var isIntegerLiteral: Bool { !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) }

    /// The value as an `Int64`, when it is an integer that fits.
    public var int64Value: Int64? {
        if isIntegerLiteral { return Int64(text) }
        guard let double = Double(text), abs(double) < 9.0e18 else { return nil }
        return Int64(exactly: double)
    }

    /// The value as a `Double` (rounded for very long decimals).
    public var doubleValue: Double { Double(text) ?? 0 }

    public var description: String { text }

    static func isValid(_ text: String) -> Bool {
        var iterator = Array(text.utf8)[...]
        if iterator.first == UInt8(ascii: "-") { iterator = iterator.dropFirst() }
        guard let first = iterator.first, isDigit(first) else { return false }
        if first == UInt8(ascii: "0") {
            iterator = iterator.dropFirst()
        } else {
            while let byte = iterator.first, isDigit(byte) { iterator = iterator.dropFirst() }
        }
        if iterator.first == UInt8(ascii: ".") {
            iterator = iterator.dropFirst()
            guard let byte = iterator.first, isDigit(byte) else { return false }
            while let byte = iterator.first, isDigit(byte) { iterator = iterator.dropFirst() }
        }
        if let byte = iterator.first, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            iterator = iterator.dropFirst()
            if let sign = iterator.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                iterator = iterator.dropFirst()
            }
            guard let byte = iterator.first, isDigit(byte) else { return false }
            while let byte = iterator.first, isDigit(byte) { iterator = iterator.dropFirst() }
        }
        return iterator.isEmpty
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

extension JSONNumber: Hashable, Comparable {
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.text == rhs.text { return true }
        if let left = lhs.int64Value, let right = rhs.int64Value { return left == right }
        return lhs.doubleValue == rhs.doubleValue
    }

    public func hash(into hasher: inout Hasher) {
        if let integer = int64Value {
            hasher.combine(integer)
        } else {
            hasher.combine(doubleValue)
        }
    }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if let left = lhs.int64Value, let right = rhs.int64Value { return left < right }
        return lhs.doubleValue < rhs.doubleValue
    }
}
