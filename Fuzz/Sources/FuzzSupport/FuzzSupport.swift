import CFuzzDriver
import Glibc
import SCIM

/// Runs libFuzzer with the command line's options on `test`, an input function of C's calling
/// convention, and exits with libFuzzer's status.
public func runFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv, test)
    exit(status)
}

/// Stops the run with a message libFuzzer prints next to the input that broke the invariant.
public func invariant(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}

/// The fuzzer's bytes as an array.
public func fuzzBytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let start else { return [] }
    return Array(UnsafeBufferPointer(start: start, count: count))
}

/// A stored user as the directory keeps one, for PATCH and PUT to work on.
public let storedUser: JSONObject = {
    let text = #"""
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
         "id":"2819c223-7f76-453a-919d-413861904646","externalId":"00u1ab","userName":"ada@example.com",
         "name":{"givenName":"Ada","familyName":"Lovelace","formatted":"Ada Lovelace"},"displayName":"Ada Lovelace",
         "active":true,"title":"Analyst","emails":[{"value":"ada@example.com","type":"work","primary":true},
         {"value":"ada@home.example","type":"home"}],"phoneNumbers":[{"value":"+44 20 7946 0000","type":"mobile"}],
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1815","department":"R&D",
         "manager":{"value":"26118915-6090-4610-87e4-49d8ca9f808d"}}}
        """#
    guard case .object(let object)? = try? JSONParser().parse(text) else {
        fatalError("the stored user does not parse")
    }
    return object
}()

/// A stored group (its members are not held in the resource).
public let storedGroup: JSONObject = [
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "id": "e9e30dba-f08f-4109-8486-d5c6a331660a", "displayName": "Engineering", "externalId": "00g1ab",
]
