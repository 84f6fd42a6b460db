/// Index paging parameters (RFC 7644 §3.4.2.4), normalized as the RFC says: a `startIndex`
/// below 1 means 1; a negative `count` means 0; `count` is capped by the server's maximum and
/// defaults to it.
public struct IndexPaging: Sendable, Hashable {
    /// 1-based index of the first result.
    public var startIndex: Int
    /// Most results on the page.
    public var count: Int

    public init(startIndex: Int, count: Int) {
        self.startIndex = startIndex
        self.count = count
    }

    /// Normalizes the raw query values; non-integers are 400 `invalidValue`.
    public init(startIndex: String?, count: String?, maximumCount: Int) throws(SCIMError) {
        self.init(
            startIndex: try IndexPaging.integer(startIndex, "startIndex"),
            count: try IndexPaging.integer(count, "count"),
            maximumCount: maximumCount)
    }

    /// Normalizes already-parsed values (SearchRequest bodies).
    public init(startIndex: Int?, count: Int?, maximumCount: Int) {
        self.startIndex = min(max(1, startIndex ?? 1), IndexPaging.limit)
        self.count = min(max(0, count ?? maximumCount), maximumCount)
    }

    /// The 0-based offset of the first result.
    public var offset: Int { startIndex - 1 }

    private static func integer(_ text: String?, _ name: String) throws(SCIMError) -> Int? {
        guard let text = text?.trimmingSpaces(), !text.isEmpty else { return nil }
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidValue("\(name) must be an integer, not \"\(text)\"")
        }
        // Clamped to 32 bits so that no later `offset + count` can overflow.
        guard let value = Int(text) else { return text.hasPrefix("-") ? -IndexPaging.limit : IndexPaging.limit }
        return min(max(value, -IndexPaging.limit), IndexPaging.limit)
    }

    /// The largest magnitude a paging parameter keeps.
    static let limit = Int(Int32.max)

}
