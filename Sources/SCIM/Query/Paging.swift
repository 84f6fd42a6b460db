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
        self.startIndex = max(1, startIndex ?? 1)
        self.count = min(max(0, count ?? maximumCount), maximumCount)
    }

    /// The 0-based offset of the first result.
    public var offset: Int { startIndex - 1 }

    private static func integer(_ text: String?, _ name: String) throws(SCIMError) -> Int? {
        guard let text = text?.trimmingSpaces(), !text.isEmpty else { return nil }
        guard let value = Int(text) else {
            // A value too large for Int is still an integer: clamp rather than refuse.
            if text.allSatisfy(\.isNumber) { return Int.max }
            if text.hasPrefix("-"), text.dropFirst().allSatisfy(\.isNumber) { return Int.min }
            throw .invalidValue("\(name) must be an integer, not \"\(text)\"")
        }
        return value
    }
}
