import Directory
import SCIM

/// Builders for domain values in tests.
public struct DirectoryFixtures: Sendable {
    public let clock: FixedClock
    public let ids: SequentialIdentifiers

    public init(clock: FixedClock = FixedClock(), ids: SequentialIdentifiers = SequentialIdentifiers()) {
        self.clock = clock
        self.ids = ids
    }

    /// A user with a realistic Okta-shaped resource; `extra` members are merged in.
    public func user(
        _ userName: String, origin: Origin = .local, id: String? = nil, extra: JSONObject = [:]
    ) -> User {
        let local = userName.split(separator: "@").first.map(String.init) ?? userName
        var resource: JSONObject = [
            "schemas": [.string(SCIMURN.user)],
            "userName": .string(userName),
            "name": ["givenName": .string(local.capitalized), "familyName": "Example"],
            "emails": [["value": .string(userName), "type": "work", "primary": true]],
            "active": true,
        ]
        for member in extra { resource[member.key] = member.value }
        let now = clock.now()
        return User(id: id ?? ids.next(), resource: resource, origin: origin, createdAt: now, updatedAt: now)
    }

    public func group(
        _ displayName: String, origin: Origin = .local, id: String? = nil, extra: JSONObject = [:]
    ) -> Group {
        var resource: JSONObject = ["schemas": [.string(SCIMURN.group)], "displayName": .string(displayName)]
        for member in extra { resource[member.key] = member.value }
        let now = clock.now()
        return Group(id: id ?? ids.next(), resource: resource, origin: origin, createdAt: now, updatedAt: now)
    }

    public func connection(_ name: String, kind: ConnectionKind = .okta) -> Connection {
        Connection(id: ids.next(), name: name, kind: kind, createdAt: clock.now())
    }
}

extension String {
    var capitalized: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
