import Directory
import Foundation
import Hummingbird
import SCIM

/// The SCIM endpoints of one request.
struct Handlers: Sendable {
    let service: DirectoryService
    let configuration: SCIMAPIConfiguration
    let request: Request
    let responder: SCIMResponder
    let base: String
    let actor: DirectoryActor?
    let note: ActivityNote

    // MARK: Bodies

    /// The JSON body: `application/scim+json` or `application/json` with any charset (never 415
    /// for those, docs/idp-behaviour.md §5.1), at most the configured size (413 past it).
    func body() async throws -> JSONValue {
        if let type = request.headers[.contentType]?.lowercased() {
            let media = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let accepted = ["application/scim+json", "application/json", "text/json", ""]
            guard accepted.contains(media) else {
                throw SCIMError(
                    status: 415, detail: "the body must be application/scim+json or application/json, not \(media)")
            }
        }
        let limit = configuration.maximumRequestSize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw SCIMError(status: 413, detail: "the body is \(length) bytes; the limit is \(limit)")
        }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            if bytes.count + buffer.readableBytes > limit {
                throw SCIMError(status: 413, detail: "the body is larger than the limit of \(limit) bytes")
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw SCIMError.invalidSyntax("the request body is empty; send a JSON object")
        }
        do {
            return try JSONParser.requests.parse(bytes: bytes)
        } catch {
            throw SCIMError.invalidSyntax("the body is not valid JSON: \(error.description)")
        }
    }

    func object(_ value: JSONValue) throws(SCIMError) -> JSONObject {
        guard case .object(let object) = value else {
            throw SCIMError.invalidSyntax("the body must be a JSON object, not \(value.typeName)")
        }
        return object
    }

    // MARK: Rendering

    func render(_ record: UserRecord, projection: Projection = .default) -> (JSONObject, String, String) {
        let resource = record.user.scimResource(groups: record.groups, baseURL: base)
        let location = "\(base)/Users/\(record.user.id)"
        return (projection.apply(to: resource, resourceType: .user), entityTag(version: record.user.version), location)
    }

    func render(_ record: GroupRecord, projection: Projection = .default) -> (JSONObject, String, String) {
        let resource = record.group.scimResource(members: record.members, baseURL: base)
        let location = "\(base)/Groups/\(record.group.id)"
        return (
            projection.apply(to: resource, resourceType: .group), entityTag(version: record.group.version), location
        )
    }

    func resource(_ status: HTTPResponse.Status, _ rendered: (JSONObject, String, String)) -> Response {
        responder.respond(status, rendered.0, etag: rendered.1, location: rendered.2)
    }

    func projection(_ query: QueryParameters, _ type: ResourceType) throws(SCIMError) -> Projection {
        try Projection(
            attributes: query["attributes"], excludedAttributes: query["excludedAttributes"], resourceType: type)
    }

    func wantsRelations(_ projection: Projection, _ type: ResourceType) -> Bool {
        let kind = SCIMResourceKind(type)
        return projection.includes(attributeNamed: kind.relationAttribute, in: type)
    }

    /// Who called: set behind the token middleware (every route but discovery).
    func requireActor() throws(SCIMError) -> DirectoryActor {
        guard let actor else { throw SCIMError(status: 401, detail: "Authorization failure: no token was checked") }
        return actor
    }

    // MARK: Lists and search

    func list(_ type: ResourceType, query: QueryParameters) async throws -> Response {
        let paging = try IndexPaging(
            startIndex: query["startIndex"], count: query["count"], maximumCount: configuration.maximumResults)
        let projection = try projection(query, type)
        let listRequest = ListRequest(
            filter: query["filter"], sortBy: query["sortBy"], sortOrder: query["sortOrder"],
            startIndex: query["startIndex"] == nil ? nil : paging.startIndex,
            count: query["count"] == nil ? nil : paging.count, cursor: query["cursor"],
            includeRelations: wantsRelations(projection, type) && SCIMResourceKind(type) == .user)
        return try await respondList([type], listRequest, projection: [type.name: projection])
    }

    func search(_ types: [ResourceType]) async throws -> Response {
        let search = try SearchRequest(json: try await body())
        var projections: [String: Projection] = [:]
        for type in types {
            let projection: Projection
            do {
                projection = try Projection(
                    attributes: search.attributes, excludedAttributes: search.excludedAttributes, resourceType: type)
            } catch {
                // Across types (root search) an attribute of one type only applies to that type.
                if types.count == 1 { throw error }
                continue
            }
            projections[type.name] = projection
        }
        let listRequest = ListRequest(
            filter: search.filter, sortBy: search.sortBy, sortOrder: search.sortOrder, startIndex: search.startIndex,
            count: search.count, cursor: search.cursor,
            includeRelations: types.contains { type in projections[type.name].map { wantsRelations($0, type) } ?? false
            })
        return try await respondList(types, listRequest, projection: projections)
    }

    /// One ListResponse over one type, or — for the root `/.search` — over every type the filter
    /// (and the attribute lists) make sense for, users first.
    func respondList(
        _ types: [ResourceType], _ listRequest: ListRequest, projection: [String: Projection]
    )
        async throws -> Response
    {
        let actor = try requireActor()
        var applicable: [ResourceType] = []
        var lastError: SCIMError?
        for type in types where projection[type.name] != nil {
            if let filter = listRequest.filter, !filter.isEmpty, types.count > 1 {
                do {
                    _ = try type.resolveFilter(filter, limits: configuration.filterLimits)
                } catch {
                    lastError = error
                    continue
                }
            }
            applicable.append(type)
        }
        guard !applicable.isEmpty else {
            throw lastError ?? SCIMError.invalidValue("the attributes asked for exist in no resource type")
        }
        if applicable.count > 1, listRequest.cursor != nil {
            throw SCIMError.invalidValue("cursor paging is offered per resource type; search /Users or /Groups")
        }
        if applicable.count == 1, SCIMResourceKind(applicable[0]) == .group {
            return try await streamGroups(listRequest, projection: projection[applicable[0].name] ?? .default)
        }
        let paging = IndexPaging(
            startIndex: listRequest.startIndex, count: listRequest.count, maximumCount: configuration.maximumResults)
        var resources: [JSONObject] = []
        var total = 0
        var nextCursor: String?
        var skip = paging.offset
        var room = paging.count
        for type in applicable {
            var typed = listRequest
            typed.startIndex = skip + 1
            typed.count = room
            let typeProjection = projection[type.name] ?? .default
            let found: Int
            switch SCIMResourceKind(type) {
            case .user:
                let result = try await service.listUsers(typed, by: actor)
                found = result.totalResults
                resources += result.records.map { render($0, projection: typeProjection).0 }
                nextCursor = result.nextCursor
                room -= result.records.count
            case .group:
                let result = try await service.listGroups(typed, by: actor)
                found = result.totalResults
                resources += result.records.map { render($0, projection: typeProjection).0 }
                nextCursor = result.nextCursor
                room -= result.records.count
            }
            total += found
            skip = max(0, skip - found)
        }
        let message = ListResponse(
            totalResults: total, startIndex: listRequest.cursor == nil ? paging.startIndex : nil, resources: resources,
            nextCursor: nextCursor)
        return responder.respond(.ok, message.json)
    }

    // MARK: Single resources

    func get(_ kind: SCIMResourceKind, id: String, query: QueryParameters) async throws -> Response {
        let type = kind.resourceType
        let projection = try projection(query, type)
        let actor = try requireActor()
        switch kind {
        case .user:
            return resource(.ok, render(try await service.user(id: id, by: actor), projection: projection))
        case .group:
            let record = try await service.group(id: id, includeMembers: false, by: actor)
            if wantsRelations(projection, type) {
                return streamGroup(record, projection: projection)
            }
            return resource(.ok, render(record, projection: projection))
        }
    }

    func create(_ kind: SCIMResourceKind) async throws -> Response {
        let actor = try requireActor()
        let body = try object(try await body())
        switch kind {
        case .user: return resource(.created, render(try await service.createUser(body, by: actor, note: note)))
        case .group: return resource(.created, render(try await service.createGroup(body, by: actor, note: note)))
        }
    }

    func replace(_ kind: SCIMResourceKind, id: String) async throws -> Response {
        let actor = try requireActor()
        let body = try object(try await body())
        let ifMatch = request.headers[.ifMatch]
        switch kind {
        case .user:
            switch try await service.replaceUser(id: id, body: body, ifMatch: ifMatch, by: actor, note: note) {
            case .resource(let record): return resource(.ok, render(record))
            case .removed: return responder.respond(.noContent, nil)
            }
        case .group:
            return resource(
                .ok, render(try await service.replaceGroup(id: id, body: body, ifMatch: ifMatch, by: actor, note: note))
            )
        }
    }

    func patch(_ kind: SCIMResourceKind, id: String) async throws -> Response {
        let actor = try requireActor()
        let patchRequest = try PatchRequest(json: try await body(), limits: configuration.filterLimits)
        let ifMatch = request.headers[.ifMatch]
        let query = try QueryParameters(request.uri.query)
        let type = kind.resourceType
        switch kind {
        case .user:
            switch try await service.patchUser(id: id, request: patchRequest, ifMatch: ifMatch, by: actor, note: note)
            {
            case .resource(let record): return resource(.ok, render(record, projection: try projection(query, type)))
            case .removed: return responder.respond(.noContent, nil)
            }
        case .group:
            // A group's member list can be 100 000 ids long: a PATCH answers 204 (RFC 7644 §3.5.2
            // allows it; Entra asks for it) and reads no members, unless the client names the
            // attributes it wants back.
            let wantsBody = query["attributes"] != nil || query["excludedAttributes"] != nil
            let projection = try projection(query, type)
            let record = try await service.patchGroup(
                id: id, request: patchRequest, ifMatch: ifMatch, by: actor, note: note, includeMembers: false)
            if wantsBody {
                if wantsRelations(projection, type) { return streamGroup(record, projection: projection) }
                return resource(.ok, render(record, projection: projection))
            }
            return responder.respond(
                .noContent, nil, etag: entityTag(version: record.group.version),
                location: "\(base)/Groups/\(record.group.id)")
        }
    }

    func delete(_ kind: SCIMResourceKind, id: String) async throws -> Response {
        let actor = try requireActor()
        let ifMatch = request.headers[.ifMatch]
        switch kind {
        case .user: try await service.deleteUser(id: id, ifMatch: ifMatch, by: actor, note: note)
        case .group: try await service.deleteGroup(id: id, ifMatch: ifMatch, by: actor, note: note)
        }
        return responder.respond(.noContent, nil)
    }

    // MARK: Discovery (RFC 7644 §4)

    func serviceProviderConfig() -> Response {
        responder.respond(.ok, configuration.serviceProviderConfig.json(location: "\(base)/ServiceProviderConfig"))
    }

    func resourceTypes(id: String?) throws -> Response {
        try discovery(
            [ResourceType.user, .group], id: id, matches: { $0.id == $1 }, location: "\(base)/ResourceTypes",
            json: { $0.json(location: $1) }, missing: "no resource type %@; there are User and Group")
    }

    func schemas(id: String?) throws -> Response {
        try discovery(
            [Schema.user, .group, .enterpriseUser, .serviceProviderConfig, .resourceType, .schema], id: id,
            matches: { $0.id == $1 }, location: "\(base)/Schemas", json: { $0.json(location: $1) },
            missing: "no schema %@")
    }

    /// One discovery resource by id, or all of them as a ListResponse.
    private func discovery<Item>(
        _ all: [Item], id: String?, matches: (Item, String) -> Bool, location: String,
        json: (Item, String) -> JSONObject, missing: String
    ) throws -> Response {
        guard let id else {
            let list = ListResponse(totalResults: all.count, startIndex: 1, resources: all.map { json($0, location) })
            return responder.respond(.ok, list.json)
        }
        guard let item = all.first(where: { matches($0, id) }) else {
            throw SCIMError.notFound(missing.replacingOccurrences(of: "%@", with: id))
        }
        return responder.respond(.ok, json(item, location))
    }
}
