import Directory
import SCIM
import Testing

/// One check of the store contract, run against every back end.
public struct StoreCheck: Sendable, CustomTestStringConvertible {
    public let name: String
    public let run: @Sendable (any DirectoryBackend, DirectoryFixtures) async throws -> Void

    public init(
        _ name: String, _ run: @escaping @Sendable (any DirectoryBackend, DirectoryFixtures) async throws -> Void
    ) {
        self.name = name
        self.run = run
    }

    public var testDescription: String { name }
}

/// Expects `body` to fail with exactly `expected`.
func expectStoreError(
    _ expected: StoreError, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected \(expected), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}

/// The store conformance suite (docs/architecture.md: one store conformance suite runs against both back ends).
public enum StoreConformance {
    public static let checks: [StoreCheck] = users + groups + memberships + administration + concurrency

    static let users: [StoreCheck] = [
        StoreCheck("console criteria: origin, connection, status and an index-backed prefix search") {
            store, fixtures in
            let okta = try await store.createConnection(fixtures.connection("Okta"))
            let ada = try await store.createUser(
                fixtures.user("ada@example.test", extra: ["name": ["givenName": "Ada", "familyName": "Lovelace"]]))
            let grace = try await store.createUser(
                fixtures.user(
                    "ghopper", origin: .idp(connectionID: okta.id),
                    extra: [
                        "displayName": "Grace Hopper",
                        "emails": [["value": "Grace.Hopper@Navy.test", "primary": true]],
                    ]))
            var suspended = try await store.createUser(fixtures.user("sam@example.test"))
            suspended.setResource(suspended.resource.updating("active", false))
            suspended = try await store.replaceUser(suspended, expectedVersion: 1)
            var archived = try await store.createUser(fixtures.user("arch@example.test"))
            archived.archivedAt = fixtures.clock.now()
            archived = try await store.replaceUser(archived, expectedVersion: 1)
            func ids(_ query: ResourceQuery) async throws -> Set<String> {
                Set(try await store.users(query).items.map(\.id))
            }
            #expect(try await ids(ResourceQuery(search: "ADA")) == [ada.id])
            #expect(try await ids(ResourceQuery(search: "lovel")) == [ada.id])
            #expect(try await ids(ResourceQuery(search: "grace h")) == [grace.id])
            #expect(try await ids(ResourceQuery(search: "grace.hopper@navy")) == [grace.id])
            #expect(try await ids(ResourceQuery(search: "hopper")) == [])
            #expect(try await ids(ResourceQuery(search: "%")) == [])
            #expect(try await ids(ResourceQuery(origin: .idp)) == [grace.id])
            #expect(try await ids(ResourceQuery(origin: .connection(okta.id))) == [grace.id])
            #expect(try await ids(ResourceQuery(origin: .local)) == [ada.id, suspended.id])
            #expect(try await ids(ResourceQuery(status: .suspended)) == [suspended.id])
            #expect(try await ids(ResourceQuery(status: .archived)) == [archived.id])
            #expect(try await ids(ResourceQuery(status: .active)) == [ada.id, grace.id])
            #expect(try await store.users(ResourceQuery(origin: .local, search: "s")).totalResults == 1)
        },
        StoreCheck("console orders: by origin and by the number of groups, ties by id") { store, fixtures in
            let okta = try await store.createConnection(fixtures.connection("Okta"))
            let local = try await store.createUser(fixtures.user("local@example.test"))
            let idp = try await store.createUser(fixtures.user("idp@example.test", origin: .idp(connectionID: okta.id)))
            let other = try await store.createUser(fixtures.user("other@example.test"))
            for name in ["One", "Two"] {
                let group = try await store.createGroup(fixtures.group(name))
                _ = try await store.addMembers(
                    groupID: group.id, userIDs: [idp.id], source: .manual, at: fixtures.clock.now())
                _ = try await store.addMembers(
                    groupID: group.id, userIDs: [idp.id], source: .connection(okta.id), at: fixtures.clock.now())
                if name == "One" {
                    _ = try await store.addMembers(
                        groupID: group.id, userIDs: [other.id], source: .manual, at: fixtures.clock.now())
                }
            }
            func ordered(_ order: ConsoleOrder) async throws -> [String] {
                var query = ResourceQuery()
                query.order = order
                return try await store.users(query).items.map(\.id)
            }
            // Two sources in one group count once.
            #expect(try await ordered(.groupCount(.descending)) == [idp.id, other.id, local.id])
            #expect(try await ordered(.groupCount(.ascending)) == [local.id, other.id, idp.id])
            #expect(try await ordered(.origin(.ascending)) == [idp.id] + [local.id, other.id].sorted())
            #expect(try await ordered(.origin(.descending)).first != idp.id)
        },
        StoreCheck("create and read a user by id and by case-insensitive userName") { store, fixtures in
            let user = fixtures.user("ada.lovelace@example.test", extra: ["displayName": "Ada", "externalId": "00u1"])
            let created = try await store.createUser(user)
            #expect(created == user)
            #expect(try await store.user(id: user.id) == user)
            #expect(try await store.user(userName: "ADA.LOVELACE@EXAMPLE.TEST") == user)
            #expect(try await store.user(id: "00000000-0000-4000-8000-ffffffffffff") == nil)
        },
        StoreCheck("userName is unique case-insensitively") { store, fixtures in
            _ = try await store.createUser(fixtures.user("grace@example.test"))
            await expectStoreError(.conflict(attribute: "userName", value: "GRACE@example.test")) {
                _ = try await store.createUser(fixtures.user("GRACE@example.test"))
            }
            let other = try await store.createUser(fixtures.user("other@example.test"))
            var renamed = other
            renamed.setResource(other.resource.updating("userName", "Grace@Example.Test"))
            await expectStoreError(.conflict(attribute: "userName", value: "Grace@Example.Test")) {
                _ = try await store.replaceUser(renamed, expectedVersion: 1)
            }
            #expect(try await store.user(id: other.id)?.userName == "other@example.test")
        },
        StoreCheck("every write bumps the version; a stale version is refused") { store, fixtures in
            let user = try await store.createUser(fixtures.user("v@example.test"))
            var changed = user
            changed.setResource(user.resource.updating("displayName", "First"))
            let first = try await store.replaceUser(changed, expectedVersion: 1)
            #expect(first.version == 2)
            #expect(try await store.user(id: user.id)?.version == 2)
            changed.setResource(user.resource.updating("displayName", "Second"))
            await expectStoreError(.staleVersion(expected: 1, current: 2)) {
                _ = try await store.replaceUser(changed, expectedVersion: 1)
            }
            #expect(try await store.user(id: user.id)?.displayName == "First")
            var missing = fixtures.user("missing@example.test")
            missing.version = 1
            await expectStoreError(.notFound("User \(missing.id)")) {
                _ = try await store.replaceUser(missing, expectedVersion: 1)
            }
        },
        StoreCheck("delete removes the user and its memberships") { store, fixtures in
            let user = try await store.createUser(fixtures.user("gone@example.test"))
            let group = try await store.createGroup(fixtures.group("Leavers"))
            _ = try await store.addMembers(
                groupID: group.id, userIDs: [user.id], source: .manual, at: fixtures.clock.now())
            try await store.deleteUser(id: user.id)
            #expect(try await store.user(id: user.id, includeArchived: true) == nil)
            #expect(try await store.memberCount(groupID: group.id) == 0)
            await expectStoreError(.notFound("User \(user.id)")) { try await store.deleteUser(id: user.id) }
        },
        StoreCheck("archive hides a user; restore brings it back") { store, fixtures in
            let user = try await store.createUser(fixtures.user("archived@example.test"))
            var archived = user
            archived.archivedAt = fixtures.clock.now()
            _ = try await store.replaceUser(archived, expectedVersion: 1)
            #expect(try await store.user(id: user.id) == nil)
            #expect(try await store.user(id: user.id, includeArchived: true)?.archivedAt == fixtures.clock.now())
            #expect(try await store.user(userName: "archived@example.test")?.isArchived == true)
            #expect(try await store.users(ResourceQuery()).totalResults == 0)
            #expect(try await store.users(ResourceQuery(includeArchived: true)).totalResults == 1)
            var restored = try #require(try await store.user(id: user.id, includeArchived: true))
            restored.archivedAt = nil
            _ = try await store.replaceUser(restored, expectedVersion: 2)
            #expect(try await store.user(id: user.id)?.version == 3)
        },
        StoreCheck("paging is stable: offsets and cursors walk every user once") { store, fixtures in
            var ids: [String] = []
            for index in 0..<25 { ids.append(try await store.createUser(fixtures.user("p\(index)@example.test")).id) }
            var seen: [String] = []
            for offset in stride(from: 0, to: 25, by: 10) {
                let page = try await store.users(ResourceQuery(offset: offset, count: 10))
                #expect(page.totalResults == 25)
                seen += page.items.map(\.id)
            }
            #expect(seen == ids.sorted())
            var cursor: String?
            var walked: [String] = []
            repeat {
                let page = try await store.users(ResourceQuery(count: 7, after: cursor))
                #expect(page.totalResults == 25)
                walked += page.items.map(\.id)
                cursor = page.items.count == 7 ? page.items.last?.id : nil
            } while cursor != nil
            #expect(walked == ids.sorted())
            #expect(try await store.users(ResourceQuery(count: 0)).items.isEmpty)
            #expect(try await store.users(ResourceQuery(offset: 1000, count: 10)).items.isEmpty)
        },
        StoreCheck("filters and sorting through the store") { store, fixtures in
            _ = try await store.createUser(
                fixtures.user(
                    "b@example.test",
                    extra: [
                        "externalId": "00uB", "displayName": "Bravo",
                        "emails": [
                            ["value": "B@Work.Example", "type": "work"],
                            ["value": "b@home.example", "type": "home", "primary": true],
                        ],
                    ]))
            _ = try await store.createUser(
                fixtures.user("A@example.test", extra: ["displayName": "alpha", "active": false]))
            _ = try await store.createUser(fixtures.user("c@example.test", extra: ["title": "100% sure_thing"]))
            func names(_ filter: String, sort: String? = nil, order: String? = nil) async throws -> [String] {
                let query = ResourceQuery(
                    filter: try ResourceType.user.resolveFilter(filter),
                    sort: try SortSpecification(sortBy: sort, sortOrder: order, resourceType: .user))
                return try await store.users(query).items.map(\.userName)
            }
            #expect(try await names(#"userName eq "a@EXAMPLE.test""#) == ["A@example.test"])
            #expect(try await names(#"externalId eq "00uB""#) == ["b@example.test"])
            #expect(try await names(#"externalId eq "00ub""#) == [])
            #expect(try await names(#"emails[type eq "work"].value eq "b@work.example""#) == ["b@example.test"])
            #expect(try await names(#"emails[type eq "home" and primary eq true]"#) == ["b@example.test"])
            #expect(try await names("active eq false") == ["A@example.test"])
            #expect(try await names(#"title co "0% s""#) == ["c@example.test"])
            #expect(try await names(#"title co "%""#) == ["c@example.test"])
            #expect(try await names(#"title co "e_t""#) == ["c@example.test"])
            #expect(try await names(#"title co "x_t""#) == [])
            #expect(try await names(#"title sw "100%""#) == ["c@example.test"])
            #expect(try await names(#"userName sw "a""#) == ["A@example.test"])
            #expect(try await names(#"meta.resourceType eq "User""#, sort: "userName").count == 3)
            #expect(
                try await names("userName pr", sort: "displayName") == [
                    "A@example.test", "b@example.test", "c@example.test",
                ])
            #expect(
                try await names("userName pr", sort: "displayName", order: "descending") == [
                    "c@example.test", "b@example.test", "A@example.test",
                ])
            #expect(
                try await names("userName pr", sort: "emails") == [
                    "A@example.test", "b@example.test", "c@example.test",
                ])
        },
    ]

    static let groups: [StoreCheck] = [
        StoreCheck("groups: create, read, rename, displayName unique case-insensitively, delete") { store, fixtures in
            let group = try await store.createGroup(fixtures.group("Engineering", extra: ["externalId": "okta-g1"]))
            #expect(try await store.group(id: group.id) == group)
            #expect(try await store.group(displayName: "ENGINEERING")?.id == group.id)
            await expectStoreError(.conflict(attribute: "displayName", value: "engineering")) {
                _ = try await store.createGroup(fixtures.group("engineering"))
            }
            var renamed = group
            renamed.setResource(group.resource.updating("displayName", "Engineers"))
            let stored = try await store.replaceGroup(renamed, expectedVersion: 1)
            #expect(stored.version == 2)
            #expect(try await store.group(displayName: "engineers")?.version == 2)
            let listed = try await store.groups(
                ResourceQuery(filter: try ResourceType.group.resolveFilter(#"displayName eq "ENGINEERS""#)))
            #expect(listed.items.map(\.id) == [group.id])
            try await store.deleteGroup(id: group.id)
            #expect(try await store.group(id: group.id) == nil)
            await expectStoreError(.notFound("Group \(group.id)")) { try await store.deleteGroup(id: group.id) }
        }
    ]

    static let memberships: [StoreCheck] = [
        StoreCheck("a user read with its groups in one statement agrees with groupMappings") { store, fixtures in
            let now = fixtures.clock.now()
            let ada = try await store.createUser(fixtures.user("ada@example.test"))
            let alone = try await store.createUser(fixtures.user("alone@example.test"))
            let okta = try await store.createConnection(fixtures.connection("Okta"))
            for name in ["Zeta", "Alpha"] {
                let group = try await store.createGroup(fixtures.group(name))
                _ = try await store.addMembers(groupID: group.id, userIDs: [ada.id], source: .manual, at: now)
                _ = try await store.addMembers(
                    groupID: group.id, userIDs: [ada.id], source: .connection(okta.id), at: now)
            }
            let expected = try await store.groupMappings(userID: ada.id)
            #expect(expected.map(\.displayName) == ["Alpha", "Zeta"])
            #expect(expected.first?.sources.count == 2)
            #expect(try await store.userRecord(id: ada.id, includeArchived: false)?.groups == expected)
            let page = try await store.userRecords(ResourceQuery(count: 10))
            #expect(page.items.map(\.user.id) == [ada.id, alone.id].sorted())
            #expect(page.items.first { $0.user.id == ada.id }?.groups == expected)
            #expect(page.items.first { $0.user.id == alone.id }?.groups == [])
        },
        StoreCheck("memberships by source: manual rows survive a connection's writes") { store, fixtures in
            let okta = try await store.createConnection(fixtures.connection("Okta"))
            let source = MembershipSource.connection(okta.id)
            let group = try await store.createGroup(fixtures.group("Pushed", origin: .idp(connectionID: okta.id)))
            var users: [User] = []
            for name in ["a", "b", "c"] {
                users.append(try await store.createUser(fixtures.user("\(name)@example.test")))
            }
            let now = fixtures.clock.now()
            let manual = try await store.addMembers(groupID: group.id, userIDs: [users[0].id], source: .manual, at: now)
            #expect(manual.added == [users[0].id])
            let missingID = "00000000-0000-4000-8000-00000000dead"
            let pushed = try await store.addMembers(
                groupID: group.id, userIDs: [users[0].id, users[1].id, users[1].id, missingID], source: source, at: now)
            #expect(pushed.added.sorted() == [users[0].id, users[1].id].sorted())
            #expect(pushed.missing == [missingID])
            let again = try await store.addMembers(groupID: group.id, userIDs: [users[1].id], source: source, at: now)
            #expect(again.isEmpty)
            #expect(try await store.memberCount(groupID: group.id) == 2)
            #expect(try await store.group(id: group.id)?.version == 3)
            let mappings = try await store.groupMappings(userID: users[0].id)
            #expect(mappings.map(\.groupID) == [group.id])
            #expect(Set(mappings.first?.sources ?? []) == [.manual, source])
            // The connection removes a: the manual row stays.
            let removed = try await store.removeMembers(
                groupID: group.id, userIDs: [users[0].id], source: source, at: now)
            #expect(removed.removed == [users[0].id])
            #expect(try await store.groupMappings(userID: users[0].id).first?.sources == [.manual])
            // Replace-all for the source touches only that source's rows.
            let replaced = try await store.replaceMembers(
                groupID: group.id, userIDs: [users[2].id], source: source, at: now)
            #expect(replaced.added == [users[2].id])
            #expect(replaced.removed == [users[1].id])
            let rows = try await store.memberships(groupID: group.id, source: nil, offset: 0, count: 10)
            #expect(
                Set(rows.map { "\($0.userID)/\($0.source)" }) == ["\(users[0].id)/manual", "\(users[2].id)/\(okta.id)"])
            let onlySource = try await store.memberships(groupID: group.id, source: source, offset: 0, count: 10)
            #expect(onlySource.map(\.userID) == [users[2].id])
            // The orphan query: b lost its last row from the connection; c did not; a never had one left.
            let orphans = try await store.usersWithoutMemberships(
                among: [users[0].id, users[1].id, users[2].id], source: source)
            #expect(Set(orphans) == [users[0].id, users[1].id])
        },
        StoreCheck("member ids, mappings of many users at once, deprovisioning records") { store, fixtures in
            let users = [
                try await store.createUser(fixtures.user("x1@example.test")),
                try await store.createUser(fixtures.user("x2@example.test")),
            ]
            let first = try await store.createGroup(fixtures.group("First"))
            let second = try await store.createGroup(fixtures.group("second"))
            let now = fixtures.clock.now()
            _ = try await store.addMembers(groupID: first.id, userIDs: users.map(\.id), source: .manual, at: now)
            _ = try await store.addMembers(groupID: first.id, userIDs: [users[0].id], source: .connection("c"), at: now)
            _ = try await store.addMembers(groupID: second.id, userIDs: [users[0].id], source: .manual, at: now)
            #expect(try await store.memberIDs(groupID: first.id) == users.map(\.id).sorted())
            let page = try await store.userRecords(ResourceQuery(count: 10)).items
            let mappings = Dictionary(uniqueKeysWithValues: page.map { ($0.user.id, $0.groups) })
            #expect(mappings.count == 2)
            #expect(mappings[users[0].id]?.map(\.displayName) == ["First", "second"])
            #expect(Set(mappings[users[0].id]?.first?.sources ?? []) == [.manual, .connection("c")])
            #expect(mappings[users[1].id]?.map(\.groupID) == [first.id])
            #expect(try await store.deprovisioning(userID: users[1].id, connectionID: "c") == nil)
            try await store.recordDeprovisioning(userID: users[1].id, connectionID: "c", action: .archive, at: now)
            try await store.recordDeprovisioning(userID: users[1].id, connectionID: "c", action: .delete, at: now)
            #expect(try await store.deprovisioning(userID: users[1].id, connectionID: "c") == .delete)
            #expect(try await store.deprovisioning(userID: users[1].id, connectionID: "d") == nil)
            try await store.clearDeprovisioning(userID: users[1].id, connectionID: "c")
            #expect(try await store.deprovisioning(userID: users[1].id, connectionID: "c") == nil)
        },
        StoreCheck("membership writes to a missing or archived group are notFound; archived users are missing") {
            store, fixtures in
            let user = try await store.createUser(fixtures.user("m@example.test"))
            let ghost = "00000000-0000-4000-8000-0000000000ff"
            await expectStoreError(.notFound("Group \(ghost)")) {
                _ = try await store.addMembers(
                    groupID: ghost, userIDs: [user.id], source: .manual, at: fixtures.clock.now())
            }
            let group = try await store.createGroup(fixtures.group("G"))
            var archived = user
            archived.archivedAt = fixtures.clock.now()
            _ = try await store.replaceUser(archived, expectedVersion: 1)
            let change = try await store.addMembers(
                groupID: group.id, userIDs: [user.id], source: .manual, at: fixtures.clock.now())
            #expect(change.missing == [user.id])
            #expect(change.added.isEmpty)
        },
        StoreCheck("filters on members and groups") { store, fixtures in
            let user = try await store.createUser(fixtures.user("member@example.test"))
            let other = try await store.createUser(fixtures.user("other@example.test"))
            let group = try await store.createGroup(fixtures.group("Admins"))
            _ = try await store.createGroup(fixtures.group("Empty"))
            _ = try await store.addMembers(
                groupID: group.id, userIDs: [user.id], source: .manual, at: fixtures.clock.now())
            let byMember = try await store.groups(
                ResourceQuery(filter: try ResourceType.group.resolveFilter(#"members.value eq "\#(user.id)""#)))
            #expect(byMember.items.map(\.displayName) == ["Admins"])
            let withMembers = try await store.groups(
                ResourceQuery(filter: try ResourceType.group.resolveFilter("members pr")))
            #expect(withMembers.items.map(\.displayName) == ["Admins"])
            let byGroup = try await store.users(
                ResourceQuery(filter: try ResourceType.user.resolveFilter(#"groups.display eq "admins""#)))
            #expect(byGroup.items.map(\.id) == [user.id])
            let notIn = try await store.users(
                ResourceQuery(filter: try ResourceType.user.resolveFilter(#"groups.value ne "\#(group.id)""#)))
            #expect(notIn.items.map(\.id) == [other.id])
        },
    ]

    static let administration: [StoreCheck] = [
        StoreCheck("connections and tokens: by name, by SHA-256, last used, revoked") { store, fixtures in
            let connection = try await store.createConnection(fixtures.connection("Okta Production"))
            #expect(try await store.connection(name: "okta production") == connection)
            await expectStoreError(.conflict(attribute: "name", value: "OKTA PRODUCTION")) {
                _ = try await store.createConnection(fixtures.connection("OKTA PRODUCTION"))
            }
            var updated = connection
            updated.onDeactivate = .delete
            updated.orphanRule = .off
            _ = try await store.updateConnection(updated)
            #expect(try await store.connection(id: connection.id) == updated)
            let now = fixtures.clock.now()
            let token = ScimToken(
                id: fixtures.ids.next(), connectionID: connection.id, name: "okta", prefix: "ac_1234",
                sha256: String(repeating: "ab", count: 32), scope: .provision, createdAt: now)
            _ = try await store.createToken(token)
            #expect(try await store.token(sha256: token.sha256) == token)
            #expect(try await store.token(sha256: String(repeating: "cd", count: 32)) == nil)
            fixtures.clock.advance(seconds: 60)
            try await store.markTokenUsed(id: token.id, at: fixtures.clock.now(), address: "192.0.2.7")
            try await store.revokeToken(id: token.id, at: fixtures.clock.now())
            let revoked = try #require(try await store.token(sha256: token.sha256))
            #expect(revoked.lastUsedAt == fixtures.clock.now())
            #expect(!revoked.isUsable(at: fixtures.clock.now()))
            #expect(try await store.tokens(connectionID: connection.id).map(\.id) == [token.id])
            #expect(try await store.connections().map(\.id) == [connection.id])
            try await store.deleteConnection(id: connection.id)
            #expect(try await store.token(sha256: token.sha256) == nil)
        },
        StoreCheck("accounts, roles and sessions") { store, fixtures in
            let now = fixtures.clock.now()
            let account = try await store.createAccount(
                Account(id: fixtures.ids.next(), userName: "admin", passwordHash: "$2b$12$hash", createdAt: now))
            #expect(try await store.account(userName: "ADMIN") == account)
            await expectStoreError(.conflict(attribute: "userName", value: "Admin")) {
                _ = try await store.createAccount(
                    Account(id: fixtures.ids.next(), userName: "Admin", passwordHash: "x", createdAt: now))
            }
            try await store.assignRole(RoleAssignment(role: .admin, subject: .account(account.id), createdAt: now))
            try await store.assignRole(RoleAssignment(role: .admin, subject: .account(account.id), createdAt: now))
            try await store.assignRole(RoleAssignment(role: .viewer, subject: .group("g1"), createdAt: now))
            #expect(try await store.roleAssignments().count == 2)
            try await store.removeRole(.viewer, from: .group("g1"))
            #expect(try await store.roleAssignments().map(\.subject) == [.account(account.id)])
            let session = Session(
                idHash: "h1", accountID: account.id, createdAt: now, expiresAt: now.adding(seconds: 3600),
                lastSeenAt: now)
            try await store.createSession(session)
            #expect(try await store.session(idHash: "h1") == session)
            try await store.touchSession(idHash: "h1", at: now.adding(seconds: 90))
            #expect(try await store.session(idHash: "h1")?.lastSeenAt == now.adding(seconds: 90))
            try await store.createSession(
                Session(
                    idHash: "h2", accountID: account.id, createdAt: now, expiresAt: now.adding(seconds: 60),
                    lastSeenAt: now))
            try await store.deleteSessions(accountID: account.id)
            #expect(try await store.session(idHash: "h2") == nil)
            try await store.createSession(session)
            #expect(try await store.deleteExpiredSessions(before: now.adding(seconds: 60)) == 0)
            #expect(try await store.deleteExpiredSessions(before: now.adding(seconds: 7200)) == 1)
            #expect(try await store.session(idHash: "h1") == nil)
            var disabled = account
            disabled.disabledAt = now
            disabled.mustChangePassword = true
            _ = try await store.updateAccount(disabled)
            #expect(try await store.account(id: account.id)?.disabledAt == now)
            #expect(try await store.account(id: account.id)?.mustChangePassword == true)
        },
        StoreCheck("login failures: counted per subject, restarted after the window, cleared") { store, fixtures in
            let start = fixtures.clock.now()
            for expected in 1...3 {
                let counted = try await store.recordLoginFailure(
                    subject: "account:ada", at: start.adding(seconds: Int64(expected)), windowStart: start)
                #expect(counted.failures == expected)
                #expect(counted.firstAt == start.adding(seconds: 1))
            }
            #expect(try await store.loginFailures(subject: "address:192.0.2.1") == nil)
            // Past the window the count starts again at one.
            let later = start.adding(seconds: 1000)
            let restarted = try await store.recordLoginFailure(
                subject: "account:ada", at: later, windowStart: start.adding(seconds: 100))
            #expect(restarted.failures == 1)
            #expect(restarted.firstAt == later)
            try await store.clearLoginFailures(subject: "account:ada")
            #expect(try await store.loginFailures(subject: "account:ada") == nil)
            // A failure taken back lowers the count; the last one taken back removes the row.
            for offset in 1...2 {
                _ = try await store.recordLoginFailure(
                    subject: "address:192.0.2.1", at: later.adding(seconds: Int64(offset)), windowStart: later)
            }
            try await store.forgiveLoginFailure(subject: "address:192.0.2.1")
            #expect(try await store.loginFailures(subject: "address:192.0.2.1")?.failures == 1)
            try await store.forgiveLoginFailure(subject: "address:192.0.2.1")
            #expect(try await store.loginFailures(subject: "address:192.0.2.1") == nil)
            try await store.forgiveLoginFailure(subject: "address:192.0.2.1")
            #expect(try await store.loginFailures(subject: "address:192.0.2.1") == nil)
            // Retention drops counts last added to before the cut, and only those.
            _ = try await store.recordLoginFailure(subject: "account:old", at: start, windowStart: start)
            _ = try await store.recordLoginFailure(subject: "account:new", at: later, windowStart: later)
            #expect(try await store.deleteLoginFailures(before: later) == 1)
            #expect(try await store.loginFailures(subject: "account:old") == nil)
            #expect(try await store.loginFailures(subject: "account:new")?.failures == 1)
        },
        StoreCheck("single sign-on: settings, one-use sign-ins, the replay cache, user sessions") { store, fixtures in
            let now = fixtures.clock.now()
            let connection = try await store.createConnection(
                Connection(id: "c1", name: "okta", kind: .okta, createdAt: now))
            #expect(try await store.singleSignOn(connectionID: connection.id) == nil)
            let saml = SAMLSettings(
                idpEntityID: "http://www.okta.com/x", ssoURL: "https://idp.example.com/sso", certificate: "PEM",
                idpInitiated: true)
            try await store.saveSingleSignOn(
                SingleSignOn(connectionID: connection.id, saml: saml, justInTime: false, updatedAt: now))
            try await store.saveSingleSignOn(
                SingleSignOn(connectionID: connection.id, saml: saml, justInTime: true, updatedAt: now))
            #expect(try await store.singleSignOn(connectionID: connection.id)?.saml == saml)
            #expect(try await store.singleSignOns().map(\.justInTime) == [true])
            // OpenID Connect alone, then both.
            let oidc = OIDCSettings(
                issuer: "https://idp.example.com", clientID: "console", clientSecretFile: "/run/secrets/oidc")
            try await store.saveSingleSignOn(
                SingleSignOn(connectionID: connection.id, saml: nil, oidc: oidc, updatedAt: now))
            #expect(try await store.singleSignOn(connectionID: connection.id)?.oidc == oidc)
            #expect(try await store.singleSignOn(connectionID: connection.id)?.saml == nil)
            try await store.saveSingleSignOn(
                SingleSignOn(connectionID: connection.id, saml: saml, oidc: oidc, updatedAt: now))
            #expect(try await store.singleSignOn(connectionID: connection.id)?.saml == saml)

            let request = SSORequest(
                stateHash: "s1", connectionID: connection.id, requestID: "_r1", next: "/users",
                sealedVerifier: "sealed",
                createdAt: now, expiresAt: now.adding(seconds: 600))
            try await store.createSSORequest(request)
            #expect(try await store.takeSSORequest(stateHash: "s1") == request)
            #expect(try await store.takeSSORequest(stateHash: "s1") == nil)

            let assertion = UsedAssertion(id: "c1:_a1", expiresAt: now.adding(seconds: 300))
            #expect(try await store.useAssertion(assertion))
            #expect(try await store.useAssertion(assertion) == false)
            try await store.createSSORequest(
                SSORequest(
                    stateHash: "s2", connectionID: connection.id, requestID: "_r2", next: "/users", createdAt: now,
                    expiresAt: now.adding(seconds: 10)))
            #expect(try await store.deleteExpiredSingleSignOn(before: now.adding(seconds: 400)) == 2)
            #expect(try await store.useAssertion(assertion))

            let user = try await store.createUser(
                User(
                    id: "u1", resource: ["userName": "ada@example.com"], origin: .idp(connectionID: connection.id),
                    createdAt: now, updatedAt: now))
            let session = Session(
                idHash: "h-user", subject: .user(id: user.id, connectionID: connection.id), createdAt: now,
                expiresAt: now.adding(seconds: 60), lastSeenAt: now)
            try await store.createSession(session)
            #expect(try await store.session(idHash: "h-user") == session)
            try await store.deleteSessions(userID: user.id)
            #expect(try await store.session(idHash: "h-user") == nil)
            try await store.createSession(session)
            try await store.deleteSessions(connectionID: connection.id)
            #expect(try await store.session(idHash: "h-user") == nil)
            // A deleted user's sessions go with it.
            try await store.createSession(session)
            try await store.deleteUser(id: user.id)
            #expect(try await store.session(idHash: "h-user") == nil)
        },
        StoreCheck("activity: timelines through related resources, histogram, detail") { store, fixtures in
            let start = fixtures.clock.now()
            for index in 0..<6 {
                try await store.recordActivity(
                    ActivityEvent(
                        id: "e\(index)", at: start.adding(seconds: Int64(index) * 1800), connectionID: "c1",
                        actor: index == 5 ? "account:a1" : nil, method: "PATCH", path: "/Groups/g1",
                        status: index == 2 ? 500 : 200, resourceType: "Group", resourceID: "g1",
                        summary: "change \(index)", related: index.isMultiple(of: 2) ? ["u1", "u2"] : ["u2"]))
            }
            let timeline = try await store.activity(ActivityQuery(resourceID: "u1", count: 10))
            #expect(timeline.items.map(\.id) == ["e4", "e2", "e0"])
            #expect(timeline.totalResults == 3)
            #expect(try await store.activity(ActivityQuery(resourceID: "g1", count: 10)).totalResults == 6)
            #expect(try await store.activity(ActivityQuery(actor: "account:a1")).items.map(\.id) == ["e5"])
            #expect(try await store.activity(ActivityQuery(outcome: .failed)).items.map(\.id) == ["e2"])
            let windowed = try await store.activity(
                ActivityQuery(since: start.adding(seconds: 1800), until: start.adding(seconds: 5400)))
            #expect(windowed.items.map(\.id) == ["e2", "e1"])
            #expect(try await store.activitySubjects(activityID: "e0") == ["g1", "u1", "u2"])
            #expect(try await store.activity(id: "e3")?.summary == "change 3")
            let hours = try await store.activityHistogram(ActivityQuery(), since: start, bucketSeconds: 3600)
            #expect(hours.map(\.total).reduce(0, +) == 6)
            #expect(hours.map(\.failed).reduce(0, +) == 1)
            #expect(hours.allSatisfy { $0.start.microseconds % 3_600_000_000 == 0 })
            // Retention takes a row's subjects with it.
            _ = try await store.pruneActivity(keep: 100, before: start.adding(seconds: 1))
            #expect(try await store.activitySubjects(activityID: "e0").isEmpty)
            #expect(
                try await store.activity(ActivityQuery(resourceID: "u1", count: 10)).items.map(\.id) == ["e4", "e2"])
        },
        StoreCheck("activity: record, filter, newest first, bounded retention") { store, fixtures in
            for index in 0..<30 {
                fixtures.clock.advance(seconds: 1)
                try await store.recordActivity(
                    ActivityEvent(
                        id: fixtures.ids.next(), at: fixtures.clock.now(), connectionID: index % 2 == 0 ? "c1" : nil,
                        method: "PATCH", path: "/scim/v2/Groups/g", status: index % 3 == 0 ? 400 : 200,
                        resourceType: "Group",
                        resourceID: "g", summary: "event \(index)", detail: index % 3 == 0 ? "bad" : nil,
                        durationMicroseconds: 42))
            }
            let all = try await store.activity(ActivityQuery(count: 5))
            #expect(all.totalResults == 30)
            #expect(all.items.map(\.summary) == ["event 29", "event 28", "event 27", "event 26", "event 25"])
            #expect(try await store.activity(ActivityQuery(connectionID: "c1")).totalResults == 15)
            #expect(try await store.activity(ActivityQuery(status: 400)).totalResults == 10)
            let batch = (0..<130).map { index in
                ActivityEvent(
                    id: "batch-\(index)", at: Timestamp(microseconds: 1), method: "GET", path: "/", status: 200,
                    summary: "batched \(index)")
            }
            try await store.recordActivities(batch)
            #expect(try await store.activity(ActivityQuery(count: 1)).totalResults == 160)
            #expect(try await store.pruneActivity(keep: 1000, before: Timestamp(microseconds: 2)) == 130)
            let pruned = try await store.pruneActivity(keep: 20, before: Timestamp(microseconds: 0))
            #expect(pruned == 10)
            #expect(try await store.activity(ActivityQuery(count: 100)).items.last?.summary == "event 10")
        },
        StoreCheck("recording the same activity rows twice keeps one copy (a batch put back at shutdown)") {
            store, fixtures in
            let rows = (0..<3).map { index in
                ActivityEvent(
                    id: fixtures.ids.next(), at: fixtures.clock.now(), method: "GET", path: "/scim/v2/Users",
                    status: 200, summary: "row \(index)")
            }
            try await store.recordActivities(rows)
            try await store.recordActivities(
                rows + [
                    ActivityEvent(
                        id: fixtures.ids.next(), at: fixtures.clock.now(), method: "GET", path: "/scim/v2/Groups",
                        status: 200, summary: "row 3")
                ])
            #expect(try await store.activity(ActivityQuery(count: 10)).totalResults == 4)
        },
        StoreCheck("transactions: all or nothing") { store, fixtures in
            struct Abort: Error {}
            let first = fixtures.user("t1@example.test")
            do {
                try await store.transaction { transaction in
                    _ = try await transaction.createUser(first)
                    _ = try await transaction.createGroup(fixtures.group("T"))
                    throw Abort()
                }
                Issue.record("the transaction should have thrown")
            } catch is Abort {}
            #expect(try await store.user(id: first.id) == nil)
            #expect(try await store.group(displayName: "T") == nil)
            let group = fixtures.group("T")
            try await store.transaction { transaction in
                _ = try await transaction.createUser(first)
                _ = try await transaction.createGroup(group)
                _ = try await transaction.addMembers(
                    groupID: group.id, userIDs: [first.id], source: .manual, at: fixtures.clock.now())
                // A failing step inside the transaction leaves the earlier steps in place.
                await expectStoreError(.conflict(attribute: "userName", value: "T1@example.test")) {
                    _ = try await transaction.createUser(fixtures.user("T1@example.test"))
                }
            }
            #expect(try await store.memberCount(groupID: group.id) == 1)
        },
    ]

    static let concurrency: [StoreCheck] = [
        StoreCheck("64 concurrent member additions to one group lose none") { store, fixtures in
            let group = try await store.createGroup(fixtures.group("Crowd"))
            var ids: [String] = []
            for index in 0..<64 {
                ids.append(try await store.createUser(fixtures.user("crowd\(index)@example.test")).id)
            }
            let at = fixtures.clock.now()
            try await withThrowingTaskGroup(of: MembershipChange.self) { tasks in
                for id in ids {
                    tasks.addTask {
                        try await store.addMembers(groupID: group.id, userIDs: [id], source: .manual, at: at)
                    }
                }
                var added = 0
                for try await change in tasks { added += change.added.count }
                #expect(added == 64)
            }
            #expect(try await store.memberCount(groupID: group.id) == 64)
            #expect(try await store.group(id: group.id)?.version == 65)
        },
        StoreCheck("two concurrent creates of one userName: one user, one uniqueness error") {
            (store: any DirectoryBackend, fixtures: DirectoryFixtures) async throws in
            let first = fixtures.user("race@example.test")
            let second = fixtures.user("RACE@example.test")
            async let a = attemptCreate(first, in: store)
            async let b = attemptCreate(second, in: store)
            let results = await [a, b]
            let successes = results.filter { if case .success = $0 { return true } else { return false } }
            let failures = results.compactMap { result -> StoreError? in
                if case .failure(let error) = result { return error } else { return nil }
            }
            #expect(successes.count == 1)
            #expect(failures.count == 1)
            if case .conflict(let attribute, _)? = failures.first {
                #expect(attribute == "userName")
            } else {
                Issue.record("expected a uniqueness error, got \(failures)")
            }
            #expect(try await store.users(ResourceQuery()).totalResults == 1)
        },
    ]
}

/// Creates a user, capturing the outcome instead of throwing.
func attemptCreate(_ user: User, in store: any DirectoryBackend) async -> Result<User, StoreError> {
    do throws(StoreError) {
        return .success(try await store.createUser(user))
    } catch {
        return .failure(error)
    }
}

extension JSONObject {
    /// A copy with one member replaced.
    public func updating(_ key: String, _ value: JSONValue) -> JSONObject {
        var copy = self
        copy[key] = value
        return copy
    }
}
