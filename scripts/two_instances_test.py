#!/usr/bin/env python3
"""Two `serve` processes on one PostgreSQL, requests spread over both.

Usage: two_instances_test.py BINARY POSTGRES_URL WORKDIR

Checks: 64 concurrent member PATCHes on one group, alternating between the instances, lose no
member; concurrent creates of one userName on both give one 201 and one 409 (no duplicate user);
a console session started on one instance is valid on the other; a token revoked through one is
refused by both within the credential cache's 5 seconds. Standard library only.
"""

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BINARY, DATABASE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)
PASSWORD = "two-instances-admin-1"
failures = []


def check(condition, what):
    print(("  ok   " if condition else "  FAIL ") + what)
    if not condition:
        failures.append(what)


def cli(*args):
    result = subprocess.run([BINARY, *args, "--database", DATABASE], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit("%s failed: %s" % (" ".join(args), result.stderr))
    return result.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start():
    port = free_port()
    log = open(os.path.join(WORK, "instance-%d.log" % port), "w")
    process = subprocess.Popen(
        [BINARY, "serve", "--port", str(port), "--database", DATABASE], stdout=log, stderr=subprocess.STDOUT,
        env=dict(os.environ, ACCOUNT_CONSOLE_ADMIN_PASSWORD=PASSWORD))
    for _ in range(150):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=2) as response:
                if response.status == 200:
                    return port, process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("an instance did not become ready")


def scim(port, method, path, body=None, token=None):
    request = urllib.request.Request(
        "http://127.0.0.1:%d/scim/v2%s" % (port, path), method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/scim+json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, json.loads(text) if text else None


def parallel(calls):
    results = [None] * len(calls)

    def run(index, call):
        results[index] = call()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


cli("migrate")
CONNECTION = "okta-two-%d" % os.getpid()
cli("connection", "create", "--name", CONNECTION, "--kind", "okta")
token = cli("token", "create", "--connection", CONNECTION).strip().splitlines()[-1]
(port_a, process_a), (port_b, process_b) = start(), start()
ports = [port_a, port_b]
print("two instances on one PostgreSQL: ports %d and %d" % (port_a, port_b))

print("memberships")
status, group = scim(port_a, "POST", "/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                                  "displayName": "Everyone-%d" % os.getpid()}, token)
created = parallel([
    (lambda index=index: scim(ports[index % 2], "POST", "/Users", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "member%d-%d@example.test" % (index, os.getpid())},
        token)) for index in range(64)])
ids = [body["id"] for status, body in created if status == 201]
check(len(ids) == 64, "64 users created across both instances")
patches = parallel([
    (lambda index=index, id=id: scim(ports[index % 2], "PATCH", "/Groups/" + group["id"], {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]}, token))
    for index, id in enumerate(ids)])
check(all(status in (200, 204) for status, _ in patches), "64 concurrent PATCHes, half on each instance, all succeed")
for port in ports:
    status, body = scim(port, "GET", "/Groups/" + group["id"], token=token)
    members = {member["value"] for member in body.get("members", [])}
    check(members == set(ids), "instance %d sees all 64 members (%d)" % (port, len(members)))

print("uniqueness")
for round in range(10):
    name = "twice%d-%d@example.test" % (round, os.getpid())
    answers = parallel([
        (lambda port=port: scim(port, "POST", "/Users", {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name}, token)) for port in ports])
    statuses = sorted(status for status, _ in answers)
    if statuses != [201, 409]:
        check(False, "one userName created on both at once: %s" % statuses)
        break
    listed = scim(port_b, "GET", "/Users?filter=" + urllib.parse.quote('userName eq "%s"' % name), token=token)[1]
    if listed["totalResults"] != 1:
        check(False, "no duplicate user for %s" % name)
        break
else:
    check(True, "10 rounds of one userName created on both at once: one 201 and one 409 each, never a duplicate")

print("sessions")
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open("http://127.0.0.1:%d/login" % port_a).read().decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"csrf": csrf, "userName": "admin", "password": PASSWORD, "next": "/users"}).encode()
opener.open("http://127.0.0.1:%d/login" % port_a, data=form)
cookies = {cookie.name: cookie.value for cookie in jar}
check("ac_session" in cookies, "signed in on instance A")
request = urllib.request.Request("http://127.0.0.1:%d/users" % port_b,
                                 headers={"Cookie": "ac_session=" + cookies.get("ac_session", "")})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


try:
    with urllib.request.build_opener(NoRedirect).open(request) as response:
        page = response.read().decode()
        check(response.status == 200 and 'id="logout-form"' in page and "<h1>Users" in page,
              "the session works on instance B (its Users page, signed in)")
except urllib.error.HTTPError as error:
    check(False, "the session works on instance B (got %d)" % error.code)

print("revocation")
token_id = re.search(r"^(\S+)", cli("token", "list", "--connection", CONNECTION).strip().splitlines()[-1]).group(1)
cli("token", "revoke", "--id", token_id)
time.sleep(6)
check(all(scim(port, "GET", "/Users?count=1", token=token)[0] == 401 for port in ports),
      "a revoked token is refused by both instances within 5 s")

for process in (process_a, process_b):
    process.send_signal(signal.SIGTERM)
check(all(process.wait(timeout=30) == 0 for process in (process_a, process_b)), "both instances stop cleanly")

if failures:
    print("\n%d two-instance checks failed" % len(failures))
    sys.exit(1)
print("\nall two-instance checks passed")
