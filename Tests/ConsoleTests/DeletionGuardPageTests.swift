import Directory
import HTTPTypes
import SCIM
import Testing

/// The connection page's deletion guard: the limit in the policies form, a warning and the held
/// users once it trips, and release / reject for an admin only.
@Suite("Deletion guard on the connection page")
struct DeletionGuardPageTests {
    @Test("tripping, then releasing one and rejecting the rest through the page")
    func tripReleaseReject() async throws {
        try await ConsoleHarness.with { server, client in
            let browser = try await ConsoleActionTests.signedIn(server, client)
            let path = "/connections/\(server.connection.id)"
            try await browser.get(path)
            try await browser.post(
                "\(path)/policies",
                [("onDeactivate", "suspend"), ("onDelete", "delete"), ("orphanRule", "delete"), ("deletionGuard", "1")])
            #expect(browser.status == 303)
            var ids: [String] = []
            for name in ["ada", "bob", "cy"] {
                let created = try await server.scim(
                    client, .post, "/Users", ConsolePageTests.user("\(name)@example.com", name, "L"))
                ids.append(try #require(created.json?["id"]?.stringValue))
            }
            for id in ids {
                // The IdP's normal answer, held or not; afterwards the user is gone to it.
                #expect(try await server.scim(client, .delete, "/Users/\(id)").status == 204)
                #expect(try await server.scim(client, .get, "/Users/\(id)").status == 404)
            }
            let page = try await browser.get(path)
            #expect(page.contains("The deletion guard tripped: 2 deprovisions held."))
            #expect(page.contains("data-user-id=\"\(ids[1])\"") && page.contains("data-user-id=\"\(ids[2])\""))

            try await browser.post("\(path)/held/release", [("user", ids[1])])
            #expect(browser.status == 303)
            #expect(try await server.service.store.user(id: ids[1], includeArchived: true) == nil)
            try await browser.get(path)
            try await browser.post("\(path)/held/reject", [])
            #expect(browser.status == 303)
            let restored = try #require(try await server.service.store.user(id: ids[2]))
            #expect(restored.active == true)
            let after = try await browser.get(path)
            #expect(after.contains("Nothing is held."))
            #expect(try await server.scim(client, .get, "/Users/\(ids[2])").status == 200)
        }
    }

    @Test("a bad limit is refused and the policy stays")
    func badLimit() async throws {
        try await ConsoleHarness.with { server, client in
            let browser = try await ConsoleActionTests.signedIn(server, client)
            let path = "/connections/\(server.connection.id)"
            for limit in ["0", "-3", "ten", "100001"] {
                try await browser.get(path)
                try await browser.post(
                    "\(path)/policies",
                    [
                        ("onDeactivate", "suspend"), ("onDelete", "delete"), ("orphanRule", "delete"),
                        ("deletionGuard", limit),
                    ])
                #expect(browser.status == 400, "limit \(limit)")
            }
            let connection = try await server.service.connection(named: "okta-prod", by: .commandLine)
            #expect(connection.deletionGuard == Connection.defaultDeletionGuard)
        }
    }
}
