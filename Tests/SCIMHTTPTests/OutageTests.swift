import AccountConsole
import Directory
import DirectoryPostgres
import DirectorySQL
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SCIM
import SCIMHTTP
import TestSupport
import Testing

/// With the database unreachable, a SCIM request is answered 503 with `Retry-After`, well within
/// the minute after which Okta gives up, and the client sees the request id, never the driver's
/// text.
@Suite("Database outage")
struct OutageTests {
    @Test("PostgreSQL unreachable: 503, Retry-After, a request id, no driver text")
    func unreachable() async throws {
        // A port nothing listens on: every connection attempt is refused.
        let location = PostgresLocation(host: "127.0.0.1", port: 9, username: "nobody", maximumConnections: 2)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let database = PostgresDirectoryDatabase(location: location, logger: logger)
        let store = SQLDirectoryStore(database: database)
        let fixtures = DirectoryFixtures()
        let service = DirectoryService(store: store, clock: fixtures.clock, ids: fixtures.ids)
        let activity = ActivityLog(store: store)
        let router = try AccountConsoleServer.router(
            service: service, activity: activity, api: SCIMAPIConfiguration(), logger: logger)
        let application = Application(router: router, logger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await database.run() }
            let started = ContinuousClock.now
            try await application.test(.router) { client in
                var headers = HTTPFields()
                headers[.authorization] = "Bearer acs_not-checked-the-database-is-down"
                let response = try await client.execute(uri: "/scim/v2/Users", method: .get, headers: headers)
                #expect(response.status.code == 503)
                #expect(response.headers[.retryAfter] == "5")
                let body = try #require(
                    try JSONParser().parse(bytes: Array(response.body.readableBytesView)).objectValue)
                let detail = try #require(body["detail"]?.stringValue)
                #expect(detail.contains("request id"))
                #expect(
                    !detail.contains("PSQLError") && !detail.contains("ConnectionPool") && !detail.contains("refused"))
                #expect(body["status"] == "503")
            }
            // Not a speed figure: a behavioural bound. Without the lease timeout the pool's own
            // give-up came after 68 s, past Okta's 60 s.
            #expect(ContinuousClock.now - started < .seconds(30))
            group.cancelAll()
        }
    }
}
