import SCIM

/// Where a resource came from, as a list criterion.
public enum OriginCriterion: Sendable, Hashable {
    /// Created in the console or by the command line.
    case local
    /// Provisioned by any identity-provider connection.
    case idp
    /// Provisioned by this connection (id).
    case connection(String)
}

/// A user's status, as a list criterion. Groups know only `active` (live) and `archived`.
public enum StatusCriterion: String, Sendable, Hashable, CaseIterable {
    /// Live and not `active=false`.
    case active
    /// Live with `active=false` (suspended by an admin or deactivated by the IdP).
    case suspended
    /// Archived: hidden from SCIM, kept for an admin to restore or delete.
    case archived
}

/// An order the console offers that no SCIM attribute names: by origin (IdP users grouped by
/// connection, then local ones), or by how many groups a user is in (counted per row: not index-backed, see
/// docs/benchmarks.md).
public enum ConsoleOrder: Sendable, Hashable {
    case origin(SortOrder)
    case groupCount(SortOrder)
}

/// A list query: the SCIM filter and the console's typed criteria (all ANDed), order and page.
public struct ResourceQuery: Sendable, Hashable {
    public var filter: ResolvedFilter?
    /// Local, IdP, or one connection's.
    public var origin: OriginCriterion?
    /// Active, suspended or archived (`archived` implies archived rows are read).
    public var status: StatusCriterion?
    /// Text search: a case-insensitive prefix of userName, displayName, given or family name or
    /// the primary email (users), of displayName (groups). Index-backed: every searched column
    /// has a folded, indexed key, and each branch of the OR is a range scan on one of them.
    public var search: String?
    /// `nil` orders by `id`, which is stable across pages (Okta's import relies on it).
    public var sort: SortSpecification?
    /// The console's own orders; used instead of `sort` when set.
    public var order: ConsoleOrder?
    /// 0-based offset (index paging).
    public var offset: Int
    /// Page size.
    public var count: Int
    /// Keyset paging: the `id` of the last resource of the previous page; only without `sort`.
    public var after: String?
    /// Whether archived rows are included (never for SCIM).
    public var includeArchived: Bool
    /// The total, when the caller already knows it (the next page of a walk): the store then
    /// does not count the matches again.
    public var knownTotal: Int?

    public init(
        filter: ResolvedFilter? = nil, origin: OriginCriterion? = nil, status: StatusCriterion? = nil,
        search: String? = nil, sort: SortSpecification? = nil, offset: Int = 0, count: Int = 100,
        after: String? = nil, includeArchived: Bool = false
    ) {
        self.filter = filter
        self.origin = origin
        self.status = status
        self.search = search
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

    /// The same page with each item transformed.
    public func map<Other>(_ transform: (Item) throws -> Other) rethrows -> Page<Other> {
        Page<Other>(items: try items.map(transform), totalResults: totalResults)
    }
}

/// Whether a request succeeded, as an activity criterion.
public enum ActivityOutcome: String, Sendable, Hashable, CaseIterable {
    /// Status below 400.
    case succeeded
    /// Status 400 or above.
    case failed
}

/// Which activity rows to list, newest first. Every criterion is ANDed.
public struct ActivityQuery: Sendable, Hashable {
    public var connectionID: String?
    /// `account:<id>`, `system:<name>` (connections are matched by ``connectionID``).
    public var actor: String?
    public var status: Int?
    public var outcome: ActivityOutcome?
    public var resourceType: String?
    /// Rows that touched this resource: as their subject or as a related one (a timeline).
    public var resourceID: String?
    /// Rows at or after `since` and before `until`.
    public var since: Timestamp?
    public var until: Timestamp?
    public var offset: Int
    public var count: Int

    public init(
        connectionID: String? = nil, actor: String? = nil, status: Int? = nil, outcome: ActivityOutcome? = nil,
        resourceType: String? = nil, resourceID: String? = nil, since: Timestamp? = nil, until: Timestamp? = nil,
        offset: Int = 0, count: Int = 50
    ) {
        self.actor = actor
        self.outcome = outcome
        self.since = since
        self.until = until
        self.connectionID = connectionID
        self.status = status
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.offset = offset
        self.count = count
    }
}
