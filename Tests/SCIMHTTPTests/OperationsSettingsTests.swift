import AccountConsole
import Foundation
import Logging
import Testing

/// `serve`'s settings: a flag wins over the environment, which wins over the file, which wins
/// over the default; what is wrong is said, one line each.
@Suite("Operations settings")
struct OperationsSettingsTests {
    static func file(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ac-\(UUID().uuidString).json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("flag, then ACCOUNT_CONSOLE_*, then the file, then the default")
    func precedence() async throws {
        let path = try Self.file(#"{"port": 9000, "host": "0.0.0.0", "logLevel": "debug", "rateLimit": 2.5}"#)
        let settings = await ServeSettings(
            flags: ["port": "9100"], configFile: path,
            environment: ["ACCOUNT_CONSOLE_HOST": "10.0.0.1", "ACCOUNT_CONSOLE_PORT": "9200"])
        let sources = Dictionary(uniqueKeysWithValues: settings.resolved.map { ($0.key.name, $0.source) })
        #expect(settings.value(ServeSettings.port) == "9100" && sources["port"] == .flag)
        #expect(settings.value(ServeSettings.host) == "10.0.0.1" && sources["host"] == .environment)
        #expect(settings.value(ServeSettings.logLevel) == "debug" && sources["logLevel"] == .file)
        #expect(settings.value(ServeSettings.logFormat) == "text" && sources["logFormat"] == .default)
        let options = try settings.options().get()
        #expect(options.server.port == 9100 && options.server.host == "10.0.0.1")
        #expect(options.server.rateLimit == RateLimit(rate: 2.5, burst: 3))
        #expect(options.logLevel == .debug && options.logFormat == .text)
    }

    @Test(
        "each wrong value is a problem naming the setting",
        arguments: [
            (["port": "0"], "--port"), (["port": "http"], "--port"), (["publicUrl": "console.example"], "--public-url"),
            (["tlsCert": "/nonexistent.pem"], "--tls-key"), (["logFormat": "xml"], "--log-format"),
            (["logLevel": "loud"], "--log-level"), (["rateLimit": "-2"], "--rate-limit"),
            (["rateBurst": "5"], "--rate-burst needs --rate-limit"), (["migrate": "perhaps"], "--migrate"),
            (["activityRetentionDays": "0"], "--activity-retention-days"),
        ])
    func problems(flags: [String: String], named: String) async throws {
        let settings = await ServeSettings(flags: flags, configFile: nil, environment: [:])
        guard case .failure(let problems) = settings.options() else {
            Issue.record("\(flags) was accepted")
            return
        }
        #expect(problems.problems.contains { $0.contains(named) }, "\(problems.problems)")
    }

    @Test("a file with an unknown name, a wrong type or bad JSON is a problem")
    func badFiles() async throws {
        let typo = await ServeSettings(
            flags: [:], configFile: try Self.file(#"{"publicURL": "x", "port": "80"}"#), environment: [:])
        #expect(typo.problems.contains { $0.contains(#"unknown setting "publicURL" (did you mean "publicUrl"?)"#) })
        #expect(typo.problems.contains { $0.contains("port must be a whole number") })
        let broken = await ServeSettings(flags: [:], configFile: try Self.file("{port: 1"), environment: [:])
        #expect(broken.problems.contains { $0.contains("cannot be read as JSON") })
        let missing = await ServeSettings(flags: [:], configFile: "/nonexistent/ac.json", environment: [:])
        #expect(!missing.problems.isEmpty)
    }
}
