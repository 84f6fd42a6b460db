import SCIM
import Testing

/// Every JSON example of RFC 7643 and RFC 7644, as fixtures named by section
/// (`Fixtures/rfc/README.md` lists them and the RFC's own mistakes).
@Suite("RFC 7643 / RFC 7644 examples")
struct RFCExampleTests {
    @Test("every example is JSON that round-trips exactly", arguments: Fixtures.names())
    func roundTrips(name: String) throws {
        let text = try Fixtures.text(name)
        let value = try JSONParser().parse(text)
        #expect(try JSONParser().parse(value.serialized()) == value)
        #expect(try JSONParser().parse(value.serialized(pretty: true, sortedKeys: true)) == value)
    }

    /// User and group representations of the RFCs, validated as request bodies.
    static let resources: [(String, String)] = [
        ("rfc7643-8.1-minimal-user.json", "User"),
        ("rfc7643-8.2-full-user.json", "User"),
        ("rfc7643-8.3-enterprise-user.json", "User"),
        ("rfc7643-8.4-group.json", "Group"),
        ("rfc7644-3.3-create-user-request.json", "User"),
        ("rfc7644-3.3-create-user-response.json", "User"),
        ("rfc7644-3.4.1-get-user-response.json", "User"),
        ("rfc7644-3.5.1-put-user-request.json", "User"),
        ("rfc7644-3.5.1-put-user-response.json", "User"),
        ("rfc7644-3.14-create-user-request.json", "User"),
        ("rfc7644-3.14-create-user-response.json", "User"),
        ("rfc7644-3.7.2-get-group-response.json", "Group"),
    ]

    @Test("resource examples validate against the schemas", arguments: resources)
    func validates(name: String, type: String) throws {
        let resourceType: ResourceType = type == "User" ? .user : .group
        let resource = try Fixtures.object(name)
        let validated = try ResourceValidator(resourceType: resourceType).validate(resource)
        // Nothing writable is lost: every attribute that is not read-only survives validation.
        for member in resource
        where !["id", "meta", "groups", "schemas"].contains(member.key) && !member.value.isUnassigned {
            #expect(validated[member.key] != nil, "\(name): \(member.key) was dropped")
        }
    }

    @Test("RFC 7643 §8.2 full user: every filter in RFC 7644 §3.4.2.2 resolves against the User type")
    func filtersResolve() throws {
        let lines = try Fixtures.text("rfc7644-3.4.2.2-filters.txt").split(separator: "\n").map(String.init)
        let user = try Fixtures.object("rfc7643-8.2-full-user.json")
        for line in lines {
            let filter = try ResourceType.user.resolveFilter(line)
            _ = FilterEvaluator.matches(filter, user)
        }
    }

    @Test("RFC 7644 §3.5.2.3 replace examples applied to the RFC 7643 §8.2 user")
    func replaceExamplesApply() throws {
        var user = try Fixtures.object("rfc7643-8.2-full-user.json")
        user["password"] = nil
        let work = try PatchRequest(json: try Fixtures.json("rfc7644-3.5.2.3-replace-work-address.json"))
        let replaced = try Patcher.users.apply(work, to: user)
        let address = replaced.resource["addresses"]?.arrayValue?.first { $0.objectValue?["type"] == "work" }
        #expect(address?.objectValue?["streetAddress"] == "911 Universal City Plaza")
        #expect(replaced.changed)
        let street = try PatchRequest(json: try Fixtures.json("rfc7644-3.5.2.3-replace-street-address.json"))
        let result = try Patcher.users.apply(street, to: replaced.resource)
        let newStreet = result.resource["addresses"]?.arrayValue?.first { $0.objectValue?["type"] == "work" }
        #expect(newStreet?.objectValue?["streetAddress"] == "1010 Broadway Ave")
        let pathless = try PatchRequest(json: try Fixtures.json("rfc7644-3.5.2.3-replace-attributes-no-path.json"))
        let renamed = try Patcher.users.apply(pathless, to: user)
        #expect(renamed.resource["nickName"] == "Babs")
    }

    @Test("RFC 7644 §3.5.2.2 removing an email by complex filter on the §8.2 user")
    func removeEmailExample() throws {
        var user = try Fixtures.object("rfc7643-8.2-full-user.json")
        user["password"] = nil
        let request = try PatchRequest(json: try Fixtures.json("rfc7644-3.5.2.2-remove-email-complex-filter.json"))
        let result = try Patcher.users.apply(request, to: user)
        #expect(result.resource["emails"] == [["value": "babs@jensen.org", "type": "home"]])
        #expect(result.changed)
    }
}
