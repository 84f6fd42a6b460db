/// A token of the filter language with the column it starts at.
struct FilterToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// An attribute path, keyword or operator: the ABNF does not tell them apart lexically.
        case word(String)
        case string(String)
        case number(JSONNumber)
        case openParen, closeParen, openBracket, closeBracket
        case end
    }

    var kind: Kind
    var column: Int

    var display: String {
        switch kind {
        case .word(let word): return "'\(word)'"
        case .string(let text): return "the string \(ComparisonValue.string(text))"
        case .number(let number): return "the number \(number.text)"
        case .openParen: return "'('"
        case .closeParen: return "')'"
        case .openBracket: return "'['"
        case .closeBracket: return "']'"
        case .end: return "the end of the filter"
        }
    }
}

/// Splits filter text into tokens (the "tokenise" stage; the parser never looks at characters).
struct FilterLexer {
    let text: String
    let scalars: [Unicode.Scalar]

    init(_ text: String) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
    }

    func tokenize() throws(FilterParseError) -> [FilterToken] {
        var tokens: [FilterToken] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let column = index + 1
            switch scalar {
            case " ", "\t", "\n", "\r":
                index += 1
            case "(":
                tokens.append(FilterToken(kind: .openParen, column: column))
                index += 1
            case ")":
                tokens.append(FilterToken(kind: .closeParen, column: column))
                index += 1
            case "[":
                tokens.append(FilterToken(kind: .openBracket, column: column))
                index += 1
            case "]":
                tokens.append(FilterToken(kind: .closeBracket, column: column))
                index += 1
            case "\"":
                let (text, next) = try readString(from: index)
                tokens.append(FilterToken(kind: .string(text), column: column))
                index = next
            case "-", "0"..."9":
                var end = index + 1
                while end < scalars.count, FilterLexer.isNumberCharacter(scalars[end]) { end += 1 }
                let literal = String(String.UnicodeScalarView(scalars[index..<end]))
                guard let number = JSONNumber(text: literal) else {
                    throw FilterParseError(filter: text, column: column, message: "'\(literal)' is not a valid number")
                }
                tokens.append(FilterToken(kind: .number(number), column: column))
                index = end
            default:
                guard FilterLexer.isWordCharacter(scalar) else {
                    throw FilterParseError(
                        filter: text, column: column, message: "unexpected character '\(Character(scalar))'")
                }
                var end = index + 1
                while end < scalars.count, FilterLexer.isWordCharacter(scalars[end]) { end += 1 }
                tokens.append(
                    FilterToken(kind: .word(String(String.UnicodeScalarView(scalars[index..<end]))), column: column))
                index = end
            }
        }
        tokens.append(FilterToken(kind: .end, column: scalars.count + 1))
        return tokens
    }

    /// Reads a JSON string literal (RFC 7644 §3.4.2.2: `compValue` strings are JSON strings).
    private func readString(from start: Int) throws(FilterParseError) -> (String, Int) {
        var index = start + 1
        var output = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"" { return (String(output), index + 1) }
            if scalar == "\\" {
                guard index + 1 < scalars.count else { break }
                let escape = scalars[index + 1]
                index += 2
                switch escape {
                case "\"", "\\", "/": output.append(escape)
                case "b": output.append("\u{08}")
                case "f": output.append("\u{0C}")
                case "n": output.append("\n")
                case "r": output.append("\r")
                case "t": output.append("\t")
                case "u":
                    var code = try hex4(at: index, escapeColumn: index - 1)
                    index += 4
                    if (0xD800...0xDBFF).contains(code), index + 5 < scalars.count + 0, scalars[index] == "\\",
                        scalars[index + 1] == "u"
                    {
                        let low = try hex4(at: index + 2, escapeColumn: index + 1)
                        if (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            index += 6
                        }
                    }
                    guard let decoded = Unicode.Scalar(code), decoded != "\u{0}" else {
                        throw FilterParseError(
                            filter: text, column: index - 5,
                            message: code == 0 ? Self.nulMessage : "the \\u escape is not a character")
                    }
                    output.append(decoded)
                default:
                    throw FilterParseError(
                        filter: text, column: index - 1, message: "'\\\(Character(escape))' is not a JSON escape")
                }
                continue
            }
            if scalar == "\u{0}" { throw FilterParseError(filter: text, column: index + 1, message: Self.nulMessage) }
            output.append(scalar)
            index += 1
        }
        throw FilterParseError(filter: text, column: start + 1, message: "the string is not closed")
    }

    /// Why a string literal with U+0000 is refused.
    private static var nulMessage: String { "a string holds U+0000 (NUL), which no SCIM value may hold" }

    private func hex4(at index: Int, escapeColumn: Int) throws(FilterParseError) -> UInt32 {
        guard index + 4 <= scalars.count else {
            throw FilterParseError(
                filter: text, column: escapeColumn, message: "a \\u escape needs four hexadecimal digits")
        }
        var value: UInt32 = 0
        for scalar in scalars[index..<index + 4] {
            guard let digit = Character(scalar).hexDigitValue else {
                throw FilterParseError(
                    filter: text, column: escapeColumn, message: "a \\u escape needs four hexadecimal digits")
            }
            value = value * 16 + UInt32(digit)
        }
        return value
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", ":", "$": return true
        default: return false
        }
    }

    static func isNumberCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "-", "+", ".", "e", "E": return true
        default: return false
        }
    }
}
