import AccountConsole
import ArgumentParser
import Directory
import Foundation

struct ConnectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connection", abstract: "Manage identity-provider connections.",
        subcommands: [Create.self, List.self, Update.self, SAML.self, OIDC.self])

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
        @Option(
            name: .customLong("deletion-guard"),
            help: "At most this many deprovisions an hour; further ones wait for an admin (a number, or off).")
        var deletionGuard = DeletionGuardLimit(limit: Connection.defaultDeletionGuard)

        var policies: ConnectionPolicies {
            ConnectionPolicies(
                onDeactivate: onDeactivate, onDelete: onDelete, orphanRule: orphanRule,
                deletionGuard: deletionGuard.limit)
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
                    "\(connection.id)  \(connection.name)  \(connection.kind.rawValue)  active=false: \(connection.onDeactivate.rawValue), DELETE: \(connection.onDelete.rawValue), orphan rule: \(connection.orphanRule.rawValue), deletion guard: \(connection.deletionGuardDescription)"
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
        @Option(
            name: .customLong("deletion-guard"),
            help: "At most this many deprovisions an hour; further ones wait for an admin (a number, or off).")
        var deletionGuard: DeletionGuardLimit?
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let connection = try await database.run { service in
                let existing = try await service.connection(named: name, by: .commandLine)
                let policies = ConnectionPolicies(
                    onDeactivate: onDeactivate ?? existing.onDeactivate, onDelete: onDelete ?? existing.onDelete,
                    orphanRule: orphanRule ?? existing.orphanRule,
                    deletionGuard: deletionGuard.map(\.limit) ?? existing.deletionGuard)
                return try await service.updateConnection(
                    id: existing.id, name: newName, policies: policies, by: .commandLine)
            }
            print(
                "\(connection.id)  \(connection.name)  active=false: \(connection.onDeactivate.rawValue), DELETE: \(connection.onDelete.rawValue), orphan rule: \(connection.orphanRule.rawValue), deletion guard: \(connection.deletionGuardDescription)"
            )
        }
    }
}

extension ConnectionCommand {
    struct SAML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "saml",
            abstract: "Set a connection's SAML sign-in from the IdP's metadata XML (or turn it off).")

        @Option(help: "The name of the connection.") var name: String
        @Option(
            name: .customLong("idp-metadata"), help: "The IdP's SAML metadata file (Okta: Identity Provider metadata).")
        var idpMetadata: String?
        @Flag(name: .customLong("idp-initiated"), help: "Accept sign-ins started at the IdP (its dashboard tile).")
        var idpInitiated = false
        @Flag(name: .customLong("just-in-time"), help: "Create a user at their first sign-in when SCIM has not.")
        var justInTime = false
        @Flag(help: "Turn SAML sign-in off for the connection.") var off = false
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            guard (idpMetadata != nil) != off else {
                throw ValidationError("give either --idp-metadata FILE or --off")
            }
        }

        func run() async throws {
            var settings: SAMLSettings?
            if let idpMetadata {
                guard let bytes = FileManager.default.contents(atPath: idpMetadata) else {
                    throw CommandFailure(description: "cannot read \(idpMetadata)")
                }
                do {
                    settings = try SAMLSetup.settings(metadata: Array(bytes), idpInitiated: idpInitiated)
                } catch {
                    throw CommandFailure(description: error.description)
                }
            }
            let chosen = settings
            try await database.run { service in
                let connection = try await service.connection(named: name, by: .commandLine)
                try await service.configureSAML(
                    connectionID: connection.id, saml: chosen, justInTime: justInTime, by: .commandLine)
            }
            if let chosen {
                print("\(name): SAML sign-in from \(chosen.idpEntityID) (\(chosen.ssoURL))")
            } else {
                print("\(name): SAML sign-in is off")
            }
        }
    }
}

extension ConnectionCommand {
    struct OIDC: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "oidc",
            abstract: "Set a connection's OpenID Connect sign-in (or turn it off).",
            discussion: """
                The client secret stays in its file: only the file's path is stored, and the server \
                reads it when a sign-in needs it. The redirect URI to register at the provider is \
                <public URL>/oidc/<connection name>/callback.
                """)

        @Option(help: "The name of the connection.") var name: String
        @Option(help: "The issuer URL (discovery is read from <issuer>/.well-known/openid-configuration).")
        var issuer: String?
        @Option(name: .customLong("client-id"), help: "The client ID the provider gave.") var clientID: String?
        @Option(
            name: .customLong("client-secret-file"),
            help: "An absolute path of a file holding the client secret (omit for a public client).")
        var clientSecretFile: String?
        @Flag(name: .customLong("just-in-time"), help: "Create a user at their first sign-in when SCIM has not.")
        var justInTime = false
        @Flag(help: "Turn OpenID Connect sign-in off for the connection.") var off = false
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            if off {
                guard issuer == nil, clientID == nil else { throw ValidationError("--off takes no other settings") }
            } else {
                guard issuer != nil, clientID != nil else {
                    throw ValidationError("give --issuer and --client-id (and --client-secret-file), or --off")
                }
            }
        }

        func run() async throws {
            var settings: OIDCSettings?
            if let issuer, let clientID {
                var file: String?
                if let clientSecretFile {
                    let path =
                        clientSecretFile.hasPrefix("/")
                        ? clientSecretFile : FileManager.default.currentDirectoryPath + "/" + clientSecretFile
                    guard let contents = FileManager.default.contents(atPath: path),
                        !String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                            .isEmpty
                    else {
                        throw CommandFailure(description: "cannot read a client secret from \(path)")
                    }
                    file = path
                }
                settings = OIDCSettings(issuer: issuer, clientID: clientID, clientSecretFile: file)
            }
            let chosen = settings
            try await database.run { service in
                let connection = try await service.connection(named: name, by: .commandLine)
                try await service.configureOIDC(
                    connectionID: connection.id, oidc: chosen, justInTime: justInTime, by: .commandLine)
            }
            if let chosen {
                print("\(name): OpenID Connect sign-in through \(chosen.issuer) as client \(chosen.clientID)")
            } else {
                print("\(name): OpenID Connect sign-in is off")
            }
        }
    }
}

extension ConnectionKind: ExpressibleByArgument {}
extension DeprovisionAction: ExpressibleByArgument {}
extension OrphanRule: ExpressibleByArgument {}
extension TokenScope: ExpressibleByArgument {}
