import AccountConsole
import ArgumentParser
import Directory
import Logging

struct ConnectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connection", abstract: "Manage identity-provider connections.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a connection and print its id.")

        @Option(help: "The connection's name (unique, ignoring case).") var name: String
        @Option(help: "okta, entra or generic.") var kind: ConnectionKind = .generic
        @Option(name: .customLong("on-deactivate"), help: "What active=false does: suspend, archive or delete.")
        var onDeactivate: DeprovisionAction = .suspend
        @Option(name: .customLong("on-delete"), help: "What DELETE /Users does: delete or archive.")
        var onDelete: DeprovisionAction = .delete
        @Option(
            name: .customLong("orphan-rule"),
            help: "What losing the last provisioned group does: delete, archive, suspend or off.")
        var orphanRule: OrphanRule = .delete
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            if onDelete == .suspend { throw ValidationError("--on-delete must be delete or archive") }
        }

        func run() async throws {
            let directory = try await database.location().open(
                migrate: true, clock: SystemClock(), logger: Logger(label: "account-console"))
            do {
                let connection = try await Administration(
                    store: directory.store, clock: SystemClock(), ids: RandomIdentifiers()
                )
                .createConnection(
                    name: name, kind: kind, onDeactivate: onDeactivate, onDelete: onDelete, orphanRule: orphanRule)
                await directory.close()
                print(connection.id)
            } catch {
                await directory.close()
                throw CommandFailure(description: error.description)
            }
        }
    }
}

extension ConnectionKind: ExpressibleByArgument {}
extension DeprovisionAction: ExpressibleByArgument {}
extension OrphanRule: ExpressibleByArgument {}
extension TokenScope: ExpressibleByArgument {}
