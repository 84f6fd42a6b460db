import AccountConsole
import Directory
import DirectorySQL
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SCIM
import SCIMHTTP
import TestSupport
import Testing

/// The server under test: the real router over a real store, with one connection and its token.
struct TestServer {
    let application: Application<RouterResponder<AppRequestContext>>
    let store: SQLDirectoryStore
    let service: DirectoryService
    let activity: ActivityLog
    let connection: Connection
    let token: String
    let fixtures: DirectoryFixtures

    /// Runs `body` against a fresh server on the given store.
    static func with(
        _ make: (FixedClock) async throws -> StoreUnderTest, kind: ConnectionKind = .okta,
        configure: (inout Connection) -> Void = { _ in }, publicURL: String? = nil, rateLimit: RateLimit? = nil,
        _ body: @Sendable (TestServer, any TestClientProtocol) async throws -> Void
    ) async throws {
        let fixtures = DirectoryFixtures()
        let harness = try await make(fixtures.clock)
        do {
            let service = DirectoryService(store: harness.store, clock: fixtures.clock, ids: fixtures.ids)
            var connection = try await service.createConnection(
                name: kind.rawValue.capitalized, kind: kind, by: .commandLine)
            configure(&connection)
            connection = try await harness.store.updateConnection(connection)
            let issued = try await service.issueToken(connectionID: connection.id, scope: .provision, by: .commandLine)
            let activity = ActivityLog(store: harness.store)
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let api = SCIMAPIConfiguration(publicURL: publicURL)
            let router = try AccountConsoleServer.router(
                service: service, activity: activity, api: api, rateLimit: rateLimit, logger: logger)
            let application = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            let server = TestServer(
                application: application, store: harness.store, service: service, activity: activity,
                connection: connection, token: issued.token, fixtures: fixtures)
            try await application.test(.live) { client in try await body(server, client) }
            await activity.flush()
            await harness.close()
        } catch {
            await harness.close()
            throw error
        }
    }
}

/// A SCIM exchange with the test client.
struct Exchange {
    let client: any TestClientProtocol
    let token: String

    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, bytes: [UInt8]? = nil,
        headers: [(String, String)] = [], auth: String? = nil
    ) async throws -> (status: Int, json: JSONObject?, headers: HTTPFields) {
        var fields = HTTPFields()
        fields[.authorization] = auth ?? "Bearer \(token)"
        if body != nil || bytes != nil { fields[.contentType] = "application/scim+json" }
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        let response = try await client.executeRequest(
            uri: path, method: method, headers: fields,
            body: bytes.map { ByteBuffer(bytes: $0) } ?? body.map { ByteBuffer(string: $0) })
        let received = Array(response.body.readableBytesView)
        let json = received.isEmpty ? nil : (try? JSONParser().parse(bytes: received))?.objectValue
        return (response.status.code, json, response.headers)
    }
}

/// The replay runner's transport over the test client.
func replaySend(_ client: any TestClientProtocol) -> ReplaySend {
    { method, path, headers, body in
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let field = HTTPField.Name(name) else { continue }
            // The live client frames the body itself.
            if field == .contentLength || field == .connection || field == .acceptEncoding { continue }
            fields.append(HTTPField(name: field, value: value))
        }
        // The test client refuses a raw `"` in the request target (Entra's validator sends one,
        // docs/idp-behaviour.md §2.2); it goes as %22, which the server decodes to the same
        // character — the raw form is covered by the query-decoding tests.
        let target = path.replacingOccurrences(of: "\"", with: "%22")
        let response = try await client.executeRequest(
            uri: target, method: HTTPRequest.Method(rawValue: method) ?? .get, headers: fields,
            body: body.map { ByteBuffer(bytes: $0) })
        var headers: [String: String] = [:]
        for field in response.headers { headers[field.name.canonicalName] = field.value }
        return ReplayResponse(
            status: response.status.code, headers: headers, body: Array(response.body.readableBytesView))
    }
}
