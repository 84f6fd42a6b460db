import Directory
import Hummingbird
import SCIM

/// Groups with their members, streamed: the member list of a group can be 100 000 ids long, and
/// materialising it (ids, then JSON values, then bytes) costs tens of megabytes per request.
/// Instead the group is rendered without `members`, its bytes are sent, and the members follow a
/// page of ``memberPage`` ids at a time, each page read, projected and written before the next is
/// read. Memory per request is one page, whatever the group's size.
///
/// The pages are separate reads, so a membership change that commits while a big group is being
/// streamed may or may not show in the rest of the list (each page is consistent in itself).
/// Once the first bytes are out, a failure can only end the response early: the status is sent.
extension Handlers {
    static let memberPage = 1000

    /// `GET /Groups/{id}` (and a PATCH that asks for the group back) with its members.
    func streamGroup(_ record: GroupRecord, projection: Projection) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = responder.contentType
        headers[.eTag] = entityTag(version: record.group.version)
        headers[.location] = "\(base)/Groups/\(record.group.id)"
        let handlers = self
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await handlers.writeGroup(record, projection: projection, to: &writer)
                try await writer.finish(nil)
            })
    }

    /// `GET /Groups` and `POST /Groups/.search`: the ListResponse, each group streamed in turn.
    func streamGroups(_ listRequest: ListRequest, projection: Projection) async throws -> Response {
        let actor = try requireActor()
        var request = listRequest
        request.includeRelations = false
        let result = try await service.listGroups(request, by: actor)
        let withMembers = wantsRelations(projection, .group)
        let resources = result.records.map { render($0, projection: projection).0 }
        var envelope = ListResponse(
            totalResults: result.totalResults, startIndex: result.startIndex, resources: resources,
            nextCursor: result.nextCursor
        ).json
        envelope["Resources"] = nil
        guard withMembers, !result.records.isEmpty else {
            envelope["Resources"] = .array(resources.map { .object($0) })
            return responder.respond(.ok, envelope)
        }
        var headers = HTTPFields()
        headers[.contentType] = responder.contentType
        let handlers = self
        let records = result.records
        let opening = Self.openObject(envelope, then: #""Resources":["#)
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await writer.write(opening)
                for (index, record) in records.enumerated() {
                    if index > 0 { try await writer.write(ByteBuffer(string: ",")) }
                    try await handlers.writeGroup(record, projection: projection, to: &writer)
                }
                try await writer.write(ByteBuffer(string: "]}"))
                try await writer.finish(nil)
            })
    }

    /// One group object: its attributes, then `"members":[…]` a page at a time. The attribute is
    /// left out when the group has no members, as the non-streamed rendering does.
    func writeGroup(
        _ record: GroupRecord, projection: Projection, to writer: inout any ResponseBodyWriter
    ) async throws {
        let attributes = render(GroupRecord(group: record.group, members: nil), projection: projection).0
        let actor = try requireActor()
        var after: String?
        var opened = false
        while true {
            let page = try await service.memberIDs(
                groupID: record.group.id, after: after, count: Self.memberPage, by: actor)
            if page.isEmpty { break }
            // A projection can leave a page with nothing (`attributes=members.display`): the array
            // opens with the first member written, and commas go between members only.
            let members = projectedMembers(page, group: record.group, projection: projection)
            if !members.isEmpty {
                var bytes = opened ? ByteBuffer(string: ",") : Self.openObject(attributes, then: #""members":["#)
                opened = true
                bytes.writeBytes(members.map { JSONValue.object($0).serialized() }.joined(separator: ",").utf8)
                try await writer.write(bytes)
            }
            after = page.last
            if page.count < Self.memberPage { break }
        }
        if opened {
            try await writer.write(ByteBuffer(string: "]}"))
        } else {
            try await writer.write(ByteBuffer(bytes: JSONValue.object(attributes).serializedBytes()))
        }
    }

    /// The members of one page as the projection returns them (`members.value` keeps only
    /// `value`): the page is projected inside a group resource of its own.
    func projectedMembers(_ ids: [String], group: Group, projection: Projection) -> [JSONObject] {
        let resource = group.scimResource(members: ids, baseURL: base)
        let projected = projection.apply(to: resource, resourceType: .group)
        return (projected["members"]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    /// `object`'s JSON without its closing brace, then `,` and `then`: the start of an object
    /// whose last attribute is streamed after it.
    static func openObject(_ object: JSONObject, then continuation: String) -> ByteBuffer {
        var bytes = JSONValue.object(object).serializedBytes()
        if bytes.last == UInt8(ascii: "}") { bytes.removeLast() }
        var buffer = ByteBuffer(bytes: bytes)
        buffer.writeString(object.isEmpty ? continuation : "," + continuation)
        return buffer
    }
}
