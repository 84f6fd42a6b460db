import Directory
import Hummingbird

/// The connection page's deletion guard: its limit (in the policies form), what it holds, and
/// the admin's release / reject.
extension ConnectionPages {
    struct HeldRow: Sendable {
        var userID: String
        var userName: String
        var action: String
        var trigger: String
        var heldAt: String
    }

    struct GuardSection: Sendable {
        /// The limit as the form's field shows it (empty when off).
        var limit: String
        var summary: String
        var tripped: Bool
        var held: [HeldRow]
        var hasHeld: Bool
        var heldCount: Int
    }

    func guardSection(_ connection: Connection, actor: DirectoryActor) async throws -> GuardSection {
        let status = try await service.deletionGuard(connectionID: connection.id, by: actor)
        let limit = status.limit.map { "at most \($0) an hour" } ?? "off"
        return GuardSection(
            limit: status.limit.map(String.init) ?? "",
            summary: "\(Format.plural(status.lastHour, "deprovision")) in the last hour; guard \(limit).",
            tripped: status.isTripped,
            held: status.held.map { held in
                HeldRow(
                    userID: held.userID, userName: held.userName, action: held.action.rawValue,
                    trigger: held.trigger, heldAt: Format.when(held.heldAt))
            }, hasHeld: !status.held.isEmpty, heldCount: status.held.count)
    }

    /// The warning the page leads with while the guard holds anything.
    static func guardWarning(_ section: GuardSection) -> Warning? {
        guard section.hasHeld || section.tripped else { return nil }
        return Warning(
            text:
                "The deletion guard tripped: \(Format.plural(section.heldCount, "deprovision")) held. Those users cannot sign in; nothing is deleted until you release or reject them below."
        )
    }

    /// `--deletion-guard` in the form: empty or "off" turns it off.
    static func deletionGuard(_ text: String?) throws -> Int? {
        let trimmed = (text ?? "").trimmingWhitespace()
        if trimmed.isEmpty || trimmed.lowercased() == "off" { return nil }
        guard let limit = Int(trimmed), (1...100_000).contains(limit) else {
            throw ConsolePageError(
                status: .badRequest,
                message: "The deletion guard is a number of deprovisions an hour from 1 to 100000, or empty for off.")
        }
        return limit
    }

    struct HeldForm: ConsoleForm {
        var csrf: String
        /// One held user's id, or none for all of them.
        var user: String?
    }

    func release(_ request: Request, _ context: Context) async throws -> Response {
        try await decide(.release, request, context)
    }

    func reject(_ request: Request, _ context: Context) async throws -> Response {
        try await decide(.reject, request, context)
    }

    private func decide(_ decision: HeldDecision, _ request: Request, _ context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = try await request.consoleForm(HeldForm.self, csrf: context.csrf)
        let users = form.user.flatMap { $0.isEmpty ? nil : [$0] }
        _ = try await service.decideHeld(decision, connectionID: id, userIDs: users, by: try context.actor())
        return Views.redirect("/connections/\(id)?notice=held-\(decision.rawValue)d#guard-h")
    }
}
