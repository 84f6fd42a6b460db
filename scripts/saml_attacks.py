#!/usr/bin/env python3
"""Known attacks on SAML service providers, against the live ACS, with responses a real IdP signed.

Usage:
    saml_attacks.py BASE_URL CONNECTION IDP_URL ATTACKER_IDP_URL USERNAME

IDP_URL is scripts/saml_idp.py with the connection's configured key; ATTACKER_IDP_URL is the same
IdP with a key of the attacker's own. USERNAME is a provisioned user with a console role, who
signs in (the control case). For every other case the script starts a real SP-initiated sign-in
at BASE_URL/saml/CONNECTION/login, takes the IdP's signed response, alters it as the attack
does, posts it to the ACS, and expects the "No access" page with the reason, and no session.
Prints each case; exits 1 when the server gets any wrong.
"""
import base64
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

base, connection, idp, attacker, username = sys.argv[1:6]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def call(request):
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


def signed_response(through=idp, who=None, audience=None, lifetime=None):
    """A real sign-in up to the IdP's answer: (ACS URL, RelayState, the response's XML)."""
    start = call(f"{base}/saml/{connection}/login")
    location = start.headers["Location"]
    if through != idp:
        location = through + location[len(idp):]
    if who:
        location += "&as=" + urllib.parse.quote(who)
    if audience:
        location += "&audience=" + urllib.parse.quote(audience)
    if lifetime is not None:
        location += f"&lifetime={lifetime}"
    page = urllib.request.urlopen(location, timeout=10).read().decode()
    action = re.search(r'action="([^"]+)"', page).group(1)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    return action, fields.get("RelayState", ""), base64.b64decode(fields["SAMLResponse"]).decode()


def post(action, relay_state, xml):
    data = urllib.parse.urlencode({"SAMLResponse": base64.b64encode(xml.encode()).decode(),
                                   "RelayState": relay_state}).encode()
    response = call(urllib.request.Request(action, data=data))
    body = response.read().decode(errors="replace")
    reason = re.search(r"The sign-in was refused: ([^<]*)", body)
    return response.status, response.headers.get("Set-Cookie") or "", reason.group(1) if reason else ""


SIGNATURE = re.compile(r"<(\w+:)?Signature[ >].*?</(\w+:)?Signature>", re.S)


def attack(xml, altered):
    """The altered response; an alteration that changed nothing is the script's own failure."""
    if altered == xml:
        print("  the attack did not change the response: the script no longer matches the IdP's XML")
        sys.exit(1)
    return altered


def assertion_of(xml):
    return re.search(r"<(\w+:)?Assertion[ >].*</(\w+:)?Assertion>", xml, re.S).group(0)


failures = 0


def case(name, status, cookie, reason, expect):
    global failures
    ok = status == 403 and "ac_session=" not in cookie and expect in reason
    print(f"  {'refused' if ok else 'WRONG  '} {name}: {status} {reason!r}")
    if not ok:
        failures += 1


print("SAML attacks against the live ACS (responses signed by pysaml2 with xmlsec1)")
action, relay, xml = signed_response()
status, cookie, _ = post(action, relay, xml)
print(f"  {'accepted' if status == 303 and 'ac_session=' in cookie else 'WRONG   '} control: {status}")
if status != 303:
    sys.exit(1)
# The same response again: the sign-in it answered is finished.
case("replayed", *post(action, relay, xml), "already used")

action, relay, xml = signed_response()
case("tampered NameID", *post(action, relay, attack(xml, xml.replace(f">{username}<", ">admin@example.com<", 1))),
     "does not verify")

action, relay, xml = signed_response(through=attacker)
case("signed by a foreign key", *post(action, relay, xml), "does not verify")

action, relay, xml = signed_response()
good = assertion_of(xml)
evil = attack(good, SIGNATURE.sub("", good)).replace(username, "admin@example.com")
case("wrapped: an evil copy with the same ID first", *post(action, relay, attack(xml, xml.replace(good, evil + good))),
     "appears twice")

action, relay, xml = signed_response()
good = assertion_of(xml)
moved = evil.replace('ID="', 'ID="evil', 1)
prefix = re.search(r"<(\w+:)?Status[ >]", xml).group(1) or ""
wrapped = xml.replace(good, moved).replace(
    f"<{prefix}Status", f"<{prefix}Extensions>{good}</{prefix}Extensions><{prefix}Status", 1)
case("wrapped: the signed assertion moved under Extensions", *post(action, relay, attack(xml, wrapped)),
     "exactly one Assertion")

action, relay, xml = signed_response()
case("signature removed", *post(action, relay, attack(xml, SIGNATURE.sub("", xml))), "neither the response nor the assertion is signed")

action, relay, xml = signed_response()
doctype = '<!DOCTYPE r [<!ENTITY e "admin@example.com">]>'
with_doctype = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or "") + doctype, xml, count=1)
case("DOCTYPE with an entity", *post(action, relay, attack(xml, with_doctype)), "DOCTYPE")

# The classic truncation: the attacker is <user>.evil.com at the IdP; a comment after <user> keeps
# the signature valid (exclusive C14N drops comments) and fools an SP that reads one text node.
action, relay, xml = signed_response(who=username + ".evil.com")
commented = attack(xml, xml.replace(username + ".evil.com", username + "<!---->.evil.com"))
case("comment in the NameID", *post(action, relay, commented), f"{username}.evil.com is not a user")

# Signed by the real IdP, but for another SP, and already expired.
action, relay, xml = signed_response(audience="https://other.example.com/sp")
case("for another SP (audience)", *post(action, relay, xml), "not for this SP")

action, relay, xml = signed_response(lifetime=-10)
case("expired", *post(action, relay, xml), "expired")

if failures:
    print(f"{failures} attack(s) not refused as they should be")
    sys.exit(1)
print("every attack was refused, with its reason")
