/// Previous / next links and where the page is, for a list paged by number.
struct Pager: Sendable {
    var previous: String?
    var next: String?
    var label: String
    var shown: Bool

    init(page: Int, size: Int, total: Int, link: (Int) -> String) {
        let pages = max(1, (total + size - 1) / size)
        previous = page > 1 ? link(page - 1) : nil
        next = page < pages ? link(page + 1) : nil
        label = "Page \(min(page, pages)) of \(pages)"
        shown = pages > 1
    }

    /// The page a `?page=` asks for: 1 when absent or not a number, and at most 100 000 (a
    /// larger offset would only make the database count past every row to show nothing).
    static func number<Text: StringProtocol>(_ text: Text?) -> Int {
        guard let text, let value = Int(text) else { return 1 }
        if value < 1 { return 1 }
        if value > 100_000 { return 100_000 }
        return value
    }

    /// A keyset pager: only "next", from the last id shown.
    init(next: String?, first: String?) {
        self.previous = first
        self.next = next
        self.label = ""
        self.shown = next != nil || first != nil
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (form input as typed).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
