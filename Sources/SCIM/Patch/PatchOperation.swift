/// A PATCH `path` (RFC 7644 §3.5.2): an attribute path, optionally a value filter in brackets,
/// optionally a sub-attribute after the brackets (`emails[type eq "work"].value`).
public struct PatchPath: Sendable, Hashable, CustomStringConvertible {
    public var attribute: AttributePath
    public var valueFilter: Filter?
    public var subAttribute: String?

    public init(attribute: AttributePath, valueFilter: Filter?, subAttribute: String?) {
        self.attribute = attribute
        self.valueFilter = valueFilter
        self.subAttribute = subAttribute
    }

    public var description: String {
        var text = attribute.description
        if let valueFilter { text += "[\(valueFilter)]" }
        if let subAttribute { text += ".\(subAttribute)" }
        return text
    }
}

/// One operation of a PatchOp request.
public struct PatchOperation: Sendable, Hashable {
    /// RFC 7644 §3.5.2's three operations. Names match in any case: Entra sends `Replace`,
    /// `Add`, `Remove` (docs/idp-behaviour.md §2.1).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case add, remove, replace
    }

    public var op: Kind
    public var path: PatchPath?
    public var value: JSONValue?

    public init(op: Kind, path: PatchPath? = nil, value: JSONValue? = nil) {
        self.op = op
        self.path = path
        self.value = value
    }
}

/// A PatchOp request body (RFC 7644 §3.5.2).
public struct PatchRequest: Sendable, Hashable {
    public var operations: [PatchOperation]

    public init(operations: [PatchOperation]) {
        self.operations = operations
    }

    /// Most operations accepted in one request.
    public static let maximumOperations = 1000

    /// Reads a PatchOp body. `schemas` must name the PatchOp URN; `Operations` must be a
    /// non-empty array of objects, each with an `op`, a `path` that parses, and a `value`
    /// where the op needs one. Member names match in any case.
    public init(json: JSONValue, limits: FilterLimits = .default) throws(SCIMError) {
        guard case .object(let body) = json else {
            throw .invalidSyntax("a PATCH body must be a JSON object with 'schemas' and 'Operations'")
        }
        guard case .array(let schemas)? = body["schemas"],
            schemas.contains(where: { $0.stringValue?.equalsIgnoringASCIICase(SCIMURN.patchOp) == true })
        else {
            throw .invalidSyntax("a PATCH body's 'schemas' must contain \"\(SCIMURN.patchOp)\"")
        }
        guard case .array(let operations)? = body["Operations"] else {
            throw .invalidSyntax("a PATCH body needs an 'Operations' array")
        }
        guard !operations.isEmpty else { throw .invalidValue("'Operations' is empty; give at least one operation") }
        guard operations.count <= PatchRequest.maximumOperations else {
            throw .tooMany(
                "a PATCH may carry at most \(PatchRequest.maximumOperations) operations; this one has \(operations.count)"
            )
        }
        var parsed: [PatchOperation] = []
        parsed.reserveCapacity(operations.count)
        for (index, operation) in operations.enumerated() {
            guard case .object(let object) = operation else {
                throw .invalidSyntax("Operations[\(index)] must be an object with 'op', 'path' and 'value'")
            }
            guard case .string(let name)? = object["op"],
                let kind = PatchOperation.Kind(rawValue: name.lowercasedASCII())
            else {
                throw .invalidSyntax(
                    "Operations[\(index)].op must be \"add\", \"remove\" or \"replace\" (found \(object["op"]?.serialized() ?? "nothing"))"
                )
            }
            var path: PatchPath?
            switch object["path"] {
            case .string(let text)?:
                do {
                    path = try FilterParser(limits: limits).parsePatchPath(text)
                } catch {
                    throw .badRequest(
                        error.isInValueFilter ? .invalidFilter : .invalidPath,
                        "Operations[\(index)].path: \(error.description)")
                }
            case nil, .null?:
                path = nil
            case let other?:
                throw .invalidPath("Operations[\(index)].path must be a string, not \(other.typeName)")
            }
            let value = object["value"]
            switch kind {
            case .remove:
                // RFC 7644 §3.5.2.2: remove needs a target.
                if path == nil {
                    throw .noTarget("Operations[\(index)]: 'remove' needs a 'path' naming what to remove")
                }
            case .add, .replace:
                guard let value else {
                    throw .invalidValue("Operations[\(index)]: '\(kind.rawValue)' needs a 'value'")
                }
                if path == nil, value.objectValue == nil {
                    throw .invalidValue(
                        "Operations[\(index)]: without a 'path', the 'value' of '\(kind.rawValue)' must be an object of attributes"
                    )
                }
            }
            parsed.append(PatchOperation(op: kind, path: path, value: value))
        }
        self.operations = parsed
    }
}

/// How a PATCH changes a group's members, so a store applies it in time proportional to the
/// change rather than to the size of the group.
public enum MembersDelta: Sendable, Hashable {
    /// The member list becomes exactly these ids (a `replace` of `members`, or a `remove` of
    /// all of them, then whatever later operations added or removed).
    case replaceAll([String])
    /// These ids were added and these removed; an id is in at most one of the two.
    case change(added: [String], removed: [String])

    /// Whether the delta changes nothing.
    public var isEmpty: Bool {
        if case .change(let added, let removed) = self { return added.isEmpty && removed.isEmpty }
        return false
    }
}
