/// How the console is served.
public struct ConsoleConfiguration: Sendable {
    /// The address users reach the server at (`https://console.example.com`), for the SCIM URL a
    /// connection page shows; `nil` derives it from the request's `Host`.
    public var publicURL: String?
    /// Cookies with `Secure` (set when served over HTTPS, directly or behind a proxy).
    public var secureCookies: Bool
    /// The session cookie's name.
    public var sessionCookie: String

    public init(publicURL: String? = nil, secureCookies: Bool = false, sessionCookie: String = "ac_session") {
        self.publicURL = publicURL
        self.secureCookies = secureCookies
        self.sessionCookie = sessionCookie
    }
}
