/// One step of the connector check, as the connection page shows it.
public struct ConnectorCheckStep: Sendable, Hashable {
    public var name: String
    /// `GET /Users?startIndex=1&count=2`, or what was checked in-process.
    public var request: String
    public var passed: Bool
    /// What was seen, or why the step failed.
    public var detail: String

    public init(name: String, request: String, passed: Bool, detail: String) {
        self.name = name
        self.request = request
        self.passed = passed
        self.detail = detail
    }
}

/// Runs Okta's *Test Connector Configuration* (and the lookup its first push starts with) with
/// a token against this server's own SCIM API, over HTTP, the way the IdP will. The wiring
/// provides it; the console only shows its steps.
public protocol ConnectorChecking: Sendable {
    func run(token: String) async -> [ConnectorCheckStep]
}
