/// Which attributes a response carries (RFC 7644 §3.4.2.5 `attributes` / `excludedAttributes`,
/// RFC 7643 §7 `returned`).
///
/// `returned: never` (`password`) is never in a response; `always` (`id`, `schemas`) always is;
/// `request` only when named in `attributes`; `default` unless `attributes` names others or
/// `excludedAttributes` names it.
public struct Projection: Sendable, Hashable {
    public var attributes: [ResolvedAttributePath]
    public var excludedAttributes: [ResolvedAttributePath]
    /// Extension URNs named whole in `attributes` (all of their attributes are wanted).
    public var wholeExtensions: [String]
    /// Whether `attributes` names the core schema URN (all default core attributes are wanted).
    public var wholeCore = false
    /// Extension URNs named whole in `excludedAttributes`.
    public var excludedExtensions: [String] = []

    public init(
        attributes: [ResolvedAttributePath] = [], excludedAttributes: [ResolvedAttributePath] = [],
        wholeExtensions: [String] = []
    ) {
        self.attributes = attributes
        self.excludedAttributes = excludedAttributes
        self.wholeExtensions = wholeExtensions
    }

    /// The default projection: every `default` and `always` attribute.
    public static let `default` = Projection()

    /// Parses the comma-separated query parameters. An unknown attribute is 400 `invalidValue`
    /// naming it (the client asked for something this server cannot give).
    public init(attributes: String?, excludedAttributes: String?, resourceType: ResourceType) throws(SCIMError) {
        self.init()
        for name in Projection.split(attributes) {
            if let schema = resourceType.schema(withURN: name) {
                if schema.id == resourceType.schema.id { wholeCore = true } else { wholeExtensions.append(schema.id) }
                continue
            }
            self.attributes.append(try Projection.resolve(name, resourceType, parameter: "attributes"))
        }
        for name in Projection.split(excludedAttributes) {
            if let schema = resourceType.extensionSchema(withURN: name) {
                excludedExtensions.append(schema.id)
                continue
            }
            self.excludedAttributes.append(try Projection.resolve(name, resourceType, parameter: "excludedAttributes"))
        }
    }

    /// Both lists, as from a SearchRequest body (RFC 7644 §3.4.3).
    public init(attributes: [String], excludedAttributes: [String], resourceType: ResourceType) throws(SCIMError) {
        try self.init(
            attributes: attributes.isEmpty ? nil : attributes.joined(separator: ","),
            excludedAttributes: excludedAttributes.isEmpty ? nil : excludedAttributes.joined(separator: ","),
            resourceType: resourceType)
    }

    private static func split(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    private static func resolve(
        _ name: String, _ resourceType: ResourceType, parameter: String
    ) throws(SCIMError)
        -> ResolvedAttributePath
    {
        do {
            return try resourceType.resolve(text: name)
        } catch {
            throw .invalidValue("\(parameter): \(error.message)")
        }
    }

    /// Whether the projection needs `members` of a group (so a store can skip reading them).
    public func includes(attributeNamed name: String, in resourceType: ResourceType) -> Bool {
        guard let definition = resourceType.schema.attribute(named: name) else { return false }
        return keeps(definition, schemaURN: resourceType.schema.id, isExtension: false)
    }

    /// The resource as the response carries it.
    public func apply(to resource: JSONObject, resourceType: ResourceType) -> JSONObject {
        var output = JSONObject()
        for member in resource {
            if member.key.equalsIgnoringASCIICase("schemas") {
                output[member.key] = member.value
                continue
            }
            if let extensionSchema = resourceType.extensionSchema(withURN: member.key) {
                guard case .object(let inner) = member.value else { continue }
                var kept = JSONObject()
                for innerMember in inner {
                    guard let definition = extensionSchema.attribute(named: innerMember.key) else { continue }
                    if let value = project(
                        innerMember.value, definition, schemaURN: extensionSchema.id, isExtension: true)
                    {
                        kept[innerMember.key] = value
                    }
                }
                if !kept.isEmpty { output[member.key] = .object(kept) }
                continue
            }
            guard
                let definition = resourceType.schema.attribute(named: member.key)
                    ?? Schema.commonAttributes.first(where: { $0.name.equalsIgnoringASCIICase(member.key) })
            else { continue }
            if let value = project(member.value, definition, schemaURN: resourceType.schema.id, isExtension: false) {
                output[member.key] = value
            }
        }
        return output
    }

    private func matches(
        _ path: ResolvedAttributePath, _ definition: AttributeDefinition, _ urn: String, _ isExtension: Bool
    )
        -> Bool
    {
        path.isExtension == isExtension && path.schemaURN.equalsIgnoringASCIICase(urn)
            && path.attribute.name == definition.name
    }

    /// Whether the attribute itself (or some of it) is kept.
    private func keeps(_ definition: AttributeDefinition, schemaURN: String, isExtension: Bool) -> Bool {
        switch definition.returned {
        case .never: return false
        case .always: return true
        case .default, .request:
            let named = attributes.contains { matches($0, definition, schemaURN, isExtension) }
            if !attributes.isEmpty || !wholeExtensions.isEmpty || wholeCore {
                if isExtension, wholeExtensions.contains(where: { $0.equalsIgnoringASCIICase(schemaURN) }) {
                    return definition.returned == .default || named
                }
                if !isExtension, wholeCore { return definition.returned == .default || named }
                return named
            }
            if isExtension, excludedExtensions.contains(where: { $0.equalsIgnoringASCIICase(schemaURN) }) {
                return false
            }
            if definition.returned == .request { return false }
            return !excludedAttributes.contains {
                matches($0, definition, schemaURN, isExtension) && $0.subAttribute == nil
            }
        }
    }

    private func project(
        _ value: JSONValue, _ definition: AttributeDefinition, schemaURN: String, isExtension: Bool
    )
        -> JSONValue?
    {
        guard keeps(definition, schemaURN: schemaURN, isExtension: isExtension) else { return nil }
        guard definition.type == .complex else { return value }
        // Sub-attributes: those named (when sub-attributes are named), minus excluded ones,
        // never `returned: never`.
        let named = attributes.filter { matches($0, definition, schemaURN, isExtension) }
        let namedSubs = named.compactMap(\.subAttribute?.name)
        let wholeNamed = named.contains { $0.subAttribute == nil }
        let excludedSubs = excludedAttributes.filter { matches($0, definition, schemaURN, isExtension) }
            .compactMap(\.subAttribute?.name)
        func filterObject(_ object: JSONObject) -> JSONObject {
            var kept = JSONObject()
            for member in object {
                guard let sub = definition.subAttribute(named: member.key) else { continue }
                if sub.returned == .never { continue }
                if sub.returned != .always {
                    if !wholeNamed, !namedSubs.isEmpty,
                        !namedSubs.contains(where: { $0.equalsIgnoringASCIICase(sub.name) })
                    {
                        continue
                    }
                    if sub.returned == .request, !namedSubs.contains(where: { $0.equalsIgnoringASCIICase(sub.name) }) {
                        continue
                    }
                    if excludedSubs.contains(where: { $0.equalsIgnoringASCIICase(sub.name) }) { continue }
                }
                kept[member.key] = member.value
            }
            return kept
        }
        switch value {
        case .object(let object):
            let kept = filterObject(object)
            return kept.isEmpty ? nil : .object(kept)
        case .array(let elements):
            let kept = elements.compactMap { element -> JSONValue? in
                guard case .object(let object) = element else { return element }
                let filtered = filterObject(object)
                return filtered.isEmpty ? nil : .object(filtered)
            }
            return .array(kept)
        default:
            return value
        }
    }
}
