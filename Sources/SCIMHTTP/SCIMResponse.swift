import Hummingbird
import SCIM

/// Building SCIM responses: `application/scim+json` (or `application/json` for a client that
/// accepts only that, as OneLogin's documentation asks), ETag, Location.
struct SCIMResponder: Sendable {
    let json: Bool

    init(request: Request) {
        let accept = request.headers[.accept]?.lowercased() ?? ""
        json =
            accept.contains("application/json") && !accept.contains("application/scim+json") && !accept.contains("*/*")
    }

    var contentType: String { json ? "application/json; charset=utf-8" : "application/scim+json; charset=utf-8" }

    func respond(
        _ status: HTTPResponse.Status, _ body: JSONObject?, etag: String? = nil, location: String? = nil
    )
        -> Response
    {
        var headers = HTTPFields()
        if let etag { headers[.eTag] = etag }
        if let location { headers[.location] = location }
        guard let body else {
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        headers[.contentType] = contentType
        let bytes = JSONValue.object(body).serializedBytes()
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func error(_ error: SCIMError) -> Response {
        var response = respond(HTTPResponse.Status(code: error.status), error.json)
        if error.status == 401 {
            response.headers[.wwwAuthenticate] = #"Bearer realm="Account Console SCIM""#
        }
        return response
    }
}
