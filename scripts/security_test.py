#!/usr/bin/env python3
"""Live security test: hostile clients against the built `account-console`, then a search of
everything it wrote for secrets.

Usage: security_test.py BINARY WORKDIR

Hostile clients, each on a raw socket (no client library to tidy the bytes): a body sent a byte
at a time and header lines dribbled (slowloris: closed by the request timeout while other clients
are served), a silent connection, a request target of 100 000 characters, header values with
bare CR or LF and a `next` that tries to add a header, and path traversal that no HTTP client
would send as written. Then secrets: a workload that creates the admin (one-time password),
issues tokens, signs in and changes the password, provisions a user with a `password`, and tries
a wrong token; afterwards the SQLite file (with its WAL) and the log are searched for each
secret in clear, and the tokens' entropy is checked. Standard library only.
"""

import base64
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

BINARY, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
DATABASE = os.path.join(WORK, "security.db")
TIMEOUT = 2  # --request-timeout for this run, in seconds
failures = []


def check(condition, what):
    print(("  ok   " if condition else "  FAIL ") + what)
    if not condition:
        failures.append(what)
    return condition


def run(*args):
    return subprocess.run([BINARY, *args, "--database", DATABASE], capture_output=True, text=True, timeout=120)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


port = free_port()
stdout_path, log_path = os.path.join(WORK, "stdout.txt"), os.path.join(WORK, "serve.log")
stdout, log = open(stdout_path, "w"), open(log_path, "w")
# The most talkative log there is: whatever a secret could leak into, trace would show.
server = subprocess.Popen(
    [BINARY, "serve", "--port", str(port), "--database", DATABASE, "--request-timeout", str(TIMEOUT),
     "--log-level", "trace"],
    stdout=stdout, stderr=log)


def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def exchange(raw, read_timeout=10):
    """Sends raw bytes on a new connection; returns what came back before the server closed."""
    with connect() as connection:
        connection.settimeout(read_timeout)
        connection.sendall(raw)
        received = b""
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
                if b"\r\n\r\n" in received and b"Connection: close" not in received:
                    head, _, body = received.partition(b"\r\n\r\n")
                    length = re.search(rb"(?i)content-length: *(\d+)", head)
                    if length and len(body) >= int(length.group(1)):
                        break
        except socket.timeout:
            pass
        return received


def status_of(response):
    match = re.match(rb"HTTP/1\.1 (\d{3})", response)
    return int(match.group(1)) if match else None


def healthy():
    return status_of(exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) == 200


deadline = time.time() + 15
while time.time() < deadline:
    try:
        if healthy():
            break
    except OSError:
        time.sleep(0.1)
else:
    raise SystemExit("the server did not start:\n" + open(log_path).read())

print("slow and silent clients (request timeout %d s)" % TIMEOUT)


def closed_within(connection, seconds, dribble=None):
    """Whether the server closes `connection` within `seconds`, sending `dribble` bytes meanwhile."""
    connection.settimeout(0.25)
    start = time.time()
    while time.time() - start < seconds:
        try:
            if dribble:
                connection.sendall(dribble)
            if connection.recv(65536) == b"":
                return time.time() - start
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.time() - start
    return None


slow = connect()
slow.sendall(b"POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer acs_x\r\n"
             b"Content-Type: application/scim+json\r\nContent-Length: 100000\r\n\r\n{")
others = [healthy() for _ in range(3)]
closed = closed_within(slow, TIMEOUT + 6, dribble=b" ")
check(closed is not None and closed <= TIMEOUT + 3,
      "a body sent a byte at a time is cut off by the request timeout (after %s s)" % (closed and round(closed, 1)))
check(all(others), "other clients are served meanwhile")
slow.close()

dribbler = connect()
dribbler.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
closed = closed_within(dribbler, TIMEOUT + 6, dribble=b"X-Slow: a\r\n"[:1])
check(closed is not None and closed <= TIMEOUT + 3, "header lines dribbled: closed (after %s s)" % (closed and round(closed, 1)))
dribbler.close()

silent = connect()
closed = closed_within(silent, TIMEOUT + 6)
check(closed is not None and closed <= TIMEOUT + 3, "a silent connection is closed (after %s s)" % (closed and round(closed, 1)))
silent.close()

print("malformed requests on the wire")
long_target = b"GET /scim/v2/Users?filter=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer acs_x\r\n\r\n"
status = status_of(exchange(long_target))
check(status in (400, 414, 431), "a 100 000-character request target: %s" % status)
for name, raw in [
    ("a bare CR in a header value", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: a\rSet-Cookie: evil=1\r\n\r\n"),
    ("a bare LF in a header value", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: a\nSet-Cookie: evil=1\r\n\r\n"),
    ("a NUL in a header value", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: a\x00b\r\n\r\n"),
    ("a header folded onto two lines", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: a\r\n Set-Cookie: evil=1\r\n\r\n"),
]:
    response = exchange(raw)
    check(b"evil" not in response.lower() and status_of(response) in (None, 200, 400),
          "%s: no injected header comes back (%s)" % (name, status_of(response)))
for next_value in ["%0d%0aSet-Cookie:%20evil=1", "https://evil.example/", "//evil.example/", "/\\evil.example"]:
    response = exchange(b"GET /login?next=" + next_value.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    head = response.partition(b"\r\n\r\n")[0].lower()
    check(b"evil" not in head and status_of(response) == 200, "/login?next=%s: nothing reflected into a header" % next_value)
for path in ["/assets/../../../../etc/passwd", "/assets/..%2f..%2f..%2fetc%2fpasswd", "/../../../etc/passwd",
             "/assets/console.css/../../Package.swift", "/assets/%2e%2e/%2e%2e/Sources/Console/Console.swift"]:
    response = exchange(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    check(b"root:" not in response and b"import " not in response and status_of(response) in (303, 400, 404),
          "GET %s reaches no file (%s)" % (path, status_of(response)))
check(healthy(), "the server still answers")

print("secrets")
one_time = None
deadline = time.time() + 5
while time.time() < deadline and not one_time:
    stdout.flush()
    found = re.search(r"one-time password, shown once:\s+(\S+)", open(stdout_path).read())
    one_time = found and found.group(1)
    time.sleep(0.1)
check(bool(one_time), "the first start prints the admin's one-time password (on standard output)")
run("connection", "create", "--name", "okta", "--kind", "okta")
token = run("token", "create", "--connection", "okta").stdout.strip().splitlines()[-1]
reader = run("token", "create", "--connection", "okta", "--scope", "read").stdout.strip().splitlines()[-1]
for name, value in [("provisioning", token), ("read", reader)]:
    body = value.split("_", 1)[-1]
    alphabet = 64 if re.fullmatch(r"[A-Za-z0-9_-]+", body) and re.search(r"[G-Zg-z_-]", body) else 16
    bits = len(body) * math.log2(alphabet)
    check(bits >= 128, "the %s token carries %d bits (%d characters of a %d-letter alphabet)" % (
        name, bits, len(body), alphabet))


class Browser:
    """Cookies and the CSRF token of the page last seen, over raw HTTP/1.1."""

    def __init__(self):
        self.cookies = {}
        self.page = ""

    def send(self, method, path, fields=None):
        body = urllib.parse.urlencode(fields or {}).encode() if fields is not None else b""
        head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method, path)
        if self.cookies:
            head += "Cookie: " + "; ".join("%s=%s" % pair for pair in self.cookies.items()) + "\r\n"
        if fields is not None:
            head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n" % len(body)
        response = exchange(head.encode() + b"\r\n" + body)
        head, _, page = response.partition(b"\r\n\r\n")
        for line in head.decode("latin-1").split("\r\n"):
            if line.lower().startswith("set-cookie:"):
                name, _, value = line.split(":", 1)[1].strip().split(";")[0].partition("=")
                if value:
                    self.cookies[name] = value
        self.page = page.decode("utf-8", "replace")
        return status_of(response), head.decode("latin-1")

    def csrf(self):
        found = re.search(r'name="csrf" value="([^"]+)"', self.page)
        return found.group(1) if found else ""


NEW_PASSWORD = "Sekrit-admin-choice-4417"
browser = Browser()
browser.send("GET", "/login")
login_csrf = browser.csrf()
status, head = browser.send("POST", "/login", {"csrf": login_csrf, "userName": "admin", "password": one_time or "",
                                               "next": "/users"})
check(status == 303 and "ac_session" in browser.cookies, "admin signs in with the one-time password")
browser.send("GET", "/account/password")
page_csrf = browser.csrf()
status, _ = browser.send("POST", "/account/password",
                         {"csrf": page_csrf, "current": one_time or "", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
check(status == 303, "and chooses a new password")
session = browser.cookies.get("ac_session", "")

PROVISIONED_PASSWORD = "Okta-sent-this-password-9921"
user = ('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com",'
        '"password":"%s","active":true}' % PROVISIONED_PASSWORD).encode()
response = exchange(b"POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer "
                    + token.encode() + b"\r\nContent-Type: application/scim+json\r\nContent-Length: "
                    + str(len(user)).encode() + b"\r\n\r\n" + user)
check(status_of(response) == 201 and PROVISIONED_PASSWORD.encode() not in response,
      "a user provisioned with a password: 201, and the password is not returned")
WRONG_TOKEN = "acs_" + "W" * 43
response = exchange(b"GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer "
                    + WRONG_TOKEN.encode() + b"\r\n\r\n")
check(status_of(response) == 401, "a wrong token: 401")

server.send_signal(signal.SIGTERM)
check(server.wait(timeout=30) == 0, "the server stops cleanly")
stdout.close()
log.close()

secrets = {
    "the provisioning token": token, "the read token": reader, "the one-time password": one_time or "",
    "the chosen admin password": NEW_PASSWORD, "the session cookie": session, "the sign-in form's CSRF token": login_csrf,
    "a page's CSRF token": page_csrf, "the provisioned user's password": PROVISIONED_PASSWORD,
    "the wrong token tried": WRONG_TOKEN,
}
stored = b""
for suffix in ["", "-wal", "-shm"]:
    if os.path.exists(DATABASE + suffix):
        with open(DATABASE + suffix, "rb") as reader_file:
            stored += reader_file.read()
with open(log_path, "rb") as reader_file:
    logged = reader_file.read()
check(len(logged) > 10_000, "the trace log has something to search (%d bytes)" % len(logged))
for name, secret in secrets.items():
    if not secret:
        check(False, "%s was captured" % name)
        continue
    forms = {secret.encode(), base64.b64encode(secret.encode()), urllib.parse.quote(secret).encode()}
    check(not any(form in stored for form in forms), "%s is not in the database file" % name)
    check(not any(form in logged for form in forms), "%s is not in the log" % name)
with open(stdout_path, "rb") as reader_file:
    printed = reader_file.read()
check(one_time is not None and printed.count(one_time.encode()) == 1,
      "the one-time password was printed once, to standard output only")

if failures:
    print("\n%d check(s) failed:" % len(failures))
    for failure in failures:
        print("  - " + failure)
    sys.exit(1)
print("security: all checks passed")
