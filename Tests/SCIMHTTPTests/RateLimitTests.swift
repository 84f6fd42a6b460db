import AccountConsole
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The per-token rate limit: 429 with an integer Retry-After past the burst, one bucket per
/// token however it is spelled, and no way around it through the path.
@Suite("Rate limit")
struct RateLimitTests {
    static func get(
        _ client: any TestClientProtocol, _ path: String, authorization: String
    ) async throws -> (status: Int, retryAfter: String?) {
        var headers = HTTPFields()
        headers[.authorization] = authorization
        let response = try await client.executeRequest(uri: path, method: .get, headers: headers, body: nil)
        return (Int(response.status.code), response.headers[.retryAfter])
    }

    @Test("past the burst: 429 and an integer Retry-After; spellings of the token and of the path share the bucket")
    func sharedBucket() async throws {
        try await TestServer.with(SQLiteHarness.make, rateLimit: RateLimit(rate: 0.5, burst: 3)) { server, client in
            let spellings = [
                ("/scim/v2/Users?count=1", "Bearer \(server.token)"),
                ("//scim/v2/Users?count=1", "bearer   \(server.token)"),
                ("/api/v1/identity/scim/v2//Users?count=1", server.token),
                ("/scim/v2/Users?count=1", "BEARER \(server.token)"),
            ]
            var answers: [(status: Int, retryAfter: String?)] = []
            for (path, authorization) in spellings {
                answers.append(try await Self.get(client, path, authorization: authorization))
            }
            #expect(answers.map(\.status) == [200, 200, 200, 429])
            let wait = try #require(answers.last?.retryAfter)
            #expect(Int(wait).map { $0 >= 1 } == true, "Retry-After \(wait) is a whole number of seconds")
            // Another token has its own bucket; the console is not limited.
            #expect(try await Self.get(client, "/scim/v2/Users?count=1", authorization: "Bearer other").status == 401)
            #expect(try await Self.get(client, "/healthz", authorization: "").status == 200)
        }
    }
}
