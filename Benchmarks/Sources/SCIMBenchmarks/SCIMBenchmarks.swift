import SCIM

/// Pure-library benchmarks: filter parse + resolve, and PATCH apply on a typical Okta user.
@main
struct SCIMBenchmarks {
    static func main() throws {
        let oktaUser =
            try JSONParser().parse(
                #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1f0e6a44-8d2c-4b4a-b7a1-3c9e5d2f0a11",
                 "externalId":"00uabc123DEF456ghi7","userName":"grace.hopper@example.test",
                 "name":{"givenName":"Grace","familyName":"Hopper"},
                 "emails":[{"primary":true,"value":"grace.hopper@example.test","type":"work"}],
                 "displayName":"Grace Hopper","locale":"en-US","active":true,
                 "meta":{"resourceType":"User","created":"2025-01-01T00:00:00Z","lastModified":"2025-01-01T00:00:00Z","version":"W/\"1\""}}
                """#
            ).objectValue ?? JSONObject()
        let deactivate = try PatchRequest(
            json: JSONParser().parse(
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#
            ))
        let entraUpdate = try PatchRequest(
            json: JSONParser().parse(
                #"""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                 {"op":"Replace","path":"emails[type eq \"work\"].value","value":"g.hopper@example.test"},
                 {"op":"Replace","path":"name.familyName","value":"Hopper-Murray"},
                 {"op":"Add","path":"nickName","value":"Amazing Grace"}]}
                """#))
        let patchBody =
            #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#
        let lookup = #"userName eq "grace.hopper@example.test""#
        let complex =
            #"userType eq "Employee" and (emails[type eq "work" and value co "@example.com"] or not (title pr))"#
        let resolved = try ResourceType.user.resolveFilter(lookup)

        var sink = 0
        let results = try [
            measure("filter parse: userName eq (Okta lookup)") {
                sink &+= try FilterParser().parse(lookup).hashValue & 1
            },
            measure("filter parse + resolve: userName eq") {
                sink &+= try ResourceType.user.resolveFilter(lookup).hashValue & 1
            },
            measure("filter parse + resolve: RFC-style complex", iterations: 5_000) {
                sink &+= try ResourceType.user.resolveFilter(complex).hashValue & 1
            },
            measure("filter evaluate: userName eq on one user") {
                sink &+= FilterEvaluator.matches(resolved, oktaUser) ? 1 : 0
            },
            measure("PATCH apply: Okta deactivate") {
                sink &+= try Patcher.users.apply(deactivate, to: oktaUser).changed ? 1 : 0
            },
            measure("PATCH parse + apply: Okta deactivate from JSON text", iterations: 10_000) {
                let request = try PatchRequest(json: JSONParser().parse(patchBody))
                sink &+= try Patcher.users.apply(request, to: oktaUser).changed ? 1 : 0
            },
            measure("PATCH apply: Entra 3-operation update", iterations: 10_000) {
                sink &+= try Patcher.users.apply(entraUpdate, to: oktaUser).changed ? 1 : 0
            },
            measure("validate: Okta POST /Users body", iterations: 10_000) {
                sink &+= try ResourceValidator(resourceType: .user).validate(oktaUser).count
            },
        ]
        report(results)
        if sink == 42 { print("") }
    }
}
