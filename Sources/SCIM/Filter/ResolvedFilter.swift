/// A comparison literal checked against the attribute's type: dateTimes parsed, so every later
/// stage (evaluator, SQL compiler) compares instants, never text.
public enum ResolvedValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case dateTime(SCIMDateTime)
    case null

    public var description: String {
        switch self {
        case .string(let text): return ComparisonValue.string(text).description
        case .number(let number): return number.text
        case .bool(let value): return value ? "true" : "false"
        case .dateTime(let instant): return "\"\(instant)\""
        case .null: return "null"
        }
    }
}

/// A filter whose every path is resolved against a resource type and whose every comparison is
/// known to suit the attribute's type. Inside a ``valuePath(_:_:)`` the paths carry the
/// sub-attribute of the element they test.
public indirect enum ResolvedFilter: Sendable, Hashable, CustomStringConvertible {
    case compare(ResolvedAttributePath, ComparisonOperator, ResolvedValue)
    case present(ResolvedAttributePath)
    case and(ResolvedFilter, ResolvedFilter)
    case or(ResolvedFilter, ResolvedFilter)
    case not(ResolvedFilter)
    case valuePath(ResolvedAttributePath, ResolvedFilter)

    /// Canonical text with canonical attribute names (`emails co "x"` prints as `emails.value co "x"`).
    public var description: String { printed(minimumPrecedence: 0, insideValuePath: false) }

    private var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        default: return 3
        }
    }

    private func printed(minimumPrecedence: Int, insideValuePath: Bool) -> String {
        func name(_ path: ResolvedAttributePath) -> String {
            insideValuePath ? (path.subAttribute?.name ?? path.attribute.name) : path.description
        }
        let text: String
        switch self {
        case .compare(let path, let comparison, let value): text = "\(name(path)) \(comparison.rawValue) \(value)"
        case .present(let path): text = "\(name(path)) pr"
        case .and(let left, let right):
            text =
                "\(left.printed(minimumPrecedence: 2, insideValuePath: insideValuePath)) and \(right.printed(minimumPrecedence: 3, insideValuePath: insideValuePath))"
        case .or(let left, let right):
            text =
                "\(left.printed(minimumPrecedence: 1, insideValuePath: insideValuePath)) or \(right.printed(minimumPrecedence: 2, insideValuePath: insideValuePath))"
        case .not(let inner): text = "not (\(inner.printed(minimumPrecedence: 0, insideValuePath: insideValuePath)))"
        case .valuePath(let path, let inner):
            text = "\(path)[\(inner.printed(minimumPrecedence: 0, insideValuePath: true))]"
        }
        return precedence < minimumPrecedence ? "(\(text))" : text
    }
}

extension ResourceType {
    /// Resolves a parsed filter against this type (RFC 7644 §3.4.2.2): an unknown attribute, an
    /// operator the attribute's type does not allow, or a literal of the wrong type is a 400
    /// `invalidFilter` naming the attribute — never a clause silently dropped.
    public func resolve(_ filter: Filter) throws(SCIMError) -> ResolvedFilter {
        try resolve(filter, within: nil)
    }

    /// Parses and resolves filter text.
    public func resolveFilter(_ text: String, limits: FilterLimits = .default) throws(SCIMError) -> ResolvedFilter {
        let parsed: Filter
        do {
            parsed = try FilterParser(limits: limits).parse(text)
        } catch {
            throw error.scimError
        }
        return try resolve(parsed)
    }

    private func resolve(_ filter: Filter, within parent: ResolvedAttributePath?) throws(SCIMError) -> ResolvedFilter {
        switch filter {
        case .and(let left, let right):
            return .and(try resolve(left, within: parent), try resolve(right, within: parent))
        case .or(let left, let right): return .or(try resolve(left, within: parent), try resolve(right, within: parent))
        case .not(let inner): return .not(try resolve(inner, within: parent))
        case .present(let path):
            return .present(try resolveFilterPath(path, within: parent, forPresence: true))
        case .compare(let path, let comparison, let value):
            let resolved = try resolveFilterPath(path, within: parent, forPresence: false)
            return .compare(resolved, comparison, try ResourceType.check(value, comparison, for: resolved))
        case .valuePath(let path, let inner):
            guard parent == nil else {
                throw .invalidFilter("value filters cannot be nested: '\(path)[…]' is inside another '[…]'")
            }
            let resolved: ResolvedAttributePath
            do {
                resolved = try resolve(path)
            } catch {
                throw .invalidFilter("unknown attribute in filter: \(error.message)")
            }
            guard resolved.attribute.type == .complex else {
                throw .invalidFilter(
                    "'\(resolved)' is not a complex attribute, so it takes no '[…]' value filter; compare it directly")
            }
            return .valuePath(resolved, try resolve(inner, within: resolved))
        }
    }

    private func resolveFilterPath(
        _ path: AttributePath, within parent: ResolvedAttributePath?, forPresence: Bool
    )
        throws(SCIMError) -> ResolvedAttributePath
    {
        var resolved: ResolvedAttributePath
        if let parent {
            guard path.schema == nil, path.subAttribute == nil else {
                throw .invalidFilter(
                    "inside '\(parent.attribute.name)[…]' name sub-attributes of \(parent.attribute.name) alone, not '\(path)'"
                )
            }
            guard let sub = parent.attribute.subAttribute(named: path.name) else {
                let known = parent.attribute.subAttributes.map(\.name).joined(separator: ", ")
                throw .invalidFilter(
                    "'\(path.name)' is not a sub-attribute of '\(parent.attribute.name)' (it has: \(known))")
            }
            resolved = parent.appending(sub)
        } else {
            do {
                resolved = try resolve(path)
            } catch {
                throw .invalidFilter("unknown attribute in filter: \(error.message)")
            }
        }
        // RFC 7644 §3.4.2.2: a complex attribute compared to a value means its `value` sub-attribute
        // (the RFC's own example: `emails co "example.com"`).
        if resolved.subAttribute == nil, resolved.attribute.type == .complex, !forPresence {
            guard let value = resolved.attribute.subAttribute(named: "value") else {
                throw .invalidFilter(
                    "'\(resolved)' is complex; compare one of its sub-attributes, e.g. \(resolved).\(resolved.attribute.subAttributes.first?.name ?? "value")"
                )
            }
            resolved = resolved.appending(value)
        }
        if resolved.leaf.mutability == .writeOnly || resolved.leaf.returned == .never {
            throw .invalidFilter("'\(resolved)' is write-only and cannot be used in a filter")
        }
        return resolved
    }

    private static func check(
        _ value: ComparisonValue, _ comparison: ComparisonOperator, for path: ResolvedAttributePath
    )
        throws(SCIMError) -> ResolvedValue
    {
        let leaf = path.leaf
        if case .null = value {
            guard comparison == .eq || comparison == .ne else {
                throw .invalidFilter("'\(comparison.rawValue) null' is meaningless; use 'eq null', 'ne null' or 'pr'")
            }
            return .null
        }
        switch comparison {
        case .gt, .ge, .lt, .le:
            guard leaf.isOrderable else {
                throw .invalidFilter(
                    "'\(comparison.rawValue)' cannot compare '\(path)', a \(leaf.type.rawValue) attribute (RFC 7644 §3.4.2.2)"
                )
            }
        case .co, .sw, .ew:
            guard leaf.type == .string || leaf.type == .reference || leaf.type == .binary else {
                throw .invalidFilter(
                    "'\(comparison.rawValue)' needs a string attribute, but '\(path)' is a \(leaf.type.rawValue)")
            }
        case .eq, .ne:
            break
        }
        switch (leaf.type, value) {
        case (.string, .string(let text)), (.reference, .string(let text)), (.binary, .string(let text)):
            return .string(text)
        case (.boolean, .bool(let flag)):
            return .bool(flag)
        case (.integer, .number(let number)), (.decimal, .number(let number)):
            return .number(number)
        case (.dateTime, .string(let text)):
            guard let instant = SCIMDateTime(text) else {
                throw .invalidFilter("\"\(text)\" is not a dateTime such as \"2011-05-13T04:42:34Z\" (for '\(path)')")
            }
            return .dateTime(instant)
        default:
            throw .invalidFilter("'\(path)' is a \(leaf.type.rawValue) attribute and cannot be compared with \(value)")
        }
    }
}
