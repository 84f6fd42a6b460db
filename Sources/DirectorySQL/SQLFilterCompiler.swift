import SCIM

/// The two tables resources live in.
public enum DirectoryTable: String, Sendable, Hashable {
    case users
    case groups

    /// The table name as written in SQL (`groups` is quoted: it is a keyword in both databases).
    public var sqlName: String { self == .users ? "users" : #""groups""# }
    var resourceType: String { self == .users ? "User" : "Group" }
}

/// Collects binds and hands out numbered placeholders, so fragments compose without clashing.
public struct SQLBinds: Sendable {
    public private(set) var values: [SQLValue] = []
    let dialect: SQLDialect

    public init(dialect: SQLDialect, startingWith values: [SQLValue] = []) {
        self.dialect = dialect
        self.values = values
    }

    /// Appends a value and returns its placeholder.
    public mutating func add(_ value: SQLValue) -> String {
        values.append(value)
        return dialect.placeholder(values.count)
    }
}

/// Why a filter or sort cannot be expressed in SQL. Never a silently dropped clause (which would
/// widen an `and`): the store turns this into an error the client sees.
public struct SQLCompileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Compiles resolved SCIM filters (RFC 7644 §3.4.2.2) to SQL `WHERE` text and binds, with the
/// exact semantics of `FilterEvaluator` (see docs/decisions/0002-filter-semantics.md): leaves under
/// a `NOT` are two-valued (`COALESCE(…, false)`), `ne` is `NOT eq`, multi-valued attributes match
/// through sub-selects, strings fold with the dialect's `scimCaseFolded` twin and order by code point,
/// `co`/`sw`/`ew` use `LIKE` with `%`, `_` and `\` escaped.
public struct SQLFilterCompiler: Sendable {
    public var dialect: SQLDialect
    public var table: DirectoryTable

    public init(dialect: SQLDialect, table: DirectoryTable) {
        self.dialect = dialect
        self.table = table
    }

    /// The `WHERE` text for `filter`, adding its binds to `binds`.
    public func compile(_ filter: ResolvedFilter, binds: inout SQLBinds) throws(SQLCompileError) -> String {
        try compile(filter, context: .resource, negated: false, binds: &binds)
    }

    /// `ORDER BY` text for a sort (or by `id` alone), always ending with `id` so pages are stable.
    public func orderBy(_ sort: SortSpecification?) throws(SQLCompileError) -> String {
        let id = "\(table.sqlName).id"
        guard let sort else { return "\(id) ASC" }
        guard let operand = try sortOperand(sort.path) else {
            throw SQLCompileError(message: "sortBy '\(sort.path)' is not supported by this server")
        }
        let direction = sort.order == .ascending ? "ASC NULLS LAST" : "DESC NULLS FIRST"
        return "\(operand) \(direction), \(id) ASC"
    }

    // MARK: Operands

    /// Where a compiled comparison reads its value.
    enum Context {
        case resource
        /// Inside `EXISTS` over the elements of a multi-valued attribute.
        case element(ElementSource)
    }

    /// The rows a multi-valued attribute is stored in.
    enum ElementSource {
        /// `user_emails` rows, alias `e`.
        case emails
        /// `memberships` rows of a group (alias `m`): `value` is the user id.
        case members
        /// `memberships` rows of a user joined to groups (aliases `m`, `g`): `value`, `display`.
        case userGroups
        /// Elements of a JSON array, alias `e`.
        case json(keys: [String], scalar: Bool)
    }

    /// A scalar operand: SQL text and how it compares.
    struct Operand {
        enum Kind {
            /// Text; `folded` when the stored text is already `scimCaseFolded` (keys, lower-case ids).
            case text(folded: Bool)
            /// 0/1 integer column.
            case integerBoolean
            /// A JSON boolean at a path.
            case jsonBoolean(base: String, keys: [String])
            /// Microseconds since the epoch.
            case microseconds
            /// A JSON number.
            case number
        }

        var sql: String
        var kind: Kind
    }

    /// `negated` is whether an odd number of `NOT`s encloses the node. SQL's NULL (an absent
    /// value) behaves exactly as false wherever no `NOT` encloses it, so only leaves under an odd
    /// number of `NOT`s are made two-valued with `COALESCE`; the others stay plain comparisons
    /// that an index can serve (a leaf at even depth only ever raises the result, so reading its
    /// NULL as false is exact).
    private func compile(
        _ filter: ResolvedFilter, context: Context, negated: Bool, binds: inout SQLBinds
    )
        throws(SQLCompileError) -> String
    {
        switch filter {
        case .and(let left, let right):
            let first = try compile(left, context: context, negated: negated, binds: &binds)
            return "(\(first) AND \(try compile(right, context: context, negated: negated, binds: &binds)))"
        case .or(let left, let right):
            let first = try compile(left, context: context, negated: negated, binds: &binds)
            return "(\(first) OR \(try compile(right, context: context, negated: negated, binds: &binds)))"
        case .not(let inner):
            return "(NOT \(try compile(inner, context: context, negated: !negated, binds: &binds)))"
        case .valuePath(let path, let inner):
            guard let source = elementSource(path) else {
                throw SQLCompileError(message: "'\(path)[…]' cannot be used in a filter on this server")
            }
            // The sub-select's WHERE starts a fresh, un-negated context.
            return try exists(source, binds: &binds) { (binds: inout SQLBinds) throws(SQLCompileError) in
                try compile(inner, context: .element(source), negated: false, binds: &binds)
            }
        case .present(let path):
            return try present(path, context: context, binds: &binds)
        case .compare(let path, let comparison, let value):
            switch (comparison, value) {
            case (.eq, .null):
                return "(NOT \(try present(path, context: context, binds: &binds)))"
            case (.ne, .null):
                return try present(path, context: context, binds: &binds)
            case (.ne, _):
                let equal = try compare(path, .eq, value, context: context, negated: !negated, binds: &binds)
                return "(NOT \(equal))"
            default:
                return try compare(path, comparison, value, context: context, negated: negated, binds: &binds)
            }
        }
    }

    /// "Some element satisfies the condition". Elements kept in tables become an uncorrelated
    /// `id IN (SELECT …)`, which both databases answer from an index (`user_emails.value_key`,
    /// the membership keys) instead of probing every row; JSON arrays need `EXISTS` per row.
    private func exists(
        _ source: ElementSource, binds: inout SQLBinds,
        _ inner: (inout SQLBinds) throws(SQLCompileError) -> String?
    ) throws(SQLCompileError) -> String {
        let condition = try inner(&binds)
        let whereClause = condition.map { " WHERE \($0)" } ?? ""
        switch source {
        case .emails:
            return "users.id IN (SELECT e.user_id FROM user_emails e\(whereClause))"
        case .members:
            return #""groups".id IN (SELECT m.group_id FROM memberships m"# + "\(whereClause))"
        case .userGroups:
            return #"users.id IN (SELECT m.user_id FROM memberships m JOIN "groups" g ON g.id = m.group_id"#
                + "\(whereClause))"
        case .json(let keys, _):
            let from = dialect.jsonElements("\(table.sqlName).resource", keys, alias: "e")
            return "EXISTS (SELECT 1 FROM \(from)\(whereClause))"
        }
    }

    /// The element source of a multi-valued (or complex, for value paths) attribute.
    private func elementSource(_ path: ResolvedAttributePath) -> ElementSource? {
        let name = path.attribute.name
        switch (table, name, path.isExtension) {
        case (.users, "emails", false): return .emails
        case (.users, "groups", false): return .userGroups
        case (.groups, "members", false): return .members
        default:
            guard path.attribute.multiValued else { return nil }
            let keys = path.isExtension ? [path.schemaURN, name] : [name]
            return .json(keys: keys, scalar: path.attribute.type != .complex)
        }
    }

    /// The operand for `path` in `context`, or `nil` when the attribute is a constant of the
    /// rendered resource (handled by evaluating it here).
    private func operand(_ path: ResolvedAttributePath, context: Context) throws(SQLCompileError) -> Operand? {
        let unsupported = SQLCompileError(message: "'\(path)' cannot be used in a filter on this server")
        if case .element(let source) = context {
            let sub = path.subAttribute?.name ?? "value"
            switch source {
            case .emails:
                switch sub {
                case "value": return Operand(sql: "e.value_key", kind: .text(folded: true))
                case "type": return Operand(sql: "e.type", kind: .text(folded: false))
                case "display": return Operand(sql: "e.display", kind: .text(folded: false))
                case "primary": return Operand(sql: "e.is_primary", kind: .integerBoolean)
                default: throw unsupported
                }
            case .members:
                switch sub {
                case "value": return Operand(sql: "m.user_id", kind: .text(folded: true))
                case "type": return nil
                default: throw unsupported
                }
            case .userGroups:
                switch sub {
                case "value": return Operand(sql: "m.group_id", kind: .text(folded: true))
                case "display": return Operand(sql: "g.display_name_key", kind: .text(folded: true))
                case "type": return nil
                default: throw unsupported
                }
            case .json(_, let scalar):
                if scalar { return Operand(sql: dialect.elementText("e"), kind: kind(for: path.leaf)) }
                let element = dialect.elementJSON("e")
                if path.leaf.type == .boolean {
                    return Operand(
                        sql: dialect.jsonText(element, [sub]), kind: .jsonBoolean(base: element, keys: [sub]))
                }
                return Operand(sql: dialect.jsonText(element, [sub]), kind: kind(for: path.leaf))
            }
        }
        let name = path.attribute.name
        let sub = path.subAttribute?.name
        let prefix = table.sqlName
        if !path.isExtension {
            switch (name, sub) {
            case ("id", nil): return Operand(sql: "\(prefix).id", kind: .text(folded: false))
            case ("externalId", nil): return Operand(sql: "\(prefix).external_id", kind: .text(folded: false))
            case ("meta", "created"?): return Operand(sql: "\(prefix).created_at", kind: .microseconds)
            case ("meta", "lastModified"?): return Operand(sql: "\(prefix).updated_at", kind: .microseconds)
            case ("meta", "resourceType"?): return nil
            case ("meta", _): throw unsupported
            default: break
            }
            if table == .users {
                switch (name, sub) {
                case ("userName", nil): return Operand(sql: "users.user_name_key", kind: .text(folded: true))
                case ("displayName", nil): return Operand(sql: "users.display_name", kind: .text(folded: false))
                case ("name", "givenName"?): return Operand(sql: "users.given_name", kind: .text(folded: false))
                case ("name", "familyName"?): return Operand(sql: "users.family_name", kind: .text(folded: false))
                case ("active", nil): return Operand(sql: "users.active", kind: .integerBoolean)
                default: break
                }
            } else if name == "displayName", sub == nil {
                return Operand(sql: #""groups".display_name_key"#, kind: .text(folded: true))
            }
        }
        // Any other single-valued attribute lives in the resource JSON.
        guard !path.attribute.multiValued else { throw unsupported }
        var keys = path.isExtension ? [path.schemaURN, name] : [name]
        if let sub { keys.append(sub) }
        let base = "\(prefix).resource"
        if path.leaf.type == .boolean {
            return Operand(sql: dialect.jsonText(base, keys), kind: .jsonBoolean(base: base, keys: keys))
        }
        if path.leaf.type == .complex {
            return Operand(sql: dialect.jsonText(base, keys), kind: .text(folded: false))
        }
        return Operand(sql: dialect.jsonText(base, keys), kind: kind(for: path.leaf))
    }

    private func kind(for definition: AttributeDefinition) -> Operand.Kind {
        switch definition.type {
        case .integer, .decimal: return .number
        default: return .text(folded: false)
        }
    }

    /// Whether a path is multi-valued at the resource level (so it needs `EXISTS`).
    private func isMultiValued(_ path: ResolvedAttributePath, context: Context) -> Bool {
        if case .element = context { return false }
        return path.attribute.multiValued
    }

    // MARK: pr

    private func present(
        _ path: ResolvedAttributePath, context: Context, binds: inout SQLBinds
    ) throws(SQLCompileError)
        -> String
    {
        if isMultiValued(path, context: context) {
            guard let source = elementSource(path) else {
                throw SQLCompileError(message: "'\(path)' cannot be used in a filter on this server")
            }
            let elementPath = path
            return try exists(source, binds: &binds) { (_: inout SQLBinds) throws(SQLCompileError) -> String? in
                guard elementPath.subAttribute != nil else { return nil }
                guard let operand = try operand(elementPath, context: .element(source)) else {
                    return dialect.trueLiteral
                }
                return "\(operand.sql) IS NOT NULL"
            }
        }
        guard let operand = try operand(path, context: context) else {
            return constant(.present(path), context: context)
        }
        return "(\(operand.sql) IS NOT NULL)"
    }

    // MARK: Comparisons

    private func compare(
        _ path: ResolvedAttributePath, _ comparison: ComparisonOperator, _ value: ResolvedValue, context: Context,
        negated: Bool, binds: inout SQLBinds
    ) throws(SQLCompileError) -> String {
        if isMultiValued(path, context: context) {
            guard let source = elementSource(path) else {
                throw SQLCompileError(message: "'\(path)' cannot be used in a filter on this server")
            }
            return try exists(source, binds: &binds) { (binds: inout SQLBinds) throws(SQLCompileError) -> String? in
                try compare(path, comparison, value, context: .element(source), negated: false, binds: &binds)
            }
        }
        guard let operand = try operand(path, context: context) else {
            return constant(.compare(path, comparison, value), context: context)
        }
        let predicate = try scalarComparison(operand, path.leaf, comparison, value, binds: &binds)
        return negated ? "COALESCE(\(predicate), \(dialect.falseLiteral))" : "(\(predicate))"
    }

    /// A comparison whose operand is a constant of the rendered resource (`meta.resourceType`,
    /// `members.type`): evaluated now, with the evaluator itself.
    private func constant(_ filter: ResolvedFilter, context: Context) -> String {
        let matches: Bool
        switch context {
        case .resource:
            matches = FilterEvaluator.matches(filter, ["meta": ["resourceType": .string(table.resourceType)]])
        case .element(let source):
            let type: JSONValue = {
                if case .userGroups = source { return "direct" }
                return "User"
            }()
            matches = FilterEvaluator.matches(filter, element: ["type": type])
        }
        return matches ? dialect.trueLiteral : dialect.falseLiteral
    }

    private func scalarComparison(
        _ operand: Operand, _ definition: AttributeDefinition, _ comparison: ComparisonOperator, _ value: ResolvedValue,
        binds: inout SQLBinds
    ) throws(SQLCompileError) -> String {
        switch (operand.kind, value) {
        case (.text(let folded), .string(let literal)):
            let exact = definition.caseExact || definition.type == .binary
            let left: String
            let right: String
            if exact || folded {
                left = operand.sql
                right = exact ? literal : literal.scimCaseFolded
            } else {
                left = dialect.fold(operand.sql)
                right = literal.scimCaseFolded
            }
            switch comparison {
            case .eq: return "\(left) = \(binds.add(.text(right)))"
            case .co: return "\(left) LIKE \(binds.add(.text("%" + escapeLike(right) + "%"))) ESCAPE '\\'"
            case .sw: return "\(left) LIKE \(binds.add(.text(escapeLike(right) + "%"))) ESCAPE '\\'"
            case .ew: return "\(left) LIKE \(binds.add(.text("%" + escapeLike(right)))) ESCAPE '\\'"
            case .gt: return "\(left)\(dialect.binaryCollation) > \(binds.add(.text(right)))"
            case .ge: return "\(left)\(dialect.binaryCollation) >= \(binds.add(.text(right)))"
            case .lt: return "\(left)\(dialect.binaryCollation) < \(binds.add(.text(right)))"
            case .le: return "\(left)\(dialect.binaryCollation) <= \(binds.add(.text(right)))"
            case .ne: return "\(left) <> \(binds.add(.text(right)))"
            }
        case (.integerBoolean, .bool(let flag)):
            guard comparison == .eq else { break }
            return "\(operand.sql) = \(flag ? 1 : 0)"
        case (.jsonBoolean(let base, let keys), .bool(let flag)):
            guard comparison == .eq else { break }
            return dialect.jsonBooleanEquals(base, keys, flag)
        case (.microseconds, .dateTime(let instant)):
            return microsecondComparison(operand.sql, comparison, instant, binds: &binds)
        case (.number, .number(let number)):
            let cast =
                dialect.name == .sqlite ? "CAST(\(operand.sql) AS REAL)" : "CAST(\(operand.sql) AS DOUBLE PRECISION)"
            let symbol: String
            switch comparison {
            case .eq: symbol = "="
            case .gt: symbol = ">"
            case .ge: symbol = ">="
            case .lt: symbol = "<"
            case .le: symbol = "<="
            case .ne: symbol = "<>"
            case .co, .sw, .ew: throw SQLCompileError(message: "'\(comparison.rawValue)' does not apply to numbers")
            }
            return "\(cast) \(symbol) \(binds.add(.real(number.doubleValue)))"
        default:
            break
        }
        throw SQLCompileError(
            message: "'\(definition.name) \(comparison.rawValue) \(value)' cannot be evaluated by this server's store")
    }

    /// Timestamps are kept to the microsecond; a literal with more precision compares exactly as
    /// the evaluator's instants do.
    private func microsecondComparison(
        _ column: String, _ comparison: ComparisonOperator, _ instant: SCIMDateTime, binds: inout SQLBinds
    ) -> String {
        let whole = instant.seconds * 1_000_000 + Int64(instant.nanoseconds / 1000)
        let exact = instant.nanoseconds % 1000 == 0
        switch comparison {
        case .eq: return exact ? "\(column) = \(binds.add(.integer(whole)))" : dialect.falseLiteral
        case .ne: return exact ? "\(column) <> \(binds.add(.integer(whole)))" : "\(column) IS NOT NULL"
        case .gt: return "\(column) > \(binds.add(.integer(whole)))"
        case .ge:
            return exact ? "\(column) >= \(binds.add(.integer(whole)))" : "\(column) > \(binds.add(.integer(whole)))"
        case .lt:
            return exact ? "\(column) < \(binds.add(.integer(whole)))" : "\(column) <= \(binds.add(.integer(whole)))"
        case .le: return "\(column) <= \(binds.add(.integer(whole)))"
        case .co, .sw, .ew: return dialect.falseLiteral
        }
    }

    private func escapeLike(_ text: String) -> String {
        var output = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { output.append("\\") }
            output.append(character)
        }
        return output
    }

    // MARK: Sorting

    private func sortOperand(_ path: ResolvedAttributePath) throws(SQLCompileError) -> String? {
        if !path.isExtension, path.attribute.name == "emails", table == .users {
            return "\(dialect.fold("users.primary_email"))\(dialect.binaryCollation)"
        }
        guard !path.attribute.multiValued, let operand = try operand(path, context: .resource) else { return nil }
        switch operand.kind {
        case .text(let folded):
            let exact = path.leaf.caseExact || folded
            return "\(exact ? operand.sql : dialect.fold(operand.sql))\(dialect.binaryCollation)"
        case .integerBoolean, .microseconds, .number: return operand.sql
        case .jsonBoolean: return nil
        }
    }
}
