/// One operation of a BulkRequest (RFC 7644 §3.7).
public struct BulkOperation: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable, CaseIterable {
        case post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE"
    }

    public var method: Method
    public var bulkId: String?
    public var version: String?
    public var path: String
    public var data: JSONValue?

    public init(method: Method, bulkId: String? = nil, version: String? = nil, path: String, data: JSONValue? = nil) {
        self.method = method
        self.bulkId = bulkId
        self.version = version
        self.path = path
        self.data = data
    }
}

/// The limits a server advertises for `/Bulk` (RFC 7643 §5 `bulk`).
public struct BulkLimits: Sendable, Hashable {
    public var maximumOperations: Int
    public var maximumPayloadSize: Int

    public init(maximumOperations: Int = 1000, maximumPayloadSize: Int = 1_048_576) {
        self.maximumOperations = maximumOperations
        self.maximumPayloadSize = maximumPayloadSize
    }
}

/// A BulkRequest (RFC 7644 §3.7).
public struct BulkRequest: Sendable, Hashable {
    /// Stop after this many errors; `nil` means process everything.
    public var failOnErrors: Int?
    public var operations: [BulkOperation]

    public init(failOnErrors: Int? = nil, operations: [BulkOperation]) {
        self.failOnErrors = failOnErrors
        self.operations = operations
    }

    /// Reads a BulkRequest. More operations than the limit is 413 with `tooMany`-free detail, as
    /// RFC 7644 §3.7.4 shows; a POST needs a `bulkId`; `data` is required except for DELETE.
    public init(json: JSONValue, limits: BulkLimits = BulkLimits()) throws(SCIMError) {
        guard case .object(let body) = json else { throw .invalidSyntax("a bulk body must be a JSON object") }
        guard case .array(let schemas)? = body["schemas"],
            schemas.contains(where: { $0.stringValue?.equalsIgnoringASCIICase(SCIMURN.bulkRequest) == true })
        else {
            throw .invalidSyntax("a bulk body's 'schemas' must contain \"\(SCIMURN.bulkRequest)\"")
        }
        switch body["failOnErrors"] {
        case nil, .null?: failOnErrors = nil
        case .number(let number)?:
            guard let value = number.int64Value, value >= 1 else {
                throw .invalidValue("'failOnErrors' must be an integer of at least 1")
            }
            failOnErrors = Int(clamping: value)
        default: throw .invalidValue("'failOnErrors' must be an integer")
        }
        guard case .array(let operations)? = body["Operations"] else {
            throw .invalidSyntax("a bulk body needs an 'Operations' array")
        }
        guard operations.count <= limits.maximumOperations else {
            throw SCIMError(
                status: 413,
                detail:
                    "The number of operations (\(operations.count)) exceeds the maxOperations (\(limits.maximumOperations))"
            )
        }
        var parsed: [BulkOperation] = []
        for (index, operation) in operations.enumerated() {
            guard case .object(let object) = operation else {
                throw .invalidSyntax("Operations[\(index)] must be an object with 'method' and 'path'")
            }
            guard case .string(let methodName)? = object["method"],
                let method = BulkOperation.Method(rawValue: methodName.uppercased())
            else {
                throw .invalidSyntax("Operations[\(index)].method must be POST, PUT, PATCH or DELETE")
            }
            guard case .string(let path)? = object["path"], path.hasPrefix("/") else {
                throw .invalidSyntax("Operations[\(index)].path must be a resource path such as \"/Users\"")
            }
            let bulkId = object["bulkId"]?.stringValue
            if method == .post, bulkId?.isEmpty ?? true {
                throw .invalidSyntax("Operations[\(index)]: a POST needs a 'bulkId'")
            }
            let data = object["data"]
            if method != .delete, data == nil || data?.isNull == true {
                throw .invalidSyntax("Operations[\(index)]: \(method.rawValue) needs 'data'")
            }
            parsed.append(
                BulkOperation(
                    method: method, bulkId: bulkId, version: object["version"]?.stringValue, path: path, data: data))
        }
        self.operations = parsed
    }
}

/// The result of one bulk operation.
public struct BulkOperationResult: Sendable, Hashable {
    public var method: BulkOperation.Method
    public var bulkId: String?
    public var version: String?
    public var location: String?
    public var status: Int
    /// The error, or (optionally) the resource.
    public var response: JSONObject?

    public init(
        method: BulkOperation.Method, bulkId: String? = nil, version: String? = nil, location: String? = nil,
        status: Int,
        response: JSONObject? = nil
    ) {
        self.method = method
        self.bulkId = bulkId
        self.version = version
        self.location = location
        self.status = status
        self.response = response
    }
}

/// A BulkResponse (RFC 7644 §3.7). `status` is written as a string, as in §3.7.3's examples.
public struct BulkResponse: Sendable, Hashable {
    public var operations: [BulkOperationResult]

    public init(operations: [BulkOperationResult]) {
        self.operations = operations
    }

    public var json: JSONObject {
        [
            "schemas": [.string(SCIMURN.bulkResponse)],
            "Operations": .array(
                operations.map { result in
                    var object: JSONObject = [:]
                    if let location = result.location { object["location"] = .string(location) }
                    object["method"] = .string(result.method.rawValue)
                    if let bulkId = result.bulkId { object["bulkId"] = .string(bulkId) }
                    if let version = result.version { object["version"] = .string(version) }
                    object["status"] = .string(String(result.status))
                    if let response = result.response { object["response"] = .object(response) }
                    return .object(object)
                }),
        ]
    }
}
