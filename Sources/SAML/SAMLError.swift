/// Why a SAML document was refused, in a sentence an admin can act on (the console shows it in
/// the activity log, never the document itself).
public struct SAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
