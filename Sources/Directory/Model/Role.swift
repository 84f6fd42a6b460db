/// Console roles. Viewers see everything and change nothing.
public enum Role: String, Sendable, Hashable, CaseIterable {
    case admin, viewer
}

/// Who a role is given to.
public enum RoleSubject: Sendable, Hashable {
    case account(String)
    case user(String)
    case group(String)

    public var kind: String {
        switch self {
        case .account: return "account"
        case .user: return "user"
        case .group: return "group"
        }
    }

    public var id: String {
        switch self {
        case .account(let id), .user(let id), .group(let id): return id
        }
    }

    public init?(kind: String, id: String) {
        switch kind {
        case "account": self = .account(id)
        case "user": self = .user(id)
        case "group": self = .group(id)
        default: return nil
        }
    }
}

/// A role given to a subject.
public struct RoleAssignment: Sendable, Hashable {
    public var role: Role
    public var subject: RoleSubject
    public var createdAt: Timestamp

    public init(role: Role, subject: RoleSubject, createdAt: Timestamp) {
        self.role = role
        self.subject = subject
        self.createdAt = createdAt
    }
}
