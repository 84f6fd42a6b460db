import FoundationEssentials
import SAML
import Testing

/// The verifier against responses signed by Debian's xmlsec1 (`scripts/saml-fixtures.py`): what a
/// real IdP sends is accepted, and each known attack on SAML service providers is refused.
@Suite("SAML responses")
struct SAMLResponseTests {
    static let serviceProvider = SAMLServiceProvider(
        entityID: "https://console.example.com/saml/okta-prod/metadata",
        acsURL: "https://console.example.com/saml/okta-prod/acs")
    /// 2026-01-01T00:00:00Z, when the fixtures were issued.
    static let issuedAt: Int64 = 1_767_225_600

    static func fixture(_ name: String) throws -> [UInt8] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        return Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func identityProvider(certificate: String = "idp-cert.pem") throws -> SAMLIdentityProvider {
        SAMLIdentityProvider(
            entityID: "http://www.okta.com/exk1fixture", ssoURL: "https://idp.example.com/sso",
            certificate: String(decoding: try fixture(certificate), as: UTF8.self))
    }

    static func verify(
        _ name: String, now: Int64 = issuedAt + 30, inResponseTo: String? = "_req1",
        serviceProvider: SAMLServiceProvider = serviceProvider, certificate: String = "idp-cert.pem"
    ) throws -> SAMLLogin {
        try SAMLResponseVerifier.verify(
            xml: try fixture(name), serviceProvider: serviceProvider,
            identityProvider: try identityProvider(certificate: certificate),
            expecting: SAMLExpectation(inResponseTo: inResponseTo, now: now))
    }

    @Test(
        "a signature on the assertion, on the response, or on both is accepted",
        arguments: [
            "assertion-signed.xml", "response-signed.xml", "both-signed.xml",
        ])
    func accepted(_ name: String) throws {
        let login = try Self.verify(name)
        #expect(login.nameID == "ada@example.com")
        #expect(login.assertionID == "_a1")
        #expect(login.attribute("username") == "ada@example.com")
        #expect(login.attribute("firstName") == "Ada")
        #expect(login.attribute("lastName") == "Lovelace")
        #expect(login.inResponseTo == "_req1")
        // Remembered until its end plus the clock skew it is accepted within.
        #expect(login.validUntil == Self.issuedAt + 300 + 120)
    }

    /// (fixture, what the refusal says).
    static let refused: [(String, String)] = [
        ("unsigned.xml", "neither the response nor the assertion is signed"),
        ("tampered.xml", "does not verify with the configured certificate"),
        ("foreign-key.xml", "does not verify with the configured certificate"),
        ("wrapped-duplicate-id.xml", "appears twice"),
        ("wrapped-moved.xml", "exactly one Assertion"),
        ("wrong-audience.xml", "not for this SP"),
        ("sha1.xml", "only exclusive C14N, SHA-256 and RSA-SHA256 are accepted"),
        ("doctype.xml", "DOCTYPE"),
        ("status-requester.xml", "the IdP answered Requester"),
    ]

    @Test("a known attack or a wrong response is refused, saying why", arguments: refused)
    func refusedCase(_ name: String, _ reason: String) throws {
        #expect {
            try Self.verify(name)
        } throws: { error in
            guard let error = error as? SAMLError else { return false }
            return error.reason.contains(reason)
        }
    }

    @Test("a comment inside the NameID splits nothing: the whole signed text is the value")
    func commentInNameID() throws {
        let login = try Self.verify("comment-nameid.xml")
        #expect(login.nameID == "admin@example.com.evil.com")
    }

    /// (what differs from the fixture's own terms, what the refusal says).
    static let expectations: [(String, Int64, String?, String, String)] = [
        ("expired", issuedAt + 300 + 121, "_req1", "https://console.example.com/saml/okta-prod/acs", "expired"),
        (
            "not yet valid", issuedAt - 60 - 121, "_req1", "https://console.example.com/saml/okta-prod/acs",
            "not valid before"
        ),
        (
            "another request", issuedAt + 30, "_req2", "https://console.example.com/saml/okta-prod/acs",
            "another sign-in"
        ),
        ("unsolicited", issuedAt + 30, nil, "https://console.example.com/saml/okta-prod/acs", "did not start"),
        ("another ACS", issuedAt + 30, "_req1", "https://console.example.com/saml/entra/acs", "not to this ACS"),
    ]

    @Test("time, request and destination are checked", arguments: expectations)
    func expectation(_ label: String, _ now: Int64, _ request: String?, _ acs: String, _ reason: String) throws {
        let serviceProvider = SAMLServiceProvider(entityID: Self.serviceProvider.entityID, acsURL: acs)
        #expect(label.isEmpty == false)
        #expect {
            try Self.verify("assertion-signed.xml", now: now, inResponseTo: request, serviceProvider: serviceProvider)
        } throws: { error in
            (error as? SAMLError)?.reason.contains(reason) == true
        }
    }

    @Test("within the clock skew an assertion is still accepted")
    func skew() throws {
        #expect(try Self.verify("assertion-signed.xml", now: Self.issuedAt + 300 + 60).nameID == "ada@example.com")
    }

    @Test("an assertion issued by another entity than the configured IdP is refused")
    func otherIssuer() throws {
        let identityProvider = SAMLIdentityProvider(
            entityID: "http://www.okta.com/someone-else", ssoURL: "https://idp.example.com/sso",
            certificate: try Self.identityProvider().certificate)
        #expect {
            try SAMLResponseVerifier.verify(
                xml: try Self.fixture("assertion-signed.xml"), serviceProvider: Self.serviceProvider,
                identityProvider: identityProvider,
                expecting: SAMLExpectation(inResponseTo: "_req1", now: Self.issuedAt + 30))
        } throws: { ($0 as? SAMLError)?.reason.contains("not by http://www.okta.com/someone-else") == true }
    }

    @Test("only the configured certificate is trusted")
    func otherCertificate() throws {
        #expect(throws: SAMLError.self) { try Self.verify("assertion-signed.xml", certificate: "attacker-cert.pem") }
    }

    @Test(
        "bad input is an error, never a crash",
        arguments: [
            "", "not xml", "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>",
            "<Response/>", "nested 10 000 deep",
        ])
    func badInput(_ text: String) throws {
        let bytes = text.hasPrefix("nested") ? Array(String(repeating: "<a>", count: 10_000).utf8) : Array(text.utf8)
        #expect(throws: SAMLError.self) {
            try SAMLResponseVerifier.verify(
                xml: bytes, serviceProvider: Self.serviceProvider,
                identityProvider: try Self.identityProvider(),
                expecting: SAMLExpectation(inResponseTo: nil, now: Self.issuedAt))
        }
    }

    @Test("a document over the size cap is refused before parsing")
    func sizeCap() throws {
        let big = Array(repeating: UInt8(ascii: " "), count: 300 * 1024)
        #expect {
            try SAMLResponseVerifier.verify(
                xml: big, serviceProvider: Self.serviceProvider, identityProvider: try Self.identityProvider(),
                expecting: SAMLExpectation(inResponseTo: nil, now: Self.issuedAt))
        } throws: { ($0 as? SAMLError)?.reason.contains("larger than") == true }
    }

    @Test("the POST binding's base64 field is decoded first")
    func base64Field() throws {
        let field = Data(try Self.fixture("assertion-signed.xml")).base64EncodedString()
        let login = try SAMLResponseVerifier.verify(
            base64: field, serviceProvider: Self.serviceProvider, identityProvider: try Self.identityProvider(),
            expecting: SAMLExpectation(inResponseTo: "_req1", now: Self.issuedAt + 30))
        #expect(login.nameID == "ada@example.com")
        #expect(throws: SAMLError.self) {
            try SAMLResponseVerifier.verify(
                base64: "%%%", serviceProvider: Self.serviceProvider, identityProvider: try Self.identityProvider(),
                expecting: SAMLExpectation(inResponseTo: nil, now: Self.issuedAt))
        }
    }

    @Test("concurrent verifications all get the right answer")
    func concurrent() async throws {
        let good = try Self.fixture("assertion-signed.xml")
        let bad = try Self.fixture("tampered.xml")
        let identityProvider = try Self.identityProvider()
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let ok =
                        (try? SAMLResponseVerifier.verify(
                            xml: index % 2 == 0 ? good : bad, serviceProvider: Self.serviceProvider,
                            identityProvider: identityProvider,
                            expecting: SAMLExpectation(inResponseTo: "_req1", now: Self.issuedAt + 30))) != nil
                    return ok == (index % 2 == 0)
                }
            }
            var all: [Bool] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.allSatisfy { $0 })
    }
}

@Suite("SAML requests and metadata")
struct SAMLMessageTests {
    @Test("the AuthnRequest goes over HTTP-Redirect: raw DEFLATE, base64, percent-encoded, with RelayState")
    func redirect() throws {
        let identityProvider = SAMLIdentityProvider(
            entityID: "http://www.okta.com/x", ssoURL: "https://idp.example.com/sso?app=1", certificate: "")
        let request = SAMLAuthnRequest(
            id: "_abc", issuedAt: SAMLResponseTests.issuedAt, serviceProvider: SAMLResponseTests.serviceProvider,
            identityProvider: identityProvider)
        #expect(request.xml.contains(#"ID="_abc""#))
        #expect(request.xml.contains(#"IssueInstant="2026-01-01T00:00:00Z""#))
        #expect(request.xml.contains(#"AssertionConsumerServiceURL="https://console.example.com/saml/okta-prod/acs""#))
        let url = try request.redirectURL(to: identityProvider, relayState: "state/1+2")
        #expect(url.hasPrefix("https://idp.example.com/sso?app=1&SAMLRequest="))
        #expect(url.hasSuffix("&RelayState=state%2F1%2B2"))
    }

    @Test("IdP metadata gives the entity ID, the redirect SSO URL and the signing certificate")
    func identityProviderMetadata() throws {
        let certificate = String(decoding: try SAMLResponseTests.fixture("idp-cert.pem"), as: UTF8.self)
        let body = certificate.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let metadata = """
            <?xml version="1.0" encoding="UTF-8"?>
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1">
              <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
                <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
                  <ds:X509Certificate>\(body)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
                <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://example.okta.com/app/post"/>
                <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://example.okta.com/app/sso/saml"/>
              </md:IDPSSODescriptor>
            </md:EntityDescriptor>
            """
        let parsed = try SAMLMetadata.identityProvider(xml: Array(metadata.utf8))
        #expect(parsed.entityID == "http://www.okta.com/exk1")
        #expect(parsed.ssoURL == "https://example.okta.com/app/sso/saml")
        #expect(SAMLCertificate.der(parsed.certificate) == SAMLCertificate.der(certificate))
        #expect(SAMLCertificate.isLoadable(parsed.certificate))
        #expect(throws: SAMLError.self) { try SAMLMetadata.identityProvider(xml: Array("<x/>".utf8)) }
    }

    @Test("our SP metadata names the entity ID and the ACS, escaped")
    func serviceProviderMetadata() {
        let xml = SAMLMetadata.serviceProvider(
            SAMLServiceProvider(entityID: "https://a.example/m?x=1&y=2", acsURL: "https://a.example/acs"))
        #expect(xml.contains(#"entityID="https://a.example/m?x=1&amp;y=2""#))
        #expect(xml.contains(#"Location="https://a.example/acs""#))
    }

    @Test("certificates as admins paste them", arguments: [("not a certificate", false), ("", false)])
    func certificates(_ text: String, _ loadable: Bool) {
        #expect(SAMLCertificate.isLoadable(text) == loadable)
    }
}
