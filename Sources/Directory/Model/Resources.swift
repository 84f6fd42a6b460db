import SCIM

/// Removes what SCIM counts as unassigned (RFC 7643 §2.5: null, empty arrays and objects; and
/// empty strings) all the way down, so the stored resource, its indexed columns and the filter
/// evaluator agree on what is present.
func prunedOfUnassigned(_ object: JSONObject) -> JSONObject {
    var output = JSONObject()
    for member in object {
        if let value = prunedOfUnassigned(member.value) { output[member.key] = value }
    }
    return output
}

private func prunedOfUnassigned(_ value: JSONValue) -> JSONValue? {
    switch value {
    case .null: return nil
    case .string(let text): return text.isEmpty ? nil : value
    case .bool, .number: return value
    case .array(let elements):
        let kept = elements.compactMap { prunedOfUnassigned($0) }
        return kept.isEmpty ? nil : .array(kept)
    case .object(let object):
        let kept = prunedOfUnassigned(object)
        return kept.isEmpty ? nil : .object(kept)
    }
}

/// A user: the SCIM resource (less `id`, `meta`, `groups` and `password`) and what the directory
/// keeps beside it. The indexed fields are read from the resource, so they can never disagree.
public struct User: Sendable, Hashable {
    public var id: String
    /// SCIM attributes as validated, with unassigned values pruned.
    public private(set) var resource: JSONObject
    public var origin: Origin
    public var archivedAt: Timestamp?
    public var version: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// A password hash (never the password), when one was provisioned.
    public var passwordHash: String?
    /// Who created the user, as an activity actor (`connection:<id>`, `account:<id>`,
    /// `system:<name>`); `nil` for users created before this was recorded.
    public var createdBy: String?

    public init(
        id: String, resource: JSONObject, origin: Origin, archivedAt: Timestamp? = nil, version: Int = 1,
        createdAt: Timestamp, updatedAt: Timestamp, passwordHash: String? = nil, createdBy: String? = nil
    ) {
        self.createdBy = createdBy
        self.id = id
        self.resource = User.stored(resource)
        self.origin = origin
        self.archivedAt = archivedAt
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.passwordHash = passwordHash
    }

    /// Replaces the SCIM attributes.
    public mutating func setResource(_ resource: JSONObject) {
        self.resource = User.stored(resource)
    }

    static func stored(_ resource: JSONObject) -> JSONObject {
        var copy = prunedOfUnassigned(resource)
        for key in ["id", "meta", "groups", "password"] { copy[key] = nil }
        return copy
    }

    public var userName: String { resource["userName"]?.stringValue ?? "" }
    /// `userName` folded for the case-insensitive unique key.
    public var userNameKey: String { userName.scimCaseFolded }
    public var externalId: String? { resource["externalId"]?.stringValue }
    public var displayName: String? { resource["displayName"]?.stringValue }
    public var givenName: String? { resource["name"]?.objectValue?["givenName"]?.stringValue }
    public var familyName: String? { resource["name"]?.objectValue?["familyName"]?.stringValue }
    /// `active` as provisioned; `nil` when the resource does not say (treated as active for login).
    public var active: Bool? { resource["active"]?.boolValue }
    public var isArchived: Bool { archivedAt != nil }

    /// The emails in order, as (value, type, display, primary).
    public var emails: [Email] {
        (resource["emails"]?.arrayValue ?? []).compactMap { value in
            guard let object = value.objectValue else { return nil }
            return Email(
                value: object["value"]?.stringValue, type: object["type"]?.stringValue,
                display: object["display"]?.stringValue, primary: object["primary"]?.boolValue)
        }
    }

    /// The primary email's value, else the first one's: what `sortBy=emails` sorts by
    /// (RFC 7644 §3.4.2.3) and what the console lists.
    public var primaryEmail: String? {
        let all = emails
        return (all.first { $0.primary == true } ?? all.first)?.value
    }

    /// One email of a user, as the `user_emails` index table keeps it.
    public struct Email: Sendable, Hashable {
        public var value: String?
        public var type: String?
        public var display: String?
        public var primary: Bool?

        public init(value: String?, type: String?, display: String?, primary: Bool?) {
            self.value = value
            self.type = type
            self.display = display
            self.primary = primary
        }
    }
}

/// A group: the SCIM resource less `id`, `meta` and `members` (memberships are rows of their own).
public struct Group: Sendable, Hashable {
    public var id: String
    public private(set) var resource: JSONObject
    public var origin: Origin
    public var archivedAt: Timestamp?
    public var version: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: String, resource: JSONObject, origin: Origin, archivedAt: Timestamp? = nil, version: Int = 1,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.resource = Group.stored(resource)
        self.origin = origin
        self.archivedAt = archivedAt
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public mutating func setResource(_ resource: JSONObject) {
        self.resource = Group.stored(resource)
    }

    static func stored(_ resource: JSONObject) -> JSONObject {
        var copy = prunedOfUnassigned(resource)
        for key in ["id", "meta", "members"] { copy[key] = nil }
        return copy
    }

    public var displayName: String { resource["displayName"]?.stringValue ?? "" }
    public var displayNameKey: String { displayName.scimCaseFolded }
    public var externalId: String? { resource["externalId"]?.stringValue }
    public var description: String? { resource["description"]?.stringValue }
    public var isArchived: Bool { archivedAt != nil }
}

/// One membership row.
public struct Membership: Sendable, Hashable {
    public var groupID: String
    public var userID: String
    public var source: MembershipSource
    public var createdAt: Timestamp

    public init(groupID: String, userID: String, source: MembershipSource, createdAt: Timestamp) {
        self.groupID = groupID
        self.userID = userID
        self.source = source
        self.createdAt = createdAt
    }
}

/// A group a user belongs to, with every source that maps the user into it.
public struct UserGroupMapping: Sendable, Hashable {
    public var groupID: String
    public var displayName: String
    public var sources: [MembershipSource]
    /// When each source's mapping was made (filled where the store reads it).
    public var since: [MembershipSource: Timestamp]

    public init(
        groupID: String, displayName: String, sources: [MembershipSource], since: [MembershipSource: Timestamp] = [:]
    ) {
        self.groupID = groupID
        self.displayName = displayName
        self.sources = sources
        self.since = since
    }
}

/// What a membership write did.
public struct MembershipChange: Sendable, Hashable {
    /// Ids that gained a row from this source.
    public var added: [String]
    /// Ids that lost their row from this source.
    public var removed: [String]
    /// Ids that name no user (skipped, to be recorded in the activity log).
    public var missing: [String]
    /// The userNames of the users added, read by the same statement that checked they exist (so
    /// the activity row names them at no extra cost).
    public var userNames: [String: String] = [:]

    public init(added: [String] = [], removed: [String] = [], missing: [String] = []) {
        self.added = added
        self.removed = removed
        self.missing = missing
    }

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty }
}
