import Directory
import Hummingbird
import SCIM

/// Every SCIM request and console change: filters, paging, charts, and one row's detail.
struct ActivityPages<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let views: Views

    static var pageSize: Int { 50 }

    struct Model: Sendable {
        var chrome: PageChrome
        var connections: [SelectOption]
        var actors: [SelectOption]
        var outcomes: [SelectOption]
        var resources: [SelectOption]
        var since: String
        var until: String
        var events: [EventView]
        var hasEvents: Bool
        var summary: String
        var pager: Pager
        var chartDay: String
        var chartWeek: String
    }

    /// `YYYY-MM-DD` (a day, UTC) → its first instant; `nil` when empty or malformed.
    static func day(_ text: String?) -> Timestamp? {
        guard let text, !text.isEmpty, let time = SCIMDateTime(text + "T00:00:00Z") else { return nil }
        return Timestamp(microseconds: time.seconds * 1_000_000)
    }

    func list(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let parameters = request.uri.queryParameters.dictionary
        let page = Pager.number(parameters["page"])
        let names = try await Names.load(service, by: actor)
        var query = ActivityQuery(offset: (page - 1) * Self.pageSize, count: Self.pageSize)
        let connection = parameters["connection"] ?? ""
        if !connection.isEmpty { query.connectionID = connection }
        let who = parameters["actor"] ?? ""
        if !who.isEmpty { query.actor = who }
        let outcome = parameters["outcome"] ?? ""
        if let code = Int(outcome) { query.status = code } else { query.outcome = ActivityOutcome(rawValue: outcome) }
        let resource = parameters["resource"] ?? ""
        if !resource.isEmpty { query.resourceType = resource }
        let since = parameters["since"] ?? ""
        let until = parameters["until"] ?? ""
        query.since = Self.day(since)
        query.until = Self.day(until).map { $0.adding(seconds: 86_400) }
        let result = try await service.activity(query, by: actor)
        let chart = ActivityChart(service: service, actor: actor)
        var chartQuery = query
        chartQuery.offset = 0
        var link = parameters
        link["page"] = nil
        link["notice"] = nil
        let base = link.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map {
            "\($0.key)=\($0.value.addingPercentEncodingForQuery())"
        }.joined(separator: "&")
        let model = Model(
            chrome: PageChrome("Activity", section: "/activity", context: context),
            connections: [SelectOption(value: "", label: "Any connection", selected: connection.isEmpty)]
                + names.connections.values.sorted { $0.name < $1.name }.map {
                    SelectOption(value: $0.id, label: $0.name, selected: $0.id == connection)
                },
            actors: [SelectOption(value: "", label: "Anyone", selected: who.isEmpty)]
                + names.accounts.sorted { $0.value < $1.value }.map {
                    SelectOption(value: "account:\($0.key)", label: $0.value, selected: who == "account:\($0.key)")
                } + [
                    SelectOption(
                        value: "system:command line", label: "command line", selected: who == "system:command line")
                ],
            outcomes: [
                ("", "Any result"), ("succeeded", "Succeeded"), ("failed", "Failed"), ("401", "401 Unauthorized"),
                ("403", "403 Forbidden"), ("404", "404 Not found"), ("409", "409 Conflict"),
            ].map { SelectOption(value: $0.0, label: $0.1, selected: outcome == $0.0) },
            resources: [
                ("", "Any resource"), ("User", "Users"), ("Group", "Groups"), ("Connection", "Connections"),
                ("Token", "Tokens"), ("Account", "Accounts"),
            ].map {
                SelectOption(value: $0.0, label: $0.1, selected: resource == $0.0)
            }, since: since, until: until,
            events: result.items.map { EventView($0, names: names) }, hasEvents: !result.items.isEmpty,
            summary: Format.plural(result.totalResults, "event"),
            pager: Pager(
                page: page, size: Self.pageSize, total: result.totalResults,
                link: { "/activity?" + base + (base.isEmpty ? "" : "&") + "page=\($0)" }),
            chartDay: try await chart.svg(chartQuery, span: .day),
            chartWeek: try await chart.svg(chartQuery, span: .week))
        return views.page("activity", model)
    }

    struct Link: Sendable {
        var href: String
        var label: String
    }

    struct DetailModel: Sendable {
        var chrome: PageChrome
        var event: EventView
        var detail: String?
        var links: [Link]
        var hasLinks: Bool
    }

    func detail(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let id = try context.parameters.require("id")
        let (event, subjects) = try await service.activityEvent(id: id, by: actor)
        let names = try await Names.load(service, by: actor)
        let users = try await service.users(ids: subjects, by: actor)
        var links: [Link] = users.map { Link(href: "/users/\($0.id)", label: "User \($0.userName)") }
        let known = Set(users.map(\.id))
        for subject in subjects where !known.contains(subject) {
            if event.resourceType == "Group", subject == event.resourceID {
                let name = try? await service.group(id: subject, includeMembers: false, by: actor).group.displayName
                links.insert(Link(href: "/groups/\(subject)", label: "Group \(name ?? subject)"), at: 0)
            } else if event.resourceType == "Connection", subject == event.resourceID {
                links.insert(Link(href: "/connections/\(subject)", label: "Connection"), at: 0)
            }
        }
        let model = DetailModel(
            chrome: PageChrome("Activity \(event.method) \(event.status)", section: "/activity", context: context),
            event: EventView(event, names: names), detail: event.detail, links: links, hasLinks: !links.isEmpty)
        return views.page("activity-event", model)
    }
}
