/// Checks a resource body of a POST or PUT (RFC 7644 §3.3, §3.5.1) against its resource type
/// and returns it in canonical form: attribute names spelled as the schema spells them, values
/// of the declared types, read-only attributes (`id`, `meta`, `groups`, …) dropped — clients
/// such as Okta echo them back (docs/idp-behaviour.md §1.6) and RFC 7643 §7 says to ignore
/// them —, `null`s dropped (RFC 7643 §2.5), `schemas` rebuilt from what the resource actually
/// carries.
///
/// Refused with a detail that names the attribute: an unknown attribute under the core schema or
/// a declared extension (`invalidSyntax`), a value of the wrong type (`invalidValue`), a missing
/// required attribute (`invalidValue`), a change to an immutable value (`mutability`). Unknown
/// URNs in `schemas` are tolerated (Entra sends its ADSCIM group schema), and so is an object
/// under such a URN, which is dropped.
public struct ResourceValidator: Sendable {
    public var resourceType: ResourceType

    public init(resourceType: ResourceType) {
        self.resourceType = resourceType
    }

    /// Validates `body`; `existing` is the stored resource on PUT, to check immutable values.
    public func validate(_ body: JSONObject, existing: JSONObject? = nil) throws(SCIMError) -> JSONObject {
        if let schemas = body["schemas"] {
            guard case .array(let values) = schemas, values.allSatisfy({ $0.stringValue != nil }) else {
                throw SCIMError.invalidSyntax("'schemas' must be an array of schema URNs")
            }
        }
        var output: JSONObject = ["schemas": [.string(resourceType.schema.id)]]
        for member in body {
            let key = member.key
            if key.equalsIgnoringASCIICase("schemas") { continue }
            if let extensionSchema = resourceType.extensionSchema(withURN: key) {
                guard case .object(let object) = member.value else {
                    if member.value.isNull { continue }
                    throw SCIMError.invalidSyntax("'\(key)' must be an object of \(extensionSchema.name) attributes")
                }
                var extensionOutput = JSONObject()
                for extensionMember in object where !extensionMember.key.equalsIgnoringASCIICase("schemas") {
                    guard let definition = extensionSchema.attribute(named: extensionMember.key) else {
                        throw SCIMError.invalidSyntax(
                            "'\(extensionMember.key)' is not an attribute of the \(extensionSchema.name) extension (\(extensionSchema.id))"
                        )
                    }
                    if let value = try checked(
                        extensionMember.value, definition, "\(extensionSchema.id):\(definition.name)",
                        existing: existing?[extensionSchema.id]?.objectValue?[definition.name])
                    {
                        extensionOutput[definition.name] = value
                    }
                }
                if !extensionOutput.isEmpty { output[extensionSchema.id] = .object(extensionOutput) }
                continue
            }
            if key.hasPrefixIgnoringASCIICase("urn:") {
                // An extension this server does not know: tolerated and dropped.
                continue
            }
            let definition: AttributeDefinition
            if let found = resourceType.schema.attribute(named: key) {
                definition = found
            } else if let common = Schema.commonAttributes.first(where: { $0.name.equalsIgnoringASCIICase(key) }) {
                definition = common
            } else {
                throw SCIMError.invalidSyntax("'\(key)' is not an attribute of \(resourceType.name) resources")
            }
            if let value = try checked(member.value, definition, definition.name, existing: existing?[definition.name])
            {
                output[definition.name] = value
            }
        }
        for definition in resourceType.schema.attributes where definition.required {
            guard let value = output[definition.name], !value.isUnassigned else {
                throw SCIMError.invalidValue("'\(definition.name)' is required")
            }
        }
        for extensionType in resourceType.extensions where extensionType.required {
            guard output[extensionType.schema.id] != nil else {
                throw SCIMError.invalidValue("the \(extensionType.schema.id) extension is required")
            }
        }
        var schemas: [JSONValue] = [.string(resourceType.schema.id)]
        for extensionType in resourceType.extensions where output[extensionType.schema.id] != nil {
            schemas.append(.string(extensionType.schema.id))
        }
        output["schemas"] = .array(schemas)
        return output
    }

    private func checked(
        _ value: JSONValue, _ definition: AttributeDefinition, _ path: String, existing: JSONValue?
    )
        throws(SCIMError) -> JSONValue?
    {
        if definition.mutability == .readOnly { return nil }
        let coerced = try ValueCoercion(path: path, unknownAttributeErrorType: .invalidSyntax).coerce(
            value, to: definition)
        if definition.mutability == .immutable, let existing, !existing.isUnassigned, coerced != existing {
            throw SCIMError.mutability("'\(path)' is immutable and already has a value")
        }
        return coerced
    }
}
