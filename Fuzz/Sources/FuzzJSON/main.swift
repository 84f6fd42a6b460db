import FuzzSupport
import SCIM

/// The JSON reader: any bytes are either refused with a position or read into a value that
/// serialises and reads back to the same value.
let fuzzJSON: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { start, count in
    let bytes = fuzzBytes(start, count)
    let value: JSONValue
    do {
        value = try JSONParser().parse(bytes: bytes)
    } catch let error as JSONParseError {
        invariant(error.line >= 1 && error.column >= 1, "an error position below 1: \(error)")
        return 0
    } catch {
        invariant(false, "the reader threw something other than JSONParseError: \(error)")
        return 0
    }
    let written = value.serializedBytes()
    guard let again = try? JSONParser().parse(bytes: written) else {
        invariant(false, "its own output does not parse: \(String(decoding: written, as: UTF8.self))")
        return 0
    }
    invariant(again == value, "the value changed through a write and a read")
    invariant(again.serializedBytes() == written, "a second write differs from the first")
    return 0
}

runFuzzer(fuzzJSON)
