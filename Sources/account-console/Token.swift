import AccountConsole
import ArgumentParser
import Directory
import Logging

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage the SCIM tokens of connections.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token; it is printed once, alone on the last line (only its hash is stored).")

        @Option(help: "The name of the connection the token belongs to.") var connection: String
        @Option(help: "provision (read and write) or read.") var scope: TokenScope = .provision
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let directory = try await database.location().open(
                migrate: true, clock: SystemClock(), logger: Logger(label: "account-console"))
            do {
                let issued = try await Administration(
                    store: directory.store, clock: SystemClock(), ids: RandomIdentifiers()
                )
                .issueToken(connectionName: connection, scope: scope)
                await directory.close()
                print(
                    "token \(issued.record.prefix)… for connection \(connection) (\(scope.rawValue)); it is shown once:"
                )
                print(issued.token)
            } catch {
                await directory.close()
                throw CommandFailure(description: error.description)
            }
        }
    }
}
