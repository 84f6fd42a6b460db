extension Filter: CustomStringConvertible {
    /// The canonical text: lower-case keywords, JSON string literals, and only the parentheses
    /// that precedence needs, so that parsing the text gives back this very tree.
    public var description: String { printed(minimumPrecedence: 0) }

    private var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .compare, .present, .not, .valuePath: return 3
        }
    }

    private func printed(minimumPrecedence: Int) -> String {
        let text: String
        switch self {
        case .compare(let path, let comparison, let value): text = "\(path) \(comparison.rawValue) \(value)"
        case .present(let path): text = "\(path) pr"
        // Left-associative: the left operand may be of the same level, the right must bind tighter.
        case .and(let left, let right):
            text = "\(left.printed(minimumPrecedence: 2)) and \(right.printed(minimumPrecedence: 3))"
        case .or(let left, let right):
            text = "\(left.printed(minimumPrecedence: 1)) or \(right.printed(minimumPrecedence: 2))"
        case .not(let inner): text = "not (\(inner.printed(minimumPrecedence: 0)))"
        case .valuePath(let path, let inner): text = "\(path)[\(inner.printed(minimumPrecedence: 0))]"
        }
        return precedence < minimumPrecedence ? "(\(text))" : text
    }
}
