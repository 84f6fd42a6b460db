#!/usr/bin/env python3
"""Writes the signed SAML responses of Tests/SAMLTests/Fixtures with Debian's xmlsec1.

The keys there are for the tests only. Each fixture is a case the verifier must accept or
refuse; the Swift tests say which, and why. Run again only to change a case:

    python3 scripts/saml-fixtures.py Tests/SAMLTests/Fixtures
"""
import os
import subprocess
import sys
import tempfile

out = sys.argv[1]
idp_key, idp_cert = os.path.join(out, "idp-key.pem"), os.path.join(out, "idp-cert.pem")
bad_key, bad_cert = os.path.join(out, "attacker-key.pem"), os.path.join(out, "attacker-cert.pem")

SP = "https://console.example.com/saml/okta-prod/metadata"
ACS = "https://console.example.com/saml/okta-prod/acs"
IDP = "http://www.okta.com/exk1fixture"
REQUEST = "_req1"

SIGNATURE = """<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>\
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>\
<ds:SignatureMethod Algorithm="{method}"/>\
<ds:Reference URI="#{id}"><ds:Transforms>\
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>\
<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>\
<ds:DigestMethod Algorithm="{digest}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>\
<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"""


def signature(element_id, sha1=False):
    if sha1:
        method, digest = "http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"
    else:
        method = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        digest = "http://www.w3.org/2001/04/xmlenc#sha256"
    return SIGNATURE.format(id=element_id, method=method, digest=digest)


def assertion(assertion_id="_a1", name_id="ada@example.com", signed=False, audience=SP, sha1=False):
    sig = signature(assertion_id, sha1) if signed else ""
    return f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{assertion_id}" \
IssueInstant="2026-01-01T00:00:00Z" Version="2.0"><saml:Issuer>{IDP}</saml:Issuer>{sig}\
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{name_id}</saml:NameID>\
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">\
<saml:SubjectConfirmationData InResponseTo="{REQUEST}" NotOnOrAfter="2026-01-01T00:05:00Z" Recipient="{ACS}"/>\
</saml:SubjectConfirmation></saml:Subject>\
<saml:Conditions NotBefore="2025-12-31T23:59:00Z" NotOnOrAfter="2026-01-01T00:05:00Z">\
<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>\
<saml:AuthnStatement AuthnInstant="2026-01-01T00:00:00Z" SessionIndex="{assertion_id}">\
<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport\
</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>\
<saml:AttributeStatement>\
<saml:Attribute Name="username"><saml:AttributeValue>{name_id}</saml:AttributeValue></saml:Attribute>\
<saml:Attribute Name="email"><saml:AttributeValue>{name_id}</saml:AttributeValue></saml:Attribute>\
<saml:Attribute Name="firstName"><saml:AttributeValue>Ada</saml:AttributeValue></saml:Attribute>\
<saml:Attribute Name="lastName"><saml:AttributeValue>Lovelace</saml:AttributeValue></saml:Attribute>\
</saml:AttributeStatement></saml:Assertion>"""


def response(inner, signed=False, status="urn:oasis:names:tc:SAML:2.0:status:Success", extra=""):
    sig = signature("_r1") if signed else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="{ACS}" ID="_r1" \
InResponseTo="{REQUEST}" IssueInstant="2026-01-01T00:00:00Z" Version="2.0">\
<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{IDP}</saml:Issuer>{sig}{extra}\
<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status>{inner}</samlp:Response>
"""


def sign(xml, key=idp_key, cert=idp_cert, node=None):
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as template:
        template.write(xml)
    command = ["xmlsec1", "--sign", "--privkey-pem", f"{key},{cert}",
               "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
               "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"]
    if node:
        command += ["--node-id", node]
    signed = subprocess.run(command + [template.name], check=True, capture_output=True, text=True).stdout
    os.unlink(template.name)
    return signed


def write(name, text):
    with open(os.path.join(out, name), "w") as handle:
        handle.write(text)


def signed_assertion(**kwargs):
    """An assertion signed on its own (sign a response around it, then cut the assertion out)."""
    whole = sign(response(assertion(signed=True, **kwargs)))
    start = whole.index("<saml:Assertion")
    end = whole.index("</saml:Assertion>") + len("</saml:Assertion>")
    return whole[start:end]


good = signed_assertion()
write("assertion-signed.xml", response(good))
write("response-signed.xml", sign(response(assertion(), signed=True)))
both = sign(response(good, signed=True), node="_r1")
write("both-signed.xml", both)
write("unsigned.xml", response(assertion()))
write("status-requester.xml", response("", status="urn:oasis:names:tc:SAML:2.0:status:Requester"))
# After signing, the NameID is changed: the digest no longer matches.
write("tampered.xml", response(good.replace(">ada@example.com</saml:NameID>", ">admin@example.com</saml:NameID>")))
# Signed by a key of the attacker's own, carried in KeyInfo.
attacker = sign(response(assertion(signed=True)), key=bad_key, cert=bad_cert)
write("foreign-key.xml", attacker)
# Signature wrapping: an evil assertion with the signed one's ID, the signed one hidden after it.
evil = assertion(name_id="admin@example.com")
write("wrapped-duplicate-id.xml", response(evil + good))
# The signed assertion moved under an unsigned wrapper; an evil assertion takes its place.
wrapper = f"<samlp:Extensions>{good}</samlp:Extensions>"
write("wrapped-moved.xml", response(assertion(assertion_id="_evil", name_id="admin@example.com"), extra=wrapper))
# A comment in the NameID, signed: the value is the whole text, never the part before the comment.
write("comment-nameid.xml", response(signed_assertion(name_id="admin@example.com<!---->.evil.com")))
# Signed for another SP.
write("wrong-audience.xml", response(signed_assertion(audience="https://other.example.com/sp")))
# RSA-SHA1 and SHA-1: a valid signature, with algorithms no longer accepted.
write("sha1.xml", response(signed_assertion(sha1=True)))
# A DOCTYPE with an entity (the billion-laughs family starts here).
write("doctype.xml", response(good).replace(
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE samlp:Response [<!ENTITY who "admin@example.com">]>\n'))
print("fixtures written to", out)
