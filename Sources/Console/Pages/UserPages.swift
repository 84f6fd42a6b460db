import Directory
import Hummingbird
import SCIM

/// The Users list (search, filters, sorting, paging, CSV) and a user's page.
struct UserPages<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let views: Views

    static var pageSize: Int { 50 }

    /// The sortable columns: the key in the URL, the SCIM attribute the store sorts by.
    static var sorts: [(key: String, attribute: String)] {
        [
            ("username", "userName"), ("name", "name.familyName"), ("email", "emails"), ("added", "meta.created"),
            ("changed", "meta.lastModified"),
        ]
    }

    /// The list's criteria as the URL carries them.
    struct Criteria: Sendable {
        var q: String
        var origin: String
        var connection: String
        var status: String
        var sort: String
        var order: String
        var page: Int

        init(_ query: [String: String]) {
            q = String((query["q"] ?? "").prefix(200))
            origin = query["origin"] ?? ""
            connection = query["connection"] ?? ""
            status = query["status"] ?? ""
            sort = query["sort"] ?? ""
            order = query["order"] == "descending" ? "descending" : "ascending"
            page = Pager.number(query["page"])
        }

        func request(count: Int) -> ListRequest {
            var request = ListRequest(
                sortBy: UserPages.sorts.first { $0.key == sort }?.attribute, sortOrder: order,
                startIndex: (page - 1) * count + 1, count: count)
            let direction: SCIM.SortOrder = order == "descending" ? .descending : .ascending
            if sort == "groups" { request.order = .groupCount(direction) }
            if sort == "origin" { request.order = .origin(direction) }
            request.search = q.trimmingWhitespace().isEmpty ? nil : q.trimmingWhitespace()
            if !connection.isEmpty {
                request.origin = .connection(connection)
            } else if origin == "local" {
                request.origin = .local
            } else if origin == "idp" {
                request.origin = .idp
            }
            request.status = StatusCriterion(rawValue: status)
            return request
        }

        /// The URL query for these criteria, with some changed.
        func query(page: Int? = nil, sort: String? = nil, order: String? = nil) -> String {
            var parts: [(String, String)] = []
            if !q.isEmpty { parts.append(("q", q)) }
            if !origin.isEmpty { parts.append(("origin", origin)) }
            if !connection.isEmpty { parts.append(("connection", connection)) }
            if !status.isEmpty { parts.append(("status", status)) }
            let sortKey = sort ?? self.sort
            if !sortKey.isEmpty {
                parts.append(("sort", sortKey))
                parts.append(("order", order ?? self.order))
            }
            if let page, page > 1 { parts.append(("page", String(page))) }
            return parts.map { "\($0.0)=\($0.1.addingPercentEncodingForQuery())" }.joined(separator: "&")
        }
    }

    struct Column: Sendable {
        var label: String
        var href: String?
        /// `ascending` / `descending` / `none`, for `aria-sort`.
        var ariaSort: String
        var arrow: String
        var className: String
    }

    struct Row: Sendable {
        var id: String
        var userName: String
        var fullName: String
        var email: String
        var groups: Int
        var origin: String
        var isIdP: Bool
        var added: String
        var addedISO: String
        var addedBy: String
        var changed: String
        var changedISO: String
        var status: String
        var statusClass: String
        var flagged: Bool
    }

    struct ListModel: Sendable {
        var chrome: PageChrome
        var q: String
        var origins: [SelectOption]
        var connections: [SelectOption]
        var statuses: [SelectOption]
        var sort: String
        var order: String
        var columns: [Column]
        var rows: [Row]
        var hasRows: Bool
        var summary: String
        var pager: Pager
        var exportHref: String
    }

    static func status(of user: User) -> (text: String, className: String) {
        if user.isArchived { return ("Archived", "archived") }
        if user.active == false { return ("Suspended", "suspended") }
        return ("Active", "active")
    }

    static func fullName(_ user: User) -> String {
        if let display = user.displayName { return display }
        return [user.givenName, user.familyName].compactMap { $0 }.joined(separator: " ")
    }

    func list(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let criteria = Criteria(request.uri.queryParameters.dictionary)
        let names = try await Names.load(service, by: actor)
        let result = try await service.listUsers(criteria.request(count: Self.pageSize), by: actor)
        let rows = result.records.map { row($0, names: names) }
        let columns: [Column] = [
            column("Username", "username", criteria, className: "col-username"),
            column("Full name", "name", criteria, className: "col-name"),
            column("Email", "email", criteria, className: "col-email"),
            column("Groups", "groups", criteria, className: "col-groups"),
            column("Origin", "origin", criteria, className: "col-origin"),
            column("Added", "added", criteria, className: "col-added"),
            column("Last change", "changed", criteria, className: "col-changed"),
        ]
        let first = result.totalResults == 0 ? 0 : (criteria.page - 1) * Self.pageSize + 1
        let model = ListModel(
            chrome: PageChrome(
                "Users", section: "/users", context: context, notice: Notice.text(request.uri.queryParameters["notice"])
            ),
            q: criteria.q,
            origins: [("", "Any origin"), ("local", "Local"), ("idp", "IDP")].map {
                SelectOption(value: $0.0, label: $0.1, selected: criteria.origin == $0.0 && criteria.connection.isEmpty)
            },
            connections: [SelectOption(value: "", label: "Any connection", selected: criteria.connection.isEmpty)]
                + names.connections.values.sorted { $0.name < $1.name }.map {
                    SelectOption(value: $0.id, label: $0.name, selected: criteria.connection == $0.id)
                },
            statuses: [("", "Any status"), ("active", "Active"), ("suspended", "Suspended"), ("archived", "Archived")]
                .map { SelectOption(value: $0.0, label: $0.1, selected: criteria.status == $0.0) },
            sort: criteria.sort, order: criteria.order, columns: columns, rows: rows, hasRows: !rows.isEmpty,
            summary: result.totalResults == 0
                ? "No users match."
                : "\(first)–\(first + rows.count - 1) of \(Format.plural(result.totalResults, "user"))",
            pager: Pager(
                page: criteria.page, size: Self.pageSize, total: result.totalResults,
                link: { "/users?" + criteria.query(page: $0) }),
            exportHref: "/users.csv?" + criteria.query())
        return views.page("users", model)
    }

    func column(_ label: String, _ key: String, _ criteria: Criteria, className: String) -> Column {
        let current = criteria.sort == key
        let nextOrder = current && criteria.order == "ascending" ? "descending" : "ascending"
        return Column(
            label: label, href: "/users?" + criteria.query(page: 1, sort: key, order: nextOrder),
            ariaSort: current ? criteria.order : "none",
            arrow: current ? (criteria.order == "ascending" ? "▲" : "▼") : "",
            className: className)
    }

    func row(_ record: UserRecord, names: Names) -> Row {
        let user = record.user
        let status = Self.status(of: user)
        return Row(
            id: user.id, userName: user.userName, fullName: Self.fullName(user), email: user.primaryEmail ?? "",
            groups: record.groups.count, origin: names.origin(user.origin), isIdP: user.origin != .local,
            added: Format.when(user.createdAt), addedISO: Format.iso(user.createdAt),
            addedBy: user.createdBy.map { names.actor($0) } ?? "", changed: Format.when(user.updatedAt),
            changedISO: Format.iso(user.updatedAt), status: status.text, statusClass: status.className,
            flagged: status.className != "active")
    }

    /// The current view (every page of it) as CSV, streamed a page at a time.
    func csv(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let criteria = Criteria(request.uri.queryParameters.dictionary)
        let names = try await Names.load(service, by: actor)
        // The first page is read before the response starts, so a bad criterion is an error page.
        var first = criteria
        first.page = 1
        let pageSize = 200
        let opening = try await service.listUsers(first.request(count: pageSize), by: actor)
        let service = self.service
        let limit = 100_000
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: CSV.line(CSV.header)))
            var page = opening
            var index = 1
            var written = 0
            while true {
                var text = ""
                for record in page.records {
                    text += CSV.line(CSV.fields(self.row(record, names: names)))
                }
                written += page.records.count
                try await writer.write(ByteBuffer(string: text))
                guard page.records.count == pageSize, written < limit else { break }
                index += 1
                var next = criteria
                next.page = index
                page = try await service.listUsers(next.request(count: pageSize), by: actor)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"users.csv\"",
                .cacheControl: "no-store",
            ], body: body)
    }
}

extension Parameters {
    /// The parameters as a dictionary (the last value of a repeated name wins).
    var dictionary: [String: String] {
        var output: [String: String] = [:]
        for (key, value) in self { output[String(key)] = String(value) }
        return output
    }
}
