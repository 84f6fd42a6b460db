import SCIM

/// The query string of a request, decoded the way SCIM clients encode it: `+` is a space (Okta's
/// 2019 capture, Entra's validator) and `%XX` a byte (Okta's 2024 text); raw `"` is accepted
/// (docs/idp-behaviour.md §5.2). Parameter names match case-insensitively.
struct QueryParameters: Sendable {
    private var values: [(String, String)] = []

    /// Fails 400 when a name or value decodes to bytes that are not UTF-8: `%FF` in a filter
    /// would otherwise become U+FFFD and quietly match nothing.
    init(_ query: String?) throws(SCIMError) {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let nameBytes = Self.decodeBytes(parts[0])
            let valueBytes = parts.count > 1 ? Self.decodeBytes(parts[1]) : []
            guard let name = String(validating: nameBytes, as: UTF8.self),
                let value = String(validating: valueBytes, as: UTF8.self)
            else {
                let shown = String(decoding: nameBytes, as: UTF8.self)
                throw .invalidValue("the query parameter '\(shown)' is not valid UTF-8 once percent-decoded")
            }
            if nameBytes.contains(0) || valueBytes.contains(0) {
                throw .invalidValue(
                    "the query parameter '\(String(decoding: nameBytes, as: UTF8.self))' holds a NUL byte (%00)")
            }
            values.append((name, value))
        }
    }

    subscript(_ name: String) -> String? {
        values.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Percent-decoding with `+` as space; an invalid escape is kept as written.
    static func decode(_ text: Substring) -> String {
        String(decoding: decodeBytes(text), as: UTF8.self)
    }

    static func decodeBytes(_ text: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.first {
            iterator = iterator.dropFirst()
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hex(iterator[iterator.startIndex]), let low = hex(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    /// Percent-decoding of a path segment (no `+` rule there).
    static func decodePath(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        return decode(Substring(text.replacingPlus()))
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Substring {
    /// `+` written as `%2B`, so path decoding keeps a literal plus.
    fileprivate func replacingPlus() -> String {
        var output = ""
        for character in self {
            if character == "+" { output += "%2B" } else { output.append(character) }
        }
        return output
    }
}
