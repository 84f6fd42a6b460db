import SCIM
import Testing

@Suite("Messages (RFC 7644 §3.4.2, §3.4.3, §3.7, §3.12)")
struct MessageTests {
    /// RFC 7644 §3.12 Table 9, spelled exactly (pingidentity's `invalidVersion` is wrong).
    @Test("scimType strings are RFC 7644 Table 9's")
    func scimTypes() {
        #expect(
            SCIMErrorType.allCases.map(\.rawValue) == [
                "invalidFilter", "tooMany", "uniqueness", "mutability", "invalidSyntax", "invalidPath", "noTarget",
                "invalidValue", "invalidVers", "sensitive",
            ])
    }

    @Test("Error carries status as a string, like the RFC 7644 §3.12 examples")
    func errorShape() throws {
        let error = SCIMError(status: 400, scimType: .mutability, detail: "Attribute 'id' is readOnly")
        #expect(
            error.json.serialized()
                == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"mutability","detail":"Attribute 'id' is readOnly"}"#
        )
        let rfc = try Fixtures.object("rfc7644-3.12-error-put-mutability.json")
        #expect(rfc == error.json)
        let notFound = SCIMError.notFound("Resource 2819c223-7f76-453a-919d-413861904646 not found")
        #expect(try Fixtures.object("rfc7644-3.12-error-not-found.json") == notFound.json)
    }

    @Test("ListResponse: numbers, Resources always present")
    func listResponse() {
        let empty = ListResponse(totalResults: 0, startIndex: 1, resources: [])
        #expect(
            empty.json.serialized()
                == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#
        )
        let cursor = ListResponse(
            totalResults: 5, startIndex: nil, resources: [["id": "a"]], nextCursor: "n", previousCursor: "p")
        #expect(cursor.json["startIndex"] == nil)
        #expect(cursor.json["nextCursor"] == "n")
        #expect(cursor.json["itemsPerPage"] == 1)
    }

    @Test("the RFC 7644 §3.4.3 SearchRequest parses")
    func searchRequest() throws {
        let request = try SearchRequest(json: try Fixtures.json("rfc7644-3.4.3-search-request.json"))
        #expect(request.attributes == ["displayName", "userName"])
        #expect(request.filter == #"displayName sw "smith""#)
        #expect(request.startIndex == 1)
        #expect(request.count == 10)
        #expect(throws: SCIMError.self) { try SearchRequest(json: try json(#"{"filter":"x"}"#)) }
        #expect(throws: SCIMError.self) {
            try SearchRequest(
                json: try json(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"fitler":"x"}"#))
        }
        #expect(throws: SCIMError.self) {
            try SearchRequest(
                json: try json(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"count":"10"}"#))
        }
    }

    @Test("every RFC 7644 PATCH example body parses")
    func patchExamples() throws {
        let names = Fixtures.names().filter { $0.hasPrefix("rfc7644-3.5.2") && !$0.contains("request-structure") }
        #expect(names.count == 11)
        for name in names {
            #expect(throws: Never.self, "\(name)") { try PatchRequest(json: try Fixtures.json(name)) }
        }
    }

    @Test("the RFC 7644 §3.5.2 PATCH path examples parse")
    func patchPaths() throws {
        let lines = try Fixtures.text("rfc7644-3.5.2-patch-paths.txt").split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        for line in lines {
            let path = try FilterParser().parsePatchPath(line)
            #expect(try FilterParser().parsePatchPath(path.description) == path)
        }
    }

    @Test("PatchOp structure errors")
    func patchStructure() throws {
        let cases: [(String, SCIMErrorType)] = [
            ("[]", .invalidSyntax),
            (#"{"Operations":[{"op":"add","path":"nickName","value":"x"}]}"#, .invalidSyntax),
            (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#, .invalidSyntax),
            (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}"#, .invalidValue),
            (#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[1]}"#, .invalidSyntax),
            (
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"path":"x"}]}"#,
                .invalidSyntax
            ),
            (
                #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":5,"value":1}]}"#,
                .invalidPath
            ),
        ]
        for (body, type) in cases {
            let error = #expect(throws: SCIMError.self, "\(body)") { try PatchRequest(json: try json(body)) }
            #expect(error?.scimType == type, "\(body)")
        }
        // Member names are case-insensitive: "operations" works.
        _ = try PatchRequest(
            json: try json(
                #"{"SCHEMAS":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[{"OP":"add","PATH":"nickName","VALUE":"x"}]}"#
            ))
    }

    @Test("RFC 7644 §3.7 bulk requests parse; §3.7.3 responses serialize in the RFC's shape")
    func bulk() throws {
        let circular = try BulkRequest(json: try Fixtures.json("rfc7644-3.7.1-bulk-request-circular.json"))
        #expect(circular.operations.allSatisfy { $0.method == .post })
        let request = try BulkRequest(json: try Fixtures.json("rfc7644-3.7.3-bulk-request.json"))
        #expect(request.failOnErrors == 1)
        #expect(request.operations.map(\.method) == [.post, .put, .patch, .delete])
        let response = BulkResponse(operations: [
            BulkOperationResult(
                method: .post, bulkId: "qwerty", version: "W/\"oY4m4wn58tkVjJxK\"",
                location: "https://example.com/v2/Users/92b725cd-9465-4e7d-8c16-01f8e146b87a", status: 201)
        ])
        #expect(response.json["Operations"]?.arrayValue?.first?.objectValue?["status"] == "201")
        let tooMany = #expect(throws: SCIMError.self) {
            try BulkRequest(
                json: try Fixtures.json("rfc7644-3.7.3-bulk-request.json"), limits: BulkLimits(maximumOperations: 2))
        }
        #expect(tooMany?.status == 413)
        #expect(
            throws: SCIMError.self,
            "a POST without bulkId"
        ) {
            try BulkRequest(
                json: try json(
                    #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","data":{}}]}"#
                ))
        }
    }
}
