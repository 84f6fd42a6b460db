/// Where a user or group came from: created locally (console, CLI) or provisioned by an
/// identity-provider connection (docs/architecture.md, "Rules": ownership and adoption).
public enum Origin: Sendable, Hashable, CustomStringConvertible {
    case local
    case idp(connectionID: String)

    /// The owning connection, for IdP objects.
    public var connectionID: String? {
        if case .idp(let id) = self { return id }
        return nil
    }

    public var description: String {
        switch self {
        case .local: return "local"
        case .idp(let id): return "idp(\(id))"
        }
    }
}

/// Who created a membership row: an admin by hand, or a connection's SCIM writes. A user may be
/// in a group both ways: two rows, one member (docs/architecture.md, "Data model").
public enum MembershipSource: Sendable, Hashable, CustomStringConvertible {
    case manual
    case connection(String)

    /// The text stored in `memberships.source`: `manual` or the connection id.
    public var rawValue: String {
        switch self {
        case .manual: return "manual"
        case .connection(let id): return id
        }
    }

    public init(rawValue: String) {
        self = rawValue == "manual" ? .manual : .connection(rawValue)
    }

    public var description: String { rawValue }
}
