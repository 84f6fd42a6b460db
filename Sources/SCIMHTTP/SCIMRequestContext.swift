import Directory
import Hummingbird

/// What the SCIM API needs of the application's request context: the activity note the request
/// fills in (shared by reference, so the application's logging middleware reads what the SCIM
/// routes wrote into it).
public protocol SCIMParentContext: RequestContext {
    /// What the request did, in words, for the activity log and the request log.
    var note: ActivityNote { get }
    /// The peer's IP address, when the transport knows it (a token's "last used from").
    var clientAddress: String? { get }
}

/// The SCIM API's child context: the application's context plus, once the bearer-token
/// middleware has checked the token, the connection that called.
public struct SCIMRequestContext<Parent: SCIMParentContext>: ChildRequestContext {
    public typealias ParentContext = Parent

    public var coreContext: CoreRequestContextStorage
    public let note: ActivityNote
    public let clientAddress: String?
    /// Set by ``BearerTokenMiddleware``; every resource route runs behind it.
    public var actor: DirectoryActor?

    public init(context: Parent) {
        self.coreContext = context.coreContext
        self.note = context.note
        self.clientAddress = context.clientAddress
        self.actor = nil
    }
}
