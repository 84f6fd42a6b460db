#!/usr/bin/env python3
"""An OpenID Connect provider for the tests: pytest-iam (Canaille), run as a plain server.

Usage:
    oidc_idp.py PORT REDIRECT_URI USERNAME CLIENT_SECRET_FILE

Serves an issuer at http://localhost:PORT/ with discovery, JWKS (RS256, with a kid), the
authorization endpoint (PKCE enforced) and the token endpoint. It has one client,
`account-console`, whose secret it writes to CLIENT_SECRET_FILE, allowed to redirect to
REDIRECT_URI, and one user, USERNAME, whose session is already open and whose consent is given:
the authorization endpoint answers at once with a code, as a signed-in user's IdP would.
"""
import datetime
import os
import sys
import uuid

from joserfc.jwk import JWKRegistry

port, redirect_uri, username, secret_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

from canaille import create_app  # noqa: E402
from canaille.backends import Backend  # noqa: E402
from pytest_iam import Server  # noqa: E402

jwk = JWKRegistry.generate_key("RSA", 2048)
jwk.ensure_kid()
configuration = {
    "TESTING": True, "ENV_FILE": None, "SECRET_KEY": str(uuid.uuid4()), "WTF_CSRF_ENABLED": False,
    "PREFERRED_URL_SCHEME": "http", "SERVER_NAME": f"localhost:{port}",
    "CANAILLE": {"DATABASE": "memory", "JAVASCRIPT": False,
                 "ACL": {"DEFAULT": {"PERMISSIONS": ["use_oidc"]}}},
    "CANAILLE_OIDC": {"ACTIVE_JWKS": [jwk.as_dict(private=True)]},
}
app = create_app(config=configuration, env_file=".pytest-iam.env", env_prefix="PYTEST_IAM_")
server = Server(app, port, Backend.instance)
secret = str(uuid.uuid4())
with app.app_context():
    user = server.random_user(user_name=username, emails=[username], given_name="Test", family_name="User")
    client = server.models.Client(
        client_id="account-console", client_secret=secret, client_name="Account Console",
        client_id_issued_at=datetime.datetime.now(datetime.UTC),
        redirect_uris=[redirect_uri], grant_types=["authorization_code"], response_types=["code"],
        token_endpoint_auth_method="client_secret_basic", scope=["openid", "profile", "email"],
        id_token_signed_response_alg="RS256")
    server.backend.save(client)
    client.audience = [client]
    server.backend.save(client)
    server.login(user)
    server.consent(user, client)
with open(secret_file, "w") as handle:
    handle.write(secret + "\n")
print(f"issuer http://localhost:{port}/ ready", flush=True)
with app.app_context():
    server.httpd.serve_forever()
