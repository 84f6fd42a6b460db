import Directory
import Hummingbird

/// The role a form names (`admin` or `viewer`).
struct RoleForm: ConsoleForm {
    var csrf: String
    var role: String

    /// The role, or a 400 page.
    func parsed() throws -> Role {
        guard let role = Role(rawValue: role) else {
            throw ConsolePageError(status: .badRequest, message: "Choose the role admin or viewer.")
        }
        return role
    }
}

/// Giving and taking away console roles from a user's or a group's page.
struct RolePages<Parent: ConsoleParentContext>: Sendable {
    typealias Context = ConsoleRequestContext<Parent>
    let service: DirectoryService
    /// The subject named by the route's `:id`, and the page to go back to.
    let subject: @Sendable (String) -> RoleSubject
    let page: @Sendable (String) -> String

    func grant(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let role = try await request.consoleForm(RoleForm.self, csrf: context.csrf).parsed()
        try await service.grantRole(role, to: subject(id), by: try context.actor())
        return Views.redirect("\(page(id))?notice=role-granted")
    }

    func revoke(_ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let role = try await request.consoleForm(RoleForm.self, csrf: context.csrf).parsed()
        try await service.revokeRole(role, from: subject(id), by: try context.actor())
        return Views.redirect("\(page(id))?notice=role-revoked")
    }
}
