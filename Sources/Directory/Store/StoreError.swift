/// What a store reports. Domain values in, domain values out, this error out — never a driver
/// error: each back end translates at its boundary, and the service translates this to SCIM.
///
/// Each case says what happened, so the service can answer with the right status; the one case
/// that carries driver text (``unavailable(reason:)``) is for the server log only.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No such row (or it is archived and the read did not ask for archived rows).
    case notFound(String)
    /// A unique key clashed; names the attribute (`userName`, `displayName`, `name`, …) and value.
    case conflict(attribute: String, value: String)
    /// The row's version is not the one the write expected (optimistic concurrency).
    case staleVersion(expected: Int, current: Int)
    /// The database refused the change because of a reference or check (a row another request
    /// deleted meanwhile); the text names the rule, never the driver's message.
    case constraint(String)
    /// The query cannot be expressed: a filter attribute the SQL compiler cannot map.
    case unsupportedFilter(String)
    /// A request the store cannot carry out as asked (cursor with sort, an empty name, …).
    case invalidInput(String)
    /// The database could not be reached, timed out or failed. `reason` is the driver's text:
    /// it goes to the server log with the request id, never to a client.
    case unavailable(reason: String)
    /// A deadlock or serialization failure rolled the transaction back; running it again is safe.
    case transactionConflict(reason: String)
    /// The database refused a statement for the data it carried: a fault of this build, not an
    /// outage. `reason` is the driver's text, for the server log only.
    case refused(reason: String)
    /// The database has no space left to write; reads still work. `reason` is for the log only.
    case full(reason: String)
    /// A stored row this build cannot read (a missing column, a value of the wrong type).
    case corruptRow(String)
    /// The database schema is older than this build; the message says how to migrate.
    case schemaOutdated(found: Int, required: Int)
    /// The database schema is newer than this build.
    case schemaTooNew(found: Int, supported: Int)
    /// The database location is wrong (a malformed URL, an empty path); safe to show.
    case configuration(String)

    public var description: String {
        switch self {
        case .notFound(let what): return "\(what) not found"
        case .conflict(let attribute, let value): return "\(attribute) \"\(value)\" is already taken"
        case .staleVersion(let expected, let current):
            return "the resource changed: expected version \(expected), found \(current)"
        case .constraint(let detail): return detail
        case .unsupportedFilter(let detail), .invalidInput(let detail): return detail
        case .unavailable(let reason): return "the database is unavailable: \(reason)"
        case .transactionConflict(let reason): return "the transaction collided with another: \(reason)"
        case .refused(let reason): return "the database refused the statement: \(reason)"
        case .full(let reason): return "the database has no space left: \(reason)"
        case .corruptRow(let detail): return "a stored row cannot be read: \(detail)"
        case .schemaOutdated(let found, let required):
            return
                "the database schema is at version \(found) but this build needs \(required); run `account-console migrate` (or start `serve`, which migrates)"
        case .schemaTooNew(let found, let supported):
            return
                "the database schema is at version \(found), newer than this build supports (\(supported)); upgrade Account Console"
        case .configuration(let detail): return detail
        }
    }
}
