/// Parses the filter language of RFC 7644 §3.4.2.2. Functions are named after the ABNF rules of
/// Figure 1; precedence (highest first): grouping and `not`, then `and`, then `or`, both
/// left-associative. Keywords and operators match in any case.
public struct FilterParser: Sendable {
    public var limits: FilterLimits

    public init(limits: FilterLimits = .default) {
        self.limits = limits
    }

    /// Parses a complete filter.
    public func parse(_ text: String) throws(FilterParseError) -> Filter {
        let length = text.unicodeScalars.count
        if length > limits.maximumLength {
            throw FilterParseError(
                filter: String(text.prefix(80)) + "…", column: limits.maximumLength + 1,
                message: "the filter is \(length) characters long; the limit is \(limits.maximumLength)")
        }
        var state = State(text: text, tokens: try FilterLexer(text).tokenize(), limits: limits)
        if case .end = state.current.kind {
            throw FilterParseError(filter: text, column: 1, message: "the filter is empty; expected an expression")
        }
        let filter = try state.filter(depth: 0)
        guard case .end = state.current.kind else {
            throw state.error("expected 'and', 'or' or the end of the filter but found \(state.current.display)")
        }
        return filter
    }

    /// Parses a PATCH `path` (RFC 7644 §3.5.2, ABNF `PATH = attrPath / valuePath [subAttr]`).
    public func parsePatchPath(_ text: String) throws(FilterParseError) -> PatchPath {
        let scalars = Array(text.unicodeScalars)
        guard let bracket = scalars.firstIndex(of: "[") else {
            guard let path = AttributePath(parsing: text.trimmingSpaces()) else {
                throw FilterParseError(
                    filter: text, column: 1, message: "'\(text)' is not an attribute path such as name.givenName")
            }
            return PatchPath(attribute: path, valueFilter: nil, subAttribute: nil)
        }
        let head = String(String.UnicodeScalarView(scalars[..<bracket]))
        guard let attribute = AttributePath(parsing: head), attribute.subAttribute == nil else {
            throw FilterParseError(
                filter: text, column: 1, message: "'\(head)' before '[' is not an attribute name such as emails")
        }
        // Find the closing bracket, skipping string literals.
        var index = bracket + 1
        var inString = false
        var close: Int?
        while index < scalars.count {
            let scalar = scalars[index]
            if inString {
                if scalar == "\\" {
                    index += 1
                } else if scalar == "\"" {
                    inString = false
                }
            } else if scalar == "\"" {
                inString = true
            } else if scalar == "]" {
                close = index
                break
            }
            index += 1
        }
        guard let close else {
            throw FilterParseError(filter: text, column: bracket + 1, message: "the '[' is not closed by ']'")
        }
        let inner = String(String.UnicodeScalarView(scalars[(bracket + 1)..<close]))
        let filter: Filter
        do {
            filter = try parse(inner)
        } catch {
            var located = FilterParseError(filter: text, column: error.column + bracket + 1, message: error.message)
            located.isInValueFilter = true
            throw located
        }
        var subAttribute: String?
        if close + 1 < scalars.count {
            let tail = String(String.UnicodeScalarView(scalars[(close + 1)...]))
            guard tail.hasPrefix("."), AttributePath.isAttributeName(tail.dropFirst()) else {
                throw FilterParseError(
                    filter: text, column: close + 2,
                    message: "expected '.' and a sub-attribute name after ']' but found '\(tail)'")
            }
            subAttribute = String(tail.dropFirst())
        }
        return PatchPath(attribute: attribute, valueFilter: filter, subAttribute: subAttribute)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars = scalars.dropFirst() }
        while scalars.last == " " { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

private struct State {
    let text: String
    let tokens: [FilterToken]
    let limits: FilterLimits
    var index = 0
    var comparisons = 0

    init(text: String, tokens: [FilterToken], limits: FilterLimits) {
        self.text = text
        self.tokens = tokens
        self.limits = limits
    }

    var current: FilterToken { tokens[index] }
    var next: FilterToken { tokens[min(index + 1, tokens.count - 1)] }

    func error(_ message: String, at token: FilterToken? = nil) -> FilterParseError {
        FilterParseError(filter: text, column: (token ?? current).column, message: message)
    }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func isKeyword(_ token: FilterToken, _ keyword: String) -> Bool {
        if case .word(let word) = token.kind { return word.equalsIgnoringASCIICase(keyword) }
        return false
    }

    /// `filter = valFilter`, with `or` binding loosest.
    mutating func filter(depth: Int) throws(FilterParseError) -> Filter {
        var left = try andExpression(depth: depth)
        while isKeyword(current, "or") {
            advance()
            left = .or(left, try andExpression(depth: depth))
        }
        return left
    }

    /// `logExp` with `and`.
    mutating func andExpression(depth: Int) throws(FilterParseError) -> Filter {
        var left = try unary(depth: depth)
        while isKeyword(current, "and") {
            advance()
            left = .and(left, try unary(depth: depth))
        }
        return left
    }

    /// `*1"not" "(" valFilter ")"`, `attrExp` or `valuePath`.
    mutating func unary(depth: Int) throws(FilterParseError) -> Filter {
        if isKeyword(current, "not"), case .openParen = next.kind {
            advance()
            return .not(try group(depth: depth + 1))
        }
        if case .openParen = current.kind {
            return try group(depth: depth + 1)
        }
        return try attributeExpression(depth: depth)
    }

    mutating func group(depth: Int) throws(FilterParseError) -> Filter {
        guard depth <= limits.maximumDepth else {
            throw error("the filter nests deeper than \(limits.maximumDepth) levels")
        }
        let open = current
        advance()
        let inner = try filter(depth: depth)
        guard case .closeParen = current.kind else {
            throw error("expected ')' to close the '(' at column \(open.column) but found \(current.display)")
        }
        advance()
        return inner
    }

    /// `attrExp = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)`, or a `valuePath`.
    mutating func attributeExpression(depth: Int) throws(FilterParseError) -> Filter {
        let pathToken = current
        guard case .word(let word) = pathToken.kind else {
            throw error("expected an attribute name, 'not' or '(' but found \(current.display)")
        }
        guard let path = AttributePath(parsing: word) else {
            throw error("'\(word)' is not an attribute path such as userName or name.givenName")
        }
        advance()
        if case .openBracket = current.kind {
            guard path.subAttribute == nil else {
                throw error(
                    "a value filter follows an attribute, not a sub-attribute: write '\(path.name)[…]'", at: pathToken)
            }
            guard depth + 1 <= limits.maximumDepth else {
                throw error("the filter nests deeper than \(limits.maximumDepth) levels")
            }
            let open = current
            advance()
            let inner = try filter(depth: depth + 1)
            guard case .closeBracket = current.kind else {
                throw error("expected ']' to close the '[' at column \(open.column) but found \(current.display)")
            }
            advance()
            // Entra matches users with `emails[type eq "work"].value eq "…"`
            // (docs/idp-behaviour.md §2.1, §5.3): a value path, a sub-attribute, then a comparison.
            // It means one element satisfying both, so it becomes
            // `emails[type eq "work" and value eq "…"]`.
            if case .word(let word) = current.kind, word.hasPrefix(".") {
                let subToken = current
                guard AttributePath.isAttributeName(word.dropFirst()) else {
                    throw error("'\(word)' after ']' is not a sub-attribute such as .value", at: subToken)
                }
                advance()
                let leaf = try comparison(on: AttributePath(name: String(word.dropFirst())), pathToken: subToken)
                return .valuePath(path, .and(inner, leaf))
            }
            return .valuePath(path, inner)
        }
        return try comparison(on: path, pathToken: pathToken)
    }

    /// `SP compareOp SP compValue` or `SP "pr"` after an attribute path.
    mutating func comparison(on path: AttributePath, pathToken: FilterToken) throws(FilterParseError) -> Filter {
        let word = path.description
        let operatorToken = current
        guard case .word(let operatorWord) = operatorToken.kind else {
            throw error(
                "expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after '\(word)' but found \(current.display)"
            )
        }
        try countComparison(at: pathToken)
        if operatorWord.equalsIgnoringASCIICase("pr") {
            advance()
            return .present(path)
        }
        guard let comparison = ComparisonOperator(rawValue: operatorWord.lowercasedASCII()) else {
            throw error(
                "expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after '\(word)' but found '\(operatorWord)'"
            )
        }
        advance()
        let value = try comparisonValue()
        return .compare(path, comparison, value)
    }

    mutating func countComparison(at token: FilterToken) throws(FilterParseError) {
        comparisons += 1
        if comparisons > limits.maximumComparisons {
            throw error("the filter has more than \(limits.maximumComparisons) comparisons", at: token)
        }
    }

    /// `compValue = false / null / true / number / string`.
    mutating func comparisonValue() throws(FilterParseError) -> ComparisonValue {
        let token = current
        switch token.kind {
        case .string(let text):
            advance()
            return .string(text)
        case .number(let number):
            advance()
            return .number(number)
        case .word(let word):
            switch word.lowercasedASCII() {
            case "true":
                advance()
                return .bool(true)
            case "false":
                advance()
                return .bool(false)
            case "null":
                advance()
                return .null
            default:
                throw error(
                    "expected a value (a \"quoted string\", a number, true, false or null) but found '\(word)'; strings need double quotes"
                )
            }
        default:
            throw error(
                "expected a value (a \"quoted string\", a number, true, false or null) but found \(token.display)")
        }
    }
}
