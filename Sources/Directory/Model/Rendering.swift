import SCIM

extension User {
    /// The SCIM representation (RFC 7643 §4.1): the stored attributes plus `id`, the read-only
    /// `groups` (read from memberships, one entry per group whatever the number of sources) and
    /// `meta` with `version` equal to the ETag. `baseURL` is the SCIM base (…/scim/v2).
    public func scimResource(groups: [UserGroupMapping], baseURL: String) -> JSONObject {
        var output = JSONObject()
        output["schemas"] = resource["schemas"] ?? [.string(SCIMURN.user)]
        output["id"] = .string(id)
        for member in resource where !member.key.equalsIgnoringASCIICase("schemas") {
            output[member.key] = member.value
        }
        if !groups.isEmpty {
            output["groups"] = .array(
                groups.map { mapping in
                    [
                        "value": .string(mapping.groupID),
                        "$ref": .string("\(baseURL)/Groups/\(mapping.groupID)"),
                        "display": .string(mapping.displayName),
                        "type": "direct",
                    ]
                })
        }
        output["meta"] = meta(resourceType: "User", location: "\(baseURL)/Users/\(id)", createdAt, updatedAt, version)
        return output
    }
}

extension Group {
    /// The SCIM representation (RFC 7643 §4.2); `members` are user ids (`nil` leaves the
    /// attribute out, as `excludedAttributes=members` asks).
    public func scimResource(members: [String]?, baseURL: String) -> JSONObject {
        var output = JSONObject()
        output["schemas"] = resource["schemas"] ?? [.string(SCIMURN.group)]
        output["id"] = .string(id)
        for member in resource where !member.key.equalsIgnoringASCIICase("schemas") {
            output[member.key] = member.value
        }
        if let members, !members.isEmpty {
            output["members"] = .array(
                members.map { userID in
                    ["value": .string(userID), "$ref": .string("\(baseURL)/Users/\(userID)"), "type": "User"]
                })
        }
        output["meta"] = meta(resourceType: "Group", location: "\(baseURL)/Groups/\(id)", createdAt, updatedAt, version)
        return output
    }
}

/// `W/"<version>"`: the weak ETag of a resource version (RFC 7644 §3.14).
public func entityTag(version: Int) -> String { "W/\"\(version)\"" }

private func meta(
    resourceType: String, location: String, _ created: Timestamp, _ modified: Timestamp, _ version: Int
)
    -> JSONValue
{
    [
        "resourceType": .string(resourceType),
        "created": .string(created.description),
        "lastModified": .string(modified.description),
        "location": .string(location),
        "version": .string(entityTag(version: version)),
    ]
}
