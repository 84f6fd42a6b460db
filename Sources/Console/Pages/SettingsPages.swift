import Directory
import Hummingbird
import SCIM

/// Settings: console accounts and their roles, and every role given to a user or a group.
struct SettingsPages<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    let views: Views

    struct AccountRow: Sendable {
        var id: String
        var userName: String
        var role: String
        var created: String
        var state: String
        var isSelf: Bool
        var roles: [Choice]
    }

    struct Choice: Sendable {
        var value: String
        var selected: Bool
    }

    struct Assignment: Sendable {
        var role: String
        var kind: String
        var name: String
        var href: String
    }

    struct Model: Sendable {
        var chrome: PageChrome
        var accounts: [AccountRow]
        var assignments: [Assignment]
        var hasAssignments: Bool
        var oneTimePassword: String?
        var oneTimeFor: String?
        var roleChoices: [String]
    }

    func page(_ request: Request, _ context: Context) async throws -> Response {
        try await render(request, context, oneTime: nil)
    }

    func render(
        _ request: Request, _ context: Context, oneTime: (user: String, password: String)?
    ) async throws
        -> Response
    {
        let actor = try context.actor()
        let accounts = try await service.accounts(by: actor)
        let assignments = try await service.roleAssignments(by: actor)
        var rows: [Assignment] = []
        for assignment in assignments {
            switch assignment.subject {
            case .account: continue
            case .user(let id):
                let name = (try? await service.user(id: id, by: actor, includeArchived: true).user.userName) ?? id
                rows.append(Assignment(role: assignment.role.rawValue, kind: "User", name: name, href: "/users/\(id)"))
            case .group(let id):
                let name = (try? await service.group(id: id, includeMembers: false, by: actor).group.displayName) ?? id
                rows.append(
                    Assignment(role: assignment.role.rawValue, kind: "Group", name: name, href: "/groups/\(id)"))
            }
        }
        let model = Model(
            chrome: PageChrome(
                "Settings", section: "/settings", context: context,
                notice: Notice.text(request.uri.queryParameters["notice"])),
            accounts: accounts.map { summary in
                AccountRow(
                    id: summary.account.id, userName: summary.account.userName, role: summary.role?.rawValue ?? "none",
                    created: Format.when(summary.account.createdAt),
                    state: summary.account.disabledAt != nil
                        ? "Disabled" : summary.account.mustChangePassword ? "One-time password" : "Active",
                    isSelf: summary.account.id == context.signIn?.account.id,
                    roles: Role.allCases.map { Choice(value: $0.rawValue, selected: $0 == summary.role) })
            }, assignments: rows, hasAssignments: !rows.isEmpty, oneTimePassword: oneTime?.password,
            oneTimeFor: oneTime?.user, roleChoices: Role.allCases.map(\.rawValue))
        return views.page("settings", model)
    }

    struct AccountForm: ConsoleForm {
        var csrf: String
        var userName: String
        var role: String
    }

    func createAccount(_ request: Request, _ context: Context) async throws -> Response {
        let form = try await request.consoleForm(AccountForm.self, csrf: context.csrf)
        let role = try RoleForm(csrf: form.csrf, role: form.role).parsed()
        let password = try await service.createAccount(
            userName: form.userName, password: nil, role: role, by: try context.actor())
        return try await render(request, context, oneTime: password.map { (form.userName.trimmingWhitespace(), $0) })
    }

    func setRole(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let role = try await request.consoleForm(RoleForm.self, csrf: context.csrf).parsed()
        try await service.setAccountRole(accountID: id, role: role, by: try context.actor())
        return Views.redirect("/settings?notice=account-role")
    }

    func resetPassword(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        _ = try await request.consoleForm(TokenOnlyForm.self, csrf: context.csrf)
        let actor = try context.actor()
        guard let account = try await service.accounts(by: actor).first(where: { $0.account.id == id }) else {
            throw ConsolePageError(status: .notFound, message: "There is no such account.")
        }
        let password = try await service.resetPassword(userName: account.account.userName, by: actor)
        return try await render(request, context, oneTime: (account.account.userName, password))
    }
}
