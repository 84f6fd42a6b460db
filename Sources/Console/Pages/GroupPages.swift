import Directory
import Hummingbird
import SCIM

/// The Groups list, a group's page (members with IDP and manual mappings told apart), local
/// group editing, manual members and the confirmation pages that say what will follow.
struct GroupPages<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let views: Views

    static var pageSize: Int { 50 }

    struct ListRow: Sendable {
        var id: String
        var name: String
        var description: String
        var members: Int
        var origin: String
        var isIdP: Bool
        var changed: String
    }

    struct ListModel: Sendable {
        var chrome: PageChrome
        var q: String
        var rows: [ListRow]
        var hasRows: Bool
        var summary: String
        var pager: Pager
    }

    func list(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let q = String((request.uri.queryParameters["q"] ?? "").prefix(200)).trimmingWhitespace()
        let page = Pager.number(request.uri.queryParameters["page"])
        let names = try await Names.load(service, by: actor)
        var listing = ListRequest(
            sortBy: "displayName", startIndex: (page - 1) * Self.pageSize + 1, count: Self.pageSize,
            includeRelations: true)
        listing.search = q.isEmpty ? nil : q
        let result = try await service.listGroups(listing, by: actor)
        let rows = result.records.map { record in
            ListRow(
                id: record.group.id, name: record.group.displayName, description: record.group.description ?? "",
                members: record.members?.count ?? 0, origin: names.origin(record.group.origin),
                isIdP: record.group.origin != .local, changed: Format.when(record.group.updatedAt))
        }
        let model = ListModel(
            chrome: PageChrome(
                "Groups", section: "/groups", context: context,
                notice: Notice.text(request.uri.queryParameters["notice"])),
            q: q, rows: rows, hasRows: !rows.isEmpty, summary: Format.plural(result.totalResults, "group"),
            pager: Pager(
                page: page, size: Self.pageSize, total: result.totalResults,
                link: { "/groups?page=\($0)" + (q.isEmpty ? "" : "&q=\(q.addingPercentEncodingForQuery())") }))
        return views.page("groups", model)
    }

    struct MemberRow: Sendable {
        var id: String
        var userName: String
        var fullName: String
        var sources: [SourceBadge]
        var manual: Bool
    }

    struct Model: Sendable {
        var chrome: PageChrome
        var id: String
        var groupID: String
        var name: String
        var description: String
        var origin: String
        var ownedBy: String?
        var isLocal: Bool
        var members: [MemberRow]
        var hasMembers: Bool
        var memberSummary: String
        var pager: Pager
        var roles: [String]
        var hasRoles: Bool
        var roleChoices: [String]
        var events: [EventView]
        var hasEvents: Bool
        var eventsSummary: String
    }

    func page(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let id = try context.parameters.require("id")
        let after = request.uri.queryParameters["after"].map(String.init)
        let record = try await service.group(id: id, includeMembers: false, by: actor)
        let members = try await service.groupMembers(groupID: id, after: after, count: Self.pageSize, by: actor)
        let names = try await Names.load(service, by: actor)
        let roles = try await service.roleAssignments(of: .group(id), by: actor)
        let timeline = try await service.activity(ActivityQuery(resourceID: id, count: 25), by: actor)
        let group = record.group
        let model = Model(
            chrome: PageChrome(
                group.displayName, section: "/groups", context: context,
                notice: Notice.text(request.uri.queryParameters["notice"])),
            id: id, groupID: id, name: group.displayName, description: group.description ?? "",
            origin: names.origin(group.origin),
            ownedBy: group.origin.connectionID.map(names.connectionName), isLocal: group.origin == .local,
            members: members.members.map { member in
                MemberRow(
                    id: member.user.id, userName: member.user.userName,
                    fullName: UserPages<Parent>.fullName(member.user),
                    sources: member.sources.map { source in
                        var badge = names.source(source)
                        badge.since = member.since[source].map(Format.when) ?? ""
                        return badge
                    }, manual: member.sources.contains(.manual))
            }, hasMembers: !members.members.isEmpty, memberSummary: Format.plural(members.total, "member"),
            pager: Pager(
                next: members.next.map { "/groups/\(id)?after=\($0.addingPercentEncodingForQuery())" },
                first: after == nil ? nil : "/groups/\(id)"),
            roles: roles.map(\.rawValue), hasRoles: !roles.isEmpty, roleChoices: Role.allCases.map(\.rawValue),
            events: timeline.items.map { EventView($0, names: names) }, hasEvents: !timeline.items.isEmpty,
            eventsSummary: Format.plural(timeline.totalResults, "event"))
        return views.page("group", model)
    }

    struct MemberForm: ConsoleForm {
        var csrf: String
        var userName: String
    }

    struct GroupForm: ConsoleForm {
        var csrf: String
        var displayName: String
        var description: String?
    }

    func addMember(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(MemberForm.self, csrf: context.csrf)
        let actor = try context.actor()
        let user = try await service.user(userName: form.userName.trimmingWhitespace(), by: actor)
        _ = try await service.addManualMembers(groupID: id, userIDs: [user.id], by: actor)
        return Views.redirect("/groups/\(id)?notice=member-added")
    }

    /// Users whose name starts with `q`, for the add-member field's suggestions (JSON array).
    func candidates(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let q = String((request.uri.queryParameters["q"] ?? "").prefix(100)).trimmingWhitespace()
        var names: [String] = []
        if !q.isEmpty {
            var listing = ListRequest(count: 10, includeRelations: false)
            listing.search = q
            listing.status = .active
            names = try await service.listUsers(listing, by: actor).records.map(\.user.userName)
        }
        let json = JSONValue.array(names.map { .string($0) }).serialized()
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    struct ConfirmModel: Sendable {
        var chrome: PageChrome
        var heading: String
        var consequences: [String]
        var action: String
        var button: String
        var cancel: String
        var danger: Bool
    }

    /// What removing a manual member will do, before it is done.
    func confirmRemove(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let id = try context.parameters.require("id")
        let userID = try context.parameters.require("user")
        let group = try await service.group(id: id, includeMembers: false, by: actor).group
        let record = try await service.user(id: userID, by: actor)
        let names = try await Names.load(service, by: actor)
        let mapping = record.groups.first { $0.groupID == id }
        guard let mapping, mapping.sources.contains(.manual) else {
            throw ConsolePageError(
                status: .notFound,
                message: "\(record.user.userName) has no manual membership in \(group.displayName) to remove.")
        }
        var consequences: [String] = []
        let others = mapping.sources.filter { $0 != .manual }
        if others.isEmpty {
            consequences.append("\(record.user.userName) stops being a member of \(group.displayName).")
            let groupRoles = try await service.roleAssignments(of: .group(id), by: actor)
            let holdings = try await service.roles(of: record, by: actor)
            for role in groupRoles {
                let elsewhere = holdings.contains { $0.role == role && $0.groupID != id }
                consequences.append(
                    elsewhere
                        ? "They keep the role \(role.rawValue), which they hold another way."
                        : "They lose the role \(role.rawValue), given to \(group.displayName).")
            }
        } else {
            let via = others.map { names.source($0).label }.joined(separator: ", ")
            consequences.append(
                "\(record.user.userName) stays a member of \(group.displayName) through its IdP mapping (\(via)); only the manual mapping goes."
            )
        }
        consequences.append(
            "The orphan rule does not run: it concerns a connection's own mappings, and this one is manual.")
        let model = ConfirmModel(
            chrome: PageChrome("Remove \(record.user.userName)", section: "/groups", context: context),
            heading: "Remove \(record.user.userName) from \(group.displayName)?", consequences: consequences,
            action: "/groups/\(id)/members/\(userID)/remove", button: "Remove manual membership",
            cancel: "/groups/\(id)", danger: true)
        return views.page("confirm", model)
    }

    func removeMember(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let userID = try context.parameters.require("user")
        _ = try await request.consoleForm(TokenOnlyForm.self, csrf: context.csrf)
        _ = try await service.removeManualMembers(groupID: id, userIDs: [userID], by: try context.actor())
        return Views.redirect("/groups/\(id)?notice=member-removed")
    }

    struct FormModel: Sendable {
        var chrome: PageChrome
        var heading: String
        var action: String
        var displayName: String
        var description: String
        var button: String
    }

    func newPage(_ request: Request, _ context: Context) async throws -> Response {
        views.page(
            "group-form",
            FormModel(
                chrome: PageChrome("New local group", section: "/groups", context: context),
                heading: "New local group", action: "/groups", displayName: "", description: "",
                button: "Create group"))
    }

    func create(_ request: Request, _ context: Context) async throws -> Response {
        let form = try await request.consoleForm(GroupForm.self, csrf: context.csrf)
        let record = try await service.createLocalGroup(
            displayName: form.displayName, description: form.description, by: try context.actor())
        return Views.redirect("/groups/\(record.group.id)?notice=group-created")
    }

    func editPage(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let group = try await service.group(id: id, includeMembers: false, by: try context.actor()).group
        return views.page(
            "group-form",
            FormModel(
                chrome: PageChrome("Edit \(group.displayName)", section: "/groups", context: context),
                heading: "Edit \(group.displayName)", action: "/groups/\(id)/edit", displayName: group.displayName,
                description: group.description ?? "", button: "Save"))
    }

    func update(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(GroupForm.self, csrf: context.csrf)
        _ = try await service.updateLocalGroup(
            id: id, displayName: form.displayName, description: form.description, by: try context.actor())
        return Views.redirect("/groups/\(id)?notice=group-saved")
    }

    /// What deleting a group will do, before it is done.
    func confirmDelete(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let id = try context.parameters.require("id")
        let group = try await service.group(id: id, includeMembers: false, by: actor).group
        let members = try await service.groupMembers(groupID: id, after: nil, count: 1, by: actor)
        let roles = try await service.roleAssignments(of: .group(id), by: actor)
        var consequences = [
            "\(Format.plural(members.total, "member")) stop being members of \(group.displayName); the users themselves stay."
        ]
        for role in roles {
            consequences.append(
                "Members who hold the role \(role.rawValue) only through \(group.displayName) lose it.")
        }
        consequences.append("The orphan rule does not run: a local group holds only manual mappings.")
        let model = ConfirmModel(
            chrome: PageChrome("Delete \(group.displayName)", section: "/groups", context: context),
            heading: "Delete the group \(group.displayName)?", consequences: consequences,
            action: "/groups/\(id)/delete", button: "Delete group", cancel: "/groups/\(id)", danger: true)
        return views.page("confirm", model)
    }

    func delete(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await request.consoleForm(TokenOnlyForm.self, csrf: context.csrf)
        try await service.deleteLocalGroup(id: id, by: try context.actor())
        return Views.redirect("/groups?notice=group-deleted")
    }
}
