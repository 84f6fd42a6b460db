import AccountConsole
import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SCIM
import SCIMHTTP
import TestSupport
import Testing

/// The whole server in process (console and SCIM API over a real store) and a browser-like
/// client that keeps the session cookie and reads the CSRF token from the page it is on.
struct ConsoleHarness {
    let service: DirectoryService
    let activity: ActivityLog
    let fixtures: DirectoryFixtures
    let connection: Connection
    let scimToken: String

    static let adminPassword = "admin-password-123"

    static func with(
        _ make: (FixedClock) async throws -> StoreUnderTest = SQLiteHarness.make,
        _ body: @Sendable (ConsoleHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let fixtures = DirectoryFixtures()
        let harness = try await make(fixtures.clock)
        do {
            var service = DirectoryService(store: harness.store, clock: fixtures.clock, ids: fixtures.ids)
            // The minimum bcrypt cost: the tests check the flow, not the hash's strength.
            service.sessionPolicy.bcryptCost = 4
            _ = try await service.ensureInitialAdmin(password: adminPassword)
            let connection = try await service.createConnection(name: "okta-prod", kind: .okta, by: .commandLine)
            let issued = try await service.issueToken(connectionID: connection.id, scope: .provision, by: .commandLine)
            let activity = ActivityLog(store: harness.store)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let router = try AccountConsoleServer.router(
                service: service, activity: activity,
                api: SCIMAPIConfiguration(publicURL: "https://console.example.com"),
                logger: logger)
            let application = Application(router: router, logger: logger)
            let server = ConsoleHarness(
                service: service, activity: activity, fixtures: fixtures, connection: connection,
                scimToken: issued.token)
            try await application.test(.router) { client in try await body(server, client) }
            await activity.flush()
            await harness.close()
        } catch {
            await harness.close()
            throw error
        }
    }

    /// A SCIM request with the connection's token.
    @discardableResult
    func scim(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil
    ) async throws -> (status: Int, json: JSONObject?) {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(scimToken)"
        headers[.contentType] = "application/scim+json"
        let response = try await client.executeRequest(
            uri: "/scim/v2" + path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let bytes = Array(response.body.readableBytesView)
        await activity.flush()
        return (Int(response.status.code), bytes.isEmpty ? nil : try JSONParser().parse(bytes: bytes).objectValue)
    }
}

/// What a browser keeps between requests: cookies, and the page last seen.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var page = ""
    var status = 0
    var headers = HTTPFields()

    init(_ client: any TestClientProtocol) { self.client = client }

    @discardableResult
    func get(_ path: String) async throws -> String {
        try await send(.get, path, body: nil)
    }

    /// Posts a form; `csrf` defaults to the token of the page last seen.
    @discardableResult
    func post(
        _ path: String, _ fields: [(String, String)], csrf: String? = nil, headers extra: HTTPFields = [:]
    )
        async throws -> String
    {
        var all = fields
        if let token = csrf ?? Self.csrf(in: page) { all.insert(("csrf", token), at: 0) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, path, body: body, extra: extra)
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, body: String?, extra: HTTPFields = [:]
    ) async throws
        -> String
    {
        var fields = extra
        if !cookies.isEmpty {
            fields[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        if body != nil { fields[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.executeRequest(
            uri: path, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[1].isEmpty || value.contains("Max-Age=0") {
                cookies[parts[0]] = nil
            } else {
                cookies[parts[0]] = parts[1]
            }
        }
        status = Int(response.status.code)
        headers = response.headers
        let text = String(buffer: response.body)
        if response.headers[.contentType]?.hasPrefix("text/html") == true { page = text }
        return text
    }

    var location: String? { headers[.location] }

    /// Signs in through the login form.
    func logIn(_ userName: String, _ password: String) async throws {
        try await get("/login")
        try await post("/login", [("userName", userName), ("password", password), ("next", "/users")])
    }

    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        let rest = page[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    static func encode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default: output += String(format: "%%%02X", byte)
            }
        }
        return output
    }
}
