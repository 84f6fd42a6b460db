import Console
import Directory
import Logging
import NIOCore
import SCIMHTTP

/// What `serve` runs with, once its settings are checked.
public struct ServeOptions: Sendable {
    public var server: ServerConfiguration
    public var logFormat: LogFormat
    public var logLevel: Logger.Level
}

extension ServeSettings {
    /// The options, or every problem found (the file's first, then each setting's).
    public func options() -> Result<ServeOptions, SettingsProblems> {
        var problems = self.problems
        func text(_ key: SettingKey) -> String? { value(key).flatMap { $0.isEmpty ? nil : $0 } }
        func integer(_ key: SettingKey, _ range: ClosedRange<Int>) -> Int? {
            guard let raw = text(key) else { return nil }
            guard let number = Int(raw), range.contains(number) else {
                problems.append(
                    "\(key.flag) (\(key.environmentVariable)) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(raw)\""
                )
                return nil
            }
            return number
        }

        let host = text(Self.host) ?? "127.0.0.1"
        let port = integer(Self.port, 1...65535) ?? 8080
        var database: DatabaseLocation?
        do {
            database = try DatabaseLocation(parsing: text(Self.database) ?? DatabaseLocation.defaultPath)
        } catch {
            problems.append("\(Self.database.flag): \(error.description)")
        }
        let publicURL = text(Self.publicURL)
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) {
            problems.append("\(Self.publicURL.flag) must start with http:// or https://, not \"\(publicURL)\"")
        }
        var tls: TLSCredentials?
        switch (text(Self.tlsCert), text(Self.tlsKey)) {
        case (let cert?, let key?):
            do {
                tls = try TLSCredentials(certificatePath: cert, keyPath: key)
            } catch {
                problems.append(error.description)
            }
        case (nil, nil): break
        default: problems.append("give both --tls-cert and --tls-key, or neither")
        }
        let format = LogFormat(rawValue: text(Self.logFormat) ?? "text")
        if format == nil {
            problems.append("--log-format must be text or json, not \"\(value(Self.logFormat) ?? "")\"")
        }
        let level = Logger.Level(rawValue: text(Self.logLevel) ?? "info")
        if level == nil {
            problems.append(
                "--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(value(Self.logLevel) ?? "")\""
            )
        }
        var rateLimit: RateLimit?
        if let raw = text(Self.rateLimit), raw.lowercased() != "off" {
            if let rate = Double(raw), rate >= 0.01, rate <= 1_000_000 {
                let burst = integer(Self.rateBurst, 1...1_000_000) ?? max(1, Int(rate.rounded(.up)))
                rateLimit = RateLimit(rate: rate, burst: burst)
            } else {
                problems.append("--rate-limit must be requests a second from 0.01 to 1000000, or off, not \"\(raw)\"")
            }
        } else if text(Self.rateBurst) != nil {
            problems.append("--rate-burst needs --rate-limit")
        }
        let timeout = integer(Self.requestTimeout, 1...3600) ?? 30
        let days = integer(Self.activityRetentionDays, 1...36_500) ?? RetentionPolicy.default.activityDays
        let rows = integer(Self.activityRetentionRows, 1...1_000_000_000) ?? RetentionPolicy.default.activityRows
        let migrateText = (text(Self.migrate) ?? "false").lowercased()
        let migrate = ["true", "1", "yes", "on"].contains(migrateText)
        if !migrate, !["false", "0", "no", "off"].contains(migrateText) {
            problems.append("--migrate is true or false, not \"\(migrateText)\"")
        }
        guard problems.isEmpty, let database, let format, let level else {
            return .failure(SettingsProblems(problems: problems))
        }
        var server = ServerConfiguration(
            host: host, port: port, database: database,
            api: SCIMAPIConfiguration(publicURL: publicURL),
            retention: RetentionPolicy(
                activityDays: days, activityRows: rows, interval: RetentionPolicy.default.interval),
            adminPassword: text(Self.adminPassword))
        server.tls = tls
        // Served over HTTPS itself: the session cookie is `Secure` whatever the public URL says.
        if tls != nil { server.console.secureCookies = true }
        server.rateLimit = rateLimit
        server.requestTimeout = .seconds(Int64(timeout))
        server.migrate = migrate
        return .success(ServeOptions(server: server, logFormat: format, logLevel: level))
    }
}

/// Everything wrong with a configuration, one line each.
public struct SettingsProblems: Error, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}
