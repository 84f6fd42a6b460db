import SCIM
import Testing

/// One PATCH row: the resource before, the operations, and the outcome.
///
/// `after` is written as the attributes that differ from `before` (top-level members replaced
/// whole; `null` removes one), so each row shows exactly what the operations changed.
struct PatchCase: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable {
        /// The resource becomes `before` with these top-level members replaced (null: removed).
        case after(String)
        /// Nothing changes and the patcher says so.
        case unchanged
        /// The request fails with this `scimType` (status 400) and a detail containing the fragment.
        case error(SCIMErrorType, String)
    }

    var name: String
    var before: String
    var operations: String
    var outcome: Outcome
    /// For groups: the expected members delta.
    var members: MembersDelta?

    init(
        _ name: String, before: String = PatchCase.user, _ operations: String, _ outcome: Outcome,
        members: MembersDelta? = nil
    ) {
        self.name = name
        self.before = before
        self.operations = operations
        self.outcome = outcome
        self.members = members
    }

    var testDescription: String { name }

    static let user = """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"bjensen",
         "name":{"givenName":"Barbara","familyName":"Jensen"},
         "emails":[{"value":"bj@work.example","type":"work","primary":true},{"value":"bj@home.example","type":"home"}],
         "active":true,
         "meta":{"resourceType":"User","created":"2011-01-01T00:00:00Z","lastModified":"2011-01-01T00:00:00Z","version":"W/\\"1\\""}}
        """

    static let enterpriseUser = """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
         "id":"u2","userName":"aturing","active":true,
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1912","department":"Research"}}
        """

    static let group = """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"Engineering"}
        """

    func run(_ patcher: Patcher) throws {
        let before = try object(self.before)
        let body = try json(
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":\#(operations)}"#)
        switch outcome {
        case .error(let type, let fragment):
            let error = #expect(throws: SCIMError.self) {
                let request = try PatchRequest(json: body)
                _ = try patcher.apply(request, to: before)
            }
            #expect(error?.status == 400)
            #expect(error?.scimType == type, "\(error?.description ?? "")")
            #expect(error?.detail.contains(fragment) == true, "\(error?.detail ?? "")")
        case .unchanged:
            let result = try patcher.apply(try PatchRequest(json: body), to: before)
            #expect(result.resource == before, "\(result.resource.serialized())")
            #expect(!result.changed)
            #expect(result.members == members)
        case .after(let overrides):
            var expected = before
            for member in try object(overrides) {
                expected[member.key] = member.value.isNull ? nil : member.value
            }
            let result = try patcher.apply(try PatchRequest(json: body), to: before)
            #expect(result.resource == expected, "got \(result.resource.serialized())")
            #expect(result.changed == (expected != before))
            #expect(result.members == members)
        }
    }
}
