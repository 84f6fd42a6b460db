import Synchronization

/// What one request did, in words, gathered while the service works and written to the activity
/// log by whoever handled the request ("added 2 members to Engineers; removed ada@example.com; …").
public final class ActivityNote: Sendable {
    private let state = Mutex<(parts: [String], resourceType: String?, resourceID: String?, details: [String])>(
        ([], nil, nil, []))

    public init() {}

    /// Adds a clause to the one-line summary.
    public func add(_ part: String) {
        state.withLock { $0.parts.append(part) }
    }

    /// Adds a detail (an error, skipped ids) kept beside the summary.
    public func detail(_ text: String) {
        state.withLock { $0.details.append(text) }
    }

    /// Names the resource the request was about.
    public func subject(_ type: String, _ id: String?) {
        state.withLock {
            $0.resourceType = type
            if let id { $0.resourceID = id }
        }
    }

    public var summary: String { state.withLock { $0.parts.joined(separator: "; ") } }
    public var details: String? {
        state.withLock { $0.details.isEmpty ? nil : $0.details.joined(separator: "\n") }
    }
    public var resourceType: String? { state.withLock { $0.resourceType } }
    public var resourceID: String? { state.withLock { $0.resourceID } }
}
