import Directory
import Hummingbird

/// The request context of the whole server: Hummingbird's core storage plus what the SCIM
/// layer learns while handling a request (who called, what it did), read back by the activity
/// middleware when the response is ready.
public struct SCIMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated connection, once a SCIM handler has checked the token.
    public var caller: Caller?
    /// What the request did, in words, for the activity log.
    public let note: ActivityNote

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.caller = nil
        self.note = ActivityNote()
    }
}
