/// What a store reports. Domain values in, domain values out, this error out — never a driver
/// error: each back end translates at its boundary, and the service translates this to SCIM.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No such row (or it is archived and the read did not ask for archived rows).
    case notFound(String)
    /// A unique key clashed; names the attribute (`userName`, `displayName`, `name`, …).
    case uniqueness(attribute: String, value: String)
    /// The row's version is not the one the write expected (optimistic concurrency).
    case versionMismatch(expected: Int, current: Int)
    /// The database schema is older than this build; the message says how to migrate.
    case schemaOutdated(found: Int, required: Int)
    /// The database schema is newer than this build.
    case schemaTooNew(found: Int, supported: Int)
    /// A query this store cannot express (an attribute the SQL compiler cannot map, …).
    case unsupported(String)
    /// The database could not be reached or failed; the detail is safe to log.
    case unavailable(String)

    public var description: String {
        switch self {
        case .notFound(let what): return "\(what) not found"
        case .uniqueness(let attribute, let value): return "\(attribute) \"\(value)\" is already taken"
        case .versionMismatch(let expected, let current):
            return "the resource changed: expected version \(expected), found \(current)"
        case .schemaOutdated(let found, let required):
            return
                "the database schema is at version \(found) but this build needs \(required); run `account-console migrate` (or start `serve`, which migrates)"
        case .schemaTooNew(let found, let supported):
            return
                "the database schema is at version \(found), newer than this build supports (\(supported)); upgrade Account Console"
        case .unsupported(let detail): return detail
        case .unavailable(let detail): return "the database is unavailable: \(detail)"
        }
    }
}
