/// A filter that could not be read, with where and what: the column (1-based, in characters)
/// and what the grammar expected there.
public struct FilterParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The filter text.
    public var filter: String
    /// 1-based column of the offending character.
    public var column: Int
    /// What was wrong, e.g. "expected a comparison operator … but found 'eqq'".
    public var message: String

    public init(filter: String, column: Int, message: String) {
        self.filter = filter
        self.column = column
        self.message = message
    }

    /// The message, the filter, and a caret under the column (in the manner of swift-parsing).
    public var description: String {
        // A caret is only drawn under text that is shown (not for "too long", where the filter is cut).
        guard column >= 1, column <= filter.unicodeScalars.count + 1 else { return message }
        return "\(message) at column \(column)\n  \(filter)\n  \(String(repeating: " ", count: column - 1))^"
    }

    /// Whether the error is inside the `[…]` value filter of a PATCH path (RFC 7644 Table 9 lists
    /// `invalidFilter` for "PATCH (Path Filter)"), rather than in the path itself.
    public var isInValueFilter = false

    /// As the 400 `invalidFilter` error RFC 7644 §3.4.2.2 asks for.
    public var scimError: SCIMError { .invalidFilter("invalid filter: \(description)") }
}

/// Bounds on filters, so a hostile filter cannot cost unbounded time or stack. Advertised by the
/// API; exceeding one is `invalidFilter` with a detail that names the limit.
public struct FilterLimits: Sendable, Hashable {
    /// Longest filter text accepted, in characters.
    public var maximumLength: Int
    /// Deepest nesting of parentheses, `not` and value paths.
    public var maximumDepth: Int
    /// Most comparisons (`eq`, `pr`, …) in one filter.
    public var maximumComparisons: Int

    public init(maximumLength: Int = 4096, maximumDepth: Int = 16, maximumComparisons: Int = 256) {
        self.maximumLength = maximumLength
        self.maximumDepth = maximumDepth
        self.maximumComparisons = maximumComparisons
    }

    public static let `default` = FilterLimits()
}
