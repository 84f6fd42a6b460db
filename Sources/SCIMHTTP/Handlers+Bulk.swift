import Directory
import Foundation
import Hummingbird
import SCIM

extension Handlers {
    /// `POST /Bulk` (RFC 7644 §3.7): operations in order, `bulkId:` references resolved to the ids
    /// of resources created earlier in the same request, stopping after `failOnErrors` errors.
    func bulk() async throws -> Response {
        let actor = try requireActor()
        let bulkRequest = try BulkRequest(json: try await body(), limits: configuration.bulkLimits)
        var created: [String: String] = [:]
        var results: [BulkOperationResult] = []
        var errors = 0
        for operation in bulkRequest.operations {
            if let limit = bulkRequest.failOnErrors, errors >= limit { break }
            do {
                let (result, createdID) = try await perform(operation, created: created, actor: actor)
                if let createdID, let bulkId = operation.bulkId { created[bulkId] = createdID }
                results.append(result)
            } catch {
                let failure = DirectoryServiceError.scim(error)
                errors += 1
                // RFC 7644 §3.7.3: every result but a failed POST names the resource it was for.
                // The path as the client wrote it, percent-encoded so the location is a URI even
                // when the path is not one of ours.
                let path = operation.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ""
                let location =
                    operation.method == .post ? nil : base + (path.hasPrefix("/") ? "" : "/") + path
                results.append(
                    BulkOperationResult(
                        method: operation.method, bulkId: operation.bulkId, location: location,
                        status: failure.status, response: failure.json))
            }
        }
        note.add("bulk: \(results.count) operation\(results.count == 1 ? "" : "s"), \(errors) failed")
        return responder.respond(.ok, BulkResponse(operations: results).json)
    }

    private func bodyObject(_ data: JSONValue?, _ operation: BulkOperation) throws(SCIMError) -> JSONObject {
        guard case .object(let object)? = data else {
            throw SCIMError.invalidSyntax(
                "bulk \(operation.method.rawValue) \(operation.path) needs an object in 'data'")
        }
        return object
    }

    /// Performs one operation; returns its result and, for a POST, the id it created.
    private func perform(
        _ operation: BulkOperation, created: [String: String], actor: DirectoryActor
    ) async throws -> (BulkOperationResult, String?) {
        let path = try resolve(operation.path, created)
        let parts = path.split(separator: "/").map(String.init)
        guard let first = parts.first, first == "Users" || first == "Groups", parts.count <= 2 else {
            throw SCIMError.invalidPath("bulk path \(operation.path) must be /Users, /Groups or /Users|Groups/{id}")
        }
        let isUser = first == "Users"
        let data = try operation.data.map { value throws(SCIMError) in try resolve(value, created) }
        switch (operation.method, parts.count) {
        case (.post, 1):
            let id: String
            let version: Int
            if isUser {
                let record = try await service.createUser(try bodyObject(data, operation), by: actor, note: note)
                id = record.user.id
                version = record.user.version
            } else {
                let record = try await service.createGroup(try bodyObject(data, operation), by: actor, note: note)
                id = record.group.id
                version = record.group.version
            }
            let result = BulkOperationResult(
                method: .post, bulkId: operation.bulkId, version: entityTag(version: version),
                location: "\(base)/\(first)/\(id)", status: 201)
            return (result, id)
        case (.put, 2), (.patch, 2):
            let id = parts[1]
            var version: Int?
            if isUser {
                let outcome: WriteOutcome<UserRecord>
                if operation.method == .put {
                    outcome = try await service.replaceUser(
                        id: id, body: try bodyObject(data, operation), ifMatch: operation.version, by: actor,
                        note: note)
                } else {
                    outcome = try await service.patchUser(
                        id: id, request: try PatchRequest(json: data ?? .null, limits: configuration.filterLimits),
                        ifMatch: operation.version, by: actor,
                        note: note)
                }
                if case .resource(let record) = outcome { version = record.user.version }
            } else {
                let record: GroupRecord
                if operation.method == .put {
                    record = try await service.replaceGroup(
                        id: id, body: try bodyObject(data, operation), ifMatch: operation.version, by: actor,
                        note: note)
                } else {
                    record = try await service.patchGroup(
                        id: id, request: try PatchRequest(json: data ?? .null, limits: configuration.filterLimits),
                        ifMatch: operation.version, by: actor,
                        note: note)
                }
                version = record.group.version
            }
            let result = BulkOperationResult(
                method: operation.method, bulkId: operation.bulkId, version: version.map { entityTag(version: $0) },
                location: "\(base)/\(first)/\(id)", status: version == nil ? 204 : 200)
            return (result, nil)
        case (.delete, 2):
            if isUser {
                try await service.deleteUser(id: parts[1], ifMatch: operation.version, by: actor, note: note)
            } else {
                try await service.deleteGroup(id: parts[1], ifMatch: operation.version, by: actor, note: note)
            }
            let result = BulkOperationResult(
                method: .delete, bulkId: operation.bulkId, location: "\(base)/\(first)/\(parts[1])", status: 204)
            return (result, nil)
        default:
            throw SCIMError.invalidPath(
                "\(operation.method.rawValue) \(operation.path) is not a bulk operation this server performs")
        }
    }

    /// Replaces `bulkId:<id>` by the id created for it earlier in the request.
    private func resolve(_ text: String, _ created: [String: String]) throws(SCIMError) -> String {
        guard let range = text.range(of: "bulkId:") else { return text }
        let reference = String(text[range.upperBound...].prefix { $0 != "/" && $0 != "\"" })
        guard let id = created[reference] else {
            throw SCIMError(
                status: 409, scimType: .invalidValue,
                detail: "bulkId \(reference) does not name a resource created earlier in this request")
        }
        return text.replacingCharacters(
            in: range.lowerBound..<text.index(range.upperBound, offsetBy: reference.count), with: id)
    }

    private func resolve(_ value: JSONValue, _ created: [String: String]) throws(SCIMError) -> JSONValue {
        switch value {
        case .string(let text): return .string(try resolve(text, created))
        case .array(let elements):
            var output: [JSONValue] = []
            for element in elements { output.append(try resolve(element, created)) }
            return .array(output)
        case .object(let object):
            var output = JSONObject()
            for member in object { output[member.key] = try resolve(member.value, created) }
            return .object(output)
        default: return value
        }
    }
}

/// Any error as a SCIM error (for bulk results).
enum DirectoryServiceError {
    static func scim(_ error: any Error) -> SCIMError {
        if let error = error as? SCIMError { return error }
        return SCIMError(status: 500, detail: "internal error; see the server log")
    }
}
