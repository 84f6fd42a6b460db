import Directory
import DirectoryPostgres
import DirectorySQL
import DirectorySQLite
import Foundation
import SCIM

/// Store benchmarks at the scale the design targets: 100 000 users, 1 000 groups, one group of
/// 100 000 members. Usage: `StoreBenchmarks sqlite PATH` or `StoreBenchmarks postgres URL`.
@main
struct StoreBenchmarks {
    final class WallClock: DirectoryClock {
        func now() -> Timestamp { Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)) }
    }

    final class Identifiers: IdentifierGenerator {
        func next() -> String { UUID().uuidString.lowercased() }
    }

    static let userCount = Int(ProcessInfo.processInfo.environment["BENCH_USERS"] ?? "") ?? 100_000
    static let groupCount = 1000

    static func seconds(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Void
    ) async rethrows
        -> Double
    {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func row(_ name: String, _ value: String) {
        print("| \(name) | \(value) |")
    }

    static func perOperation(_ total: Double, _ count: Int) -> String {
        let micro = total / Double(count) * 1e6
        return String(format: "%.0f µs/op (%.0f op/s)", micro, Double(count) / total)
    }

    static func user(_ index: Int, id: String, now: Timestamp) -> User {
        let name = "user\(index)@example.test"
        return User(
            id: id,
            resource: [
                "schemas": [.string(SCIMURN.user)], "userName": .string(name), "externalId": .string("00u\(index)"),
                "name": ["givenName": .string("Given\(index)"), "familyName": "Family"],
                "emails": [["value": .string(name), "type": "work", "primary": true]], "active": true,
            ], origin: .local, createdAt: now, updatedAt: now)
    }

    static let seededConnectionID = "00000000-0000-4000-a000-000000000001"

    /// Deterministic ids, so load scripts can name users without a lookup: user `n` is
    /// `00000000-0000-4000-8000-<n in 12 hex digits>`.
    static func deterministicID(_ index: Int) -> String {
        let hex = String(index, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }

    /// Seeds a SQLite file for the HTTP benchmarks: users 0 ..< N in one big group, users
    /// N ..< N + 10 000 outside it, and a 10-member group.
    static func seedForHTTP(path: String) async throws {
        let clock = WallClock()
        let (store, database) = try await SQLiteDirectoryStore.open(path: path, migrate: true, clock: clock)
        let total = userCount + 10_000
        // Half of the users belong to a connection, for the console's filter by connection.
        let seeded = try await store.createConnection(
            Connection(id: seededConnectionID, name: "Seeded", kind: .okta, createdAt: clock.now()))
        for start in stride(from: 0, to: total, by: 1000) {
            let users = (start..<min(start + 1000, total)).map { index in
                var made = user(index, id: deterministicID(index), now: clock.now())
                if index >= userCount / 2, index < userCount { made.origin = .idp(connectionID: seeded.id) }
                return made
            }
            try await store.transaction { transaction in
                for user in users { _ = try await transaction.createUser(user) }
            }
        }
        let now = clock.now()
        for (id, name) in [
            ("00000000-0000-4000-9000-000000000001", "Everyone"), ("00000000-0000-4000-9000-000000000002", "Ten"),
        ] {
            _ = try await store.createGroup(
                Group(
                    id: id, resource: ["schemas": [.string(SCIMURN.group)], "displayName": .string(name)],
                    origin: .local, createdAt: now, updatedAt: now))
        }
        _ = try await store.addMembers(
            groupID: "00000000-0000-4000-9000-000000000001", userIDs: (0..<userCount).map(deterministicID),
            source: .manual, at: now)
        _ = try await store.addMembers(
            groupID: "00000000-0000-4000-9000-000000000002", userIDs: (0..<10).map(deterministicID), source: .manual,
            at: now)
        // A timeline of 1 000 events for user 0: PATCHes of the big group that name it.
        let events = (0..<1000).map { index in
            ActivityEvent(
                id: "00000000-0000-4000-b000-\(String(format: "%012d", index))",
                at: Timestamp(microseconds: now.microseconds - Int64(1000 - index) * 60_000_000),
                connectionID: seeded.id, method: "PATCH", path: "/scim/v2/Groups/00000000-0000-4000-9000-000000000001",
                status: 204, resourceType: "Group", resourceID: "00000000-0000-4000-9000-000000000001",
                summary: "added 1 member to Everyone", durationMicroseconds: 800,
                changes: [FieldChange(field: "members", old: nil, new: "+user0@example.test")],
                related: [deterministicID(0)])
        }
        try await store.recordActivities(events)
        await database.close()
        print(
            "seeded \(total) users (half of the first \(userCount) from a connection), a group of \(userCount), a group of 10 and 1 000 events of user 0 in \(path)"
        )
    }

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 else {
            print("usage: StoreBenchmarks sqlite PATH | postgres URL | seed PATH")
            return
        }
        if arguments[1] == "seed" {
            try await seedForHTTP(path: arguments[2])
            return
        }
        let clock = WallClock()
        let ids = Identifiers()
        let store: SQLDirectoryStore
        let close: () async -> Void
        if arguments[1] == "sqlite" {
            let (opened, database) = try await SQLiteDirectoryStore.open(
                path: arguments[2], migrate: true, clock: clock)
            store = opened
            close = { await database.close() }
        } else {
            let (opened, database) = try await PostgresDirectoryStore.open(
                location: try PostgresLocation(url: arguments[2]), migrate: true, clock: clock)
            store = opened
            close = { await database.close() }
        }
        print("| \(arguments[1]): measure | result |")
        print("| --- | ---: |")

        // Users, 1 000 per transaction for the bulk of them.
        var userIDs: [String] = []
        userIDs.reserveCapacity(userCount)
        let batch = 1000
        let bulk = try await seconds {
            for start in stride(from: 0, to: userCount, by: batch) {
                let users = (start..<min(start + batch, userCount)).map { user($0, id: ids.next(), now: clock.now()) }
                try await store.transaction { transaction in
                    for user in users { _ = try await transaction.createUser(user) }
                }
                userIDs += users.map(\.id)
            }
        }
        row(
            "insert \(userCount) users, 1 000 per transaction",
            String(format: "%.1f s (%.0f users/s)", bulk, Double(userCount) / bulk))
        let single = 500
        let singles = try await seconds {
            for index in 0..<single {
                _ = try await store.createUser(user(userCount + index, id: ids.next(), now: clock.now()))
            }
        }
        row("insert one user per transaction (\(single) users)", perOperation(singles, single))
        let outsiders = try await store.users(ResourceQuery(offset: userCount, count: single)).items.map(\.id)

        // Groups.
        var groupIDs: [String] = []
        for index in 0..<groupCount {
            let now = clock.now()
            let group = Group(
                id: ids.next(),
                resource: ["schemas": [.string(SCIMURN.group)], "displayName": .string("Group \(index)")],
                origin: .local, createdAt: now, updatedAt: now)
            groupIDs.append(try await store.createGroup(group).id)
        }
        let big = groupIDs[0]
        let small = groupIDs[1]
        let fill = try await seconds {
            _ = try await store.addMembers(groupID: big, userIDs: userIDs, source: .manual, at: clock.now())
        }
        row("add \(userCount) members to one group (one call)", String(format: "%.1f s", fill))
        _ = try await store.addMembers(
            groupID: small, userIDs: Array(userIDs.prefix(10)), source: .manual, at: clock.now())

        // Lookups.
        let lookups = 2000
        let byName = try await seconds {
            for index in 0..<lookups {
                _ = try await store.user(userName: "USER\((index * 7919) % userCount)@example.test")
            }
        }
        row("lookup by userName (user(userName:))", perOperation(byName, lookups))
        let byFilter = try await seconds {
            for index in 0..<lookups {
                let filter = try ResourceType.user.resolveFilter(
                    #"userName eq "user\#((index * 7919) % userCount)@example.test""#)
                _ = try await store.users(ResourceQuery(filter: filter, count: 100))
            }
        }
        row("lookup by filter userName eq (Okta: count=100)", perOperation(byFilter, lookups))
        let byExternal = try await seconds {
            for index in 0..<lookups {
                let filter = try ResourceType.user.resolveFilter(#"externalId eq "00u\#((index * 7919) % userCount)""#)
                _ = try await store.users(ResourceQuery(filter: filter, count: 100))
            }
        }
        row("lookup by filter externalId eq", perOperation(byExternal, lookups))
        let byEmail = try await seconds {
            for index in 0..<lookups {
                let filter = try ResourceType.user.resolveFilter(
                    #"emails[type eq "work"].value eq "user\#((index * 7919) % userCount)@example.test""#)
                _ = try await store.users(ResourceQuery(filter: filter, count: 100))
            }
        }
        row("lookup by filter emails[type eq \"work\"].value eq", perOperation(byEmail, lookups))
        let byID = try await seconds {
            for index in 0..<lookups { _ = try await store.user(id: userIDs[(index * 7919) % userCount]) }
        }
        row("lookup by id", perOperation(byID, lookups))

        // Membership additions: one member at a time, to the big and to the small group.
        // Interleaved, so neither size gets a warmer cache or a fresher WAL than the other.
        let additions = min(single, outsiders.count)
        var toBig = 0.0
        var toSmall = 0.0
        for id in outsiders.prefix(additions) {
            toBig += try await seconds {
                _ = try await store.addMembers(groupID: big, userIDs: [id], source: .manual, at: clock.now())
            }
            toSmall += try await seconds {
                _ = try await store.addMembers(groupID: small, userIDs: [id], source: .manual, at: clock.now())
            }
        }
        row("add one member to the \(userCount)-member group", perOperation(toBig, additions))
        row("add one member to a 10-member group", perOperation(toSmall, additions))
        row("ratio big / small (target ≤ 1.5)", String(format: "%.2f", toBig / toSmall))

        // Deep pages.
        let pages = 50
        let offsetPage = try await seconds {
            for _ in 0..<pages {
                _ = try await store.users(ResourceQuery(offset: 99_900 % max(1, userCount), count: 100))
            }
        }
        row("page 1 000 of 100 by offset (page + total count)", perOperation(offsetPage, pages))
        let cursorID = try await store.users(ResourceQuery(offset: 99_899 % max(1, userCount), count: 1)).items.first?
            .id
        let cursorPage = try await seconds {
            for _ in 0..<pages { _ = try await store.users(ResourceQuery(count: 100, after: cursorID)) }
        }
        row("page 1 000 of 100 by cursor (page + total count)", perOperation(cursorPage, pages))

        // The console's search: a prefix of userName, names or email, index-backed.
        let searches = 500
        let search = try await seconds {
            for index in 0..<searches {
                _ = try await store.users(ResourceQuery(search: "user\((index * 7919) % userCount)", count: 25))
            }
        }
        row("console search, prefix of userName/names/primary email (25 a page)", perOperation(search, searches))
        let filtered = try await seconds {
            for _ in 0..<searches {
                _ = try await store.users(ResourceQuery(origin: .local, status: .active, search: "family", count: 25))
            }
        }
        row("console search + origin + status, many matches", perOperation(filtered, searches))

        // Okta's import: startIndex pages of 100 through the service (it has no cursors), with
        // each user's groups, walking the first 10 000, 50 000 and all users.
        let service = DirectoryService(store: store, clock: clock, ids: ids)
        let actor = DirectoryActor.system("benchmark")
        func walk(_ users: Int) async throws -> Double {
            try await seconds {
                var start = 1
                while start <= users {
                    _ = try await service.listUsers(ListRequest(startIndex: start, count: 100), by: actor)
                    start += 100
                }
            }
        }
        let walk10 = try await walk(min(10_000, userCount))
        let walk50 = try await walk(min(50_000, userCount))
        let walkAll = try await walk(userCount)
        row("import walk, first 10 000 users (pages of 100)", String(format: "%.2f s", walk10))
        row(
            "import walk, first 50 000 users",
            String(format: "%.2f s (%.1f× the 10 000 walk; linear is 5×)", walk50, walk50 / walk10))
        row(
            "import walk, all \(userCount) users",
            String(format: "%.2f s, %.2f ms a page", walkAll, walkAll * 1000 / Double(max(1, userCount / 100))))
        await close()
    }
}
