/// The outcome of a PATCH.
public struct PatchResult: Sendable, Hashable {
    /// The resource after every operation.
    public var resource: JSONObject
    /// Whether any attribute other than the delta attribute changed (RFC 7644 §3.5.2.1: adding
    /// a value that is already there SHALL NOT change the resource).
    public var changed: Bool
    /// The change to `members`, when the request touched them.
    public var members: MembersDelta?
}

/// Applies PatchOp operations to a resource (RFC 7644 §3.5.2), all or nothing.
///
/// Group `members` are not held in the resource (a group may have 100 000 of them): operations
/// on them are returned as a ``MembersDelta``. Everything else is applied to the resource.
public struct Patcher: Sendable {
    public var resourceType: ResourceType
    /// The multi-valued attribute returned as a delta instead of applied (`members` for groups).
    public var deltaAttribute: String?

    public init(resourceType: ResourceType, deltaAttribute: String? = nil) {
        self.resourceType = resourceType
        self.deltaAttribute = deltaAttribute
    }

    /// The patcher for users.
    public static let users = Patcher(resourceType: .user)
    /// The patcher for groups, with `members` as a delta.
    public static let groups = Patcher(resourceType: .group, deltaAttribute: "members")

    /// Applies the operations in order. Throws the first failure; the input is never half-changed.
    public func apply(_ operations: [PatchOperation], to resource: JSONObject) throws(SCIMError) -> PatchResult {
        var state = PatchState(patcher: self, resource: resource)
        for (index, operation) in operations.enumerated() {
            state.index = index
            try state.apply(operation)
        }
        try state.checkRequired()
        return PatchResult(
            resource: state.resource, changed: state.resource != resource, members: state.membersDelta())
    }

    /// Applies a parsed PatchOp request.
    public func apply(_ request: PatchRequest, to resource: JSONObject) throws(SCIMError) -> PatchResult {
        try apply(request.operations, to: resource)
    }
}

/// A resolved target: the attribute, an optional value filter, an optional sub-attribute.
private struct Target {
    var path: ResolvedAttributePath  // without sub-attribute
    var filter: ResolvedFilter?
    var sub: AttributeDefinition?
    var text: String

    var attribute: AttributeDefinition { path.attribute }
}

private struct PatchState {
    let patcher: Patcher
    var resource: JSONObject
    var index = 0
    // Members delta bookkeeping: ordered lists with sets beside them, so a PATCH carrying tens of
    // thousands of member ids costs time linear in their number.
    var replaceAll: OrderedIDs?
    var added = OrderedIDs()
    var removed = OrderedIDs()
    var touchedMembers = false

    init(patcher: Patcher, resource: JSONObject) {
        self.patcher = patcher
        self.resource = resource
    }

    var resourceType: ResourceType { patcher.resourceType }

    func fail(_ type: SCIMErrorType, _ detail: String) -> SCIMError {
        .badRequest(type, "Operations[\(index)]: \(detail)")
    }

    // MARK: Entry

    mutating func apply(_ operation: PatchOperation) throws(SCIMError) {
        guard let path = operation.path else {
            // Path-less add/replace: the value is a set of attributes (RFC 7644 §3.5.2.1, §3.5.2.3).
            guard case .object(let object)? = operation.value else {
                throw fail(.invalidValue, "without a 'path' the value must be an object of attributes")
            }
            try applyPathless(operation.op, object)
            return
        }
        if path.valueFilter == nil, path.subAttribute == nil,
            let extensionSchema = resourceType.extensionSchema(withURN: path.attribute.description)
        {
            // The path names a whole extension (`urn:…:enterprise:2.0:User`).
            switch operation.op {
            case .remove:
                resource[extensionSchema.id] = nil
                updateSchemas()
            case .add, .replace:
                try applyPathless(operation.op, [extensionSchema.id: operation.value ?? .null])
            }
            return
        }
        let target = try resolveTarget(path)
        try apply(operation.op, target, operation.value)
    }

    /// Each key of a path-less value is an attribute name, an extension URN holding an object,
    /// or — Entra with `aadOptscim062020` — a dotted or URN-qualified path
    /// (docs/idp-behaviour.md §2.1).
    mutating func applyPathless(_ op: PatchOperation.Kind, _ object: JSONObject) throws(SCIMError) {
        for member in object {
            let key = member.key
            if key.equalsIgnoringASCIICase("schemas") { continue }
            if let extensionSchema = resourceType.extensionSchema(withURN: key) {
                guard case .object(let inner) = member.value else {
                    if member.value.isNull, op == .replace {
                        resource.removeValue(forKey: extensionSchema.id)
                        continue
                    }
                    throw fail(.invalidValue, "'\(key)' must be an object of \(extensionSchema.name) attributes")
                }
                // scim2-models writes the extension's own `schemas` inside it: tolerated, ignored.
                for innerMember in inner where !innerMember.key.equalsIgnoringASCIICase("schemas") {
                    let target = try resolveTarget(
                        PatchPath(
                            attribute: AttributePath(schema: extensionSchema.id, name: innerMember.key),
                            valueFilter: nil, subAttribute: nil), text: "\(extensionSchema.id):\(innerMember.key)")
                    try apply(op, target, innerMember.value)
                }
                continue
            }
            guard let attributePath = AttributePath(parsing: key) else {
                throw fail(.invalidPath, "'\(key)' in the value is not an attribute name or path")
            }
            let target = try resolveTarget(
                PatchPath(attribute: attributePath, valueFilter: nil, subAttribute: nil), text: key)
            // Okta's group rename carries the group's own `id` (docs/idp-behaviour.md §1.9) and
            // clients echo `meta`; read-only values equal to what is stored are ignored.
            if target.attribute.mutability == .readOnly, target.sub == nil {
                if target.attribute.name == "meta" { continue }
                if target.path.attributeValue(in: resource) == member.value { continue }
            }
            try apply(op, target, member.value)
        }
    }

    func resolveTarget(_ path: PatchPath, text: String? = nil) throws(SCIMError) -> Target {
        let display = text ?? path.description
        let resolved: ResolvedAttributePath
        do {
            resolved = try resourceType.resolve(path.attribute, unqualifiedExtensions: true)
        } catch {
            throw fail(.invalidPath, "'\(display)' does not name an attribute: \(error.message)")
        }
        var target = Target(path: resolved.parent, filter: nil, sub: resolved.subAttribute, text: display)
        if let valueFilter = path.valueFilter {
            guard resolved.attribute.type == .complex, resolved.attribute.multiValued else {
                throw fail(.invalidPath, "'\(display)': only multi-valued complex attributes take a '[…]' value filter")
            }
            do {
                let resolvedFilter = try resourceType.resolve(.valuePath(path.attribute, valueFilter))
                if case .valuePath(_, let inner) = resolvedFilter { target.filter = inner }
            } catch {
                throw fail(.invalidFilter, "'\(display)': \(error.detail)")
            }
            if let subName = path.subAttribute {
                guard let sub = resolved.attribute.subAttribute(named: subName) else {
                    throw fail(.invalidPath, "'\(subName)' is not a sub-attribute of '\(resolved.attribute.name)'")
                }
                target.sub = sub
            }
        }
        return target
    }

    // MARK: Dispatch

    mutating func apply(_ op: PatchOperation.Kind, _ target: Target, _ value: JSONValue?) throws(SCIMError) {
        if let delta = patcher.deltaAttribute, !target.path.isExtension,
            target.attribute.name.equalsIgnoringASCIICase(delta)
        {
            try applyMembers(op, target, value)
            return
        }
        let leaf = target.sub ?? target.attribute
        if target.attribute.mutability == .readOnly || leaf.mutability == .readOnly {
            throw fail(.mutability, "'\(target.text)' is read-only")
        }
        var value = value
        // Entra's manager PATCH wraps the single-valued complex `manager` in an array
        // (docs/idp-behaviour.md §2.1, §5.5): a one-element array for a single-valued attribute
        // is unwrapped.
        if !leaf.multiValued, case .array(let elements)? = value, elements.count == 1 {
            value = elements[0]
        }
        switch op {
        case .add: try add(target, value ?? .null)
        case .replace: try replace(target, value ?? .null)
        case .remove: try remove(target, value)
        }
    }

    // MARK: Values

    func coerce(
        _ value: JSONValue, _ definition: AttributeDefinition, _ text: String, asElement: Bool = false
    )
        throws(SCIMError) -> JSONValue?
    {
        let coercion = ValueCoercion(path: text)
        do {
            return asElement
                ? try coercion.coerceSingle(value, to: definition) : try coercion.coerce(value, to: definition)
        } catch {
            throw fail(error.scimType ?? .invalidValue, error.detail)
        }
    }

    func current(_ target: Target) -> JSONValue? {
        target.path.attributeValue(in: resource)
    }

    mutating func store(_ target: Target, _ value: JSONValue?) throws(SCIMError) {
        let definition = target.attribute
        let old = current(target)
        var newValue = value
        if let candidate = newValue, candidate.isUnassigned { newValue = nil }
        if definition.mutability == .immutable, let old, !old.isUnassigned, newValue != old {
            throw fail(.mutability, "'\(target.text)' is immutable and already has a value")
        }
        if target.path.isExtension {
            let urn = target.path.schemaURN
            var container = resource[urn]?.objectValue ?? JSONObject()
            container[definition.name] = newValue
            resource[urn] = container.isEmpty ? nil : .object(container)
            updateSchemas()
        } else {
            resource[definition.name] = newValue
        }
    }

    /// Keeps `schemas` listing exactly the extensions the resource carries.
    mutating func updateSchemas() {
        var schemas: [JSONValue] = [.string(resourceType.schema.id)]
        for extensionType in resourceType.extensions where resource[extensionType.schema.id] != nil {
            schemas.append(.string(extensionType.schema.id))
        }
        resource["schemas"] = .array(schemas)
    }

    func elements(_ target: Target) -> [JSONValue] {
        switch current(target) {
        case .array(let values)?: return values
        case let value? where !value.isNull: return [value]
        default: return []
        }
    }

    func matches(_ target: Target, _ element: JSONValue) -> Bool {
        guard let filter = target.filter, case .object(let object) = element else { return false }
        return FilterEvaluator.matches(filter, element: object)
    }

    /// The element a filter describes: `emails[type eq "work"]` describes `{"type": "work"}`.
    /// Used when `add` (or `replace` of an absent attribute) names values that do not exist yet,
    /// as Entra does with `emails[type eq "work"].value` (docs/idp-behaviour.md §2.1).
    func seed(from filter: ResolvedFilter?) -> JSONObject? {
        guard let filter else { return JSONObject() }
        switch filter {
        case .compare(let path, .eq, let value):
            guard let sub = path.subAttribute else { return nil }
            switch value {
            case .string(let text): return [sub.name: .string(text)]
            case .bool(let flag): return [sub.name: .bool(flag)]
            case .number(let number): return [sub.name: .number(number)]
            case .dateTime(let instant): return [sub.name: .string(instant.description)]
            case .null: return nil
            }
        case .and(let left, let right):
            guard var first = seed(from: left), let second = seed(from: right) else { return nil }
            for member in second { first[member.key] = member.value }
            return first
        default:
            return nil
        }
    }

    /// RFC 7643 §2.4: at most one primary. Values that just became primary win over older ones.
    func normalizePrimary(_ values: [JSONValue], previous: [JSONValue]) -> [JSONValue] {
        let primaryIndices = values.indices.filter { values[$0].objectValue?["primary"]?.boolValue == true }
        guard primaryIndices.count > 1 else { return values }
        let wasPrimary = Set(previous.filter { $0.objectValue?["primary"]?.boolValue == true })
        let fresh = primaryIndices.filter { !wasPrimary.contains(values[$0]) }
        let keep = fresh.last ?? primaryIndices.last ?? 0
        var output = values
        for index in primaryIndices where index != keep {
            if case .object(var object) = output[index] {
                object["primary"] = .bool(false)
                output[index] = .object(object)
            }
        }
        return output
    }

    func merge(_ base: JSONObject, _ addition: JSONObject) -> JSONObject {
        var output = base
        for member in addition { output[member.key] = member.value }
        return output
    }

    /// The canonical names of the sub-attributes a value object sets to null or "" (to unassign).
    func unassignedSubAttributes(_ value: JSONValue, _ definition: AttributeDefinition) -> [String] {
        guard case .object(let object) = value else { return [] }
        return object.compactMap { member in
            member.value.isUnassigned ? definition.subAttribute(named: member.key)?.name : nil
        }
    }

    /// Merges a complex value into a single-valued complex attribute: named sub-attributes are
    /// set, null ones unassigned, the others left as they were.
    mutating func mergeComplex(_ target: Target, _ value: JSONValue) throws(SCIMError) {
        let attribute = target.attribute
        var merged = current(target)?.objectValue ?? JSONObject()
        if let coerced = try coerce(value, attribute, target.text) {
            guard case .object(let object) = coerced else {
                throw fail(.invalidValue, "'\(target.text)' takes an object of \(attribute.name) sub-attributes")
            }
            merged = merge(merged, object)
        } else if value.objectValue == nil {
            throw fail(.invalidValue, "'\(target.text)' takes an object of \(attribute.name) sub-attributes")
        }
        for name in unassignedSubAttributes(value, attribute) { merged[name] = nil }
        try store(target, merged.isEmpty ? nil : .object(merged))
    }

    // MARK: add (RFC 7644 §3.5.2.1)

    mutating func add(_ target: Target, _ value: JSONValue) throws(SCIMError) {
        let attribute = target.attribute
        if value.isNull { return }
        if target.filter == nil, target.sub == nil {
            if attribute.multiValued {
                guard case .array(let incoming)? = try coerce(value, attribute, target.text) else { return }
                let previous = elements(target)
                var values = previous
                var present = Set(values)
                for element in incoming where present.insert(element).inserted { values.append(element) }
                try store(target, .array(normalizePrimary(values, previous: previous)))
            } else if attribute.type == .complex {
                try mergeComplex(target, value)
            } else {
                try store(target, try coerce(value, attribute, target.text))
            }
            return
        }
        try setInElements(target, value, createWhenMissing: true)
    }

    // MARK: replace (RFC 7644 §3.5.2.3)

    mutating func replace(_ target: Target, _ value: JSONValue) throws(SCIMError) {
        let attribute = target.attribute
        if target.filter == nil, target.sub == nil {
            // Only a literal null (or an empty list, or "") unassigns the whole attribute; an
            // object with null sub-attributes unassigns just those.
            if value.isNull || (value.isUnassigned && value.objectValue == nil) {
                try removeWhole(target)
                return
            }
            if attribute.multiValued {
                try store(target, try coerce(value, attribute, target.text))
            } else if attribute.type == .complex {
                // "Sub-attributes that are not specified in the value parameter are left unchanged."
                try mergeComplex(target, value)
            } else {
                try store(target, try coerce(value, attribute, target.text))
            }
            return
        }
        // "If the target location path specifies an attribute that does not exist, the service
        // provider SHALL treat the operation as an add"; a filter that matches nothing among
        // existing values is `noTarget`.
        let existing = elements(target)
        if target.filter != nil, !existing.isEmpty, !existing.contains(where: { matches(target, $0) }) {
            throw fail(.noTarget, "'\(target.text)' matches no value of \(attribute.name)")
        }
        if value.isNull, let sub = target.sub {
            try removeSub(target, sub)
            return
        }
        try setInElements(target, value, createWhenMissing: existing.isEmpty)
    }

    /// Sets `value` in the elements a target selects: the sub-attribute when there is one, else
    /// the value's sub-attributes merged in. Creates an element when nothing is selected and
    /// `createWhenMissing` (add) allows it.
    mutating func setInElements(
        _ target: Target, _ value: JSONValue, createWhenMissing: Bool
    )
        throws(SCIMError)
    {
        let attribute = target.attribute
        let patch: JSONObject
        var cleared: [String] = []
        if let sub = target.sub {
            guard let coerced = try coerce(value, sub, "\(target.text)") else { return }
            patch = [sub.name: coerced]
        } else {
            guard value.objectValue != nil else {
                throw fail(.invalidValue, "'\(target.text)' takes an object of \(attribute.name) sub-attributes")
            }
            patch = try coerce(value, attribute, target.text, asElement: true)?.objectValue ?? JSONObject()
            cleared = unassignedSubAttributes(value, attribute)
        }
        if !attribute.multiValued {
            // `name.givenName` and the like.
            try store(target, .object(merge(current(target)?.objectValue ?? JSONObject(), patch)))
            return
        }
        let previous = elements(target)
        var values = previous
        var selected = 0
        for position in values.indices where target.filter == nil || matches(target, values[position]) {
            guard case .object(let object) = values[position] else { continue }
            var updated = merge(object, patch)
            for name in cleared { updated[name] = nil }
            values[position] = .object(updated)
            selected += 1
        }
        if selected == 0 {
            guard createWhenMissing else {
                throw fail(.noTarget, "'\(target.text)' matches no value of \(attribute.name)")
            }
            guard let seed = seed(from: target.filter) else {
                throw fail(
                    .noTarget,
                    "'\(target.text)' matches no value of \(attribute.name), and its filter does not describe a value to create"
                )
            }
            values.append(.object(merge(seed, patch)))
        }
        if let primary = attribute.subAttribute(named: "primary"),
            values.filter({ $0.objectValue?["primary"]?.boolValue == true }).count > 1, primary.type == .boolean
        {
            values = normalizePrimary(values, previous: previous)
        }
        try store(target, .array(values))
    }

    // MARK: remove (RFC 7644 §3.5.2.2)

    mutating func remove(_ target: Target, _ value: JSONValue?) throws(SCIMError) {
        let attribute = target.attribute
        if target.filter == nil, target.sub == nil {
            if attribute.multiValued, let value, !value.isNull {
                // Entra's default shape: remove with a list of values
                // (docs/idp-behaviour.md §2.1, §5.5).
                guard case .array(let doomed)? = try coerce(value, attribute, target.text) else { return }
                let remaining = elements(target).filter { element in
                    !doomed.contains { sameValue(attribute, $0, element) }
                }
                try store(target, remaining.isEmpty ? nil : .array(remaining))
                return
            }
            try removeWhole(target)
            return
        }
        // RFC 7644 Table 9: `noTarget` "when the specified path value contains a filter that
        // yields no match".
        if target.filter != nil, !elements(target).contains(where: { matches(target, $0) }) {
            throw fail(.noTarget, "'\(target.text)' matches no value of \(attribute.name)")
        }
        if let sub = target.sub {
            try removeSub(target, sub)
            return
        }
        let remaining = elements(target).filter { !matches(target, $0) }
        try store(target, remaining.isEmpty ? nil : .array(remaining))
    }

    mutating func removeWhole(_ target: Target) throws(SCIMError) {
        if target.attribute.required {
            throw fail(.mutability, "'\(target.text)' is required and cannot be removed")
        }
        try store(target, nil)
    }

    mutating func removeSub(_ target: Target, _ sub: AttributeDefinition) throws(SCIMError) {
        if sub.required {
            throw fail(.mutability, "'\(target.text)' is required and cannot be removed")
        }
        if !target.attribute.multiValued {
            guard var object = current(target)?.objectValue else { return }
            object[sub.name] = nil
            try store(target, object.isEmpty ? nil : .object(object))
            return
        }
        var values: [JSONValue] = []
        for element in elements(target) {
            guard target.filter == nil || matches(target, element), case .object(var object) = element else {
                values.append(element)
                continue
            }
            object[sub.name] = nil
            if !object.isEmpty { values.append(.object(object)) }
        }
        try store(target, values.isEmpty ? nil : .array(values))
    }

    /// Two values of a multi-valued attribute are the same value when their `value`
    /// sub-attributes are equal (by the sub-attribute's `caseExact`), or, without one, when equal.
    func sameValue(_ attribute: AttributeDefinition, _ left: JSONValue, _ right: JSONValue) -> Bool {
        if let valueDefinition = attribute.subAttribute(named: "value"),
            case .string(let a)? = left.objectValue?["value"], case .string(let b)? = right.objectValue?["value"]
        {
            return valueDefinition.caseExact ? a == b : a.scimCaseFolded == b.scimCaseFolded
        }
        return left == right
    }

    // MARK: members (delta)

    mutating func applyMembers(_ op: PatchOperation.Kind, _ target: Target, _ value: JSONValue?) throws(SCIMError) {
        touchedMembers = true
        if target.sub != nil {
            throw fail(
                .invalidPath,
                "'\(target.text)': members are added or removed whole; their sub-attributes cannot be patched")
        }
        if let filter = target.filter {
            guard op == .remove else {
                throw fail(.invalidPath, "'\(target.text)': a value filter on members is only for 'remove'")
            }
            guard let ids = memberIDs(in: filter) else {
                throw fail(
                    .invalidFilter,
                    "'\(target.text)': members are selected by value only, e.g. members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"
                )
            }
            removeMembers(ids)
            return
        }
        switch op {
        case .add:
            addMembers(try memberValues(value, target))
        case .replace:
            replaceAll = OrderedIDs(try memberValues(value, target))
            added = OrderedIDs()
            removed = OrderedIDs()
        case .remove:
            if let value, !value.isNull {
                removeMembers(try memberValues(value, target))
            } else {
                replaceAll = OrderedIDs()
                added = OrderedIDs()
                removed = OrderedIDs()
            }
        }
    }

    /// The ids in a list of member objects. `$ref`, `display` and `type` are accepted and not
    /// stored: memberships are ids. A bare string is taken as an id.
    func memberValues(_ value: JSONValue?, _ target: Target) throws(SCIMError) -> [String] {
        guard let value, !value.isNull else { return [] }
        let list: [JSONValue]
        if case .array(let values) = value { list = values } else { list = [value] }
        var ids: [String] = []
        for (position, element) in list.enumerated() {
            switch element {
            case .string(let id):
                ids.append(id)
            case .object(let object):
                for member in object {
                    let known = ["value", "$ref", "display", "type"]
                    guard known.contains(where: { $0.equalsIgnoringASCIICase(member.key) }) else {
                        throw fail(
                            .invalidValue,
                            "'\(member.key)' is not a sub-attribute of members[\(position)] (it has: value, $ref, type, display)"
                        )
                    }
                }
                guard case .string(let id)? = object["value"], !id.isEmpty else {
                    throw fail(.invalidValue, "members[\(position)] needs a 'value' holding the member's id")
                }
                ids.append(id)
            default:
                throw fail(.invalidValue, "members[\(position)] must be an object such as {\"value\": \"<id>\"}")
            }
        }
        return ids
    }

    /// `value eq "a"`, or several joined by `or`.
    func memberIDs(in filter: ResolvedFilter) -> [String]? {
        switch filter {
        case .compare(let path, .eq, .string(let id)) where path.subAttribute?.name == "value":
            return [id]
        case .or(let left, let right):
            guard let first = memberIDs(in: left), let second = memberIDs(in: right) else { return nil }
            return first + second
        default:
            return nil
        }
    }

    mutating func addMembers(_ ids: [String]) {
        for id in ids {
            if replaceAll != nil {
                replaceAll?.insert(id)
            } else {
                removed.remove(id)
                added.insert(id)
            }
        }
    }

    mutating func removeMembers(_ ids: [String]) {
        for id in ids {
            if replaceAll != nil {
                replaceAll?.remove(id)
            } else {
                added.remove(id)
                removed.insert(id)
            }
        }
    }

    func membersDelta() -> MembersDelta? {
        guard touchedMembers else { return nil }
        if let replaceAll { return .replaceAll(replaceAll.ordered) }
        return .change(added: added.ordered, removed: removed.ordered)
    }

    // MARK: Final checks

    func checkRequired() throws(SCIMError) {
        for definition in resourceType.schema.attributes where definition.required {
            if definition.name.equalsIgnoringASCIICase(patcher.deltaAttribute ?? "") { continue }
            guard let value = resource[definition.name], !value.isUnassigned else {
                throw SCIMError.mutability("'\(definition.name)' is required; the PATCH would leave it without a value")
            }
        }
    }
}

/// An insertion-ordered set of ids with O(1) insert, remove and lookup.
struct OrderedIDs {
    private var order: [String] = []
    private var members: Set<String> = []

    init() {}

    init(_ ids: [String]) {
        for id in ids { insert(id) }
    }

    mutating func insert(_ id: String) {
        // A removed id may still sit in `order`; it is skipped when read back.
        if members.insert(id).inserted { order.append(id) }
    }

    mutating func remove(_ id: String) {
        members.remove(id)
    }

    /// The ids present, in first-insertion order.
    var ordered: [String] {
        var emitted = Set<String>()
        return order.filter { members.contains($0) && emitted.insert($0).inserted }
    }
}
