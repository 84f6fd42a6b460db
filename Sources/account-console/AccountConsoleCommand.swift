import AccountConsole
import ArgumentParser
import Directory
import Foundation

/// `account-console`: a thin command line over the `AccountConsole` library, one file per
/// subcommand. Wrong arguments print one line and exit with status 2.
@main
struct AccountConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account-console",
        abstract: "The identity directory and SCIM 2.0 endpoint of a platform.",
        subcommands: [
            Serve.self, Migrate.self, AdminCommand.self, ConnectionCommand.self, TokenCommand.self, RoleCommand.self,
            GuardCommand.self, CheckConfig.self, Export.self, Import.self, Replay.self,
        ])

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            // The command has said what went wrong (check-config's problems).
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if error is CommandFailure || code == .validationFailure || code.rawValue == 64 {
                var message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                if message.hasPrefix("Error: ") { message.removeFirst(7) }
                FileHandle.standardError.write(Data("account-console: \(message)\n".utf8))
                Foundation.exit(2)
            }
            FileHandle.standardError.write(Data("account-console: \(fullMessage(for: error))\n".utf8))
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}

/// A failure worth one line and exit status 2 (a bad argument discovered at run time).
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}

/// The `--database` option every command shares.
struct DatabaseOption: ParsableArguments {
    @Option(
        name: .long,
        help:
            "A postgres:// or postgresql:// URL, or a SQLite file path (default: $ACCOUNT_CONSOLE_DATABASE, else account-console.db)."
    )
    var database: String?

    func location() throws -> DatabaseLocation {
        do {
            return try DatabaseLocation.resolve(database)
        } catch {
            throw CommandFailure(description: error.description)
        }
    }

    /// Runs `body` with the directory service; a refused or failed operation is one line and
    /// exit status 2.
    func run<T: Sendable>(_ body: (DirectoryService) async throws -> T) async throws -> T {
        do {
            return try await CommandLineDirectory.run(try location(), body)
        } catch let error as CommandLineDirectory.Failure {
            throw CommandFailure(description: error.description)
        }
    }
}
