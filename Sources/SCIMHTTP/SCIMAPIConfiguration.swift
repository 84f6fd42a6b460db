import SCIM

/// How the SCIM API is served.
public struct SCIMAPIConfiguration: Sendable {
    /// Where the API is mounted: the path IOMETE documents, and the short alias.
    public static let mountPoints = ["/api/v1/identity/scim/v2", "/scim/v2"]

    /// The externally visible origin (`https://console.example.com`), used in `meta.location`,
    /// `Location` and `$ref`; without it the request's `Host` header is used.
    public var publicURL: String?
    /// Largest request body accepted (413 past it), advertised as `bulk.maxPayloadSize`.
    public var maximumRequestSize: Int
    /// Most resources a page returns (`filter.maxResults`).
    public var maximumResults: Int
    public var filterLimits: FilterLimits
    public var bulkLimits: BulkLimits

    public init(
        publicURL: String? = nil, maximumRequestSize: Int = 1_048_576, maximumResults: Int = 200,
        filterLimits: FilterLimits = .default,
        bulkLimits: BulkLimits = BulkLimits(maximumOperations: 1000, maximumPayloadSize: 1_048_576)
    ) {
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.maximumRequestSize = maximumRequestSize
        self.maximumResults = maximumResults
        self.filterLimits = filterLimits
        self.bulkLimits = bulkLimits
    }

    /// What `/ServiceProviderConfig` advertises: exactly the limits enforced.
    public var serviceProviderConfig: ServiceProviderConfig {
        ServiceProviderConfig(
            documentationUri: nil, patch: true, bulk: bulkLimits, maximumResults: maximumResults, changePassword: false,
            sort: true, etag: true, cursorPaging: true, filterLimits: filterLimits,
            maximumRequestSize: maximumRequestSize)
    }
}
