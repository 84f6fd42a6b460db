import SCIM

/// A list query: filter, order and page.
public struct ResourceQuery: Sendable, Hashable {
    public var filter: ResolvedFilter?
    /// `nil` orders by `id`, which is stable across pages (Okta's import relies on it).
    public var sort: SortSpecification?
    /// 0-based offset (index paging).
    public var offset: Int
    /// Page size.
    public var count: Int
    /// Keyset paging: the `id` of the last resource of the previous page; only without `sort`.
    public var after: String?
    /// Whether archived rows are included (never for SCIM).
    public var includeArchived: Bool

    public init(
        filter: ResolvedFilter? = nil, sort: SortSpecification? = nil, offset: Int = 0, count: Int = 100,
        after: String? = nil, includeArchived: Bool = false
    ) {
        self.filter = filter
        self.sort = sort
        self.offset = offset
        self.count = count
        self.after = after
        self.includeArchived = includeArchived
    }
}

/// One page of results and the number of all matches.
public struct Page<Item: Sendable & Hashable>: Sendable, Hashable {
    public var items: [Item]
    public var totalResults: Int

    public init(items: [Item], totalResults: Int) {
        self.items = items
        self.totalResults = totalResults
    }
}

/// Which activity rows to list.
public struct ActivityQuery: Sendable, Hashable {
    public var connectionID: String?
    public var status: Int?
    public var resourceType: String?
    public var resourceID: String?
    public var offset: Int
    public var count: Int

    public init(
        connectionID: String? = nil, status: Int? = nil, resourceType: String? = nil, resourceID: String? = nil,
        offset: Int = 0, count: Int = 50
    ) {
        self.connectionID = connectionID
        self.status = status
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.offset = offset
        self.count = count
    }
}
