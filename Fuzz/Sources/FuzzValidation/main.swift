import FuzzSupport
import SCIM

/// Resource validation (POST and PUT bodies): a body is refused with a SCIM error or turned into
/// a canonical resource, and the canonical form validates to itself.
let fuzzValidation: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { start, count in
    guard case .object(let body)? = try? JSONParser().parse(bytes: fuzzBytes(start, count)) else { return 0 }
    for (type, existing) in [(ResourceType.user, storedUser), (ResourceType.group, storedGroup)] {
        let validator = ResourceValidator(resourceType: type)
        guard let canonical = try? validator.validate(body) else {
            _ = try? validator.validate(body, existing: existing)
            continue
        }
        do {
            let again = try validator.validate(canonical)
            invariant(again == canonical, "the canonical \(type.name) changed when validated again")
        } catch {
            invariant(false, "the canonical \(type.name) fails validation: \(error)")
        }
    }
    return 0
}

runFuzzer(fuzzValidation)
