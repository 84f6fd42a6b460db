/// The service provider's configuration (RFC 7643 §5), as `/ServiceProviderConfig` serves it.
public struct ServiceProviderConfig: Sendable, Hashable {
    public var documentationUri: String?
    public var patch: Bool
    public var bulk: BulkLimits?
    /// `filter.maxResults`: the most resources one page returns.
    public var maximumResults: Int
    public var changePassword: Bool
    public var sort: Bool
    public var etag: Bool
    /// RFC 9865 cursor paging.
    public var cursorPaging: Bool
    public var filterLimits: FilterLimits
    /// The largest request body accepted, in bytes.
    public var maximumRequestSize: Int

    public init(
        documentationUri: String? = nil, patch: Bool = true, bulk: BulkLimits? = BulkLimits(),
        maximumResults: Int = 200,
        changePassword: Bool = true, sort: Bool = true, etag: Bool = true, cursorPaging: Bool = true,
        filterLimits: FilterLimits = .default, maximumRequestSize: Int = 1_048_576
    ) {
        self.documentationUri = documentationUri
        self.patch = patch
        self.bulk = bulk
        self.maximumResults = maximumResults
        self.changePassword = changePassword
        self.sort = sort
        self.etag = etag
        self.cursorPaging = cursorPaging
        self.filterLimits = filterLimits
        self.maximumRequestSize = maximumRequestSize
    }

    /// The JSON representation; `location` is the absolute URL of `/ServiceProviderConfig`.
    public func json(location: String) -> JSONObject {
        var object: JSONObject = ["schemas": [.string(SCIMURN.serviceProviderConfig)]]
        if let documentationUri { object["documentationUri"] = .string(documentationUri) }
        object["patch"] = ["supported": .bool(patch)]
        object["bulk"] = [
            "supported": .bool(bulk != nil),
            "maxOperations": .number(JSONNumber(bulk?.maximumOperations ?? 0)),
            "maxPayloadSize": .number(JSONNumber(bulk?.maximumPayloadSize ?? maximumRequestSize)),
        ]
        // Only the RFC's attributes: strict clients (scim2-models) refuse unknown ones, so the filter
        // bounds are documented and named in the `invalidFilter` detail instead.
        object["filter"] = [
            "supported": true,
            "maxResults": .number(JSONNumber(maximumResults)),
        ]
        object["changePassword"] = ["supported": .bool(changePassword)]
        object["sort"] = ["supported": .bool(sort)]
        object["etag"] = ["supported": .bool(etag)]
        // RFC 9865 §4: cursor pagination is advertised in `pagination`.
        object["pagination"] = [
            "cursor": .bool(cursorPaging),
            "index": true,
            "defaultPaginationMethod": "index",
            "defaultPageSize": .number(JSONNumber(maximumResults)),
            "maxPageSize": .number(JSONNumber(maximumResults)),
        ]
        object["authenticationSchemes"] = [
            [
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "Authentication with a bearer token issued for an identity-provider connection",
                "specUri": "https://www.rfc-editor.org/info/rfc6750",
                "primary": true,
            ]
        ]
        object["meta"] = [
            "resourceType": "ServiceProviderConfig",
            "location": .string(location),
        ]
        return object
    }
}
