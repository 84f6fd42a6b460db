import FoundationEssentials
import FuzzSupport
import SAML

/// The SAML response parser and verifier: any bytes posted to the ACS are refused with a reason
/// or verified, and libxml2, libxmlsec1 and the checks around them never trap. The IdP is the
/// tests' (its certificate is a test-only key), so signed seeds reach the claim checks.
let identityProvider: SAMLIdentityProvider = {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../Tests/SAMLTests/Fixtures/idp-cert.pem")
    guard let pem = try? Data(contentsOf: fixtures) else { fatalError("the test IdP certificate is missing") }
    return SAMLIdentityProvider(
        entityID: "http://www.okta.com/exk1fixture", ssoURL: "https://idp.example.com/sso",
        certificate: String(decoding: pem, as: UTF8.self))
}()

let serviceProvider = SAMLServiceProvider(
    entityID: "https://console.example.com/saml/okta-prod/metadata",
    acsURL: "https://console.example.com/saml/okta-prod/acs")

let fuzzSAML: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { start, count in
    let bytes = fuzzBytes(start, count)
    // 2026-01-01T00:00:30Z: inside the seeds' validity window.
    let expectation = SAMLExpectation(inResponseTo: "_req1", now: 1_767_225_630)
    if let login = try? SAMLResponseVerifier.verify(
        xml: bytes, serviceProvider: serviceProvider, identityProvider: identityProvider, expecting: expectation)
    {
        invariant(!login.nameID.isEmpty, "a verified login without a NameID")
    }
    return 0
}

runFuzzer(fuzzSAML)
