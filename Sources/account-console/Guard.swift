import AccountConsole
import ArgumentParser
import Directory
import Foundation

/// `--deletion-guard N|off`.
struct DeletionGuardLimit: ExpressibleByArgument, Sendable {
    var limit: Int?

    init(limit: Int?) { self.limit = limit }

    init?(argument: String) {
        if argument.lowercased() == "off" {
            limit = nil
        } else if let number = Int(argument), (1...100_000).contains(number) {
            limit = number
        } else {
            return nil
        }
    }

    var defaultValueDescription: String { limit.map(String.init) ?? "off" }
}

extension Connection {
    var deletionGuardDescription: String { deletionGuard.map { "\($0)/h" } ?? "off" }
}

struct GuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Show and decide the deprovisions a connection's deletion guard holds.",
        subcommands: [List.self, Release.self, Reject.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List what the guard holds, oldest first, after a line with the last hour's count.")

        @Option(help: "The name of the connection.") var connection: String
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let (found, status) = try await database.run { service in
                let found = try await service.connection(named: connection, by: .commandLine)
                return (found, try await service.deletionGuard(connectionID: found.id, by: .commandLine))
            }
            let limit = status.limit.map { "\($0)" } ?? "off"
            print(
                "\(found.name): \(status.lastHour) deprovisions in the last hour (guard: \(limit)), \(status.held.count) held\(status.isTripped ? "; the guard is holding further deprovisions" : "")"
            )
            for held in status.held {
                print(
                    "\(held.userName)  \(held.action.rawValue)  \(held.trigger)  held \(held.heldAt)  \(held.userID)"
                )
            }
        }
    }

    /// `--user USERNAME` or `--all`.
    struct Selection: ParsableArguments {
        @Option(name: .customLong("connection"), help: "The name of the connection.") var connection: String
        @Option(help: "The userName of one held user.") var user: String?
        @Flag(help: "Every held deprovision of the connection.") var all = false

        func validate() throws {
            guard (user != nil) != all else { throw ValidationError("give either --user USERNAME or --all") }
        }

        func decide(_ decision: HeldDecision, database: DatabaseOption) async throws {
            let decided = try await database.run { service in
                let found = try await service.connection(named: connection, by: .commandLine)
                var ids: [String]?
                if let user {
                    let status = try await service.deletionGuard(connectionID: found.id, by: .commandLine)
                    guard let held = status.held.first(where: { $0.userName.lowercased() == user.lowercased() })
                    else {
                        throw CommandFailure(description: "no deprovision of \(user) is held for \(found.name)")
                    }
                    ids = [held.userID]
                }
                return try await service.decideHeld(decision, connectionID: found.id, userIDs: ids, by: .commandLine)
            }
            let verb = decision == .release ? "released" : "rejected"
            for held in decided {
                print("\(verb) \(held.userName) (\(decision == .release ? held.action.rawValue : "restored"))")
            }
            print("\(decided.count) \(verb)")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply held deprovisions: delete or archive the users as the policy said.")

        @OptionGroup var selection: Selection
        @OptionGroup var database: DatabaseOption

        func run() async throws { try await selection.decide(.release, database: database) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take held deprovisions back: restore the users as they were before the hold.")

        @OptionGroup var selection: Selection
        @OptionGroup var database: DatabaseOption

        func run() async throws { try await selection.decide(.reject, database: database) }
    }
}
