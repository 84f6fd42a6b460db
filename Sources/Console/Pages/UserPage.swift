import Directory
import Hummingbird
import SCIM

/// A user's page: profile, groups with each mapping's source, roles, timeline, and actions.
struct UserPage<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let views: Views

    static var timelineSize: Int { 25 }

    struct Field: Sendable {
        var label: String
        var value: String
    }

    struct GroupRow: Sendable {
        var id: String
        var name: String
        var sources: [SourceBadge]
        var manual: Bool
    }

    struct RoleRow: Sendable {
        var role: String
        var through: String?
        var throughID: String?
        var direct: Bool
    }

    struct Model: Sendable {
        var chrome: PageChrome
        var id: String
        var userID: String
        var userName: String
        var fullName: String
        var status: String
        var statusClass: String
        var origin: String
        var ownedBy: String?
        var isLocal: Bool
        var isArchived: Bool
        var isSuspended: Bool
        var fields: [Field]
        var givenName: String
        var familyName: String
        var displayName: String
        var email: String
        var groups: [GroupRow]
        var hasGroups: Bool
        var roles: [RoleRow]
        var hasRoles: Bool
        var roleChoices: [String]
        var events: [EventView]
        var hasEvents: Bool
        var eventsSummary: String
        var pager: Pager
    }

    func page(_ request: Request, _ context: Context) async throws -> Response {
        let actor = try context.actor()
        let id = try context.parameters.require("id")
        let record = try await service.user(id: id, by: actor, includeArchived: true)
        let names = try await Names.load(service, by: actor)
        let user = record.user
        let status = UserPages<Parent>.status(of: user)
        let pageNumber = Pager.number(request.uri.queryParameters["page"])
        let timeline = try await service.activity(
            ActivityQuery(
                resourceID: id, offset: (pageNumber - 1) * Self.timelineSize, count: Self.timelineSize), by: actor)
        let roles = try await service.roles(of: record, by: actor)
        var fields: [Field] = [
            Field(label: "Username", value: user.userName),
            Field(label: "Display name", value: user.displayName ?? "—"),
            Field(label: "Given name", value: user.givenName ?? "—"),
            Field(label: "Family name", value: user.familyName ?? "—"),
            Field(label: "Email", value: user.emails.compactMap(\.value).joined(separator: ", ")),
            Field(label: "External id", value: user.externalId ?? "—"),
            Field(label: "Origin", value: names.origin(user.origin)),
            Field(
                label: "Added",
                value: Format.when(user.createdAt) + (user.createdBy.map { " by " + names.actor($0) } ?? "")),
            Field(label: "Last change", value: Format.when(user.updatedAt)),
            Field(label: "Id", value: user.id),
        ]
        if let archived = user.archivedAt { fields.append(Field(label: "Archived", value: Format.when(archived))) }
        let model = Model(
            chrome: PageChrome(
                user.userName, section: "/users", context: context,
                notice: Notice.text(request.uri.queryParameters["notice"])),
            id: user.id, userID: user.id, userName: user.userName, fullName: UserPages<Parent>.fullName(user),
            status: status.text,
            statusClass: status.className, origin: names.origin(user.origin),
            ownedBy: user.origin.connectionID.map(names.connectionName), isLocal: user.origin == .local,
            isArchived: user.isArchived, isSuspended: !user.isArchived && user.active == false, fields: fields,
            givenName: user.givenName ?? "", familyName: user.familyName ?? "", displayName: user.displayName ?? "",
            email: user.primaryEmail ?? "",
            groups: record.groups.map { mapping in
                GroupRow(
                    id: mapping.groupID, name: mapping.displayName,
                    sources: mapping.sources.map { source in
                        var badge = names.source(source)
                        badge.since = mapping.since[source].map(Format.when) ?? ""
                        return badge
                    }, manual: mapping.sources.contains(.manual))
            }, hasGroups: !record.groups.isEmpty,
            roles: roles.map {
                RoleRow(role: $0.role.rawValue, through: $0.groupName, throughID: $0.groupID, direct: $0.groupID == nil)
            }, hasRoles: !roles.isEmpty, roleChoices: Role.allCases.map(\.rawValue),
            events: timeline.items.map { EventView($0, names: names) }, hasEvents: !timeline.items.isEmpty,
            eventsSummary: Format.plural(timeline.totalResults, "event"),
            pager: Pager(
                page: pageNumber, size: Self.timelineSize, total: timeline.totalResults,
                link: { "/users/\(id)?page=\($0)" }))
        return views.page("user", model)
    }

    struct ProfileForm: ConsoleForm {
        var csrf: String
        var userName: String
        var displayName: String?
        var givenName: String?
        var familyName: String?
        var email: String?

        var profile: LocalUserProfile {
            LocalUserProfile(
                userName: userName, displayName: displayName, givenName: givenName, familyName: familyName,
                email: email)
        }
    }

    struct GroupForm: ConsoleForm {
        var csrf: String
        var group: String
    }

    struct NewModel: Sendable {
        var chrome: PageChrome
    }

    func newPage(_ request: Request, _ context: Context) async throws -> Response {
        views.page("user-new", NewModel(chrome: PageChrome("New local user", section: "/users", context: context)))
    }

    func create(_ request: Request, _ context: Context) async throws -> Response {
        let form = try await request.consoleForm(ProfileForm.self, csrf: context.csrf)
        let record = try await service.createLocalUser(form.profile, by: try context.actor())
        return Views.redirect("/users/\(record.user.id)?notice=user-created")
    }

    func update(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(ProfileForm.self, csrf: context.csrf)
        _ = try await service.updateLocalUser(id: id, form.profile, by: try context.actor())
        return Views.redirect("/users/\(id)?notice=user-saved")
    }

    func suspend(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await request.consoleForm(TokenOnlyForm.self, csrf: context.csrf)
        _ = try await service.suspendUser(id: id, by: try context.actor())
        return Views.redirect("/users/\(id)?notice=user-suspended")
    }

    func restore(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await request.consoleForm(TokenOnlyForm.self, csrf: context.csrf)
        _ = try await service.restoreUser(id: id, by: try context.actor())
        return Views.redirect("/users/\(id)?notice=user-restored")
    }

    func delete(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await request.consoleForm(TokenOnlyForm.self, csrf: context.csrf)
        try await service.deleteUser(id: id, by: try context.actor())
        return Views.redirect("/users?notice=user-deleted")
    }

    func addToGroup(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(GroupForm.self, csrf: context.csrf)
        let actor = try context.actor()
        let group = try await service.group(displayName: form.group.trimmingWhitespace(), by: actor)
        _ = try await service.addManualMembers(groupID: group.id, userIDs: [id], by: actor)
        return Views.redirect("/users/\(id)?notice=member-added")
    }
}
