import Directory

/// Names for the ids a page shows: connections and console accounts, read once per page.
struct Names: Sendable {
    var connections: [String: Connection]
    var accounts: [String: String]

    static func load(_ service: DirectoryService, by actor: DirectoryActor) async throws -> Names {
        let connections = try await service.connections(by: actor)
        let accounts = try await service.accounts(by: actor)
        return Names(
            connections: Dictionary(connections.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
            accounts: Dictionary(
                accounts.map { ($0.account.id, $0.account.userName) }, uniquingKeysWith: { first, _ in first }))
    }

    func connectionName(_ id: String) -> String { connections[id]?.name ?? "a deleted connection" }

    /// "IDP · okta-prod" or "Local".
    func origin(_ origin: Origin) -> String {
        switch origin {
        case .local: return "Local"
        case .idp(let id): return "IDP · \(connectionName(id))"
        }
    }

    /// Who an activity actor text (`connection:<id>`, `account:<id>`, `user:<id>`, `system:<name>`) names.
    func actor(_ text: String?, connectionID: String? = nil) -> String {
        if let text {
            if text.hasPrefix("account:") {
                let id = String(text.dropFirst("account:".count))
                return accounts[id].map { "\($0) (console)" } ?? "a deleted account"
            }
            if text.hasPrefix("user:") {
                return "single sign-on user \(text.dropFirst("user:".count).prefix(8))"
            }
            if text.hasPrefix("connection:") { return connectionName(String(text.dropFirst("connection:".count))) }
            if text.hasPrefix("system:") { return String(text.dropFirst("system:".count)) }
            return text
        }
        if let connectionID { return connectionName(connectionID) }
        return "unknown"
    }

    /// Where a mapping comes from, as its badge says.
    func source(_ source: MembershipSource) -> SourceBadge {
        switch source {
        case .manual: return SourceBadge(kind: "manual", label: "Manual")
        case .connection(let id): return SourceBadge(kind: "idp", label: "IDP via \(connectionName(id))")
        }
    }
}

/// A membership source as a badge: `kind` is its CSS class (`idp` or `manual`).
struct SourceBadge: Sendable {
    var kind: String
    var label: String
    var since: String?
}
