/// A failure to read a request body as JSON, with the place it happened.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the failure.
    public var line: Int
    /// 1-based column (in bytes) of the failure.
    public var column: Int
    /// What was wrong there.
    public var message: String

    public var description: String { "invalid JSON at line \(line), column \(column): \(message)" }
}

/// Reads RFC 8259 JSON into ``JSONValue``.
///
/// Written by hand rather than on `JSONSerialization` because SCIM needs what Foundation loses on
/// Linux: exact numbers, booleans distinct from numbers, member order, the position of an error,
/// a nesting limit so hostile input cannot exhaust the stack, and rejection of duplicate names.
public struct JSONParser: Sendable {
    /// Deepest nesting of arrays and objects accepted.
    public var maximumDepth: Int
    /// Whether a string may hold U+0000 (`\u0000`). JSON allows it; a request body does not:
    /// PostgreSQL's text cannot store it and SQLite's comparisons stop at it, so the two back
    /// ends would disagree about the same value.
    public var allowsNUL: Bool

    public init(maximumDepth: Int = 64, allowsNUL: Bool = true) {
        self.maximumDepth = maximumDepth
        self.allowsNUL = allowsNUL
    }

    /// The reader for request bodies: no NUL in any string.
    public static let requests = JSONParser(allowsNUL: false)

    /// Parses a complete JSON text.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses a complete JSON text given as UTF-8 bytes.
    public func parse(bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var reader = Reader(bytes: bytes, maximumDepth: maximumDepth, allowsNUL: allowsNUL)
        reader.skipWhitespace()
        if reader.isAtEnd { throw reader.error("the body is empty; expected a JSON value") }
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        if !reader.isAtEnd { throw reader.error("unexpected text after the JSON value") }
        return value
    }
}

private struct Reader {
    let bytes: [UInt8]
    let maximumDepth: Int
    let allowsNUL: Bool
    var position = 0

    init(bytes: [UInt8], maximumDepth: Int, allowsNUL: Bool) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        self.allowsNUL = allowsNUL
        // A UTF-8 byte-order mark is tolerated (RFC 8259 §8.1 allows ignoring it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    var isAtEnd: Bool { position >= bytes.count }

    func error(_ message: String) -> JSONParseError {
        var line = 1
        var column = 1
        for byte in bytes[..<min(position, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return JSONParseError(line: line, column: column, message: message)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func describeCurrent() -> String {
        guard position < bytes.count else { return "the end of the body" }
        let byte = bytes[position]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    mutating func readValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw error("expected a value but found the end of the body") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try readLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try readLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try readLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw error("expected a value but found \(describeCurrent())")
        }
    }

    mutating func readLiteral(_ word: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let expected = Array(word.utf8)
        guard bytes.count - position >= expected.count, Array(bytes[position..<position + expected.count]) == expected
        else { throw error("expected '\(word)'") }
        position += expected.count
        return value
    }

    mutating func readNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                position += 1
            default:
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                guard let number = JSONNumber(text: text) else {
                    position = start
                    throw error("'\(text)' is not a valid JSON number")
                }
                return number
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let number = JSONNumber(text: text) else {
            position = start
            throw error("'\(text)' is not a valid JSON number")
        }
        return number
    }

    mutating func readString() throws(JSONParseError) -> String {
        let start = position
        position += 1  // opening quote
        var buffer: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    position = start
                    throw error("a string is not valid UTF-8")
                }
                return text
            }
            if byte < 0x20 { throw error("a control character must be escaped inside a string") }
            guard byte == UInt8(ascii: "\\") else {
                buffer.append(byte)
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { break }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var code = try readHex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    else { throw error("a high surrogate \\u escape must be followed by a low surrogate") }
                    position += 2
                    let low = try readHex4()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw error("a high surrogate \\u escape must be followed by a low surrogate")
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else {
                    throw error("a lone low surrogate \\u escape is not a character")
                }
                if code == 0, !allowsNUL {
                    position -= 6
                    throw error("a string holds \\u0000 (NUL), which no SCIM value may hold")
                }
                buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                position -= 1
                throw error("'\\\(Character(Unicode.Scalar(escape)))' is not a JSON escape")
            }
        }
        throw error("a string is not closed before the end of the body")
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("a \\u escape needs four hexadecimal digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("a \\u escape needs four hexadecimal digits")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    mutating func readArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw error("nesting deeper than \(maximumDepth) levels") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else { throw error("an array is not closed before the end of the body") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            throw error("expected ',' or ']' in an array but found \(describeCurrent())")
        }
    }

    mutating func readObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw error("nesting deeper than \(maximumDepth) levels") }
        position += 1
        var members: [JSONObject.Member] = []
        // Names seen so far, folded: a set keeps a large object linear, not quadratic.
        var seen = Set<String>()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a member name in quotes but found \(describeCurrent())")
            }
            let keyPosition = position
            let key = try readString()
            if !seen.insert(key.lowercasedASCII()).inserted {
                position = keyPosition
                throw error("the member name \"\(key)\" appears twice (names are case-insensitive in SCIM)")
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw error("expected ':' after the member name \"\(key)\" but found \(describeCurrent())")
            }
            position += 1
            skipWhitespace()
            members.append(JSONObject.Member(key: key, value: try readValue(depth: depth)))
            skipWhitespace()
            guard position < bytes.count else { throw error("an object is not closed before the end of the body") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(JSONObject(uncheckedMembers: members))
            }
            throw error("expected ',' or '}' in an object but found \(describeCurrent())")
        }
    }
}
