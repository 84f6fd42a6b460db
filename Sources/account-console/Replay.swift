import AccountConsole
import ArgumentParser
import Foundation

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play an IdP's documented SCIM traffic against a SCIM server and say what it would see.",
        discussion: """
            Each step prints PASS or FAIL and why, then "N passed, N failed"; the exit status is 1 on any failure. What a flow creates is deleted at its end. Flows that count the directory's users (Okta's connection test, its SPEC test, an import) run only on an empty directory and are reported as skipped otherwise. Mind the target connection's deletion guard: each run deprovisions a few test users.
            """)

    @Option(help: "okta, entra or onelogin.") var client: ReplayClient
    @Option(help: "The SCIM base URL, e.g. https://console.example.com/api/v1/identity/scim/v2.") var url: String
    @Option(help: "A provisioning token of the connection to test.") var token: String

    func validate() throws {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must start with http:// or https://")
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let outcome = try await HTTPReplay(base: url, token: token).run(client) { flow, result in
            let line = "\(result.passed ? "PASS" : "FAIL")  \(flow.name) — \(result.step). \(result.name)"
            print(line)
            for problem in result.problems { print("      \(problem)") }
        }
        for flow in outcome.skipped { print("SKIP  \(flow.name) — \(outcome.skipReason)") }
        let seconds =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        print(
            "\(outcome.passed) passed, \(outcome.failed) failed\(outcome.skipped.isEmpty ? "" : ", \(outcome.skipped.count) flows skipped") in \(String(format: "%.1f", seconds)) s"
        )
        if outcome.failed > 0 { throw ExitCode.failure }
    }
}

extension ReplayClient: ExpressibleByArgument {}
