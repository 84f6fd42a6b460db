import AccountConsole
import ArgumentParser
import Directory

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage the SCIM tokens of connections.",
        subcommands: [Create.self, List.self, Rotate.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token; it is printed once, alone on the last line (only its hash is stored).")

        @Option(help: "The name of the connection the token belongs to.") var connection: String
        @Option(help: "provision (read and write) or read.") var scope: TokenScope = .provision
        @Option(name: .customLong("expires-in-days"), help: "Days until the token stops working (default: never).")
        var expiresInDays: Int?
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            if let expiresInDays, !(1...3650).contains(expiresInDays) {
                throw ValidationError("--expires-in-days must be between 1 and 3650")
            }
        }

        func run() async throws {
            let issued = try await database.run { service in
                let owner = try await service.connection(named: connection, by: .commandLine)
                let expiry = expiresInDays.map { service.clock.now().adding(seconds: Int64($0) * 86_400) }
                return try await service.issueToken(
                    connectionID: owner.id, scope: scope, expiresAt: expiry, by: .commandLine)
            }
            print(
                "token \(issued.record.prefix)… (id \(issued.record.id)) for connection \(connection) (\(scope.rawValue)); it is shown once:"
            )
            print(issued.token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a connection's tokens (never the secrets).")

        @Option(help: "The name of the connection.") var connection: String
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let tokens = try await database.run { service in
                let owner = try await service.connection(named: connection, by: .commandLine)
                return try await service.tokens(connectionID: owner.id, by: .commandLine)
            }
            for token in tokens {
                let state =
                    token.revokedAt.map { "revoked \($0)" } ?? token.expiresAt.map { "expires \($0)" } ?? "no expiry"
                print(
                    "\(token.id)  \(token.prefix)…  \(token.scope.rawValue)  \(state)  last used \(token.lastUsedAt.map(\.description) ?? "never")"
                )
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Issue a replacement for a token; the old one keeps working for the overlap. The new token is printed once, on the last line."
        )

        @Option(help: "The id of the token to rotate (see `token list`).") var id: String
        @Option(name: .customLong("overlap-hours"), help: "Hours the old token keeps working.")
        var overlapHours: Int = 24
        @OptionGroup var database: DatabaseOption

        func validate() throws {
            if !(0...720).contains(overlapHours) { throw ValidationError("--overlap-hours must be between 0 and 720") }
        }

        func run() async throws {
            let issued = try await database.run { service in
                try await service.rotateToken(id: id, overlapSeconds: Int64(overlapHours) * 3600, by: .commandLine)
            }
            print("token \(issued.record.prefix)… (id \(issued.record.id)) replaces \(id); it is shown once:")
            print(issued.token)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token (a running server stops accepting it within 5 seconds).")

        @Option(help: "The id of the token to revoke (see `token list`).") var id: String
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            try await database.run { service in try await service.revokeToken(id: id, by: .commandLine) }
            print("revoked \(id)")
        }
    }
}
