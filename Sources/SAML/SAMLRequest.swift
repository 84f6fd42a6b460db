import CompressNIO
import FoundationEssentials
import NIOCore

/// An SP-initiated login's `<samlp:AuthnRequest>`, sent over the HTTP-Redirect binding.
public struct SAMLAuthnRequest: Sendable, Hashable {
    /// The request's ID: the response must answer it (`InResponseTo`).
    public var id: String
    public var xml: String

    /// `id` must be an XML NCName (start with a letter or `_`); `issuedAt` is seconds since 1970.
    public init(
        id: String, issuedAt: Int64, serviceProvider: SAMLServiceProvider, identityProvider: SAMLIdentityProvider
    ) {
        self.id = id
        let escape = XMLString.escaped
        xml =
            #"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" "#
            + #"xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="\#(escape(id))" Version="2.0" "#
            + #"IssueInstant="\#(SAMLTime.text(issuedAt))" Destination="\#(escape(identityProvider.ssoURL))" "#
            + #"AssertionConsumerServiceURL="\#(escape(serviceProvider.acsURL))" "#
            + #"ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">"#
            + #"<saml:Issuer>\#(escape(serviceProvider.entityID))</saml:Issuer>"#
            + #"<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" AllowCreate="true"/>"#
            + "</samlp:AuthnRequest>"
    }

    /// The IdP's SSO URL with `SAMLRequest` (raw DEFLATE, base64) and `RelayState` in its query,
    /// as the HTTP-Redirect binding (SAML Bindings §3.4.4.1) says.
    public func redirectURL(to identityProvider: SAMLIdentityProvider, relayState: String) throws(SAMLError) -> String {
        var input = ByteBuffer(string: xml)
        let compressed: ByteBuffer
        do {
            compressed = try input.compress(with: .deflate)
        } catch {
            throw SAMLError("the AuthnRequest could not be compressed")
        }
        let encoded = Data(compressed.readableBytesView).base64EncodedString()
        let separator = identityProvider.ssoURL.contains("?") ? "&" : "?"
        return identityProvider.ssoURL + separator + "SAMLRequest=" + Self.percentEncoded(encoded) + "&RelayState="
            + Self.percentEncoded(relayState)
    }

    /// RFC 3986 query encoding: everything but the unreserved characters.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
