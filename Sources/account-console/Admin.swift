import AccountConsole
import ArgumentParser
import Directory

extension Role: ExpressibleByArgument {}

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Manage console accounts.",
        subcommands: [Create.self, ResetPassword.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a console account; its one-time password is printed once, alone on the last line.")

        @Option(help: "The account name.") var user: String
        @Option(help: "admin (changes anything) or viewer (sees everything, changes nothing).") var role: Role = .admin
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let password = try await database.run { service in
                try await service.createAccount(userName: user, password: nil, role: role, by: .commandLine)
            }
            print(
                "account \(user) (\(role.rawValue)) created; its one-time password, shown once (the first sign-in replaces it):"
            )
            print(password ?? "")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Give an account a new one-time password (printed once) and end its sessions.")

        @Option(help: "The account name.") var user: String
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let password = try await database.run { service in
                try await service.resetPassword(userName: user, by: .commandLine)
            }
            print("the password of \(user) was reset and its sessions ended; the one-time password, shown once:")
            print(password)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List console accounts and their roles.")

        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let accounts = try await database.run { service in try await service.accounts(by: .commandLine) }
            for summary in accounts {
                let state =
                    summary.account.disabledAt != nil
                    ? "disabled" : summary.account.mustChangePassword ? "one-time password" : "active"
                print("\(summary.account.userName)\t\(summary.role?.rawValue ?? "no role")\t\(state)")
            }
        }
    }
}
