/// One resource an activity row touched.
public struct ActivitySubject: Sendable, Hashable {
    public var activityID: String
    public var resourceID: String
    public var at: Timestamp

    public init(activityID: String, resourceID: String, at: Timestamp) {
        self.activityID = activityID
        self.resourceID = resourceID
        self.at = at
    }
}
