import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SCIM

/// `account-console replay`: a client's flows over async-http-client against any SCIM server.
public struct HTTPReplay: Sendable {
    /// The SCIM base URL, e.g. `https://console.example.com/api/v1/identity/scim/v2`.
    public let base: String
    public let token: String

    /// What a run did: each step's result, and the flows skipped (they count what the directory
    /// holds, and it is not empty).
    public struct Outcome: Sendable {
        public var results: [ReplayStepResult] = []
        public var skipped: [ReplayFlow] = []
        /// Why the skipped flows were skipped.
        public var skipReason = ""
        public var passed: Int { results.filter(\.passed).count }
        public var failed: Int { results.count - passed }
    }

    public init(base: String, token: String) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.token = token
    }

    /// Plays every flow of `client` in order, reporting each step as it completes.
    public func run(
        _ client: ReplayClient, report: @Sendable (ReplayFlow, ReplayStepResult) -> Void
    ) async throws -> Outcome {
        let send = self.send
        var outcome = Outcome()
        let flows = try client.flows()
        // Asked only when a flow counts the directory (Okta's): two requests the others need not make.
        let empty = flows.contains(where: \.needsEmptyDirectory) ? await isEmpty() : true
        outcome.skipReason =
            empty == nil ? "the server did not answer a list of users and groups" : "the directory is not empty"
        for flow in flows {
            if flow.needsEmptyDirectory, empty != true {
                outcome.skipped.append(flow)
                continue
            }
            for result in await flow.run(variables: ["token": token], send: send) {
                report(flow, result)
                outcome.results.append(result)
            }
        }
        return outcome
    }

    /// Whether the server holds no user and no group (some flows count them); `nil` when it
    /// does not say.
    func isEmpty() async -> Bool? {
        let headers = [("Authorization", "Bearer \(token)"), ("Accept", "application/scim+json")]
        for path in ["/scim/v2/Users?count=1", "/scim/v2/Groups?count=1"] {
            guard let response = try? await send("GET", path, headers, nil), response.status == 200,
                let total = (try? JSONParser().parse(bytes: response.body).objectValue)?["totalResults"]?.numberValue?
                    .int64Value
            else { return nil }
            if total != 0 { return false }
        }
        return true
    }

    /// The flows' paths start with `/scim/v2`; the rest follows the base URL.
    var send: ReplaySend {
        let base = self.base
        return { method, path, headers, body in
            let rest = path.hasPrefix("/scim/v2") ? String(path.dropFirst("/scim/v2".count)) : path
            var request = HTTPClientRequest(url: base + rest)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 16 << 20)
            var fields: [String: String] = [:]
            for header in response.headers { fields[header.name] = header.value }
            return ReplayResponse(
                status: Int(response.status.code), headers: fields, body: Array(bytes.readableBytesView))
        }
    }
}
