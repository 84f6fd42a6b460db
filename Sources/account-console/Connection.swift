import AccountConsole
import ArgumentParser
import Directory

struct ConnectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connection", abstract: "Manage identity-provider connections.",
        subcommands: [Create.self, List.self, Update.self])

    /// The deprovisioning options of `create`, each with its default.
    struct PolicyOptions: ParsableArguments {
        @Option(name: .customLong("on-deactivate"), help: "What active=false does: suspend, archive or delete.")
        var onDeactivate: DeprovisionAction = .suspend
        @Option(name: .customLong("on-delete"), help: "What DELETE /Users does: delete or archive.")
        var onDelete: DeprovisionAction = .delete
        @Option(
            name: .customLong("orphan-rule"),
            help: "What losing the last provisioned group does: delete, archive, suspend or off.")
        var orphanRule: OrphanRule = .delete

        var policies: ConnectionPolicies {
            ConnectionPolicies(onDeactivate: onDeactivate, onDelete: onDelete, orphanRule: orphanRule)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a connection and print its id.")

        @Option(help: "The connection's name (unique, ignoring case).") var name: String
        @Option(help: "okta, entra or generic.") var kind: ConnectionKind = .generic
        @OptionGroup var policy: PolicyOptions
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let connection = try await database.run { service in
                try await service.createConnection(
                    name: name, kind: kind, policies: policy.policies, by: .commandLine)
            }
            print(connection.id)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the connections and their policies.")

        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let connections = try await database.run { service in try await service.connections(by: .commandLine) }
            for connection in connections {
                print(
                    "\(connection.id)  \(connection.name)  \(connection.kind.rawValue)  active=false: \(connection.onDeactivate.rawValue), DELETE: \(connection.onDelete.rawValue), orphan rule: \(connection.orphanRule.rawValue)"
                )
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a connection or change some of its deprovisioning policies (the others stay as they are)."
        )

        @Option(help: "The name of the connection.") var name: String
        @Option(name: .customLong("rename"), help: "A new name.") var newName: String?
        @Option(name: .customLong("on-deactivate"), help: "What active=false does: suspend, archive or delete.")
        var onDeactivate: DeprovisionAction?
        @Option(name: .customLong("on-delete"), help: "What DELETE /Users does: delete or archive.")
        var onDelete: DeprovisionAction?
        @Option(
            name: .customLong("orphan-rule"),
            help: "What losing the last provisioned group does: delete, archive, suspend or off.")
        var orphanRule: OrphanRule?
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let connection = try await database.run { service in
                let existing = try await service.connection(named: name, by: .commandLine)
                let policies = ConnectionPolicies(
                    onDeactivate: onDeactivate ?? existing.onDeactivate, onDelete: onDelete ?? existing.onDelete,
                    orphanRule: orphanRule ?? existing.orphanRule)
                return try await service.updateConnection(
                    id: existing.id, name: newName, policies: policies, by: .commandLine)
            }
            print(
                "\(connection.id)  \(connection.name)  active=false: \(connection.onDeactivate.rawValue), DELETE: \(connection.onDelete.rawValue), orphan rule: \(connection.orphanRule.rawValue)"
            )
        }
    }
}

extension ConnectionKind: ExpressibleByArgument {}
extension DeprovisionAction: ExpressibleByArgument {}
extension OrphanRule: ExpressibleByArgument {}
extension TokenScope: ExpressibleByArgument {}
