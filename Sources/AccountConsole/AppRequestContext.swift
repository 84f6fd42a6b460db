import Console
import Directory
import Hummingbird
import SCIMHTTP

/// The request context of the whole server: Hummingbird's core storage and the activity note a
/// request fills in. The SCIM API (and, later, the console) derive child contexts from it.
public struct AppRequestContext: RequestContext, SCIMParentContext, ConsoleParentContext {
    public var coreContext: CoreRequestContextStorage
    public let note: ActivityNote
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.note = ActivityNote()
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }
}
