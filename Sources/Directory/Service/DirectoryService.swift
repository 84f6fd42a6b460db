import Crypto
import SCIM
import Synchronization

/// A user as the API returns it: the row and the groups it belongs to.
public struct UserRecord: Sendable, Hashable {
    public var user: User
    public var groups: [UserGroupMapping]

    public init(user: User, groups: [UserGroupMapping]) {
        self.user = user
        self.groups = groups
    }
}

/// A group as the API returns it: the row and its member ids (`nil` when not asked for).
public struct GroupRecord: Sendable, Hashable {
    public var group: Group
    public var members: [String]?

    public init(group: Group, members: [String]?) {
        self.group = group
        self.members = members
    }
}

/// The outcome of a write that may have removed its target.
public enum WriteOutcome<Record: Sendable & Hashable>: Sendable, Hashable {
    /// The resource as it now is.
    case resource(Record)
    /// The resource is gone (deprovisioned by this request or earlier): the API answers 204.
    case removed
}

/// A list query as the API receives it.
public struct ListRequest: Sendable, Hashable {
    public var filter: String?
    public var sortBy: String?
    public var sortOrder: String?
    public var startIndex: Int?
    public var count: Int?
    /// RFC 9865: `""` asks for the first cursor page.
    public var cursor: String?
    /// Whether `groups` (users) or `members` (groups) are needed in the response.
    public var includeRelations: Bool
    /// The console's typed criteria, ANDed with the filter.
    public var origin: OriginCriterion?
    public var status: StatusCriterion?
    public var search: String?
    /// The console's own orders (origin, groups count), instead of `sortBy`.
    public var order: ConsoleOrder?

    public init(
        filter: String? = nil, sortBy: String? = nil, sortOrder: String? = nil, startIndex: Int? = nil,
        count: Int? = nil,
        cursor: String? = nil, includeRelations: Bool = true, origin: OriginCriterion? = nil,
        status: StatusCriterion? = nil, search: String? = nil
    ) {
        self.origin = origin
        self.status = status
        self.search = search
        self.filter = filter
        self.sortBy = sortBy
        self.sortOrder = sortOrder
        self.startIndex = startIndex
        self.count = count
        self.cursor = cursor
        self.includeRelations = includeRelations
    }
}

/// One page of a list, with what the ListResponse needs.
public struct ListResult<Record: Sendable & Hashable>: Sendable, Hashable {
    public var records: [Record]
    public var totalResults: Int
    /// 1-based, for index paging; `nil` for cursor pages.
    public var startIndex: Int?
    public var nextCursor: String?
}

/// The one place the directory's rules live, used by the SCIM API, the console and the command
/// line alike: every operation names its ``DirectoryActor``, and what that actor may do is decided
/// here. Store errors become SCIM errors here (the console renders those as pages).
public struct DirectoryService: Sendable {
    public let store: any DirectoryBackend
    public let clock: any DirectoryClock
    public let ids: any IdentifierGenerator
    /// The most resources one page returns (`filter.maxResults`).
    public var maximumResults: Int
    public var filterLimits: FilterLimits
    /// Console sessions and the login throttle.
    public var sessionPolicy: SessionPolicy = .standard
    /// Recently authenticated tokens (by hash), so a request does not pay two reads for its token.
    let authentications: AuthenticationCache
    /// Where sequential `startIndex` walks (Okta's imports) are remembered.
    let walks: IndexWalkCache

    public init(
        store: any DirectoryBackend, clock: any DirectoryClock, ids: any IdentifierGenerator,
        maximumResults: Int = 200, filterLimits: FilterLimits = .default
    ) {
        self.store = store
        self.clock = clock
        self.ids = ids
        self.maximumResults = maximumResults
        self.filterLimits = filterLimits
        self.authentications = AuthenticationCache()
        self.walks = IndexWalkCache()
    }

    private init(_ other: DirectoryService, store: any DirectoryBackend) {
        self.store = store
        self.clock = other.clock
        self.ids = other.ids
        self.maximumResults = other.maximumResults
        self.filterLimits = other.filterLimits
        self.sessionPolicy = other.sessionPolicy
        self.authentications = other.authentications
        self.walks = other.walks
    }

    /// This service over another store (a transaction).
    func on(_ store: any DirectoryBackend) -> DirectoryService {
        DirectoryService(self, store: store)
    }

    // MARK: Errors

    /// How long a client should wait before retrying while the database is unreachable.
    static let retryAfterSeconds = 5

    /// StoreError → SCIMError, at the service boundary. Driver text goes to `diagnostic` (logged
    /// with the request id by whoever renders the error), never to `detail`.
    static func translate(_ error: any Error, ifMatch: String? = nil) -> SCIMError {
        if let error = error as? SCIMError { return error }
        guard let error = error as? StoreError else {
            return SCIMError(
                status: 500, detail: "the server could not complete the request", diagnostic: String(describing: error))
        }
        switch error {
        case .notFound(let what): return .notFound("\(what) not found")
        case .conflict(let attribute, let value):
            return .uniqueness("\(attribute) \"\(value)\" already exists (\(attribute) is unique, ignoring case)")
        case .staleVersion(_, let current):
            if ifMatch != nil {
                return SCIMError(
                    status: 412,
                    detail: "the resource is at version \(entityTag(version: current)), not \(ifMatch ?? "")")
            }
            return SCIMError(status: 409, detail: "the resource changed while this request ran; retry it")
        case .constraint(let detail): return SCIMError(status: 409, detail: "\(detail); retry the request")
        case .unsupportedFilter(let detail): return .invalidFilter(detail)
        case .invalidInput(let detail): return .invalidValue(detail)
        case .transactionConflict(let reason):
            return SCIMError(
                status: 503, detail: "the request collided with a concurrent one; retry it", retryAfter: 1,
                diagnostic: reason)
        case .unavailable(let reason):
            return SCIMError(
                status: 503, detail: "the directory's database is unavailable; retry in a few seconds",
                retryAfter: retryAfterSeconds, diagnostic: reason)
        case .corruptRow:
            return SCIMError(
                status: 500, detail: "a stored record could not be read", diagnostic: error.description)
        case .refused(let reason):
            return SCIMError(status: 500, detail: "the server could not complete the request", diagnostic: reason)
        case .full(let reason):
            // RFC 4918's 507: the request was fine; the server cannot store it until space is freed.
            return SCIMError(
                status: 507, detail: "the directory's database has no space left; nothing was changed",
                retryAfter: retryAfterSeconds, diagnostic: reason)
        case .schemaOutdated, .schemaTooNew, .configuration:
            return SCIMError(
                status: 503, detail: "the directory is not ready: \(error.description)", diagnostic: error.description)
        }
    }

    /// How many times a transaction that collided with another (a deadlock, a serialization
    /// failure — the database rolled it back) is run again before the client gets a 503.
    static let conflictRetries = 3

    /// Runs `body` as one transaction. One that collided with another is run again; `note` is
    /// put back as it was before each attempt, so a retried request is described once.
    func run<T: Sendable>(
        ifMatch: String? = nil, note: ActivityNote? = nil,
        _ body: @escaping @Sendable (DirectoryService) async throws -> T
    )
        async throws(SCIMError) -> T
    {
        let mark = note?.mark()
        var attempt = 0
        while true {
            do {
                return try await store.transaction { transaction in try await body(self.on(transaction)) }
            } catch StoreError.transactionConflict where attempt < Self.conflictRetries {
                attempt += 1
                if let note, let mark { note.restore(mark) }
            } catch {
                throw Self.translate(error, ifMatch: ifMatch)
            }
        }
    }

    func read<T: Sendable>(_ body: () async throws -> T) async throws(SCIMError) -> T {
        do {
            return try await body()
        } catch {
            throw Self.translate(error)
        }
    }

    // MARK: Authentication

    /// The lower-case hex SHA-256 of a token: all that is stored of it.
    public static func hash(token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The actor a bearer token stands for; 401 when it is unknown, revoked or expired. The
    /// token is found by its SHA-256, so no secret is ever compared byte by byte. A revoked or
    /// expired token says so (its holder had it; the IdP admin needs to know which), and `note`
    /// learns its connection, whose health page counts such refusals.
    public func authenticate(
        token: String, address: String? = nil, note: ActivityNote? = nil
    ) async throws(SCIMError) -> DirectoryActor {
        let unauthorized = SCIMError(status: 401, detail: "Authorization failure: the token is missing or invalid")
        guard !token.isEmpty, token.utf8.count <= 512 else { throw unauthorized }
        let now = clock.now()
        let hash = Self.hash(token: token)
        if let cached = authentications.caller(for: hash, at: now), cached.token.isUsable(at: now) {
            return .connection(cached)
        }
        let generation = authentications.generation
        let found = try await read { try await store.token(sha256: hash) }
        guard let token = found else { throw unauthorized }
        guard token.isUsable(at: now) else {
            note?.rejected(connectionID: token.connectionID)
            let reason = token.revokedAt != nil ? "was revoked" : "has expired"
            throw SCIMError(
                status: 401,
                detail:
                    "Authorization failure: the token \(token.prefix)… \(reason); issue a new one for this connection in Account Console"
            )
        }
        guard let connection = try await read({ try await store.connection(id: token.connectionID) }) else {
            throw unauthorized
        }
        authentications.remember(
            Caller(connection: connection, token: token), for: hash, at: now, generation: generation)
        // Last use is kept to the minute: a write per request would serialize every read on SQLite.
        if (token.lastUsedAt.map { now.microseconds - $0.microseconds > 60_000_000 } ?? true) {
            try? await store.markTokenUsed(id: token.id, at: now, address: address)
        }
        return .connection(Caller(connection: connection, token: token))
    }

    // MARK: Lists

    func page(
        _ request: ListRequest, type: ResourceType
    ) throws(SCIMError) -> (query: ResourceQuery, startIndex: Int?, walk: WalkStep?) {
        var query = ResourceQuery(origin: request.origin, status: request.status, search: request.search)
        query.order = request.order
        if let filter = request.filter, !filter.isEmpty {
            query.filter = try type.resolveFilter(filter, limits: filterLimits)
        }
        query.sort = try SortSpecification(sortBy: request.sortBy, sortOrder: request.sortOrder, resourceType: type)
        let paging = IndexPaging(startIndex: request.startIndex, count: request.count, maximumCount: maximumResults)
        query.count = paging.count
        if let cursor = request.cursor {
            guard query.sort == nil, query.order == nil else {
                throw .invalidValue("cursor paging cannot be combined with sortBy on this server; use startIndex")
            }
            if !cursor.isEmpty {
                guard let after = Self.decodeCursor(cursor) else {
                    throw SCIMError(
                        status: 400, scimType: .invalidValue,
                        detail: "the cursor \"\(cursor)\" is not one this server issued")
                }
                query.after = after
            }
            return (query, nil, nil)
        }
        query.offset = paging.offset
        // A sequential startIndex walk in id order (Okta's import: it has no cursors) goes on
        // from where the previous page ended instead of skipping `offset` rows again.
        guard query.sort == nil, query.order == nil else { return (query, paging.startIndex, nil) }
        let key = IndexWalkCache.Key(
            type: type.name, filter: request.filter ?? "", origin: request.origin, status: request.status,
            search: request.search)
        var countedAt = clock.now()
        if query.offset > 0, let position = walks.position(key, offset: query.offset, at: countedAt) {
            query.after = position.lastID
            query.offset = 0
            query.knownTotal = position.total
            countedAt = position.countedAt
        }
        return (query, paging.startIndex, WalkStep(key: key, countedAt: countedAt))
    }

    /// Cursors are the last id of a page, marked so a foreign value is recognised.
    static func encodeCursor(_ id: String) -> String { "c1." + id }
    static func decodeCursor(_ cursor: String) -> String? {
        guard cursor.hasPrefix("c1."), cursor.count > 3 else { return nil }
        return String(cursor.dropFirst(3))
    }

    /// A page as a list result: a full cursor page offers the next cursor (its last id).
    static func result<Record>(
        _ page: Page<Record>, request: ListRequest, query: ResourceQuery, startIndex: Int?,
        id: (Record) -> String
    ) -> ListResult<Record> {
        let next =
            request.cursor != nil && page.items.count == query.count
            ? page.items.last.map { encodeCursor(id($0)) } : nil
        return ListResult(
            records: page.items, totalResults: page.totalResults, startIndex: startIndex, nextCursor: next)
    }

    /// One page of an index walk: its key, and when the total it reports was counted.
    struct WalkStep {
        var key: IndexWalkCache.Key
        var countedAt: Timestamp
    }

    /// Remembers where an index page ended, for the next page of the same walk. Only a full page
    /// has a next one: a lookup (one match, or none) remembers nothing.
    func rememberWalk(
        _ step: WalkStep?, startIndex: Int?, count: Int, pageSize: Int, lastID: String?, total: Int
    ) {
        guard let step, let startIndex, let lastID, count > 0, count == pageSize else { return }
        walks.remember(
            step.key, offset: startIndex - 1 + count, lastID: lastID, total: total, countedAt: step.countedAt,
            at: clock.now())
    }

    public func listUsers(
        _ request: ListRequest, by actor: DirectoryActor
    ) async throws(SCIMError) -> ListResult<UserRecord> {
        try actor.authorize(.read)
        let (query, startIndex, walk) = try page(request, type: .user)
        let result = try await read {
            let page =
                request.includeRelations
                ? try await store.userRecords(query)
                : try await store.users(query).map { UserRecord(user: $0, groups: []) }
            return Self.result(page, request: request, query: query, startIndex: startIndex) { $0.user.id }
        }
        rememberWalk(
            walk, startIndex: startIndex, count: result.records.count, pageSize: query.count,
            lastID: result.records.last?.user.id, total: result.totalResults)
        return result
    }

    public func listGroups(
        _ request: ListRequest, by actor: DirectoryActor
    ) async throws(SCIMError) -> ListResult<GroupRecord> {
        try actor.authorize(.read)
        let (query, startIndex, walk) = try page(request, type: .group)
        let result = try await read {
            let page = try await store.groups(query)
            // One query for the members of the whole page, when they are read here at all (the
            // SCIM API streams them instead, a page of ids at a time).
            let members =
                request.includeRelations ? try await store.memberIDs(groupIDs: page.items.map(\.id)) : [:]
            let records = page.map { group in
                GroupRecord(group: group, members: request.includeRelations ? members[group.id] ?? [] : nil)
            }
            return Self.result(records, request: request, query: query, startIndex: startIndex) { $0.group.id }
        }
        rememberWalk(
            walk, startIndex: startIndex, count: result.records.count, pageSize: query.count,
            lastID: result.records.last?.group.id, total: result.totalResults)
        return result
    }

    // MARK: Reads

    public func user(
        id: String, by actor: DirectoryActor, includeArchived: Bool = false
    ) async throws(SCIMError) -> UserRecord {
        try actor.authorize(.read)
        return try await read {
            guard let record = try await store.userRecord(id: id, includeArchived: includeArchived) else {
                throw StoreError.notFound("User \(id)")
            }
            return record
        }
    }

    public func group(
        id: String, includeMembers: Bool = true, by actor: DirectoryActor
    ) async throws(SCIMError) -> GroupRecord {
        try actor.authorize(.read)
        return try await read {
            guard let group = try await store.group(id: id) else { throw StoreError.notFound("Group \(id)") }
            return GroupRecord(group: group, members: includeMembers ? try await store.memberIDs(groupID: id) : nil)
        }
    }

    /// At most `count` member ids of a group after `after` (id order): how a big group's members
    /// are streamed to a client in bounded memory.
    public func memberIDs(
        groupID: String, after: String?, count: Int, by actor: DirectoryActor
    ) async throws(SCIMError) -> [String] {
        try actor.authorize(.read)
        return try await read { try await store.memberIDs(groupID: groupID, after: after, count: count) }
    }
}

/// Tokens checked in the last few seconds, by hash. A revoked token (or a changed connection
/// policy) takes effect within `lifetime` on every instance; in exchange a request costs no
/// database read for its credentials.
final class AuthenticationCache: Sendable {
    static let lifetime: Int64 = 5_000_000
    static let capacity = 1024

    private struct Entries {
        var byHash: [String: (caller: Caller, until: Int64)] = [:]
        /// Bumped by ``removeAll()``: a token read before a revocation is not remembered after it.
        var generation = 0
    }

    private let entries = Mutex(Entries())

    func caller(for hash: String, at now: Timestamp) -> Caller? {
        entries.withLock { entries in
            guard let entry = entries.byHash[hash], entry.until > now.microseconds else { return nil }
            return entry.caller
        }
    }

    /// The generation to hand back to ``remember(_:for:at:generation:)`` after a read.
    var generation: Int { entries.withLock { $0.generation } }

    /// Forgets every cached credential (after a token or a connection changed).
    func removeAll() {
        entries.withLock { entries in
            entries.byHash.removeAll()
            entries.generation += 1
        }
    }

    /// Remembers a credential read at `generation`, unless the cache was cleared since.
    func remember(_ caller: Caller, for hash: String, at now: Timestamp, generation: Int) {
        entries.withLock { entries in
            guard entries.generation == generation else { return }
            if entries.byHash.count >= Self.capacity { entries.byHash.removeAll() }
            entries.byHash[hash] = (caller, now.microseconds + Self.lifetime)
        }
    }
}

/// Fails with the version conflict `run(ifMatch:)` turns into 412 unless `If-Match` allows `version`.
func checkIfMatch(_ header: String?, version: Int) throws {
    guard ifMatchAllows(header, version: version) else {
        throw StoreError.staleVersion(expected: -1, current: version)
    }
}

/// `If-Match` (RFC 7644 §3.14): `*` or a list of entity tags, weak or strong.
func ifMatchAllows(_ header: String?, version: Int) -> Bool {
    guard let header = header?.trimmingSpaces(), !header.isEmpty else { return true }
    if header == "*" { return true }
    let current = "\"\(version)\""
    return header.split(separator: ",").contains { tag in
        var text = Substring(tag)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        return text == current
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
