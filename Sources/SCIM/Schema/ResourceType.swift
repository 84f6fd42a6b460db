/// A resource type (RFC 7643 §6): a name, an endpoint, a core schema and its extensions.
///
/// It is also the resolver of attribute paths: every filter, PATCH path, `attributes` list and
/// `sortBy` goes through ``resolve(_:)`` so that an unknown attribute is always an error.
public struct ResourceType: Sendable, Hashable {
    /// An extension schema and whether a resource must carry it.
    public struct Extension: Sendable, Hashable {
        public var schema: Schema
        public var required: Bool

        public init(schema: Schema, required: Bool) {
            self.schema = schema
            self.required = required
        }
    }

    public var id: String
    public var name: String
    public var endpoint: String
    public var description: String
    public var schema: Schema
    public var extensions: [Extension]

    public init(
        id: String, name: String, endpoint: String, description: String, schema: Schema, extensions: [Extension] = []
    ) {
        self.id = id
        self.name = name
        self.endpoint = endpoint
        self.description = description
        self.schema = schema
        self.extensions = extensions
    }

    /// Users with the optional Enterprise User extension.
    public static let user = ResourceType(
        id: "User", name: "User", endpoint: "/Users", description: "User Account", schema: .user,
        extensions: [Extension(schema: .enterpriseUser, required: false)])

    /// Groups.
    public static let group = ResourceType(
        id: "Group", name: "Group", endpoint: "/Groups", description: "Group", schema: .group)

    /// The URNs of every schema of this type, core first.
    public var schemaURNs: [String] { [schema.id] + extensions.map(\.schema.id) }

    /// The schema whose id is `urn`, ignoring case.
    public func schema(withURN urn: String) -> Schema? {
        if schema.id.equalsIgnoringASCIICase(urn) { return schema }
        return extensions.first { $0.schema.id.equalsIgnoringASCIICase(urn) }?.schema
    }

    /// The extension whose id is `urn`, ignoring case.
    public func extensionSchema(withURN urn: String) -> Schema? {
        extensions.first { $0.schema.id.equalsIgnoringASCIICase(urn) }?.schema
    }

    /// The RFC 7643 §6 representation; `location` is the URL of `/ResourceTypes`.
    public func json(location: String) -> JSONObject {
        var object: JSONObject = [
            "schemas": [.string(SCIMURN.resourceType)],
            "id": .string(id),
            "name": .string(name),
            "endpoint": .string(endpoint),
            "description": .string(description),
            "schema": .string(schema.id),
        ]
        if !extensions.isEmpty {
            object["schemaExtensions"] = .array(
                extensions.map { .object(["schema": .string($0.schema.id), "required": .bool($0.required)]) })
        }
        object["meta"] = ["resourceType": "ResourceType", "location": .string("\(location)/\(id)")]
        return object
    }
}
