import SCIM

/// One row of the activity log: every SCIM request and every console change.
public struct ActivityEvent: Sendable, Hashable {
    public var id: String
    public var at: Timestamp
    public var connectionID: String?
    /// Who acted when it was not a connection: `account:<id>` or `system:<name>`.
    public var actor: String?
    public var method: String
    public var path: String
    public var status: Int
    public var resourceType: String?
    public var resourceID: String?
    public var summary: String
    public var detail: String?
    public var durationMicroseconds: Int64
    /// The fields the change altered, old → new (bounded, never a secret).
    public var changes: [FieldChange]
    /// Other resources the request touched (the users a membership change added or removed),
    /// so their timelines show it; bounded by ``ActivityEvent/relatedLimit``.
    public var related: [String]

    /// The most related resources one row links.
    public static let relatedLimit = 1000

    public init(
        id: String, at: Timestamp, connectionID: String? = nil, actor: String? = nil, method: String, path: String,
        status: Int, resourceType: String? = nil, resourceID: String? = nil, summary: String, detail: String? = nil,
        durationMicroseconds: Int64 = 0, changes: [FieldChange] = [], related: [String] = []
    ) {
        self.related = Array(related.prefix(Self.relatedLimit))
        self.changes = changes
        self.id = id
        self.at = at
        self.connectionID = connectionID
        self.actor = actor
        self.method = method
        self.path = path
        self.status = status
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.summary = summary
        self.detail = detail
        self.durationMicroseconds = durationMicroseconds
    }
}

/// One field a change altered: its name (a SCIM attribute path, or a setting), the old and the
/// new value as short text (`nil` when absent). Values are cut to ``limit`` characters.
public struct FieldChange: Sendable, Hashable {
    public var field: String
    public var old: String?
    public var new: String?

    /// The longest value kept, in characters.
    public static let limit = 200

    public init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old.map(Self.bounded)
        self.new = new.map(Self.bounded)
    }

    static func bounded(_ text: String) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

extension FieldChange {
    /// The most changes one activity row keeps.
    public static let maximumCount = 50

    /// What differs between two SCIM resources, attribute by attribute (a complex attribute by its
    /// sub-attributes, `name.givenName`, also when it appears or goes); `password` is never named
    /// with a value, and `schemas` (no attribute of the user's) is left out.
    public static func between(_ old: JSONObject, _ new: JSONObject) -> [FieldChange] {
        var changes: [FieldChange] = []
        collect(old, new, prefix: "", into: &changes)
        return Array(changes.prefix(maximumCount))
    }

    private static func collect(_ old: JSONObject, _ new: JSONObject, prefix: String, into changes: inout [FieldChange])
    {
        var names: [String] = []
        var seen = Set<String>()
        for member in old where seen.insert(member.key.lowercased()).inserted { names.append(member.key) }
        for member in new where seen.insert(member.key.lowercased()).inserted { names.append(member.key) }
        for name in names {
            let field = prefix.isEmpty ? name : "\(prefix).\(name)"
            let before = old[name]
            let after = new[name]
            if before == after { continue }
            if prefix.isEmpty, name.lowercased() == "schemas" { continue }
            if name.lowercased() == "password" {
                changes.append(FieldChange(field: field, old: nil, new: "(set; never stored)"))
                continue
            }
            // Objects on both sides, or an object on one and nothing on the other: by sub-attribute.
            let oldObject = before?.objectValue
            let newObject = after?.objectValue
            if oldObject != nil || newObject != nil, oldObject != nil || before == nil, newObject != nil || after == nil
            {
                collect(oldObject ?? [:], newObject ?? [:], prefix: field, into: &changes)
                continue
            }
            changes.append(FieldChange(field: field, old: before.map(Self.text), new: after.map(Self.text)))
        }
    }

    static func text(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.serialized()
    }
}
