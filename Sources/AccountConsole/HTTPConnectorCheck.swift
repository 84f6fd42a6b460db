import AsyncHTTPClient
import Console
import Directory
import Hummingbird
import NIOHTTP1
import SCIM

/// The connector check over real HTTP against this server's own listener: the requests Okta's
/// *Test Connector Configuration* sends (docs/idp-behaviour.md §1.3), then the lookup that
/// starts its first push (§1.4), each judged as Okta judges it.
struct HTTPConnectorCheck: ConnectorChecking {
    /// `http://127.0.0.1:8080/api/v1/identity/scim/v2`: where the check sends its requests.
    let base: String

    struct Probe {
        var name: String
        var path: String
        var authorized: Bool
        var check: (JSONObject) -> String?
    }

    static var probes: [Probe] {
        [
            Probe(name: "Discovery answers without a token", path: "/ServiceProviderConfig", authorized: false) {
                body in
                body["patch"]?.objectValue?["supported"]?.boolValue == true
                    ? nil : "ServiceProviderConfig does not say PATCH is supported"
            },
            Probe(name: "Okta's test: the first users", path: "/Users?startIndex=1&count=2", authorized: true) {
                listResponse($0)
            },
            Probe(name: "Okta's test: the groups", path: "/Groups?startIndex=1&count=100", authorized: true) {
                listResponse($0)
            },
            Probe(
                name: "The lookup before a first push finds nobody",
                path:
                    "/Users?filter=userName%20eq%20%22okta-connector-check%40example.invalid%22&startIndex=1&count=100",
                authorized: true
            ) { body in
                if let failure = listResponse(body) { return failure }
                return body["totalResults"]?.numberValue?.int64Value == 0 ? nil : "totalResults is not 0"
            },
        ]
    }

    /// What Okta requires of a list: the ListResponse schema and numeric paging fields.
    static func listResponse(_ body: JSONObject) -> String? {
        let schemas = body["schemas"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard schemas.contains("urn:ietf:params:scim:api:messages:2.0:ListResponse") else {
            return "the body is not a ListResponse"
        }
        for field in ["totalResults", "startIndex", "itemsPerPage"] where body[field]?.numberValue == nil {
            return "\(field) is missing or not a number"
        }
        return nil
    }

    func run(token: String) async -> [ConnectorCheckStep] {
        var steps: [ConnectorCheckStep] = []
        for probe in Self.probes {
            steps.append(await run(probe, token: token))
        }
        return steps
    }

    func run(_ probe: Probe, token: String) async -> ConnectorCheckStep {
        let line = "GET \(probe.path)"
        var request = HTTPClientRequest(url: base + probe.path)
        request.headers.add(name: "Accept", value: "application/scim+json")
        if probe.authorized { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let started = ContinuousClock.now
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            let elapsed = (ContinuousClock.now - started).microseconds / 1000
            let status = Int(response.status.code)
            guard status == 200 else {
                let detail = (try? JSONParser().parse(bytes: Array(body.readableBytesView)))?.objectValue?["detail"]?
                    .stringValue
                return ConnectorCheckStep(
                    name: probe.name, request: line, passed: false,
                    detail: "HTTP \(status)\(detail.map { ": \($0)" } ?? "") (\(elapsed) ms)")
            }
            guard let json = (try? JSONParser().parse(bytes: Array(body.readableBytesView)))?.objectValue else {
                return ConnectorCheckStep(
                    name: probe.name, request: line, passed: false, detail: "HTTP 200, but the body is not JSON")
            }
            if let failure = probe.check(json) {
                return ConnectorCheckStep(name: probe.name, request: line, passed: false, detail: failure)
            }
            let total = json["totalResults"]?.numberValue?.int64Value.map { ", totalResults \($0)" } ?? ""
            return ConnectorCheckStep(
                name: probe.name, request: line, passed: true, detail: "HTTP 200\(total) in \(elapsed) ms")
        } catch {
            return ConnectorCheckStep(
                name: probe.name, request: line, passed: false,
                detail: "no answer from \(base) (\(type(of: error))); is the server listening there?")
        }
    }
}
