import Foundation
import Logging
import SCIM
import Synchronization

/// How the server writes its log: swift-log's text lines, or one JSON object per line.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    case text, json

    /// Bootstraps swift-log for the process (once, before anything logs).
    public func bootstrap(level: Logger.Level) {
        switch self {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// One JSON object per line on standard error: `time` (RFC 3339, UTC), `level`, `label`,
/// `message`, then the metadata (`request.id`, `http.status`, …) as string members.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    private static let output = Mutex(FileHandle.standardError)

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line: JSONObject = [
            "time": .string(Self.timestamp()), "level": .string(event.level.rawValue), "label": .string(label),
            "message": .string(event.message.description),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where line[key] == nil {
            line[key] = .string(value.description)
        }
        let bytes = Array((line.serialized() + "\n").utf8)
        Self.output.withLock { $0.write(Data(bytes)) }
    }

    static func timestamp() -> String {
        let formatter = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        return Date().formatted(formatter)
    }
}
