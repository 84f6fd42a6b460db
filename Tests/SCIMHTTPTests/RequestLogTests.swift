import Testing

@testable import AccountConsole

/// The request log keeps credentials carried in a query out of its lines.
@Suite("Request log")
struct RequestLogTests {
    static let targets: [(String, String)] = [
        ("/users?q=ada&page=2", "/users?q=ada&page=2"),
        (
            "/oidc/okta/callback?code=abc123&state=s3cret&iss=https%3A%2F%2Fidp",
            "/oidc/okta/callback?code=…&state=…&iss=https%3A%2F%2Fidp"
        ),
        ("/saml/okta/login?SAMLRequest=xyz&RelayState=r", "/saml/okta/login?SAMLRequest=…&RelayState=…"),
        ("/healthz", "/healthz"),
        ("/x?token", "/x?token=…"),
    ]

    @Test("credential parameters are redacted, the rest is kept", arguments: targets)
    func redacted(_ target: String, _ logged: String) {
        #expect(RequestLogMiddleware.redacted(target) == logged)
    }
}
