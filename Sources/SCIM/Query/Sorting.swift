/// `sortOrder` (RFC 7644 §3.4.2.3).
public enum SortOrder: String, Sendable, Hashable {
    case ascending, descending

    /// Parses the parameter; absent means ascending. Case-insensitive.
    public init(parameter: String?) throws(SCIMError) {
        guard let parameter, !parameter.isEmpty else {
            self = .ascending
            return
        }
        guard let order = SortOrder(rawValue: parameter.lowercasedASCII()) else {
            throw .invalidValue("sortOrder must be \"ascending\" or \"descending\", not \"\(parameter)\"")
        }
        self = order
    }
}

/// A resolved `sortBy` with its order (RFC 7644 §3.4.2.3).
///
/// Values compare by the attribute's type: strings by code point after case folding unless
/// `caseExact`, numbers numerically, dateTimes chronologically, `false` before `true`. A
/// multi-valued attribute sorts by its primary value, else its first. Resources without a value
/// sort after all others in ascending order (and so first in descending order). Ties keep `id`
/// order so pages are stable.
public struct SortSpecification: Sendable, Hashable {
    public var path: ResolvedAttributePath
    public var order: SortOrder

    public init(path: ResolvedAttributePath, order: SortOrder) {
        self.path = path
        self.order = order
    }

    /// Parses `sortBy` and `sortOrder`; `nil` when `sortBy` is absent. An unknown or complex
    /// attribute is 400 `invalidValue`.
    public init?(sortBy: String?, sortOrder: String?, resourceType: ResourceType) throws(SCIMError) {
        guard let sortBy, !sortBy.isEmpty else { return nil }
        var path: ResolvedAttributePath
        do {
            path = try resourceType.resolve(text: sortBy)
        } catch {
            throw .invalidValue("sortBy: \(error.message)")
        }
        if path.subAttribute == nil, path.attribute.type == .complex {
            guard let value = path.attribute.subAttribute(named: "value") else {
                throw .invalidValue("sortBy: '\(path)' is complex; sort by one of its sub-attributes")
            }
            path = path.appending(value)
        }
        if path.leaf.returned == .never {
            throw .invalidValue("sortBy: '\(path)' is write-only")
        }
        self.init(path: path, order: try SortOrder(parameter: sortOrder))
    }

    /// The value a resource sorts by.
    public func key(of resource: JSONObject) -> JSONValue? {
        guard let top = path.attributeValue(in: resource) else { return nil }
        var value: JSONValue? = top
        if case .array(let elements) = top {
            let primary = elements.first { $0.objectValue?["primary"]?.boolValue == true }
            value = primary ?? elements.first
        }
        if let sub = path.subAttribute { value = value?.objectValue?[sub.name] }
        if let value, value.isUnassigned { return nil }
        return value
    }

    /// Orders two sort keys by the attribute's type; `nil` is greatest.
    public func compare(_ left: JSONValue?, _ right: JSONValue?) -> ComparisonResult3 {
        switch (left, right) {
        case (nil, nil): return .same
        case (nil, _): return .after
        case (_, nil): return .before
        case (.string(let a)?, .string(let b)?):
            if path.leaf.type == .dateTime, let x = SCIMDateTime(a), let y = SCIMDateTime(b) { return order3(x, y) }
            let exact = path.leaf.caseExact
            let first = exact ? a : a.scimCaseFolded
            let second = exact ? b : b.scimCaseFolded
            if first.utf8.elementsEqual(second.utf8) { return .same }
            return first.utf8.lexicographicallyPrecedes(second.utf8) ? .before : .after
        case (.number(let a)?, .number(let b)?): return order3(a, b)
        case (.bool(let a)?, .bool(let b)?): return a == b ? .same : (!a ? .before : .after)
        default: return .same
        }
    }

    /// Sorts resources in memory (what a store's `ORDER BY` must agree with).
    public func sorted(_ resources: [JSONObject]) -> [JSONObject] {
        let keyed = resources.map { (resource: $0, key: key(of: $0), id: $0["id"]?.stringValue ?? "") }
        return keyed.sorted { left, right in
            var result = compare(left.key, right.key)
            if order == .descending {
                // Descending reverses the values; "no value" still follows the rule above by
                // reversal, so it comes first.
                result = result == .before ? .after : result == .after ? .before : .same
            }
            if result == .same { return left.id < right.id }
            return result == .before
        }.map(\.resource)
    }
}

/// The three-way result of a comparison.
public enum ComparisonResult3: Sendable, Hashable {
    case before, same, after
}

private func order3<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult3 {
    a < b ? .before : a == b ? .same : .after
}
