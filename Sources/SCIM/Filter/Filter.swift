/// The comparison operators of RFC 7644 §3.4.2.2, Table 3.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case eq, ne, co, sw, ew, gt, lt, ge, le
}

/// A literal on the right of a comparison (ABNF `compValue`).
public enum ComparisonValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null

    public var description: String {
        switch self {
        case .string(let text):
            var output: [UInt8] = []
            JSONValue.writeString(text, into: &output)
            return String(decoding: output, as: UTF8.self)
        case .number(let number): return number.text
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        }
    }
}

/// A filter as parsed (RFC 7644 §3.4.2.2), before its attribute paths are resolved.
///
/// Grouping parentheses leave no node: `(a or b) and c` is `.and(.or(a, b), c)`, and the
/// printer puts back exactly the parentheses the precedence needs.
public indirect enum Filter: Sendable, Hashable {
    case compare(AttributePath, ComparisonOperator, ComparisonValue)
    case present(AttributePath)
    case and(Filter, Filter)
    case or(Filter, Filter)
    case not(Filter)
    /// `attrPath "[" valFilter "]"`: the inner filter's paths name sub-attributes.
    case valuePath(AttributePath, Filter)
}
