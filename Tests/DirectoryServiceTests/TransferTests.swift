import Directory
import SCIM
import TestSupport
import Testing

/// Export → import: the directory comes back whole, into an empty directory or over itself.
@Suite("Export and import")
struct TransferTests {
    /// A directory of `users` users (local and of a connection, some archived), 20 groups and a
    /// membership of every user from each source.
    static func seed(_ service: DirectoryService, users: Int) async throws {
        let connection = try await service.createConnection(
            name: "Okta", kind: .okta,
            policies: ConnectionPolicies(onDeactivate: .archive, onDelete: .delete, orphanRule: .off, deletionGuard: 7),
            by: .commandLine)
        let now = service.clock.now()
        let store = service.store
        try await store.transaction { store in
            for index in 0..<users {
                let origin: Origin = index % 3 == 0 ? .local : .idp(connectionID: connection.id)
                _ = try await store.createUser(
                    User(
                        id: "u-\(index)",
                        resource: [
                            "schemas": [.string(SCIMURN.user)], "userName": .string("user\(index)@example.test"),
                            "name": ["givenName": .string("Given \(index)"), "familyName": "Ü ñ 🙂"],
                            "emails": [["value": .string("user\(index)@example.test"), "primary": true]],
                            "active": .bool(index % 7 != 0),
                        ], origin: origin, createdAt: now.adding(seconds: Int64(index)),
                        updatedAt: now.adding(seconds: Int64(index) + 5), createdBy: "system:test"))
            }
            for group in 0..<20 {
                _ = try await store.createGroup(
                    Group(
                        id: "g-\(group)", resource: ["displayName": .string("Group \(group)")],
                        origin: group % 2 == 0 ? .local : .idp(connectionID: connection.id), createdAt: now,
                        updatedAt: now))
            }
            let ids = (0..<users).map { "u-\($0)" }
            for group in 0..<20 {
                let members = ids.enumerated().filter { $0.offset % 20 == group }.map(\.element)
                _ = try await store.addMembers(groupID: "g-\(group)", userIDs: members, source: .manual, at: now)
                if group % 2 == 1 {
                    _ = try await store.addMembers(
                        groupID: "g-\(group)", userIDs: members, source: .connection(connection.id),
                        at: now.adding(seconds: 9))
                }
            }
            // Archived after joining: their memberships stay, for a restore, and travel with them.
            for index in stride(from: 0, to: users, by: 11) {
                guard var user = try await store.user(id: "u-\(index)") else { continue }
                let version = user.version
                user.archivedAt = now
                _ = try await store.replaceUser(user, expectedVersion: version)
            }
        }
    }

    static func export(_ service: DirectoryService) async throws -> [String] {
        var lines: [String] = []
        _ = try await service.export(by: .commandLine, pageSize: 700) { lines.append($0.json.serialized()) }
        return lines
    }

    static func importAll(_ lines: [String], into service: DirectoryService) async throws -> ImportBatchResult {
        let session = ImportSession()
        var total = ImportBatchResult()
        var batch: [TransferRecord] = []
        func send() async throws {
            let result = try await service.importBatch(batch, session: session, by: .commandLine)
            total.created = total.created + result.created
            total.updated = total.updated + result.updated
            total.unchanged = total.unchanged + result.unchanged
            total.failures += result.failures
            batch = []
        }
        for line in lines {
            let object = try #require(try JSONParser().parse(bytes: Array(line.utf8)).objectValue)
            batch.append(try TransferRecord(json: object))
            if batch.count == 500 { try await send() }
        }
        try await send()
        return total
    }

    /// The same lines; else the first that differs.
    static func expectSame(_ actual: [String], _ expected: [String]) {
        #expect(actual.count == expected.count)
        if let index = actual.indices.first(where: { $0 < expected.count && actual[$0] != expected[$0] }) {
            Issue.record("line \(index + 1) differs:\n\(actual[index])\n\(expected[index])")
        }
    }

    @Test("a round trip at 10 000 users (1 000 on PostgreSQL) loses nothing", arguments: Backend.available)
    func roundTrip(backend: Backend) async throws {
        let count = backend == .sqlite ? 10_000 : 1_000
        let first = DirectoryFixtures()
        let source = try await backend.make(first.clock)
        let second = DirectoryFixtures()
        let target = try await backend.make(second.clock)
        do {
            let from = DirectoryService(store: source.store, clock: first.clock, ids: first.ids)
            let into = DirectoryService(store: target.store, clock: second.clock, ids: second.ids)
            try await Self.seed(from, users: count)
            let exported = try await Self.export(from)
            #expect(exported.count == 1 + 1 + count + 20 + count + count / 2)
            let result = try await Self.importAll(exported, into: into)
            #expect(result.failures.isEmpty)
            #expect(result.created.users == count)
            #expect(result.created.memberships == count + count / 2)
            // Byte for byte the same file: every field, timestamp, origin and membership source.
            Self.expectSame(try await Self.export(into), exported)
            // Again over itself: nothing changes.
            let again = try await Self.importAll(exported, into: into)
            #expect(again.failures.isEmpty && again.created == TransferCounts() && again.updated == TransferCounts())
            Self.expectSame(try await Self.export(into), exported)
            await source.close()
            await target.close()
        } catch {
            await source.close()
            await target.close()
            throw error
        }
    }

    @Test("merging by name: a user and a group that exist under another id take the file's data")
    func mergeByName() async throws {
        let fixtures = DirectoryFixtures()
        let harness = try await SQLiteHarness.make(clock: fixtures.clock)
        do {
            let service = DirectoryService(store: harness.store, clock: fixtures.clock, ids: fixtures.ids)
            let existing = try await service.createLocalUser(
                LocalUserProfile(userName: "ADA@example.test", givenName: "Old"), by: .commandLine
            ).user
            let lines = [
                #"{"type":"header","format":"account-console-export","version":1}"#,
                #"{"type":"user","id":"file-ada","origin":"local","createdAt":1,"updatedAt":2,"resource":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.test","name":{"givenName":"New"}}}"#,
                #"{"type":"group","id":"file-g","origin":"local","createdAt":1,"updatedAt":2,"resource":{"displayName":"Crew"}}"#,
                #"{"type":"membership","groupId":"file-g","userId":"file-ada","source":"manual","createdAt":3}"#,
                #"{"type":"membership","groupId":"file-g","userId":"nobody","source":"manual","createdAt":3}"#,
            ]
            let result = try await Self.importAll(lines, into: service)
            #expect(result.updated.users == 1 && result.created.groups == 1 && result.created.memberships == 1)
            #expect(result.failures.map(\.index) == [4])
            let merged = try #require(try await service.store.user(id: existing.id))
            #expect(merged.resource["name"]?.objectValue?["givenName"]?.stringValue == "New")
            #expect(try await service.store.user(id: "file-ada", includeArchived: true) == nil)
            #expect(try await service.store.memberships(groupID: "file-g", userIDs: [existing.id]).count == 1)
            await harness.close()
        } catch {
            await harness.close()
            throw error
        }
    }

    @Test(
        "malformed records are refused with a reason",
        arguments: [
            (#"{"type":"user","id":"x","origin":"local","createdAt":1,"updatedAt":1,"resource":{}}"#, "userName"),
            (
                #"{"type":"user","id":"x","origin":"elsewhere","createdAt":1,"updatedAt":1,"resource":{"userName":"a"}}"#,
                "origin"
            ),
            (
                #"{"type":"group","id":"x","origin":"local","createdAt":"yesterday","updatedAt":1,"resource":{"displayName":"a"}}"#,
                "createdAt"
            ),
            (
                #"{"type":"connection","id":"c","name":"n","kind":"ldap","onDeactivate":"suspend","onDelete":"delete","orphanRule":"off","createdAt":1}"#,
                "kind"
            ),
            (#"{"type":"header","format":"account-console-export","version":99}"#, "newer"),
            (#"{"type":"token","id":"t"}"#, "unknown record type"),
            (
                #"{"type":"connection","id":"c","name":"n","kind":"okta","onDeactivate":"suspend","onDelete":"delete","orphanRule":"off","deletionGuard":0,"createdAt":1}"#,
                "deletionGuard"
            ),
        ])
    func malformed(line: String, reason: String) throws {
        let object = try #require(try JSONParser().parse(bytes: Array(line.utf8)).objectValue)
        #expect(throws: TransferRecord.Malformed.self) { try TransferRecord(json: object) }
        do {
            _ = try TransferRecord(json: object)
        } catch {
            #expect(error.description.contains(reason))
        }
    }
}
