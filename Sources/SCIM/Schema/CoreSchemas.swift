// The schemas of RFC 7643 §4 and §8.7.1, attribute by attribute, with the characteristics the RFC
// gives them. Descriptions are the RFC's, shortened.

private func string(
    _ name: String, _ description: String, required: Bool = false, caseExact: Bool = false,
    mutability: Mutability = .readWrite, returned: Returned = .default, uniqueness: Uniqueness = .none,
    canonicalValues: [String] = []
) -> AttributeDefinition {
    AttributeDefinition(
        name: name, type: .string, description: description, required: required, caseExact: caseExact,
        mutability: mutability, returned: returned, uniqueness: uniqueness, canonicalValues: canonicalValues)
}

private func reference(
    _ name: String, _ description: String, types: [String], mutability: Mutability = .readWrite
) -> AttributeDefinition {
    AttributeDefinition(
        name: name, type: .reference, description: description, caseExact: true, mutability: mutability,
        referenceTypes: types)
}

private func boolean(
    _ name: String, _ description: String, mutability: Mutability = .readWrite
)
    -> AttributeDefinition
{
    AttributeDefinition(name: name, type: .boolean, description: description, mutability: mutability)
}

private func complex(
    _ name: String, _ description: String, multiValued: Bool = false, mutability: Mutability = .readWrite,
    returned: Returned = .default, _ subAttributes: [AttributeDefinition]
) -> AttributeDefinition {
    AttributeDefinition(
        name: name, type: .complex, multiValued: multiValued, description: description, mutability: mutability,
        returned: returned, subAttributes: subAttributes)
}

/// The `value`/`display`/`type`/`primary` quartet most multi-valued attributes share (RFC 7643 §2.4).
private func multiValued(
    _ name: String, _ description: String, valueType: AttributeType = .string, valueReferenceTypes: [String] = [],
    types: [String]
) -> AttributeDefinition {
    complex(
        name, description, multiValued: true,
        [
            AttributeDefinition(
                name: "value", type: valueType, description: "The attribute's significant value.",
                caseExact: valueType == .reference, referenceTypes: valueReferenceTypes),
            string("display", "A human-readable name, primarily used for display purposes."),
            string("type", "A label indicating the attribute's function.", canonicalValues: types),
            boolean("primary", "A Boolean value indicating the 'primary' or preferred attribute value."),
        ])
}

extension Schema {
    /// The attributes every resource has (RFC 7643 §3.1): `id`, `externalId`, `meta`. They are
    /// not part of any schema's representation, but filters, PATCH and projection resolve them.
    public static let commonAttributes: [AttributeDefinition] = [
        // `schemas` is filterable too: RFC 7644 §3.4.2.2 filters on it in its own examples.
        AttributeDefinition(
            name: "schemas", type: .reference, multiValued: true,
            description: "The schema URIs that define the attributes present in the resource.", required: true,
            mutability: .readOnly, returned: .always, referenceTypes: ["uri"]),
        AttributeDefinition(
            name: "id", type: .string,
            description: "A unique identifier for a SCIM resource as defined by the service provider.",
            caseExact: true, mutability: .readOnly, returned: .always, uniqueness: .server),
        string(
            "externalId", "A String that is an identifier for the resource as defined by the provisioning client.",
            caseExact: true),
        complex(
            "meta", "A complex attribute containing resource metadata.", mutability: .readOnly,
            [
                string(
                    "resourceType", "The name of the resource type of the resource.", caseExact: true,
                    mutability: .readOnly),
                AttributeDefinition(
                    name: "created", type: .dateTime,
                    description: "The DateTime that the resource was added to the service provider.",
                    mutability: .readOnly),
                AttributeDefinition(
                    name: "lastModified", type: .dateTime,
                    description: "The most recent DateTime that the details of this resource were updated.",
                    mutability: .readOnly),
                reference("location", "The URI of the resource being returned.", types: ["uri"], mutability: .readOnly),
                string(
                    "version", "The version of the resource being returned.", caseExact: true, mutability: .readOnly),
            ]),
    ]

    /// `urn:ietf:params:scim:schemas:core:2.0:User` (RFC 7643 §4.1, §8.7.1).
    public static let user = Schema(
        id: SCIMURN.user, name: "User", description: "User Account",
        attributes: [
            string(
                "userName",
                "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.",
                required: true, uniqueness: .server),
            complex(
                "name", "The components of the user's real name.",
                [
                    string(
                        "formatted",
                        "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."
                    ),
                    string("familyName", "The family name of the User, or last name in most Western languages."),
                    string("givenName", "The given name of the User, or first name in most Western languages."),
                    string("middleName", "The middle name(s) of the User."),
                    string(
                        "honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages."),
                    string(
                        "honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages."),
                ]),
            string("displayName", "The name of the User, suitable for display to end-users."),
            string("nickName", "The casual way to address the user in real life."),
            reference(
                "profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.",
                types: ["external"]),
            string("title", "The user's title, such as \"Vice President\"."),
            string("userType", "Used to identify the relationship between the organization and the user."),
            string(
                "preferredLanguage",
                "Indicates the User's preferred written or spoken language (RFC 7231 Accept-Language)."),
            string("locale", "Used to indicate the User's default location for purposes of localizing items."),
            string("timezone", "The User's time zone in the 'Olson' time zone database format."),
            boolean("active", "A Boolean value indicating the User's administrative status."),
            string(
                "password", "The User's cleartext password, used to set or change it; never returned.",
                mutability: .writeOnly, returned: .never),
            multiValued("emails", "Email addresses for the user.", types: ["work", "home", "other"]),
            multiValued(
                "phoneNumbers", "Phone numbers for the User.",
                types: ["work", "home", "mobile", "fax", "pager", "other"]),
            multiValued(
                "ims", "Instant messaging addresses for the User.",
                types: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
            multiValued(
                "photos", "URLs of photos of the User.", valueType: .reference, valueReferenceTypes: ["external"],
                types: ["photo", "thumbnail"]),
            complex(
                "addresses", "A physical mailing address for this User.", multiValued: true,
                [
                    string("formatted", "The full mailing address, formatted for display or use with a mailing label."),
                    string("streetAddress", "The full street address component."),
                    string("locality", "The city or locality component."),
                    string("region", "The state or region component."),
                    string("postalCode", "The zip code or postal code component."),
                    string("country", "The country name component (ISO 3166-1 alpha-2)."),
                    string(
                        "type", "A label indicating the attribute's function.",
                        canonicalValues: ["work", "home", "other"]),
                    boolean("primary", "A Boolean value indicating the 'primary' or preferred address."),
                ]),
            complex(
                "groups", "A list of groups to which the user belongs, either through direct membership or indirectly.",
                multiValued: true, mutability: .readOnly,
                [
                    string("value", "The identifier of the User's group.", mutability: .readOnly),
                    reference(
                        "$ref", "The URI of the corresponding 'Group' resource.", types: ["User", "Group"],
                        mutability: .readOnly),
                    string(
                        "display", "A human-readable name, primarily used for display purposes.", mutability: .readOnly),
                    string(
                        "type", "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
                        mutability: .readOnly, canonicalValues: ["direct", "indirect"]),
                ]),
            multiValued("entitlements", "A list of entitlements for the User.", types: []),
            multiValued("roles", "A list of roles for the User.", types: []),
            multiValued(
                "x509Certificates", "A list of certificates issued to the User.", valueType: .binary, types: []),
        ])

    /// `urn:ietf:params:scim:schemas:core:2.0:Group` (RFC 7643 §4.2, §8.7.1).
    ///
    /// `displayName` is required (§4.2 says so; §8.7.1's table omits it) and unique, as Okta and
    /// Entra look groups up by it (so its uniqueness is `server`, where §8.7.1 says `none`). `members` carries a read-only `display`: Okta sends one with
    /// every member (docs/idp-behaviour.md §4.5), and read-only values are ignored on input.
    public static let group = Schema(
        id: SCIMURN.group, name: "Group", description: "Group",
        attributes: [
            string("displayName", "A human-readable name for the Group.", required: true, uniqueness: .server),
            complex(
                "members", "A list of members of the Group.", multiValued: true,
                [
                    string("value", "Identifier of the member of this Group.", mutability: .immutable),
                    reference(
                        "$ref", "The URI corresponding to a SCIM resource that is a member of this Group.",
                        types: ["User", "Group"], mutability: .immutable),
                    string(
                        "type", "A label indicating the type of resource, e.g., 'User' or 'Group'.",
                        mutability: .immutable,
                        canonicalValues: ["User", "Group"]),
                    string("display", "A human-readable name for the member.", mutability: .readOnly),
                ]),
        ])

    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (RFC 7643 §4.3, §8.7.1).
    public static let enterpriseUser = Schema(
        id: SCIMURN.enterpriseUser, name: "EnterpriseUser", description: "Enterprise User",
        attributes: [
            string("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
            string("costCenter", "Identifies the name of a cost center."),
            string("organization", "Identifies the name of an organization."),
            string("division", "Identifies the name of a division."),
            string("department", "Identifies the name of a department."),
            complex(
                "manager", "The User's manager.",
                [
                    string("value", "The id of the SCIM resource representing the User's manager."),
                    reference("$ref", "The URI of the SCIM resource representing the User's manager.", types: ["User"]),
                    string("displayName", "The displayName of the User's manager.", mutability: .readOnly),
                ]),
        ])
}
