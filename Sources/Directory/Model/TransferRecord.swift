import SCIM

/// One line of an export: the directory as JSON lines, never a secret (no tokens, no password
/// hashes, no sign-in settings). Timestamps are microseconds since 1970, so a round trip is exact.
public enum TransferRecord: Sendable, Hashable {
    /// The first line: what the file is.
    case header(formatVersion: Int)
    case connection(Connection)
    case user(User)
    case group(Group)
    case membership(Membership)

    public static let format = "account-console-export"
    public static let formatVersion = 1

    /// Why a line is not a record, in words for the operator.
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    public var json: JSONObject {
        switch self {
        case .header(let version):
            return ["type": "header", "format": .string(Self.format), "version": .number(JSONNumber(version))]
        case .connection(let connection):
            var object: JSONObject = [
                "type": "connection", "id": .string(connection.id), "name": .string(connection.name),
                "kind": .string(connection.kind.rawValue), "onDeactivate": .string(connection.onDeactivate.rawValue),
                "onDelete": .string(connection.onDelete.rawValue),
                "orphanRule": .string(connection.orphanRule.rawValue),
                "createdAt": Self.time(connection.createdAt),
            ]
            object["deletionGuard"] = connection.deletionGuard.map { .number(JSONNumber($0)) } ?? .null
            return object
        case .user(let user):
            var object = Self.common("user", id: user.id, origin: user.origin, archivedAt: user.archivedAt)
            object["createdAt"] = Self.time(user.createdAt)
            object["updatedAt"] = Self.time(user.updatedAt)
            if let createdBy = user.createdBy { object["createdBy"] = .string(createdBy) }
            object["resource"] = .object(user.resource)
            return object
        case .group(let group):
            var object = Self.common("group", id: group.id, origin: group.origin, archivedAt: group.archivedAt)
            object["createdAt"] = Self.time(group.createdAt)
            object["updatedAt"] = Self.time(group.updatedAt)
            object["resource"] = .object(group.resource)
            return object
        case .membership(let membership):
            return [
                "type": "membership", "groupId": .string(membership.groupID), "userId": .string(membership.userID),
                "source": .string(membership.source.rawValue), "createdAt": Self.time(membership.createdAt),
            ]
        }
    }

    public init(json: JSONObject) throws(Malformed) {
        let reader = FieldReader(object: json)
        switch try reader.text("type") {
        case "header":
            guard try reader.text("format") == Self.format else {
                throw Malformed(description: "not an Account Console export (format is not \(Self.format))")
            }
            let version = try reader.integer("version")
            guard version <= Self.formatVersion else {
                throw Malformed(
                    description: "export format \(version) is newer than this build reads (\(Self.formatVersion))")
            }
            self = .header(formatVersion: Int(version))
        case "connection":
            // Absent: the default; null: off; else a limit in the range a connection accepts.
            let guardLimit: Int?
            switch json["deletionGuard"] {
            case nil: guardLimit = Connection.defaultDeletionGuard
            case .null?: guardLimit = nil
            case let value?:
                guard let limit = value.numberValue?.int64Value, (1...100_000).contains(limit) else {
                    throw Malformed(description: "deletionGuard must be from 1 to 100000, or null for off")
                }
                guardLimit = Int(limit)
            }
            self = .connection(
                Connection(
                    id: try reader.text("id"), name: try reader.text("name"), kind: try reader.choice("kind"),
                    onDeactivate: try reader.choice("onDeactivate"), onDelete: try reader.choice("onDelete"),
                    orphanRule: try reader.choice("orphanRule"), deletionGuard: guardLimit,
                    createdAt: try reader.time("createdAt")))
        case "user":
            let resource = try reader.object("resource")
            guard resource["userName"]?.stringValue?.isEmpty == false else {
                throw Malformed(description: "a user needs resource.userName")
            }
            self = .user(
                User(
                    id: try reader.text("id"), resource: resource, origin: try reader.origin(),
                    archivedAt: try reader.optionalTime("archivedAt"), createdAt: try reader.time("createdAt"),
                    updatedAt: try reader.time("updatedAt"), createdBy: json["createdBy"]?.stringValue))
        case "group":
            let resource = try reader.object("resource")
            guard resource["displayName"]?.stringValue?.isEmpty == false else {
                throw Malformed(description: "a group needs resource.displayName")
            }
            self = .group(
                Group(
                    id: try reader.text("id"), resource: resource, origin: try reader.origin(),
                    archivedAt: try reader.optionalTime("archivedAt"), createdAt: try reader.time("createdAt"),
                    updatedAt: try reader.time("updatedAt")))
        case "membership":
            let source = try reader.text("source")
            self = .membership(
                Membership(
                    groupID: try reader.text("groupId"), userID: try reader.text("userId"),
                    source: source == "manual" ? .manual : .connection(source), createdAt: try reader.time("createdAt"))
            )
        case let other:
            throw Malformed(description: "unknown record type \"\(other)\"")
        }
    }

    static func time(_ timestamp: Timestamp) -> JSONValue { .number(JSONNumber(Int(timestamp.microseconds))) }

    static func common(_ type: String, id: String, origin: Origin, archivedAt: Timestamp?) -> JSONObject {
        var object: JSONObject = ["type": .string(type), "id": .string(id)]
        switch origin {
        case .local: object["origin"] = "local"
        case .idp(let connectionID):
            object["origin"] = "idp"
            object["connectionId"] = .string(connectionID)
        }
        if let archivedAt { object["archivedAt"] = time(archivedAt) }
        return object
    }
}

/// Reads the fields of a record, each failure naming the field.
private struct FieldReader {
    let object: JSONObject

    func text(_ name: String) throws(TransferRecord.Malformed) -> String {
        guard let value = object[name]?.stringValue, !value.isEmpty else {
            throw TransferRecord.Malformed(description: "\(name) must be a non-empty string")
        }
        return value
    }

    func integer(_ name: String) throws(TransferRecord.Malformed) -> Int64 {
        guard let number = object[name]?.numberValue?.int64Value else {
            throw TransferRecord.Malformed(description: "\(name) must be a whole number")
        }
        return number
    }

    func time(_ name: String) throws(TransferRecord.Malformed) -> Timestamp {
        Timestamp(microseconds: try integer(name))
    }

    func optionalTime(_ name: String) throws(TransferRecord.Malformed) -> Timestamp? {
        guard let value = object[name], value != .null else { return nil }
        return try time(name)
    }

    func object(_ name: String) throws(TransferRecord.Malformed) -> JSONObject {
        guard let value = object[name]?.objectValue else {
            throw TransferRecord.Malformed(description: "\(name) must be an object")
        }
        return value
    }

    func choice<Choice: RawRepresentable<String>>(_ name: String) throws(TransferRecord.Malformed) -> Choice {
        let raw = try text(name)
        guard let value = Choice(rawValue: raw) else {
            throw TransferRecord.Malformed(description: "\(name) \"\(raw)\" is not one of the known values")
        }
        return value
    }

    func origin() throws(TransferRecord.Malformed) -> Origin {
        switch try text("origin") {
        case "local": return .local
        case "idp": return .idp(connectionID: try text("connectionId"))
        case let other: throw TransferRecord.Malformed(description: "origin \"\(other)\" is neither local nor idp")
        }
    }
}
