extension String {
    /// The case-folded form used wherever `caseExact` is false: filters, sorting and the
    /// case-insensitive uniqueness of `userName` and group `displayName`. Stores that index
    /// case-insensitive keys must fold with this same function.
    public var scimCaseFolded: String { lowercased() }
}

/// Evaluates resolved filters against resources held in memory (RFC 7644 §3.4.2.2).
///
/// Semantics, which the SQL compiler must reproduce exactly (a differential test holds them
/// together):
/// - a multi-valued attribute matches when any of its values matches;
/// - `ne` is the negation of `eq` over the whole attribute, so an absent attribute is `ne` to
///   everything and `emails.value ne "x"` means "has no email x";
/// - strings compare code point by code point, after ``Swift/String/scimCaseFolded`` when the
///   attribute is not `caseExact`; `co`/`sw`/`ew` with `""` match every present value;
/// - dateTimes compare as instants, numbers as numbers, booleans by `eq`/`ne` only;
/// - `pr` needs a value that is not null, `""`, `[]` or `{}`; `eq null` means "not present".
public enum FilterEvaluator {
    /// Whether `resource` (SCIM JSON, extensions under their URN) satisfies `filter`.
    public static func matches(_ filter: ResolvedFilter, _ resource: JSONObject) -> Bool {
        evaluate(filter, resource: resource, element: nil)
    }

    /// Whether one element of a multi-valued complex attribute satisfies the inner filter of a
    /// value path (whose paths name sub-attributes).
    public static func matches(_ filter: ResolvedFilter, element: JSONObject) -> Bool {
        evaluate(filter, resource: JSONObject(), element: element)
    }

    private static func evaluate(_ filter: ResolvedFilter, resource: JSONObject, element: JSONObject?) -> Bool {
        switch filter {
        case .and(let left, let right):
            return evaluate(left, resource: resource, element: element)
                && evaluate(right, resource: resource, element: element)
        case .or(let left, let right):
            return evaluate(left, resource: resource, element: element)
                || evaluate(right, resource: resource, element: element)
        case .not(let inner):
            return !evaluate(inner, resource: resource, element: element)
        case .present(let path):
            return values(of: path, resource: resource, element: element).contains { !$0.isUnassigned }
        case .compare(let path, let comparison, let value):
            let candidates = values(of: path, resource: resource, element: element)
            switch (comparison, value) {
            case (.eq, .null): return !candidates.contains { !$0.isUnassigned }
            case (.ne, .null): return candidates.contains { !$0.isUnassigned }
            case (.ne, _): return !candidates.contains { compare(.eq, path.leaf, $0, value) }
            default: return candidates.contains { compare(comparison, path.leaf, $0, value) }
            }
        case .valuePath(let path, let inner):
            return elements(of: path.attributeValue(in: resource)).contains {
                evaluate(inner, resource: resource, element: $0)
            }
        }
    }

    /// The objects of a complex attribute, multi-valued or not.
    static func elements(of value: JSONValue?) -> [JSONObject] {
        switch value {
        case .array(let values): return values.compactMap(\.objectValue)
        case .object(let object): return [object]
        default: return []
        }
    }

    /// Every value the path names in the resource (or in one element of a value path).
    static func values(of path: ResolvedAttributePath, resource: JSONObject, element: JSONObject?) -> [JSONValue] {
        if let element {
            let name = path.subAttribute?.name ?? path.attribute.name
            return element[name].map { [$0] } ?? []
        }
        guard let top = path.attributeValue(in: resource) else { return [] }
        if let sub = path.subAttribute {
            return elements(of: top).compactMap { $0[sub.name] }
        }
        if case .array(let values) = top { return values }
        return [top]
    }

    static func compare(
        _ comparison: ComparisonOperator, _ definition: AttributeDefinition, _ candidate: JSONValue,
        _ value: ResolvedValue
    )
        -> Bool
    {
        switch value {
        case .string(let expected):
            guard case .string(let actual) = candidate else { return false }
            let exact = definition.caseExact || definition.type == .binary
            let left = exact ? actual : actual.scimCaseFolded
            let right = exact ? expected : expected.scimCaseFolded
            return compareStrings(comparison, left, right)
        case .number(let expected):
            guard case .number(let actual) = candidate else { return false }
            return compareOrdered(comparison, actual, expected)
        case .bool(let expected):
            guard case .bool(let actual) = candidate else { return false }
            return comparison == .eq ? actual == expected : comparison == .ne ? actual != expected : false
        case .dateTime(let expected):
            guard case .string(let text) = candidate, let actual = SCIMDateTime(text) else { return false }
            return compareOrdered(comparison, actual, expected)
        case .null:
            return false
        }
    }

    private static func compareOrdered<T: Comparable>(_ comparison: ComparisonOperator, _ left: T, _ right: T) -> Bool {
        switch comparison {
        case .eq: return left == right
        case .ne: return left != right
        case .gt: return left > right
        case .ge: return left >= right
        case .lt: return left < right
        case .le: return left <= right
        case .co, .sw, .ew: return false
        }
    }

    /// Byte-wise (so code-point-wise) comparison of UTF-8, as SQL's binary collation does.
    static func compareStrings(_ comparison: ComparisonOperator, _ left: String, _ right: String) -> Bool {
        let a = left.utf8
        let b = right.utf8
        switch comparison {
        case .eq: return a.elementsEqual(b)
        case .ne: return !a.elementsEqual(b)
        case .sw: return a.starts(with: b)
        case .ew: return a.reversed().starts(with: b.reversed())
        case .co: return containsBytes(Array(a), Array(b))
        case .gt: return b.lexicographicallyPrecedes(a)
        case .ge: return !a.lexicographicallyPrecedes(b)
        case .lt: return a.lexicographicallyPrecedes(b)
        case .le: return !b.lexicographicallyPrecedes(a)
        }
    }

    private static func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
