import AccountConsole
import ArgumentParser
import Foundation
import Logging
import SCIMHTTP

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Serve the SCIM API and the console (migrating the database first). Stops cleanly on SIGINT or SIGTERM.",
        discussion:
            "On first start, with no console account, it creates \"admin\" with the password in ACCOUNT_CONSOLE_ADMIN_PASSWORD, or else prints a one-time password that the first sign-in must replace."
    )

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @OptionGroup var database: DatabaseOption
    @Option(name: .customLong("public-url"), help: "The externally visible origin, e.g. https://console.example.com.")
    var publicURL: String?
    @Option(name: .customLong("activity-retention-days"), help: "Days the activity log keeps a row.")
    var activityDays = RetentionPolicy.default.activityDays
    @Option(name: .customLong("activity-retention-rows"), help: "The most rows the activity log keeps (the newest).")
    var activityRows = RetentionPolicy.default.activityRows

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            throw ValidationError("--public-url must start with http:// or https://")
        }
        guard activityDays > 0 else { throw ValidationError("--activity-retention-days must be at least 1") }
        guard activityRows > 0 else { throw ValidationError("--activity-retention-rows must be at least 1") }
    }

    func run() async throws {
        var logger = Logger(label: "account-console")
        logger.logLevel = .info
        let configuration = ServerConfiguration(
            host: host, port: port, database: try database.location(), api: SCIMAPIConfiguration(publicURL: publicURL),
            retention: RetentionPolicy(
                activityDays: activityDays, activityRows: activityRows, interval: RetentionPolicy.default.interval),
            adminPassword: ProcessInfo.processInfo.environment["ACCOUNT_CONSOLE_ADMIN_PASSWORD"])
        try await AccountConsoleServer.run(configuration, logger: logger)
    }
}
