import Crypto
import Directory
import Foundation

/// What the command line (and later the console) does to connections and tokens.
public struct Administration: Sendable {
    public let store: any DirectoryStore
    public let clock: any DirectoryClock
    public let ids: any IdentifierGenerator

    public init(store: any DirectoryStore, clock: any DirectoryClock, ids: any IdentifierGenerator) {
        self.store = store
        self.clock = clock
        self.ids = ids
    }

    /// Creates an identity-provider connection.
    public func createConnection(
        name: String, kind: ConnectionKind, onDeactivate: DeprovisionAction = .suspend,
        onDelete: DeprovisionAction = .delete,
        orphanRule: OrphanRule = .delete
    ) async throws(StoreError) -> Connection {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .unsupported("a connection needs a name") }
        let connection = Connection(
            id: ids.next(), name: trimmed, kind: kind, onDeactivate: onDeactivate, onDelete: onDelete,
            orphanRule: orphanRule, createdAt: clock.now())
        return try await store.createConnection(connection)
    }

    /// Issues a token for a connection: returns the token (shown once) and its stored record,
    /// which holds only its SHA-256 and a short prefix.
    public func issueToken(
        connectionName: String, scope: TokenScope, name: String? = nil
    ) async throws(StoreError)
        -> (token: String, record: ScimToken)
    {
        guard let connection = try await store.connection(name: connectionName) else {
            throw .notFound("Connection \"\(connectionName)\"")
        }
        return try await issueToken(connection: connection, scope: scope, name: name)
    }

    public func issueToken(
        connection: Connection, scope: TokenScope, name: String? = nil
    ) async throws(StoreError)
        -> (token: String, record: ScimToken)
    {
        let token = Self.newToken()
        let record = ScimToken(
            id: ids.next(), connectionID: connection.id, name: name ?? "\(connection.name) \(scope.rawValue)",
            prefix: String(token.prefix(10)), sha256: DirectoryService.hash(token: token), scope: scope,
            createdAt: clock.now())
        return (token, try await store.createToken(record))
    }

    /// `acs_` and 43 characters of base64url: 256 bits from the system's secure generator.
    static func newToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let encoded = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "acs_" + encoded
    }
}
