import Configuration
import Foundation
import SCIM
import SystemPackage

/// Where a setting's value came from, in the order they win.
public enum SettingSource: String, Sendable, Hashable {
    case flag, environment, file
    case `default` = "default"
}

/// One setting of `serve`: its name in the configuration file (camelCase), its flag, and its
/// environment variable (`ACCOUNT_CONSOLE_` and the name in upper snake case).
public struct SettingKey: Sendable, Hashable {
    /// The name in a configuration file, e.g. `publicUrl`.
    public var name: String
    /// What the file holds: a JSON string, number or boolean.
    public var type: SettingType
    /// Never printed.
    public var isSecret: Bool

    public enum SettingType: Sendable, Hashable { case string, integer, number, boolean }

    /// `--public-url`.
    public var flag: String {
        "--"
            + name.unicodeScalars.map { scalar in
                CharacterSet.uppercaseLetters.contains(scalar) ? "-" + String(scalar).lowercased() : String(scalar)
            }.joined()
    }

    /// `ACCOUNT_CONSOLE_PUBLIC_URL`.
    public var environmentVariable: String {
        "ACCOUNT_CONSOLE_" + flag.dropFirst(2).replacingOccurrences(of: "-", with: "_").uppercased()
    }
}

/// The settings `serve` reads and `check-config` prints: each from its flag, else the
/// environment, else the configuration file (`--config` or `ACCOUNT_CONSOLE_CONFIG`, JSON),
/// else its default. The environment and the file are read through swift-configuration's
/// providers; what a value means, and what is wrong with it, is ``ServeSettings``'s.
public struct ServeSettings: Sendable {
    public static let host = SettingKey(name: "host", type: .string, isSecret: false)
    public static let port = SettingKey(name: "port", type: .integer, isSecret: false)
    public static let database = SettingKey(name: "database", type: .string, isSecret: false)
    public static let publicURL = SettingKey(name: "publicUrl", type: .string, isSecret: false)
    public static let tlsCert = SettingKey(name: "tlsCert", type: .string, isSecret: false)
    public static let tlsKey = SettingKey(name: "tlsKey", type: .string, isSecret: false)
    public static let logFormat = SettingKey(name: "logFormat", type: .string, isSecret: false)
    public static let logLevel = SettingKey(name: "logLevel", type: .string, isSecret: false)
    public static let rateLimit = SettingKey(name: "rateLimit", type: .number, isSecret: false)
    public static let rateBurst = SettingKey(name: "rateBurst", type: .integer, isSecret: false)
    public static let requestTimeout = SettingKey(name: "requestTimeout", type: .integer, isSecret: false)
    public static let activityRetentionDays = SettingKey(
        name: "activityRetentionDays", type: .integer, isSecret: false)
    public static let activityRetentionRows = SettingKey(
        name: "activityRetentionRows", type: .integer, isSecret: false)
    public static let migrate = SettingKey(name: "migrate", type: .boolean, isSecret: false)
    public static let adminPassword = SettingKey(name: "adminPassword", type: .string, isSecret: true)

    /// Every setting, in the order `check-config` prints them.
    public static let all: [SettingKey] = [
        host, port, database, publicURL, tlsCert, tlsKey, logFormat, logLevel, rateLimit, rateBurst, requestTimeout,
        activityRetentionDays, activityRetentionRows, migrate, adminPassword,
    ]

    static let defaults: [String: String] = [
        host.name: "127.0.0.1", port.name: "8080", database.name: DatabaseLocation.defaultPath,
        logFormat.name: "text", logLevel.name: "info", requestTimeout.name: "30",
        activityRetentionDays.name: String(RetentionPolicy.default.activityDays),
        activityRetentionRows.name: String(RetentionPolicy.default.activityRows), migrate.name: "false",
    ]

    /// A setting's value and where it came from.
    public struct Resolved: Sendable, Hashable {
        public var key: SettingKey
        public var value: String?
        public var source: SettingSource

        /// The value as `check-config` prints it: secrets masked, a database URL without its password.
        public var shown: String {
            guard let value else { return "(not set)" }
            if key.isSecret { return "******** (set)" }
            if key == ServeSettings.database {
                if let location = try? DatabaseLocation(parsing: value) { return location.description }
                // Unparsable: still never the password (what is between "://" and "@").
                if let scheme = value.range(of: "://"), let at = value.range(of: "@", options: .backwards),
                    scheme.upperBound <= at.lowerBound
                {
                    return String(value[..<scheme.upperBound]) + "********" + String(value[at.lowerBound...])
                }
            }
            return value
        }
    }

    public private(set) var resolved: [Resolved] = []
    /// What is wrong: an unreadable or malformed file, an unknown name in it, a value of the wrong type.
    public private(set) var problems: [String] = []
    /// The configuration file read, if any.
    public private(set) var file: String?

    /// Resolves every setting. `flags` maps a setting's name to the value given on the command line.
    public init(
        flags: [String: String], configFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async {
        let environmentReader = ConfigReader(
            provider: EnvironmentVariablesProvider(environmentVariables: environment)
        ).scoped(to: ["account", "console"])
        let path = configFile ?? environment["ACCOUNT_CONSOLE_CONFIG"]
        var fileProvider: FileProvider<JSONSnapshot>?
        if let path {
            file = path
            do {
                fileProvider = try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
                problems += Self.unknownNames(inFile: path)
            } catch {
                problems.append("the configuration file \(path) cannot be read as JSON: \(error)")
            }
        }
        for key in Self.all {
            if let value = flags[key.name] {
                resolved.append(Resolved(key: key, value: value, source: .flag))
            } else if let value = environmentReader.string(forKey: ConfigKey([key.name]), isSecret: key.isSecret) {
                resolved.append(Resolved(key: key, value: value, source: .environment))
            } else if let fileProvider, let value = fileValue(key, in: fileProvider) {
                resolved.append(Resolved(key: key, value: value, source: .file))
            } else {
                resolved.append(Resolved(key: key, value: Self.defaults[key.name], source: .default))
            }
        }
    }

    /// A value of the file, as text; a value of the wrong JSON type is a problem.
    private mutating func fileValue(_ key: SettingKey, in provider: FileProvider<JSONSnapshot>) -> String? {
        let type: ConfigType
        switch key.type {
        case .string: type = .string
        case .integer: type = .int
        case .number: type = .double
        case .boolean: type = .bool
        }
        do {
            switch try provider.value(forKey: AbsoluteConfigKey([key.name]), type: type).value?.content {
            case .string(let text)?: return text
            case .int(let number)?: return String(number)
            case .double(let number)?: return String(number)
            case .bool(let flag)?: return String(flag)
            default: return nil
            }
        } catch {
            let expected = [
                "string": "a string", "int": "a whole number", "double": "a number", "bool": "true or false",
            ]
            problems.append(
                "\(file ?? "the configuration file"): \(key.name) must be \(expected["\(type)"] ?? "\(type)")")
            return nil
        }
    }

    /// Names in the file that are no setting (a typo would otherwise be silently ignored).
    static func unknownNames(inFile path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONParser().parse(bytes: Array(data)).objectValue
        else { return [] }
        let known = Set(all.map(\.name))
        return object.keys.filter { !known.contains($0) }.sorted().map { name in
            let close = all.min { distance($0.name, name) < distance($1.name, name) }
                .flatMap { distance($0.name, name) <= 2 ? $0 : nil }
            return "\(path): unknown setting \"\(name)\"\(close.map { " (did you mean \"\($0.name)\"?)" } ?? "")"
        }
    }

    /// The edit distance of two names, ignoring case (for "did you mean").
    static func distance(_ first: String, _ second: String) -> Int {
        let left = Array(first.lowercased())
        let right = Array(second.lowercased())
        var previous = Array(0...right.count)
        for (row, character) in left.enumerated() {
            var current = [row + 1]
            for (column, other) in right.enumerated() {
                current.append(
                    min(previous[column + 1] + 1, current[column] + 1, previous[column] + (character == other ? 0 : 1)))
            }
            previous = current
        }
        return previous[right.count]
    }

    public func value(_ key: SettingKey) -> String? {
        resolved.first { $0.key == key }?.value
    }
}
