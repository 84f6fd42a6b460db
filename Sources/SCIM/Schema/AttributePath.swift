/// An attribute path as written (RFC 7644 §3.10, ABNF `attrPath`): an optional schema URN, an
/// attribute name and an optional sub-attribute, e.g. `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
public struct AttributePath: Sendable, Hashable, CustomStringConvertible {
    public var schema: String?
    public var name: String
    public var subAttribute: String?

    public init(schema: String? = nil, name: String, subAttribute: String? = nil) {
        self.schema = schema
        self.name = name
        self.subAttribute = subAttribute
    }

    /// Parses `[URN ":"] ATTRNAME ["." subAttr]`; `nil` when the text is not of that shape.
    ///
    /// A URN contains colons and dots (`…:2.0:User`), so it ends at the last colon, and the
    /// sub-attribute is split off after it.
    public init?(parsing text: String) {
        var schema: String?
        var rest = Substring(text)
        if text.hasPrefixIgnoringASCIICase("urn:") {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            schema = String(text[..<colon])
            rest = text[text.index(after: colon)...]
        }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, AttributePath.isAttributeName(first) else { return nil }
        var subAttribute: String?
        if parts.count == 2 {
            guard AttributePath.isAttributeName(parts[1]) else { return nil }
            subAttribute = String(parts[1])
        }
        self.init(schema: schema, name: String(first), subAttribute: subAttribute)
    }

    /// ABNF `ATTRNAME = ALPHA *(nameChar)`, `nameChar = "-" / "_" / DIGIT / ALPHA`, plus the
    /// RFC's own `$ref`.
    static func isAttributeName(_ text: Substring) -> Bool {
        guard let first = text.utf8.first else { return false }
        if text == "$ref" { return true }
        guard isAlpha(first) else { return false }
        return text.utf8.allSatisfy { isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    public var description: String {
        var text = schema.map { "\($0):" } ?? ""
        text += name
        if let subAttribute { text += ".\(subAttribute)" }
        return text
    }
}

func isAlpha(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
}

func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

/// An attribute path resolved against a resource type: the schema it belongs to and the
/// definitions of the attribute and sub-attribute, with their canonical spelling.
public struct ResolvedAttributePath: Sendable, Hashable, CustomStringConvertible {
    /// The URN of the schema that defines the attribute (the core schema for `id`, `meta`, …).
    public let schemaURN: String
    /// Whether the attribute lives in an extension, i.e. under `resource[schemaURN]`.
    public let isExtension: Bool
    public let attribute: AttributeDefinition
    public let subAttribute: AttributeDefinition?

    public init(
        schemaURN: String, isExtension: Bool, attribute: AttributeDefinition, subAttribute: AttributeDefinition?
    ) {
        self.schemaURN = schemaURN
        self.isExtension = isExtension
        self.attribute = attribute
        self.subAttribute = subAttribute
    }

    /// The definition of what the path finally names.
    public var leaf: AttributeDefinition { subAttribute ?? attribute }

    /// The same attribute without its sub-attribute.
    public var parent: ResolvedAttributePath {
        ResolvedAttributePath(schemaURN: schemaURN, isExtension: isExtension, attribute: attribute, subAttribute: nil)
    }

    /// The same attribute with the sub-attribute `sub`.
    public func appending(_ sub: AttributeDefinition) -> ResolvedAttributePath {
        ResolvedAttributePath(schemaURN: schemaURN, isExtension: isExtension, attribute: attribute, subAttribute: sub)
    }

    /// The canonical spelling: `name.givenName`, or URN-qualified for extension attributes.
    public var description: String {
        var text = isExtension ? "\(schemaURN):" : ""
        text += attribute.name
        if let subAttribute { text += ".\(subAttribute.name)" }
        return text
    }

    /// The attribute's value in a resource laid out as SCIM JSON (extensions under their URN).
    public func attributeValue(in resource: JSONObject) -> JSONValue? {
        if isExtension { return resource[schemaURN]?.objectValue?[attribute.name] }
        return resource[attribute.name]
    }
}

/// Why an attribute path did not resolve; each caller turns it into its own `scimType`.
public struct PathResolutionError: Error, Sendable, Hashable {
    public var message: String
}

extension ResourceType {
    /// Resolves a path: the URN, if given, must be one of this type's schemas; the attribute
    /// must exist there (common attributes belong to the core schema); a sub-attribute needs a
    /// complex attribute that defines it. Names match case-insensitively (RFC 7643 §2.1).
    ///
    /// With `unqualifiedExtensions`, an extension attribute named without its URN resolves when
    /// exactly one extension defines it: Entra's PATCH uses `"path": "manager"` for the
    /// Enterprise User manager (docs/idp-behaviour.md §2.1, §5.5).
    public func resolve(
        _ path: AttributePath, unqualifiedExtensions: Bool = false
    ) throws(PathResolutionError)
        -> ResolvedAttributePath
    {
        var schema: Schema
        var isExtension = false
        if let urn = path.schema {
            guard let found = self.schema(withURN: urn) else {
                throw PathResolutionError(message: "'\(urn)' is not a schema of \(name) resources")
            }
            schema = found
            isExtension = found.id != self.schema.id
        } else {
            schema = self.schema
        }
        var attribute: AttributeDefinition
        let owners = extensions.filter { $0.schema.attribute(named: path.name) != nil }
        if let found = schema.attribute(named: path.name) {
            attribute = found
        } else if !isExtension,
            let common = Schema.commonAttributes.first(where: { $0.name.equalsIgnoringASCIICase(path.name) })
        {
            attribute = common
        } else if unqualifiedExtensions, path.schema == nil, owners.count == 1, let owner = owners.first,
            let found = owner.schema.attribute(named: path.name)
        {
            schema = owner.schema
            isExtension = true
            attribute = found
        } else {
            let hint = owners.isEmpty ? "" : " (it belongs to an extension: qualify it with the extension's URN)"
            throw PathResolutionError(message: "'\(path)' is not an attribute of \(name) resources\(hint)")
        }
        var subAttribute: AttributeDefinition?
        if let subName = path.subAttribute {
            guard attribute.type == .complex else {
                throw PathResolutionError(
                    message: "'\(attribute.name)' has no sub-attributes, so '\(path)' names nothing")
            }
            guard let found = attribute.subAttribute(named: subName) else {
                let known = attribute.subAttributes.map(\.name).joined(separator: ", ")
                throw PathResolutionError(
                    message: "'\(subName)' is not a sub-attribute of '\(attribute.name)' (it has: \(known))")
            }
            subAttribute = found
        }
        return ResolvedAttributePath(
            schemaURN: schema.id, isExtension: isExtension, attribute: attribute, subAttribute: subAttribute)
    }

    /// Parses and resolves a path given as text.
    public func resolve(text: String) throws(PathResolutionError) -> ResolvedAttributePath {
        guard let path = AttributePath(parsing: text) else {
            throw PathResolutionError(message: "'\(text)' is not an attribute path")
        }
        return try resolve(path)
    }
}
