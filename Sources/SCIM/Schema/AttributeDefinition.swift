/// The data type of an attribute (RFC 7643 §2.3).
public enum AttributeType: String, Sendable, Hashable, CaseIterable {
    case string, boolean, decimal, integer, dateTime, binary, reference, complex
}

/// When an attribute may be written (RFC 7643 §7, `mutability`).
public enum Mutability: String, Sendable, Hashable {
    case readOnly, readWrite, immutable, writeOnly
}

/// When an attribute is returned (RFC 7643 §7, `returned`).
public enum Returned: String, Sendable, Hashable {
    case always, never, `default`, request
}

/// How unique a value must be (RFC 7643 §7, `uniqueness`).
public enum Uniqueness: String, Sendable, Hashable {
    case none, server, global
}

/// One attribute of a schema with every characteristic of RFC 7643 §7.
public struct AttributeDefinition: Sendable, Hashable {
    public var name: String
    public var type: AttributeType
    public var multiValued: Bool
    public var description: String
    public var required: Bool
    public var caseExact: Bool
    public var mutability: Mutability
    public var returned: Returned
    public var uniqueness: Uniqueness
    public var canonicalValues: [String]
    public var referenceTypes: [String]
    public var subAttributes: [AttributeDefinition]

    public init(
        name: String, type: AttributeType, multiValued: Bool = false, description: String = "",
        required: Bool = false, caseExact: Bool = false, mutability: Mutability = .readWrite,
        returned: Returned = .default, uniqueness: Uniqueness = .none, canonicalValues: [String] = [],
        referenceTypes: [String] = [], subAttributes: [AttributeDefinition] = []
    ) {
        self.name = name
        self.type = type
        self.multiValued = multiValued
        self.description = description
        self.required = required
        self.caseExact = caseExact
        self.mutability = mutability
        self.returned = returned
        self.uniqueness = uniqueness
        self.canonicalValues = canonicalValues
        self.referenceTypes = referenceTypes
        self.subAttributes = subAttributes
    }

    /// The sub-attribute named `name`, ignoring case.
    public func subAttribute(named name: String) -> AttributeDefinition? {
        subAttributes.first { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Whether the type permits ordering comparisons (`gt`, `ge`, `lt`, `le`); RFC 7644 §3.4.2.2
    /// says boolean and binary attributes SHALL be refused with `invalidFilter`.
    public var isOrderable: Bool {
        switch type {
        case .string, .decimal, .integer, .dateTime, .reference: return true
        case .boolean, .binary, .complex: return false
        }
    }

    /// The RFC 7643 §7 representation, as `/Schemas` serves it.
    public var json: JSONObject {
        var object: JSONObject = [
            "name": .string(name),
            "type": .string(type.rawValue),
            "multiValued": .bool(multiValued),
            "description": .string(description),
            "required": .bool(required),
        ]
        object["caseExact"] = .bool(caseExact)
        if !canonicalValues.isEmpty { object["canonicalValues"] = .array(canonicalValues.map { .string($0) }) }
        if !referenceTypes.isEmpty { object["referenceTypes"] = .array(referenceTypes.map { .string($0) }) }
        if !subAttributes.isEmpty { object["subAttributes"] = .array(subAttributes.map { .object($0.json) }) }
        object["mutability"] = .string(mutability.rawValue)
        object["returned"] = .string(returned.rawValue)
        object["uniqueness"] = .string(uniqueness.rawValue)
        return object
    }
}

/// A schema (RFC 7643 §7): an id URN and its attributes.
public struct Schema: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var attributes: [AttributeDefinition]

    public init(id: String, name: String, description: String, attributes: [AttributeDefinition]) {
        self.id = id
        self.name = name
        self.description = description
        self.attributes = attributes
    }

    /// The attribute named `name`, ignoring case.
    public func attribute(named name: String) -> AttributeDefinition? {
        attributes.first { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The RFC 7643 §7 representation, as `/Schemas/{id}` serves it; `location` is the
    /// absolute or relative URL of `/Schemas`.
    public func json(location: String) -> JSONObject {
        [
            "schemas": [.string(SCIMURN.schema)],
            "id": .string(id),
            "name": .string(name),
            "description": .string(description),
            "attributes": .array(attributes.map { .object($0.json) }),
            "meta": [
                "resourceType": "Schema",
                "location": .string("\(location)/\(id)"),
            ],
        ]
    }
}
