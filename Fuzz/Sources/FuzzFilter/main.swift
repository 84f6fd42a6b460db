import FuzzSupport
import SCIM

/// The filter parser: any text is either refused or parsed into a filter whose printed form
/// parses back to the same filter; a parsed filter is resolved against both resource types and
/// evaluated against a stored user, and none of it may trap.
let fuzzFilter: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { start, count in
    let text = String(decoding: fuzzBytes(start, count), as: UTF8.self)
    let parser = FilterParser()
    guard let filter = try? parser.parse(text) else {
        _ = try? parser.parsePatchPath(text)
        return 0
    }
    let printed = filter.description
    // The printed form escapes control characters (six characters each), so it may pass the
    // length limit the text it came from kept to: read it back without that limit.
    var limits = FilterLimits.default
    limits.maximumLength = Int.max
    guard let again = try? FilterParser(limits: limits).parse(printed) else {
        invariant(false, "the printed filter does not parse: \(printed)")
        return 0
    }
    invariant(again == filter, "the printed filter parses to another filter: \(printed)")
    if let resolved = try? ResourceType.user.resolve(filter) {
        _ = FilterEvaluator.matches(resolved, storedUser)
        _ = resolved.description
    }
    if let resolved = try? ResourceType.group.resolve(filter) {
        _ = FilterEvaluator.matches(resolved, storedGroup)
    }
    return 0
}

runFuzzer(fuzzFilter)
