/// SAML metadata: ours to publish, the IdP's to read.
public enum SAMLMetadata {
    /// Our SP metadata: the entity ID and the ACS (HTTP-POST), signed assertions wanted.
    public static func serviceProvider(_ serviceProvider: SAMLServiceProvider) -> String {
        let escape = XMLString.escaped
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="\(escape(serviceProvider.entityID))">
              <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
                <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
                <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
                <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="\(escape(serviceProvider.acsURL))" index="0" isDefault="true"/>
              </md:SPSSODescriptor>
            </md:EntityDescriptor>

            """
    }

    /// Reads an IdP's metadata (Okta's "Identity Provider metadata", Entra's "Federation Metadata
    /// XML"): its entity ID, its HTTP-Redirect SSO URL and its signing certificate.
    public static func identityProvider(xml: [UInt8]) throws(SAMLError) -> SAMLIdentityProvider {
        let document = try XMLDocument(bytes: xml)
        guard let root = document.root else { throw SAMLError("the metadata has no root element") }
        let descriptor: XMLElement
        if root.isElement("EntityDescriptor", in: LibXML.metadataNamespace) {
            descriptor = root
        } else if root.isElement("EntitiesDescriptor", in: LibXML.metadataNamespace),
            let first = root.descendants("EntityDescriptor", in: LibXML.metadataNamespace).first(where: {
                !$0.children("IDPSSODescriptor", in: LibXML.metadataNamespace).isEmpty
            })
        {
            descriptor = first
        } else {
            throw SAMLError("the metadata is not a SAML 2.0 EntityDescriptor")
        }
        guard let entityID = descriptor.attribute("entityID"), !entityID.isEmpty else {
            throw SAMLError("the metadata has no entityID")
        }
        guard let idp = descriptor.children("IDPSSODescriptor", in: LibXML.metadataNamespace).first else {
            throw SAMLError("the metadata describes no identity provider (no IDPSSODescriptor)")
        }
        let redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        guard
            let sso = idp.children("SingleSignOnService", in: LibXML.metadataNamespace).first(where: {
                $0.attribute("Binding") == redirect
            }), let location = sso.attribute("Location"), !location.isEmpty
        else { throw SAMLError("the metadata has no HTTP-Redirect SingleSignOnService") }
        let signing = idp.children("KeyDescriptor", in: LibXML.metadataNamespace).filter {
            $0.attribute("use") == nil || $0.attribute("use") == "signing"
        }
        guard
            let certificate = signing.lazy.flatMap({
                $0.descendants("X509Certificate", in: LibXML.signatureNamespace)
            }).first?.trimmedText,
            let pem = SAMLCertificate.pem(certificate)
        else { throw SAMLError("the metadata has no signing certificate") }
        return SAMLIdentityProvider(entityID: entityID, ssoURL: location, certificate: pem)
    }
}
