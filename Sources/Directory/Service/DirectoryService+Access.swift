import Crypto
import SCIM

/// A connection's deprovisioning policies (one per trigger).
public struct ConnectionPolicies: Sendable, Hashable {
    public var onDeactivate: DeprovisionAction
    public var onDelete: DeprovisionAction
    public var orphanRule: OrphanRule
    /// Deprovisions an hour before the deletion guard holds further ones; `nil` is off.
    public var deletionGuard: Int?

    /// The defaults: `active=false` suspends (Okta's and Entra's own tests read the user back),
    /// `DELETE` deletes, the orphan rule deletes.
    public static let `default` = ConnectionPolicies(onDeactivate: .suspend, onDelete: .delete, orphanRule: .delete)

    public init(
        onDeactivate: DeprovisionAction, onDelete: DeprovisionAction, orphanRule: OrphanRule,
        deletionGuard: Int? = Connection.defaultDeletionGuard
    ) {
        self.deletionGuard = deletionGuard
        self.onDeactivate = onDeactivate
        self.onDelete = onDelete
        self.orphanRule = orphanRule
    }

    /// `DELETE /Users` must remove the user: suspend is not an action for it.
    func validated() throws(SCIMError) -> ConnectionPolicies {
        guard onDelete != .suspend else {
            throw .invalidValue(
                "the action for DELETE /Users must be delete or archive: a user the IdP deleted must not stay visible (suspend is for active=false)"
            )
        }
        if let limit = deletionGuard, !(1...100_000).contains(limit) {
            throw .invalidValue("the deletion guard is a number of deprovisions an hour from 1 to 100000, or off")
        }
        return self
    }
}

/// A token as issued: the secret (shown once, never stored) and its stored record.
public struct IssuedToken: Sendable, Hashable {
    public var token: String
    public var record: ScimToken
}

extension DirectoryService {
    // MARK: Connections

    /// Creates an identity-provider connection.
    public func createConnection(
        name: String, kind: ConnectionKind, policies: ConnectionPolicies = .default, by actor: DirectoryActor
    ) async throws(SCIMError) -> Connection {
        let trimmed = try Self.connectionName(name)
        let checked = try policies.validated()
        return try await change("connections.create", by: actor) { service, note in
            let connection = Connection(
                id: service.ids.next(), name: trimmed, kind: kind, onDeactivate: checked.onDeactivate,
                onDelete: checked.onDelete, orphanRule: checked.orphanRule, deletionGuard: checked.deletionGuard,
                createdAt: service.clock.now())
            let created = try await service.store.createConnection(connection)
            note.subject("Connection", created.id)
            note.add("created connection \(trimmed) (\(kind.rawValue))")
            return created
        }
    }

    /// Renames a connection or sets its deprovisioning policies. Cached credentials are dropped
    /// so the change applies to the connection's next request on this instance.
    public func updateConnection(
        id: String, name: String? = nil, policies: ConnectionPolicies, by actor: DirectoryActor
    ) async throws(SCIMError) -> Connection {
        let newName = try name.map { name throws(SCIMError) in try Self.connectionName(name) }
        let checked = try policies.validated()
        let updated = try await change("connections.update", by: actor) { service, note in
            guard let existing = try await service.store.connection(id: id) else {
                throw StoreError.notFound("Connection \(id)")
            }
            note.subject("Connection", id)
            var connection = existing
            connection.name = newName ?? existing.name
            connection.onDeactivate = checked.onDeactivate
            connection.onDelete = checked.onDelete
            connection.orphanRule = checked.orphanRule
            connection.deletionGuard = checked.deletionGuard
            let stored = try await service.store.updateConnection(connection)
            note.changed(Self.changes(from: existing, to: stored))
            note.add("updated connection \(stored.name)")
            return stored
        }
        authentications.removeAll()
        return updated
    }

    static func changes(from old: Connection, to new: Connection) -> [FieldChange] {
        let fields: [(String, String, String)] = [
            ("name", old.name, new.name),
            ("onDeactivate", old.onDeactivate.rawValue, new.onDeactivate.rawValue),
            ("onDelete", old.onDelete.rawValue, new.onDelete.rawValue),
            ("orphanRule", old.orphanRule.rawValue, new.orphanRule.rawValue),
            ("deletionGuard", old.deletionGuard.map(String.init) ?? "off", new.deletionGuard.map(String.init) ?? "off"),
        ]
        return fields.filter { $0.1 != $0.2 }.map { FieldChange(field: $0.0, old: $0.1, new: $0.2) }
    }

    static func connectionName(_ name: String) throws(SCIMError) -> String {
        let trimmed = name.trimmingSpaces()
        guard !trimmed.isEmpty else { throw .invalidValue("a connection needs a name") }
        guard trimmed.count <= 100 else { throw .invalidValue("a connection's name is at most 100 characters") }
        return trimmed
    }

    public func connections(by actor: DirectoryActor) async throws(SCIMError) -> [Connection] {
        try actor.authorize(.readAccess)
        return try await read { try await store.connections() }
    }

    public func connection(named name: String, by actor: DirectoryActor) async throws(SCIMError) -> Connection {
        try actor.authorize(.readAccess)
        return try await read {
            guard let connection = try await store.connection(name: name) else {
                throw StoreError.notFound("Connection \"\(name)\"")
            }
            return connection
        }
    }

    // MARK: Tokens

    /// Issues a SCIM token for a connection; the secret is returned once and only its SHA-256
    /// and a short prefix are stored.
    public func issueToken(
        connectionID: String, scope: TokenScope, name: String? = nil, expiresAt: Timestamp? = nil,
        by actor: DirectoryActor
    ) async throws(SCIMError) -> IssuedToken {
        try await change("tokens.issue", by: actor) { service, note in
            guard let connection = try await service.store.connection(id: connectionID) else {
                throw StoreError.notFound("Connection \(connectionID)")
            }
            let issued = try await service.newToken(
                for: connection, scope: scope, name: name ?? "\(connection.name) \(scope.rawValue)",
                expiresAt: expiresAt)
            note.subject("Token", issued.record.id)
            note.add("issued \(scope.rawValue) token \(issued.record.prefix)… for \(connection.name)")
            return issued
        }
    }

    /// Rotates a token: a new one with the same scope, name and lifetime (counted from now), and
    /// the old one kept working for `overlapSeconds` so the IdP can be switched over without a
    /// failed request. A revoked or expired token is not rotated: issue a new one.
    public func rotateToken(
        id: String, overlapSeconds: Int64, by actor: DirectoryActor
    ) async throws(SCIMError) -> IssuedToken {
        guard (0...Self.maximumOverlapSeconds).contains(overlapSeconds) else {
            throw .invalidValue("the overlap must be between 0 seconds and 30 days")
        }
        let issued = try await change("tokens.rotate", by: actor) { service, note in
            guard let old = try await service.store.token(id: id) else { throw StoreError.notFound("Token \(id)") }
            let now = service.clock.now()
            guard old.isUsable(at: now) else {
                throw SCIMError.invalidValue(
                    "token \(old.prefix)… is revoked or expired and cannot be rotated; issue a new token")
            }
            guard let connection = try await service.store.connection(id: old.connectionID) else {
                throw StoreError.notFound("Connection \(old.connectionID)")
            }
            let overlapEnd = now.adding(seconds: overlapSeconds)
            let oldExpiry = min(old.expiresAt ?? overlapEnd, overlapEnd)
            try await service.store.setTokenExpiry(id: old.id, expiresAt: oldExpiry)
            let lifetime = old.expiresAt.map { $0.microseconds - old.createdAt.microseconds }
            let issued = try await service.newToken(
                for: connection, scope: old.scope, name: old.name,
                expiresAt: lifetime.map { Timestamp(microseconds: now.microseconds + $0) })
            note.subject("Token", issued.record.id)
            note.add(
                "rotated token \(old.prefix)… of \(connection.name): the new token is \(issued.record.prefix)…, the old one works until \(oldExpiry)"
            )
            return issued
        }
        authentications.removeAll()
        return issued
    }

    /// The longest overlap a rotation allows.
    public static let maximumOverlapSeconds: Int64 = 30 * 86_400

    /// Revokes a token at once (on this instance; other instances drop it from their credential
    /// cache within seconds).
    public func revokeToken(id: String, by actor: DirectoryActor) async throws(SCIMError) {
        try await change("tokens.revoke", by: actor) { service, note in
            guard let token = try await service.store.token(id: id) else { throw StoreError.notFound("Token \(id)") }
            try await service.store.revokeToken(id: id, at: service.clock.now())
            note.subject("Token", id)
            note.add("revoked token \(token.prefix)…")
        }
        authentications.removeAll()
    }

    public func tokens(connectionID: String, by actor: DirectoryActor) async throws(SCIMError) -> [ScimToken] {
        try actor.authorize(.readAccess)
        return try await read { try await store.tokens(connectionID: connectionID) }
    }

    func newToken(
        for connection: Connection, scope: TokenScope, name: String, expiresAt: Timestamp?
    ) async throws -> IssuedToken {
        let token = Self.generateToken()
        let record = ScimToken(
            id: ids.next(), connectionID: connection.id, name: name, prefix: String(token.prefix(10)),
            sha256: Self.hash(token: token), scope: scope, createdAt: clock.now(), expiresAt: expiresAt)
        return IssuedToken(token: token, record: try await store.createToken(record))
    }

    /// `acs_` and 43 characters of base64url: 256 bits from the system's secure generator.
    static func generateToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        return "acs_" + base64URL(bytes)
    }

    /// Base64url without padding (RFC 4648 §5).
    public static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0..<(chunk.count + 1) {
                output.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of base64url without padding; `nil` for any other character.
    static func base64URLDecoded(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return output
    }

    // MARK: Roles

    /// Gives a role to an account, a user or a group (a group's members hold it through it).
    public func grantRole(_ role: Role, to subject: RoleSubject, by actor: DirectoryActor) async throws(SCIMError) {
        try await change("roles.grant", by: actor) { service, note in
            try await service.requireSubject(subject)
            try await service.store.assignRole(
                RoleAssignment(role: role, subject: subject, createdAt: service.clock.now()))
            note.subject(subject.resourceType, subject.id)
            note.add("granted \(role.rawValue) to \(subject.kind) \(subject.id)")
            note.changed([FieldChange(field: "roles", old: nil, new: role.rawValue)])
        }
    }

    public func revokeRole(_ role: Role, from subject: RoleSubject, by actor: DirectoryActor) async throws(SCIMError) {
        try await change("roles.revoke", by: actor) { service, note in
            try await service.store.removeRole(role, from: subject)
            note.subject(subject.resourceType, subject.id)
            note.add("revoked \(role.rawValue) from \(subject.kind) \(subject.id)")
            note.changed([FieldChange(field: "roles", old: role.rawValue, new: nil)])
        }
    }

    public func roleAssignments(by actor: DirectoryActor) async throws(SCIMError) -> [RoleAssignment] {
        try actor.authorize(.readAccess)
        return try await read { try await store.roleAssignments() }
    }

    func requireSubject(_ subject: RoleSubject) async throws {
        let exists: Bool
        switch subject {
        case .account(let id): exists = try await store.account(id: id) != nil
        case .user(let id): exists = try await store.user(id: id) != nil
        case .group(let id): exists = try await store.group(id: id) != nil
        }
        if !exists { throw StoreError.notFound("\(subject.resourceType) \(subject.id)") }
    }
}

extension RoleSubject {
    var resourceType: String {
        switch self {
        case .account: return "Account"
        case .user: return "User"
        case .group: return "Group"
        }
    }
}
