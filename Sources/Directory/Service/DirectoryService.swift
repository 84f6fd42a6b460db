import Crypto
import SCIM
import Synchronization

/// Who is calling the SCIM API: a connection, through one of its tokens.
public struct Caller: Sendable, Hashable {
    public var connection: Connection
    public var token: ScimToken

    public init(connection: Connection, token: ScimToken) {
        self.connection = connection
        self.token = token
    }

    var source: MembershipSource { .connection(connection.id) }
    var origin: Origin { .idp(connectionID: connection.id) }
}

/// A user as the API returns it: the row and the groups it belongs to.
public struct UserRecord: Sendable, Hashable {
    public var user: User
    public var groups: [UserGroupMapping]
}

/// A group as the API returns it: the row and its member ids (`nil` when not asked for).
public struct GroupRecord: Sendable, Hashable {
    public var group: Group
    public var members: [String]?
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

    public init(
        filter: String? = nil, sortBy: String? = nil, sortOrder: String? = nil, startIndex: Int? = nil,
        count: Int? = nil,
        cursor: String? = nil, includeRelations: Bool = true
    ) {
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

/// The one place the directory's rules live (DESIGN.md "Rules"), used by the SCIM API and the
/// console alike. Store errors become SCIM errors here.
public struct DirectoryService: Sendable {
    public let store: any DirectoryStore
    public let clock: any DirectoryClock
    public let ids: any IdentifierGenerator
    /// The most resources one page returns (`filter.maxResults`).
    public var maximumResults: Int
    public var filterLimits: FilterLimits
    /// Recently authenticated tokens (by hash), so a request does not pay two reads for its token.
    let authentications: AuthenticationCache

    public init(
        store: any DirectoryStore, clock: any DirectoryClock, ids: any IdentifierGenerator, maximumResults: Int = 200,
        filterLimits: FilterLimits = .default
    ) {
        self.store = store
        self.clock = clock
        self.ids = ids
        self.maximumResults = maximumResults
        self.filterLimits = filterLimits
        self.authentications = AuthenticationCache()
    }

    private init(_ other: DirectoryService, store: any DirectoryStore) {
        self.store = store
        self.clock = other.clock
        self.ids = other.ids
        self.maximumResults = other.maximumResults
        self.filterLimits = other.filterLimits
        self.authentications = other.authentications
    }

    /// This service over another store (a transaction).
    func on(_ store: any DirectoryStore) -> DirectoryService {
        DirectoryService(self, store: store)
    }

    // MARK: Errors

    /// StoreError → SCIMError, at the service boundary.
    static func translate(_ error: any Error, ifMatch: String? = nil) -> SCIMError {
        if let error = error as? SCIMError { return error }
        guard let error = error as? StoreError else {
            // A failed COMMIT or a dropped connection: safe to retry, and no driver text leaks.
            return SCIMError(status: 503, detail: "the directory could not complete the request; retry it")
        }
        switch error {
        case .notFound(let what): return .notFound("\(what) not found")
        case .uniqueness(let attribute, let value):
            return .uniqueness("\(attribute) \"\(value)\" already exists (\(attribute) is unique, ignoring case)")
        case .versionMismatch(_, let current):
            if ifMatch != nil {
                return SCIMError(
                    status: 412,
                    detail: "the resource is at version \(entityTag(version: current)), not \(ifMatch ?? "")")
            }
            return SCIMError(status: 409, detail: "the resource changed while this request ran; retry it")
        case .unsupported(let detail): return .invalidFilter(detail)
        case .schemaOutdated, .schemaTooNew, .unavailable:
            return SCIMError(status: 503, detail: "the directory is unavailable: \(error)")
        }
    }

    func run<T: Sendable>(
        ifMatch: String? = nil, _ body: @Sendable (DirectoryService) async throws -> T
    )
        async throws(SCIMError) -> T
    {
        do {
            return try await store.transaction { transaction in try await body(self.on(transaction)) }
        } catch {
            throw Self.translate(error, ifMatch: ifMatch)
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

    /// The caller a bearer token belongs to; 401 when it is unknown, revoked or expired. The
    /// token is found by its SHA-256, so no secret is ever compared byte by byte.
    public func authenticate(token: String) async throws(SCIMError) -> Caller {
        let unauthorized = SCIMError(status: 401, detail: "Authorization failure: the token is missing or invalid")
        guard !token.isEmpty, token.utf8.count <= 512 else { throw unauthorized }
        let now = clock.now()
        let hash = Self.hash(token: token)
        if let cached = authentications.caller(for: hash, at: now), cached.token.isUsable(at: now) { return cached }
        let found = try await read { try await store.token(sha256: hash) }
        guard let token = found, token.isUsable(at: now) else { throw unauthorized }
        guard let connection = try await read({ try await store.connection(id: token.connectionID) }) else {
            throw unauthorized
        }
        authentications.remember(Caller(connection: connection, token: token), for: hash, at: now)
        // Last use is kept to the minute: a write per request would serialize every read on SQLite.
        if (token.lastUsedAt.map { now.microseconds - $0.microseconds > 60_000_000 } ?? true) {
            try? await store.markTokenUsed(id: token.id, at: now)
        }
        return Caller(connection: connection, token: token)
    }

    func requireWrite(_ caller: Caller) throws(SCIMError) {
        if caller.token.scope != .provision {
            throw SCIMError(
                status: 403, detail: "this token is read-only (scope \"read\"); writes need a provision token")
        }
    }

    // MARK: Lists

    func page(_ request: ListRequest, type: ResourceType) throws(SCIMError) -> (ResourceQuery, startIndex: Int?) {
        var query = ResourceQuery()
        if let filter = request.filter, !filter.isEmpty {
            query.filter = try type.resolveFilter(filter, limits: filterLimits)
        }
        query.sort = try SortSpecification(sortBy: request.sortBy, sortOrder: request.sortOrder, resourceType: type)
        let paging = IndexPaging(startIndex: request.startIndex, count: request.count, maximumCount: maximumResults)
        query.count = paging.count
        if let cursor = request.cursor {
            guard query.sort == nil else {
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
            return (query, nil)
        }
        query.offset = paging.offset
        return (query, paging.startIndex)
    }

    /// Cursors are the last id of a page, marked so a foreign value is recognised.
    static func encodeCursor(_ id: String) -> String { "c1." + id }
    static func decodeCursor(_ cursor: String) -> String? {
        guard cursor.hasPrefix("c1."), cursor.count > 3 else { return nil }
        return String(cursor.dropFirst(3))
    }

    public func listUsers(_ request: ListRequest) async throws(SCIMError) -> ListResult<UserRecord> {
        let (query, startIndex) = try page(request, type: .user)
        return try await read {
            let page = try await store.users(query)
            let mappings =
                request.includeRelations ? try await store.groupMappings(userIDs: page.items.map(\.id)) : [:]
            let records = page.items.map { UserRecord(user: $0, groups: mappings[$0.id] ?? []) }
            let next =
                request.cursor != nil && page.items.count == query.count
                ? page.items.last.map { Self.encodeCursor($0.id) } : nil
            return ListResult(
                records: records, totalResults: page.totalResults, startIndex: startIndex, nextCursor: next)
        }
    }

    public func listGroups(_ request: ListRequest) async throws(SCIMError) -> ListResult<GroupRecord> {
        let (query, startIndex) = try page(request, type: .group)
        return try await read {
            let page = try await store.groups(query)
            // One query for the members of the whole page.
            let members =
                request.includeRelations ? try await store.memberIDs(groupIDs: page.items.map(\.id)) : [:]
            let records = page.items.map { group in
                GroupRecord(group: group, members: request.includeRelations ? members[group.id] ?? [] : nil)
            }
            let next =
                request.cursor != nil && page.items.count == query.count
                ? page.items.last.map { Self.encodeCursor($0.id) } : nil
            return ListResult(
                records: records, totalResults: page.totalResults, startIndex: startIndex, nextCursor: next)
        }
    }

    // MARK: Reads

    public func user(id: String) async throws(SCIMError) -> UserRecord {
        try await read {
            guard let user = try await store.user(id: id) else { throw StoreError.notFound("User \(id)") }
            return UserRecord(user: user, groups: try await store.groupMappings(userID: id))
        }
    }

    public func group(id: String, includeMembers: Bool = true) async throws(SCIMError) -> GroupRecord {
        try await read {
            guard let group = try await store.group(id: id) else { throw StoreError.notFound("Group \(id)") }
            return GroupRecord(group: group, members: includeMembers ? try await store.memberIDs(groupID: id) : nil)
        }
    }
}

/// Tokens checked in the last few seconds, by hash. A revoked token (or a changed connection
/// policy) takes effect within `lifetime` on every instance; in exchange a request costs no
/// database read for its credentials.
final class AuthenticationCache: Sendable {
    static let lifetime: Int64 = 5_000_000
    static let capacity = 1024
    private let entries = Mutex<[String: (caller: Caller, until: Int64)]>([:])

    func caller(for hash: String, at now: Timestamp) -> Caller? {
        entries.withLock { entries in
            guard let entry = entries[hash], entry.until > now.microseconds else { return nil }
            return entry.caller
        }
    }

    func remember(_ caller: Caller, for hash: String, at now: Timestamp) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[hash] = (caller, now.microseconds + Self.lifetime)
        }
    }
}

/// Fails with the version conflict `run(ifMatch:)` turns into 412 unless `If-Match` allows `version`.
func checkIfMatch(_ header: String?, version: Int) throws {
    guard ifMatchAllows(header, version: version) else {
        throw StoreError.versionMismatch(expected: -1, current: version)
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
