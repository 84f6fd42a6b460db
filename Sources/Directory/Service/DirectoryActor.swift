import SCIM

/// Who performs an operation. Every `DirectoryService` operation names one, and what it may do
/// is decided in the service, once, for the SCIM API, the console and the command line alike.
///
/// Named `DirectoryActor` rather than `Actor`, which would shadow Swift's `Actor` protocol in
/// every file of the module.
public enum DirectoryActor: Sendable, Hashable, CustomStringConvertible {
    /// An identity-provider connection, through one of its SCIM tokens.
    case connection(Caller)
    /// A console account with its role.
    case account(ConsoleAccount)
    /// The server itself: the command line, a background job. Named for the activity log.
    case system(String)

    /// The connection behind a SCIM token, when that is who acts.
    public var caller: Caller? {
        if case .connection(let caller) = self { return caller }
        return nil
    }

    /// The `activity.actor` text: `account:<id>`, `user:<id>` (signed in through an IdP),
    /// `system:<name>`; `nil` for a connection, whose
    /// id has a column of its own.
    public var activityActor: String? {
        switch self {
        case .connection: return nil
        case .account(let account): return account.activityActor
        case .system(let name): return "system:\(name)"
        }
    }

    /// How the activity log names the channel a change came through (its `method` column).
    var channel: String {
        switch self {
        case .connection: return "SCIM"
        case .account: return "CONSOLE"
        case .system: return "SYSTEM"
        }
    }

    public var description: String {
        switch self {
        case .connection(let caller): return "connection \"\(caller.connection.name)\""
        case .account(let account): return "\(account.role.rawValue) \(account.userName)"
        case .system(let name): return "system (\(name))"
        }
    }
}

/// Who is calling the SCIM API: a connection, through one of its tokens.
public struct Caller: Sendable, Hashable {
    public var connection: Connection
    public var token: ScimToken

    public init(connection: Connection, token: ScimToken) {
        self.connection = connection
        self.token = token
    }

    var source: MembershipSource { .connection(connection.id) }
    var origin: Origin { .idp(connectionID: connection.id) }
}

/// A signed-in console account and the role it acts with: a local account, or a directory user
/// signed in through their connection's IdP (then `id` is the user's and `connectionID` is set).
public struct ConsoleAccount: Sendable, Hashable {
    public var id: String
    public var userName: String
    public var role: Role
    /// The connection a single-sign-on user came through; `nil` for a local account.
    public var connectionID: String?

    public init(id: String, userName: String, role: Role, connectionID: String? = nil) {
        self.id = id
        self.userName = userName
        self.role = role
        self.connectionID = connectionID
    }

    /// The activity log's name for it: `account:<id>` or `user:<id>`.
    public var activityActor: String { connectionID == nil ? "account:\(id)" : "user:\(id)" }
}

/// What an operation needs its actor to be allowed.
enum Permission: Sendable {
    /// Read the directory (every actor).
    case read
    /// Read connections, tokens and roles (console accounts and the system, not SCIM tokens).
    case readAccess
    /// Write through SCIM as a connection (a `provision` token).
    case provision
    /// Change the directory, connections, tokens and roles from the console or the command line.
    case administer
}

extension DirectoryActor {
    /// Throws 403 with a detail that says why, unless this actor may do `permission`.
    func authorize(_ permission: Permission) throws(SCIMError) {
        switch (self, permission) {
        case (_, .read), (.system, _), (.account, .readAccess): return
        case (.connection, .readAccess):
            throw .forbidden("a SCIM token cannot read connections, tokens or roles; use the console")
        case (.connection(let caller), .provision):
            guard caller.token.scope == .provision else {
                throw .forbidden("this token is read-only (scope \"read\"); writes need a provision token")
            }
        case (.connection(let caller), .administer):
            throw .forbidden(
                "a SCIM token of \"\(caller.connection.name)\" cannot change connections, tokens, roles or local objects; use the console"
            )
        case (.account(let account), .administer):
            guard account.role == .admin else {
                throw .forbidden("\(account.userName) is a viewer: viewers see everything and change nothing")
            }
        case (.account, .provision):
            throw .forbidden("SCIM writes come from a connection's token; console accounts use the console's actions")
        }
    }

    /// The connection of a SCIM write, after checking its token may write.
    func provisioningCaller() throws(SCIMError) -> Caller {
        try authorize(.provision)
        guard let caller else { throw .forbidden("SCIM writes come from a connection's token") }
        return caller
    }
}

extension SCIMError {
    /// 403 without a `scimType`: the actor may not do this (RFC 7644 §3.12).
    static func forbidden(_ detail: String) -> SCIMError { SCIMError(status: 403, detail: detail) }
}

extension DirectoryActor {
    /// The `account-console` command line, run by whoever has the database.
    public static let commandLine = DirectoryActor.system("command line")
}
