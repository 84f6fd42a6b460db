import AccountConsole
import ArgumentParser
import Foundation
import Logging

/// The options `serve` and `check-config` share. Each is also `ACCOUNT_CONSOLE_<NAME>` in the
/// environment and `<name>` in the configuration file; a flag wins over both.
struct ServeFlags: ParsableArguments {
    @Option(help: "A JSON configuration file (default: $ACCOUNT_CONSOLE_CONFIG, else none).") var config: String?
    @Option(help: "The address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "The port to listen on (default 8080).") var port: String?
    @Option(help: "A postgres:// URL or a SQLite file path (default account-console.db).") var database: String?
    @Option(name: .customLong("public-url"), help: "The externally visible origin, e.g. https://console.example.com.")
    var publicURL: String?
    @Option(name: .customLong("tls-cert"), help: "A PEM certificate chain: serve HTTPS (reloaded on SIGHUP).")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert.") var tlsKey: String?
    @Option(name: .customLong("log-format"), help: "text or json (default text).") var logFormat: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?
    @Option(name: .customLong("rate-limit"), help: "SCIM requests a second per token (default off).")
    var rateLimit: String?
    @Option(name: .customLong("rate-burst"), help: "Requests a token may send at once (default: the rate).")
    var rateBurst: String?
    @Option(
        name: .customLong("request-timeout"),
        help: "Seconds a connection may stay silent, and a request may take to arrive (default 30).")
    var requestTimeout: String?
    @Option(name: .customLong("activity-retention-days"), help: "Days the activity log keeps a row (default 90).")
    var activityDays: String?
    @Option(name: .customLong("activity-retention-rows"), help: "The most activity rows kept (default 1000000).")
    var activityRows: String?
    @Flag(help: "Apply pending migrations to an existing database before serving.") var migrate = false

    var given: [String: String] {
        let pairs: [(SettingKey, String?)] = [
            (ServeSettings.host, host), (ServeSettings.port, port), (ServeSettings.database, database),
            (ServeSettings.publicURL, publicURL), (ServeSettings.tlsCert, tlsCert), (ServeSettings.tlsKey, tlsKey),
            (ServeSettings.logFormat, logFormat), (ServeSettings.logLevel, logLevel),
            (ServeSettings.rateLimit, rateLimit), (ServeSettings.rateBurst, rateBurst),
            (ServeSettings.requestTimeout, requestTimeout),
            (ServeSettings.activityRetentionDays, activityDays), (ServeSettings.activityRetentionRows, activityRows),
            (ServeSettings.migrate, migrate ? "true" : nil),
        ]
        return Dictionary(pairs.compactMap { key, value in value.map { (key.name, $0) } }, uniquingKeysWith: { $1 })
    }

    func settings() async -> ServeSettings { await ServeSettings(flags: given, configFile: config) }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Serve the SCIM API and the console. Stops cleanly on SIGINT or SIGTERM; SIGHUP reloads the TLS files.",
        discussion: """
            A new database is set up; an older schema is migrated only with --migrate (or run account-console migrate first). On first start, with no console account, it creates "admin" with the password in ACCOUNT_CONSOLE_ADMIN_PASSWORD, or else prints a one-time password that the first sign-in must replace. account-console check-config prints what these settings resolve to.
            """
    )

    @OptionGroup var flags: ServeFlags

    func run() async throws {
        let settings = await flags.settings()
        let options: ServeOptions
        switch settings.options() {
        case .success(let checked): options = checked
        case .failure(let problems):
            throw CommandFailure(
                description: (problems.problems.first ?? "invalid configuration")
                    + " (account-console check-config lists every problem)")
        }
        options.logFormat.bootstrap(level: options.logLevel)
        try await AccountConsoleServer.run(options.server, logger: Logger(label: "account-console"))
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Print the configuration serve would run with (secrets masked) and what is wrong with it.",
        discussion:
            "Each setting shows where it came from: flag, environment, file or default. Exit status 1 when anything is wrong."
    )

    @OptionGroup var flags: ServeFlags

    func run() async throws {
        let settings = await flags.settings()
        if let file = settings.file { print("configuration file: \(file)") }
        let width = ServeSettings.all.map(\.name.count).max() ?? 0
        for setting in settings.resolved {
            let name = setting.key.name.padding(toLength: width, withPad: " ", startingAt: 0)
            print("\(name)  \(setting.shown)  (\(setting.source.rawValue); \(setting.key.environmentVariable))")
        }
        switch settings.options() {
        case .success: print("ok")
        case .failure(let problems):
            for problem in problems.problems { print("problem: \(problem)") }
            throw ExitCode.failure
        }
    }
}
