#!/usr/bin/env python3
"""A SAML 2.0 identity provider for the tests: pysaml2 signing with Debian's xmlsec1.

Usage:
    saml_idp.py PORT KEY CERT SP_METADATA_URL USERNAME [CLAIMED_BASE]

Serves http://127.0.0.1:PORT/metadata (its IdP metadata) and /sso, which takes an AuthnRequest
over HTTP-Redirect, reads the SP's metadata from SP_METADATA_URL, and answers the browser with a
self-submitting form that POSTs a response, its assertion signed (RSA-SHA256), to the SP's ACS,
echoing InResponseTo and RelayState. Everyone who arrives signs in as USERNAME (with the
attributes username, email, firstName, lastName). For scripts/saml_attacks.py, /sso's query may
add `as` (sign in as another name), `audience` (an assertion for another SP) and `lifetime`
(minutes; a negative one issues an assertion that has already expired). CLAIMED_BASE makes it claim another IdP's entity ID and
endpoints while listening on PORT: the attack script's impostor, with a key of its own.
"""
import sys
import tempfile
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_UNSPECIFIED, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

port, key, cert, sp_metadata_url, username = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
base = sys.argv[6] if len(sys.argv) > 6 else f"http://127.0.0.1:{port}"


def config(sp_metadata=None, lifetime=5):
    settings = {
        "entityid": f"{base}/metadata",
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)]},
            "name_id_format": [NAMEID_FORMAT_UNSPECIFIED],
            "want_authn_requests_signed": False,
            "policy": {"default": {"lifetime": {"minutes": lifetime}, "name_form": NAME_FORMAT_BASIC}},
            # pysaml2 signs with RSA-SHA1 unless told; the SP accepts only SHA-256.
            "signing_algorithm": SIG_RSA_SHA256, "digest_algorithm": DIGEST_SHA256,
        }},
        "key_file": key, "cert_file": cert, "xmlsec_binary": "/usr/bin/xmlsec1",
    }
    if sp_metadata:
        settings["metadata"] = {"local": [sp_metadata]}
    loaded = IdPConfig()
    loaded.load(settings)
    return loaded


class Handler(BaseHTTPRequestHandler):
    def send(self, status, body, content_type):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/metadata":
            return self.send(200, create_metadata_string(None, config=config(), sign=False).decode(),
                             "application/samlmetadata+xml")
        if url.path != "/sso":
            return self.send(404, "not found", "text/plain")
        query = parse_qs(url.query)
        with tempfile.NamedTemporaryFile("wb", suffix=".xml", delete=False) as metadata:
            metadata.write(urllib.request.urlopen(sp_metadata_url, timeout=5).read())
        lifetime = int(query.get("lifetime", ["5"])[0])
        idp = Server(config=config(metadata.name, lifetime))
        request = idp.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT).message
        destination = request.assertion_consumer_service_url
        identity = {"username": [username], "email": [username], "firstName": ["Test"], "lastName": ["User"]}
        response = idp.create_authn_response(
            identity, in_response_to=request.id, destination=destination, sp_entity_id=request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=username),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_assertion=True, sign_response=False, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        who = query.get("as", [username])[0]
        audience = query.get("audience", [request.issuer.text])[0]
        if who != username or audience != request.issuer.text:
            identity = {"username": [who], "email": [who], "firstName": ["Test"], "lastName": ["User"]}
            response = idp.create_authn_response(
                identity, in_response_to=request.id, destination=destination, sp_entity_id=audience,
                name_id=NameID(format=NAMEID_FORMAT_UNSPECIFIED, text=who),
                authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
                sign_assertion=True, sign_response=False, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        relay_state = query.get("RelayState", [""])[0]
        form = idp.apply_binding(BINDING_HTTP_POST, str(response), destination, relay_state, response=True)
        self.send(200, form["data"], "text/html; charset=utf-8")

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
