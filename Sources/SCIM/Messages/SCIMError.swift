/// The `scimType` error keywords of RFC 7644 §3.12, Table 9, spelled exactly as the RFC does
/// (note `invalidVers`, not `invalidVersion`).
public enum SCIMErrorType: String, Sendable, CaseIterable {
    case invalidFilter
    case tooMany
    case uniqueness
    case mutability
    case invalidSyntax
    case invalidPath
    case noTarget
    case invalidValue
    case invalidVers
    case sensitive
}

/// An error a SCIM service provider answers with (RFC 7644 §3.12): an HTTP status, an optional
/// `scimType` and a human-readable `detail` that says what to change.
public struct SCIMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status code.
    public var status: Int
    /// The RFC 7644 Table 9 keyword, when one applies.
    public var scimType: SCIMErrorType?
    /// What went wrong, for a human.
    public var detail: String
    /// Seconds a client should wait before retrying, for a `Retry-After` header (a 503 while the
    /// database is unreachable).
    public var retryAfter: Int?
    /// What failed inside the server (a driver's message), for the server log only: never part
    /// of the Error message a client receives.
    public var diagnostic: String?

    public init(
        status: Int, scimType: SCIMErrorType? = nil, detail: String, retryAfter: Int? = nil, diagnostic: String? = nil
    ) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
        self.retryAfter = retryAfter
        self.diagnostic = diagnostic
    }

    /// 400 with a `scimType`.
    public static func badRequest(_ type: SCIMErrorType, _ detail: String) -> SCIMError {
        SCIMError(status: 400, scimType: type, detail: detail)
    }

    public static func invalidFilter(_ detail: String) -> SCIMError { .badRequest(.invalidFilter, detail) }
    public static func invalidSyntax(_ detail: String) -> SCIMError { .badRequest(.invalidSyntax, detail) }
    public static func invalidValue(_ detail: String) -> SCIMError { .badRequest(.invalidValue, detail) }
    public static func invalidPath(_ detail: String) -> SCIMError { .badRequest(.invalidPath, detail) }
    public static func noTarget(_ detail: String) -> SCIMError { .badRequest(.noTarget, detail) }
    public static func mutability(_ detail: String) -> SCIMError { .badRequest(.mutability, detail) }
    public static func tooMany(_ detail: String) -> SCIMError { .badRequest(.tooMany, detail) }
    /// 409 `uniqueness` (RFC 7644 §3.3: a duplicate on create).
    public static func uniqueness(_ detail: String) -> SCIMError {
        SCIMError(status: 409, scimType: .uniqueness, detail: detail)
    }
    /// 404 without a `scimType`.
    public static func notFound(_ detail: String) -> SCIMError { SCIMError(status: 404, detail: detail) }

    /// The RFC 7644 §3.12 Error message; `status` is a string, as the RFC's examples and Okta's
    /// SPEC test (`status equals "401"`) require.
    public var json: JSONObject {
        var object: JSONObject = [
            "schemas": [.string(SCIMURN.error)],
            "status": .string(String(status)),
        ]
        if let scimType { object["scimType"] = .string(scimType.rawValue) }
        object["detail"] = .string(detail)
        return object
    }

    public var description: String {
        "\(status)\(scimType.map { " \($0.rawValue)" } ?? ""): \(detail)"
    }
}
