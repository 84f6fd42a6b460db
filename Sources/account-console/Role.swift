import AccountConsole
import ArgumentParser
import Directory

/// `account-console role grant|revoke`: console roles for directory users and groups (the people
/// who sign in through their IdP), alongside the console's own Roles panels.
struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role", abstract: "Give console roles to directory users or groups, or take them away.",
        subcommands: [Grant.self, Revoke.self])

    struct Subject: ParsableArguments {
        @Option(help: "admin or viewer.") var role: Role
        @Option(help: "A user's userName.") var user: String?
        @Option(help: "A group's displayName.") var group: String?

        func validate() throws {
            guard (user != nil) != (group != nil) else { throw ValidationError("give either --user or --group") }
        }

        func resolve(_ service: DirectoryService) async throws -> (RoleSubject, String) {
            if let user {
                return (.user(try await service.user(userName: user, by: .commandLine).id), "user \(user)")
            }
            let name = group ?? ""
            return (.group(try await service.group(displayName: name, by: .commandLine).id), "group \(name)")
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a role to a user or to a group's members.")
        @OptionGroup var subject: Subject
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let label = try await database.run { service in
                let (target, label) = try await subject.resolve(service)
                try await service.grantRole(subject.role, to: target, by: .commandLine)
                return label
            }
            print("\(label) holds \(subject.role.rawValue)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a role from a user or a group.")
        @OptionGroup var subject: Subject
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let label = try await database.run { service in
                let (target, label) = try await subject.resolve(service)
                try await service.revokeRole(subject.role, from: target, by: .commandLine)
                return label
            }
            print("\(label) no longer holds \(subject.role.rawValue)")
        }
    }
}
