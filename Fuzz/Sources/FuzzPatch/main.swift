import FuzzSupport
import SCIM

/// PATCH parsing and application: a PatchOp body is refused with a SCIM error or applied to a
/// stored user and a stored group; what a successful PATCH leaves is still a valid resource of
/// its type, and applying it never traps.
let fuzzPatch: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { start, count in
    guard let json = try? JSONParser().parse(bytes: fuzzBytes(start, count)),
        let request = try? PatchRequest(json: json)
    else { return 0 }
    if let result = try? Patcher.users.apply(request, to: storedUser), result.changed {
        do {
            _ = try ResourceValidator(resourceType: .user).validate(result.resource, existing: storedUser)
        } catch {
            invariant(false, "a patched user fails validation: \(error)")
        }
    }
    if let result = try? Patcher.groups.apply(request, to: storedGroup), result.changed {
        do {
            _ = try ResourceValidator(resourceType: .group).validate(result.resource, existing: storedGroup)
        } catch {
            invariant(false, "a patched group fails validation: \(error)")
        }
    }
    return 0
}

runFuzzer(fuzzPatch)
