/// Checks one incoming value against its attribute definition and returns it in canonical form.
///
/// Lenient only where IdPs are known to deviate (recorded in tests named after each quirk): Entra
/// sends booleans as the strings `"True"`/`"False"` (docs/idp-behaviour.md §2.1). Types are
/// otherwise checked, not coerced: a number where the schema says string (`userName: 42`) is
/// `invalidValue` naming the attribute, never stored as its text. Read-only
/// sub-attributes are dropped, as RFC 7643 §7 says read-only values on input are ignored, and
/// so are `null`s (`"$ref": null` in Entra's member objects).
struct ValueCoercion {
    /// Where the value sits, for error details (e.g. `emails[1].primary`).
    var path: String
    /// The scimType used for a value of the wrong type.
    var errorType: SCIMErrorType = .invalidValue
    /// The scimType used for an unknown sub-attribute.
    var unknownAttributeErrorType: SCIMErrorType = .invalidValue

    /// A complete value for `definition`: an array for multi-valued attributes (a lone value is
    /// wrapped), otherwise a single value. `nil` when the value is unassigned.
    func coerce(_ value: JSONValue, to definition: AttributeDefinition) throws(SCIMError) -> JSONValue? {
        if value.isNull { return nil }
        if definition.multiValued {
            let elements: [JSONValue]
            if case .array(let values) = value { elements = values } else { elements = [value] }
            var output: [JSONValue] = []
            var primaries = 0
            for (index, element) in elements.enumerated() {
                let coercion = ValueCoercion(
                    path: "\(path)[\(index)]", errorType: errorType,
                    unknownAttributeErrorType: unknownAttributeErrorType)
                guard let single = try coercion.coerceSingle(element, to: definition) else { continue }
                if single.objectValue?["primary"]?.boolValue == true { primaries += 1 }
                output.append(single)
            }
            // RFC 7643 §2.4: the primary value "true" MUST appear no more than once.
            guard primaries <= 1 else {
                throw SCIMError.badRequest(
                    .invalidValue, "only one of the values of '\(path)' may be primary; \(primaries) are")
            }
            return output.isEmpty ? nil : .array(output)
        }
        if case .array = value {
            throw SCIMError.badRequest(errorType, "'\(path)' is single-valued; give one value, not an array")
        }
        return try coerceSingle(value, to: definition)
    }

    /// One value (an element, for multi-valued attributes).
    func coerceSingle(_ value: JSONValue, to definition: AttributeDefinition) throws(SCIMError) -> JSONValue? {
        if value.isNull { return nil }
        switch definition.type {
        case .string, .reference, .binary:
            switch value {
            case .string: return value
            default: throw mismatch(value, "a string")
            }
        case .boolean:
            switch value {
            case .bool: return value
            case .string(let text) where text.equalsIgnoringASCIICase("true"): return .bool(true)
            case .string(let text) where text.equalsIgnoringASCIICase("false"): return .bool(false)
            default: throw mismatch(value, "true or false")
            }
        case .integer:
            guard case .number(let number) = value, number.int64Value != nil else {
                throw mismatch(value, "an integer")
            }
            return value
        case .decimal:
            guard case .number = value else { throw mismatch(value, "a number") }
            return value
        case .dateTime:
            guard case .string(let text) = value, SCIMDateTime(text) != nil else {
                throw mismatch(value, "a dateTime such as \"2011-05-13T04:42:34Z\"")
            }
            return value
        case .complex:
            guard case .object(let object) = value else { throw mismatch(value, "an object") }
            var output = JSONObject()
            for member in object {
                // A null says "no value" whatever its name; Entra sends `"$ref": null`.
                if member.value.isNull { continue }
                guard let sub = definition.subAttribute(named: member.key) else {
                    let known = definition.subAttributes.map(\.name).joined(separator: ", ")
                    throw SCIMError.badRequest(
                        unknownAttributeErrorType,
                        "'\(member.key)' is not a sub-attribute of '\(path)' (it has: \(known))")
                }
                if sub.mutability == .readOnly { continue }
                let coercion = ValueCoercion(
                    path: "\(path).\(sub.name)", errorType: errorType,
                    unknownAttributeErrorType: unknownAttributeErrorType)
                if let coerced = try coercion.coerce(member.value, to: sub) {
                    output[sub.name] = coerced
                }
            }
            return output.isEmpty ? nil : .object(output)
        }
    }

    private func mismatch(_ value: JSONValue, _ expected: String) -> SCIMError {
        SCIMError.badRequest(errorType, "'\(path)' must be \(expected), not \(value.typeName) \(value.serialized())")
    }
}
