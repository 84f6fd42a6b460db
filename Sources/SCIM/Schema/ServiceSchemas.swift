// The schemas of the discovery resources themselves (RFC 7643 §5, §6, §7 and §8.7.2).

private func serviceAttribute(
    _ name: String, _ type: AttributeType, _ description: String, multiValued: Bool = false, required: Bool = false,
    caseExact: Bool = false, referenceTypes: [String] = [], _ subAttributes: [AttributeDefinition] = []
) -> AttributeDefinition {
    AttributeDefinition(
        name: name, type: type, multiValued: multiValued, description: description, required: required,
        caseExact: caseExact, mutability: .readOnly, referenceTypes: referenceTypes, subAttributes: subAttributes)
}

private func supported(
    _ name: String, _ description: String, _ extra: [AttributeDefinition] = []
) -> AttributeDefinition {
    serviceAttribute(
        name, .complex, description, required: true,
        [
            serviceAttribute(
                "supported", .boolean, "A Boolean value specifying whether or not the operation is supported.",
                required: true)
        ]
            + extra)
}

extension Schema {
    /// `urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig` (RFC 7643 §5).
    public static let serviceProviderConfig = Schema(
        id: SCIMURN.serviceProviderConfig, name: "Service Provider Configuration",
        description: "Schema for representing the service provider's configuration",
        attributes: [
            serviceAttribute(
                "documentationUri", .reference,
                "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.",
                referenceTypes: ["external"]),
            supported("patch", "A complex type that specifies PATCH configuration options."),
            supported(
                "bulk", "A complex type that specifies bulk configuration options.",
                [
                    serviceAttribute(
                        "maxOperations", .integer, "An integer value specifying the maximum number of operations.",
                        required: true),
                    serviceAttribute(
                        "maxPayloadSize", .integer, "An integer value specifying the maximum payload size in bytes.",
                        required: true),
                ]),
            supported(
                "filter", "A complex type that specifies FILTER options.",
                [
                    serviceAttribute(
                        "maxResults", .integer,
                        "An integer value specifying the maximum number of resources returned in a response.",
                        required: true)
                ]),
            supported(
                "changePassword", "A complex type that specifies configuration options related to changing a password."),
            supported("sort", "A complex type that specifies sort result options."),
            supported("etag", "A complex type that specifies ETag configuration options."),
            serviceAttribute(
                "authenticationSchemes", .complex,
                "A complex type that specifies supported authentication scheme properties.",
                multiValued: true, required: true,
                [
                    serviceAttribute("type", .string, "The authentication scheme.", required: true),
                    serviceAttribute(
                        "name", .string, "The common authentication scheme name, e.g., HTTP Basic.", required: true),
                    serviceAttribute(
                        "description", .string, "A description of the authentication scheme.", required: true),
                    serviceAttribute(
                        "specUri", .reference,
                        "An HTTP-addressable URL pointing to the authentication scheme's specification.",
                        referenceTypes: ["external"]),
                    serviceAttribute(
                        "documentationUri", .reference,
                        "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.",
                        referenceTypes: ["external"]),
                    serviceAttribute("primary", .boolean, "Whether this is the preferred authentication scheme."),
                ]),
        ])

    /// `urn:ietf:params:scim:schemas:core:2.0:ResourceType` (RFC 7643 §6).
    public static let resourceType = Schema(
        id: SCIMURN.resourceType, name: "ResourceType",
        description: "Specifies the schema that describes a SCIM resource type",
        attributes: [
            serviceAttribute(
                "id", .string, "The resource type's server unique id. May be the same as the 'name' attribute."),
            serviceAttribute("name", .string, "The resource type name.", required: true),
            serviceAttribute("description", .string, "The resource type's human-readable description."),
            serviceAttribute(
                "endpoint", .reference,
                "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'.",
                required: true, referenceTypes: ["uri"]),
            serviceAttribute(
                "schema", .reference, "The resource type's primary/base schema URI.", required: true, caseExact: true,
                referenceTypes: ["uri"]),
            serviceAttribute(
                "schemaExtensions", .complex, "A list of URIs of the resource type's schema extensions.",
                multiValued: true,
                [
                    serviceAttribute(
                        "schema", .reference, "The URI of a schema extension.", required: true, caseExact: true,
                        referenceTypes: ["uri"]),
                    serviceAttribute(
                        "required", .boolean, "Whether the schema extension is required for the resource type.",
                        required: true),
                ]),
        ])

    /// `urn:ietf:params:scim:schemas:core:2.0:Schema` (RFC 7643 §7, §8.7.2).
    public static let schema: Schema = {
        let characteristics: [AttributeDefinition] = [
            serviceAttribute("name", .string, "The attribute's name.", required: true, caseExact: true),
            serviceAttribute("type", .string, "The attribute's data type.", required: true),
            serviceAttribute("multiValued", .boolean, "Whether the attribute is multi-valued.", required: true),
            serviceAttribute("description", .string, "A human-readable description of the attribute."),
            serviceAttribute("required", .boolean, "Whether the attribute is required."),
            serviceAttribute(
                "canonicalValues", .string, "A collection of canonical values.", multiValued: true, caseExact: true),
            serviceAttribute("caseExact", .boolean, "Whether the attribute is case-sensitive."),
            serviceAttribute("mutability", .string, "Whether the attribute is mutable."),
            serviceAttribute("returned", .string, "When the attribute is returned in a response."),
            serviceAttribute("uniqueness", .string, "The attribute's uniqueness."),
            serviceAttribute(
                "referenceTypes", .string, "The names of the resource types that may be referenced.", multiValued: true),
        ]
        return Schema(
            id: SCIMURN.schema, name: "Schema", description: "Specifies the schema attribute",
            attributes: [
                serviceAttribute("id", .string, "The unique URI of the schema.", required: true),
                serviceAttribute("name", .string, "The schema's human-readable name."),
                serviceAttribute("description", .string, "The schema's human-readable description."),
                serviceAttribute(
                    "attributes", .complex, "A complex attribute that includes the attributes of a schema.",
                    multiValued: true,
                    required: true,
                    characteristics + [
                        serviceAttribute(
                            "subAttributes", .complex, "Used to define the sub-attributes of a complex attribute.",
                            multiValued: true, characteristics)
                    ]),
            ])
    }()
}
