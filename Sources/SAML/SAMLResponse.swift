internal import CXMLSec
import FoundationEssentials

/// Our side of a SAML connection: the service provider.
public struct SAMLServiceProvider: Sendable, Hashable {
    /// The SP entity ID (the audience the IdP must name).
    public var entityID: String
    /// The Assertion Consumer Service URL (Destination and Recipient must be this).
    public var acsURL: String

    public init(entityID: String, acsURL: String) {
        self.entityID = entityID
        self.acsURL = acsURL
    }
}

/// The IdP's side, as configured by an admin (or read from its metadata).
public struct SAMLIdentityProvider: Sendable, Hashable {
    public var entityID: String
    /// Where SP-initiated logins send the AuthnRequest (HTTP-Redirect binding).
    public var ssoURL: String
    /// The signing certificate, PEM. Only this key is trusted; a key inside a response is ignored.
    public var certificate: String

    public init(entityID: String, ssoURL: String, certificate: String) {
        self.entityID = entityID
        self.ssoURL = ssoURL
        self.certificate = certificate
    }
}

/// What a verified response says about the user.
public struct SAMLLogin: Sendable, Hashable {
    /// The assertion's ID: used once, then remembered until ``validUntil`` (the replay cache).
    public var assertionID: String
    public var nameID: String
    public var nameIDFormat: String?
    /// Attribute name → values, from the signed assertion.
    public var attributes: [String: [String]]
    /// The AuthnRequest this answers; `nil` for an IdP-initiated login.
    public var inResponseTo: String?
    /// Seconds since 1970 after which the assertion may no longer be used.
    public var validUntil: Int64

    /// The first value of an attribute, by any of several names (IdPs name them differently).
    public func attribute(_ names: String...) -> String? {
        for name in names {
            if let value = attributes[name]?.first(where: { !$0.isEmpty }) { return value }
        }
        return nil
    }
}

/// What the response must match besides its signature.
public struct SAMLExpectation: Sendable, Hashable {
    /// The AuthnRequest ID we sent; `nil` accepts only an unsolicited (IdP-initiated) response.
    public var inResponseTo: String?
    /// Now, in seconds since 1970.
    public var now: Int64
    /// How far the IdP's clock may be from ours.
    public var skew: Int64

    public init(inResponseTo: String?, now: Int64, skew: Int64 = 120) {
        self.inResponseTo = inResponseTo
        self.now = now
        self.skew = skew
    }
}

/// Verifies a SAML 2.0 `<samlp:Response>` (Web Browser SSO profile, HTTP-POST binding).
///
/// The signature is checked by libxmlsec1 against the configured certificate only, with exclusive
/// canonicalisation, SHA-256 and RSA-SHA256 allowed and nothing else; the signature must be bound
/// to the element it covers (one reference, `#` + that element's registered ID, the ID unique in
/// the document); and every claim is read from the bytes that were signed, never from the
/// document around them, so a wrapped or commented copy cannot be read instead.
public enum SAMLResponseVerifier {
    static let success = "urn:oasis:names:tc:SAML:2.0:status:Success"
    static let bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

    /// The `SAMLResponse` form field: base64 of the XML.
    public static func verify(
        base64 field: String, serviceProvider: SAMLServiceProvider, identityProvider: SAMLIdentityProvider,
        expecting expectation: SAMLExpectation
    ) throws(SAMLError) -> SAMLLogin {
        let compact = field.filter { !$0.isWhitespace }
        guard compact.utf8.count <= LibXML.maximumDocumentBytes * 4 / 3 + 4 else {
            throw SAMLError("the SAML response is larger than \(LibXML.maximumDocumentBytes / 1024) KiB")
        }
        guard let data = Data(base64Encoded: compact) else { throw SAMLError("the SAML response is not base64") }
        return try verify(
            xml: Array(data), serviceProvider: serviceProvider, identityProvider: identityProvider,
            expecting: expectation)
    }

    public static func verify(
        xml bytes: [UInt8], serviceProvider: SAMLServiceProvider, identityProvider: SAMLIdentityProvider,
        expecting expectation: SAMLExpectation
    ) throws(SAMLError) -> SAMLLogin {
        let document = try XMLDocument(bytes: bytes)
        guard let response = document.root, response.isElement("Response", in: LibXML.protocolNamespace) else {
            throw SAMLError("the document is not a SAML 2.0 Response")
        }
        try document.registerIDs()

        // The status first: an IdP's refusal is usually unsigned, and its code is what helps.
        guard let status = try response.child("Status", in: LibXML.protocolNamespace),
            let code = try status.child("StatusCode", in: LibXML.protocolNamespace)?.attribute("Value")
        else { throw SAMLError("the response has no StatusCode") }
        guard code == success else {
            // Only the code, from a fixed vocabulary: the (unsigned) StatusMessage is anyone's text.
            let name = code.split(separator: ":").last.map(String.init) ?? ""
            let known = ["Requester", "Responder", "VersionMismatch", "AuthnFailed", "RequestDenied", "NoPassive"]
            throw SAMLError("the IdP answered \(known.contains(name) ? name : "an error status")")
        }

        let assertions = response.descendants("Assertion", in: LibXML.assertionNamespace)
        if !response.descendants("EncryptedAssertion", in: LibXML.assertionNamespace).isEmpty {
            throw SAMLError("the assertion is encrypted; turn assertion encryption off in the IdP's app")
        }
        guard assertions.count == 1, let assertion = assertions.first, assertion.parent?.node == response.node else {
            throw SAMLError("the response must hold exactly one Assertion, directly (it holds \(assertions.count))")
        }

        let key = try SigningKey(pem: identityProvider.certificate)
        let responseSignature = try response.child("Signature", in: LibXML.signatureNamespace)
        let assertionSignature = try assertion.child("Signature", in: LibXML.signatureNamespace)
        guard responseSignature != nil || assertionSignature != nil else {
            throw SAMLError("neither the response nor the assertion is signed")
        }
        var signedResponse: [UInt8]?
        var signedAssertion: [UInt8]?
        if let responseSignature {
            signedResponse = try verifySignature(responseSignature, of: response, in: document, key: key)
        }
        if let assertionSignature {
            signedAssertion = try verifySignature(assertionSignature, of: assertion, in: document, key: key)
        }

        // Re-read what was signed (an element keeps its document alive). A signed response
        // covers its assertion.
        var responseView = response
        if let signedResponse { responseView = try signedRoot(signedResponse, "Response", LibXML.protocolNamespace) }
        let assertionView: XMLElement
        if let signedAssertion {
            assertionView = try signedRoot(signedAssertion, "Assertion", LibXML.assertionNamespace)
        } else {
            let inside = responseView.children("Assertion", in: LibXML.assertionNamespace)
            guard inside.count == 1, let only = inside.first else {
                throw SAMLError("the signed response must hold exactly one Assertion")
            }
            assertionView = only
        }
        return try check(
            response: responseView, assertion: assertionView, serviceProvider: serviceProvider,
            identityProvider: identityProvider, expectation: expectation)
    }

    /// The root of signed bytes parsed again, which must be the element that was signed.
    static func signedRoot(_ bytes: [UInt8], _ name: String, _ namespace: String) throws(SAMLError) -> XMLElement {
        guard let root = try XMLDocument(bytes: bytes).root, root.isElement(name, in: namespace) else {
            throw SAMLError("the signed bytes are not the \(name)")
        }
        return root
    }

    /// Verifies one enveloped signature over `element` and returns the bytes its one reference
    /// digested (the element, canonicalised, without the signature).
    static func verifySignature(
        _ signature: XMLElement, of element: XMLElement, in document: XMLDocument, key: SigningKey
    ) throws(SAMLError) -> [UInt8] {
        guard let id = element.attribute("ID"), !id.isEmpty else {
            throw SAMLError("the signed <\(element.name)> has no ID")
        }
        guard let found = document.element(withID: id), found.node == element.node else {
            throw SAMLError("the ID of the signed <\(element.name)> does not lead back to it")
        }
        guard let signedInfo = try signature.child("SignedInfo", in: LibXML.signatureNamespace) else {
            throw SAMLError("the signature has no SignedInfo")
        }
        let references = signedInfo.children("Reference", in: LibXML.signatureNamespace)
        guard references.count == 1, let reference = references.first else {
            throw SAMLError("the signature must have exactly one Reference (it has \(references.count))")
        }
        guard reference.attribute("URI") == "#" + id else {
            throw SAMLError("the signature does not reference the <\(element.name)> it is in")
        }
        guard let context = xmlSecDSigCtxCreate(nil) else { throw SAMLError("the signature context failed") }
        defer { xmlSecDSigCtxDestroy(context) }
        guard let loaded = key.load() else { throw SAMLError("the IdP certificate could not be loaded") }
        context.pointee.signKey = loaded
        context.pointee.flags = UInt32(
            XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS | XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES)
        context.pointee.enabledReferenceUris = xmlSecTransformUriType(xmlSecTransformUriTypeSameDocument)
        for transform in [
            cxmlsec_exclusive_c14n(), cxmlsec_exclusive_c14n_with_comments(), cxmlsec_enveloped(), cxmlsec_sha256(),
        ] {
            guard xmlSecDSigCtxEnableReferenceTransform(context, transform) >= 0 else {
                throw SAMLError("the signature context failed")
            }
        }
        for transform in [cxmlsec_exclusive_c14n(), cxmlsec_exclusive_c14n_with_comments(), cxmlsec_rsa_sha256()] {
            guard xmlSecDSigCtxEnableSignatureTransform(context, transform) >= 0 else {
                throw SAMLError("the signature context failed")
            }
        }
        guard xmlSecDSigCtxVerify(context, signature.node) >= 0 else {
            throw SAMLError(
                "the signature of <\(element.name)> could not be processed (only exclusive C14N, SHA-256 and RSA-SHA256 are accepted)"
            )
        }
        guard context.pointee.status == xmlSecDSigStatusSucceeded else {
            throw SAMLError("the signature of <\(element.name)> does not verify with the configured certificate")
        }
        guard cxmlsec_reference_count(context) == 1, let checked = cxmlsec_reference(context, 0),
            checked.pointee.status == xmlSecDSigStatusSucceeded, let uri = checked.pointee.uri,
            String(cString: uri) == "#" + id, let buffer = xmlSecDSigReferenceCtxGetPreDigestBuffer(checked),
            let data = xmlSecBufferGetData(buffer)
        else { throw SAMLError("the signed reference could not be read back") }
        let size = Int(xmlSecBufferGetSize(buffer))
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The protocol checks, on the signed copies.
    static func check(
        response: XMLElement, assertion: XMLElement, serviceProvider: SAMLServiceProvider,
        identityProvider: SAMLIdentityProvider, expectation: SAMLExpectation
    ) throws(SAMLError) -> SAMLLogin {
        let now = expectation.now
        let skew = expectation.skew
        if let destination = response.attribute("Destination"), destination != serviceProvider.acsURL {
            throw SAMLError("the response is addressed to \(destination), not to this ACS (\(serviceProvider.acsURL))")
        }
        if let issuer = try response.child("Issuer", in: LibXML.assertionNamespace)?.trimmedText,
            issuer != identityProvider.entityID
        {
            throw SAMLError("the response was issued by \(issuer), not by \(identityProvider.entityID)")
        }
        let answered = response.attribute("InResponseTo")
        if let answered, answered != expectation.inResponseTo {
            throw SAMLError(
                expectation.inResponseTo == nil
                    ? "the response answers a sign-in this server did not start (or one already finished)"
                    : "the response answers another sign-in request")
        }
        guard let assertionID = assertion.attribute("ID") else { throw SAMLError("the assertion has no ID") }
        guard assertion.attribute("Version") == "2.0" else { throw SAMLError("the assertion is not SAML 2.0") }
        guard let issuer = try assertion.child("Issuer", in: LibXML.assertionNamespace)?.trimmedText else {
            throw SAMLError("the assertion has no Issuer")
        }
        guard issuer == identityProvider.entityID else {
            throw SAMLError("the assertion was issued by \(issuer), not by \(identityProvider.entityID)")
        }

        // The subject, and a bearer confirmation for this ACS, this request, now.
        guard let subject = try assertion.child("Subject", in: LibXML.assertionNamespace) else {
            throw SAMLError("the assertion has no Subject")
        }
        guard let nameIDElement = try subject.child("NameID", in: LibXML.assertionNamespace) else {
            throw SAMLError("the subject has no NameID (an encrypted one is not supported)")
        }
        let nameID = nameIDElement.trimmedText
        guard !nameID.isEmpty else { throw SAMLError("the NameID is empty") }
        var validUntil = Int64.max
        var confirmed: String?
        for confirmation in subject.children("SubjectConfirmation", in: LibXML.assertionNamespace)
        where confirmation.attribute("Method") == bearer {
            guard let data = try confirmation.child("SubjectConfirmationData", in: LibXML.assertionNamespace) else {
                confirmed = "the bearer confirmation has no SubjectConfirmationData"
                continue
            }
            guard data.attribute("Recipient") == serviceProvider.acsURL else {
                confirmed = "the assertion's Recipient is not this ACS (\(serviceProvider.acsURL))"
                continue
            }
            guard let end = data.attribute("NotOnOrAfter").flatMap(SAMLTime.seconds) else {
                confirmed = "the bearer confirmation has no valid NotOnOrAfter"
                continue
            }
            guard now < end + skew else {
                confirmed = "the assertion expired at \(SAMLTime.text(end))"
                continue
            }
            guard data.attribute("InResponseTo") == expectation.inResponseTo else {
                confirmed = "the assertion's InResponseTo does not match the sign-in this server started"
                continue
            }
            validUntil = min(validUntil, end)
            confirmed = nil
            break
        }
        if validUntil == .max { throw SAMLError(confirmed ?? "the assertion has no bearer SubjectConfirmation") }

        guard let conditions = try assertion.child("Conditions", in: LibXML.assertionNamespace) else {
            throw SAMLError("the assertion has no Conditions")
        }
        if let start = conditions.attribute("NotBefore") {
            guard let seconds = SAMLTime.seconds(start) else { throw SAMLError("NotBefore is not a time") }
            guard now + skew >= seconds else { throw SAMLError("the assertion is not valid before \(start)") }
        }
        if let end = conditions.attribute("NotOnOrAfter") {
            guard let seconds = SAMLTime.seconds(end) else { throw SAMLError("NotOnOrAfter is not a time") }
            guard now < seconds + skew else { throw SAMLError("the assertion expired at \(end)") }
            validUntil = min(validUntil, seconds)
        }
        let restrictions = conditions.children("AudienceRestriction", in: LibXML.assertionNamespace)
        guard !restrictions.isEmpty else { throw SAMLError("the assertion names no Audience") }
        for restriction in restrictions {
            let audiences = restriction.children("Audience", in: LibXML.assertionNamespace).map(\.trimmedText)
            guard audiences.contains(serviceProvider.entityID) else {
                throw SAMLError(
                    "the assertion is for \(audiences.joined(separator: ", ")), not for this SP (\(serviceProvider.entityID))"
                )
            }
        }
        guard !assertion.children("AuthnStatement", in: LibXML.assertionNamespace).isEmpty else {
            throw SAMLError("the assertion has no AuthnStatement")
        }

        var attributes: [String: [String]] = [:]
        for statement in assertion.children("AttributeStatement", in: LibXML.assertionNamespace) {
            for attribute in statement.children("Attribute", in: LibXML.assertionNamespace) {
                guard let name = attribute.attribute("Name") else { continue }
                let values = attribute.children("AttributeValue", in: LibXML.assertionNamespace).map(\.trimmedText)
                attributes[name, default: []].append(contentsOf: values)
            }
        }
        // Remembered (the replay cache) for as long as it could still be accepted: its end plus the skew.
        return SAMLLogin(
            assertionID: assertionID, nameID: nameID, nameIDFormat: nameIDElement.attribute("Format"),
            attributes: attributes, inResponseTo: expectation.inResponseTo, validUntil: validUntil + skew)
    }
}

/// The configured certificate, checked once; loaded afresh for each signature (xmlsec's context
/// takes ownership of the key it verifies with).
struct SigningKey {
    let pem: [UInt8]

    init(pem text: String) throws(SAMLError) {
        guard let normalised = SAMLCertificate.pem(text) else {
            throw SAMLError("the IdP certificate is not a PEM or base64 X.509 certificate")
        }
        pem = Array(normalised.utf8)
        guard let key = load() else { throw SAMLError("the IdP certificate could not be loaded") }
        xmlSecKeyDestroy(key)
    }

    func load() -> xmlSecKeyPtr? {
        guard LibXML.ready else { return nil }
        return pem.withUnsafeBufferPointer { buffer in
            xmlSecOpenSSLAppKeyLoadMemory(
                buffer.baseAddress, UInt32(buffer.count), xmlSecKeyDataFormatCertPem, nil, nil, nil)
        }
    }
}

/// X.509 certificates as admins paste them: PEM, or the bare base64 of IdP metadata.
public enum SAMLCertificate {
    /// The certificate as PEM, or `nil` when the text is neither form.
    public static func pem(_ text: String) -> String? {
        guard let der = der(text) else { return nil }
        let body = Data(der).base64EncodedString()
        var lines: [String] = []
        var start = body.startIndex
        while start < body.endIndex {
            let end = body.index(start, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            lines.append(String(body[start..<end]))
            start = end
        }
        return "-----BEGIN CERTIFICATE-----\n" + lines.joined(separator: "\n") + "\n-----END CERTIFICATE-----\n"
    }

    /// The DER bytes of the certificate.
    public static func der(_ text: String) -> [UInt8]? {
        var body = text
        if let begin = text.firstRange(of: "-----BEGIN CERTIFICATE-----") {
            let rest = text[begin.upperBound...]
            guard let end = rest.firstRange(of: "-----END CERTIFICATE-----") else { return nil }
            body = String(rest[..<end.lowerBound])
        }
        let compact = body.filter { !$0.isWhitespace }
        guard !compact.isEmpty, let data = Data(base64Encoded: compact), data.count > 64, data.first == 0x30 else {
            return nil
        }
        return Array(data)
    }

    /// Whether libxmlsec1 can load the certificate's key (checked when an admin saves it).
    public static func isLoadable(_ text: String) -> Bool {
        (try? SigningKey(pem: text)) != nil
    }
}
