import Directory
import Hummingbird
import SCIM

/// What the console needs of the application's request context.
public protocol ConsoleParentContext: RequestContext {
    /// The peer's IP address, when the transport knows it (the login throttle counts by it).
    var clientAddress: String? { get }
}

/// The console's child context: the application's, plus the signed-in session once
/// ``ConsoleSessionMiddleware`` has read the cookie.
public struct ConsoleRequestContext<Parent: ConsoleParentContext>: ChildRequestContext {
    public typealias ParentContext = Parent

    public var coreContext: CoreRequestContextStorage
    public let clientAddress: String?
    /// The session's account, role and state; `nil` when not signed in.
    public var signIn: ConsoleSignIn?
    /// The session cookie's value (the CSRF token is derived from it).
    var sessionToken: String?
    /// Why the session could not be read, for the sign-in gate to report.
    var sessionFailure: SCIMError?

    public init(context: Parent) {
        self.coreContext = context.coreContext
        self.clientAddress = context.clientAddress
        self.signIn = nil
        self.sessionToken = nil
        self.sessionFailure = nil
    }

    /// The signed-in account as the service's actor; 401 when there is none (the sign-in gate
    /// runs before every page that needs one, so this is a guard, not a path).
    func actor() throws -> DirectoryActor {
        guard let signIn else { throw ConsolePageError(status: .unauthorized, message: "Sign in to continue.") }
        return .account(signIn.account)
    }

    var isAdmin: Bool { signIn?.account.role == .admin }

    /// The CSRF token every form of this session carries.
    var csrf: String { sessionToken.map(CSRF.token(forSession:)) ?? "" }
}
