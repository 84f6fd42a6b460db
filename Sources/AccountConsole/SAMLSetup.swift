import Directory
import SAML

/// SAML settings from an IdP's metadata file, for `account-console connection saml`.
public enum SAMLSetup {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The IdP's entity ID, SSO URL and signing certificate from its metadata XML, the
    /// certificate checked to load.
    public static func settings(metadata: [UInt8], idpInitiated: Bool) throws(Failure) -> SAMLSettings {
        let parsed = Result { () throws(SAMLError) -> SAMLIdentityProvider in
            try SAMLMetadata.identityProvider(xml: metadata)
        }
        switch parsed {
        case .failure(let error):
            throw Failure(description: "the IdP metadata could not be used: \(error.reason)")
        case .success(let provider):
            guard SAMLCertificate.isLoadable(provider.certificate) else {
                throw Failure(description: "the IdP metadata's signing certificate could not be loaded")
            }
            return SAMLSettings(
                idpEntityID: provider.entityID, ssoURL: provider.ssoURL, certificate: provider.certificate,
                idpInitiated: idpInitiated)
        }
    }
}
