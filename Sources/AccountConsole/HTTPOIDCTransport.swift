import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import OIDC

/// OpenID Connect's HTTP — discovery, keys, the token endpoint — over async-http-client, with a
/// 10-second timeout and a 1 MiB cap on any answer.
public struct HTTPOIDCTransport: OIDCTransport {
    public init() {}

    public func get(_ url: String) async throws -> OIDCHTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        return try await send(request)
    }

    public func postForm(
        _ url: String, fields: [(String, String)], authorization: String?
    ) async throws
        -> OIDCHTTPResponse
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(string: OIDCRelyingParty.formEncoded(fields)))
        return try await send(request)
    }

    func send(_ request: HTTPClientRequest) async throws -> OIDCHTTPResponse {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return OIDCHTTPResponse(status: Int(response.status.code), body: Array(body.readableBytesView))
    }
}
