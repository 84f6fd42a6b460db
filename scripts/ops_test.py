#!/usr/bin/env python3
"""Live operations test: the built `account-console` as an operator runs it.

Usage: ops_test.py BINARY WORKDIR

Covers, each step failing the run with a reason: check-config (exit codes, masking, problems),
HTTPS with a certificate generated here and a SIGHUP reload, /healthz /readyz /metrics, JSON
logs with request ids and no secrets, the per-token rate limit (429 + integer Retry-After), the
deletion guard tripping and being released and rejected through `guard`, SIGTERM during a
request (it completes), `migrate` (idempotent, refuses a newer schema), `serve` against an older
schema (refused without --migrate), export -> import -> export (identical) with --on-error, and
the exit status of a bad argument. Only the standard library and the openssl command are used.
"""

import concurrent.futures
import json
import os
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

BINARY, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
DATABASE = os.path.join(WORK, "ops.db")
ADMIN_PASSWORD = "ops-admin-password-1"
failures = []


def check(condition, what):
    print(("  ok   " if condition else "  FAIL ") + what)
    if not condition:
        failures.append(what)
    return condition


def run(*args, stdin=None, env=None):
    merged = dict(os.environ)
    merged.update(env or {})
    return subprocess.run(
        [BINARY, *args], input=stdin, capture_output=True, text=True, env=merged, timeout=120)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_certificate(name, subject):
    key, cert = os.path.join(WORK, name + ".key"), os.path.join(WORK, name + ".pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
         "-subj", "/CN=" + subject, "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


def install(cert_key, into):
    for source, target in zip(cert_key, into):
        with open(source, "rb") as reader, open(target + ".tmp", "wb") as writer:
            writer.write(reader.read())
        os.replace(target + ".tmp", target)


class Server:
    def __init__(self, *extra, tls=None, env=None):
        self.port = free_port()
        self.tls = tls
        args = [BINARY, "serve", "--port", str(self.port), "--database", DATABASE, *extra]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        self.log_path = os.path.join(WORK, "serve-%d.log" % self.port)
        self.log = open(self.log_path, "w")
        merged = dict(os.environ, ACCOUNT_CONSOLE_ADMIN_PASSWORD=ADMIN_PASSWORD)
        merged.update(env or {})
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=merged)
        self.context = ssl.create_default_context(cafile=tls[0]) if tls else None
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the server did not start:\n" + self.text())

    @property
    def base(self):
        return ("https" if self.tls else "http") + "://127.0.0.1:%d" % self.port

    def request(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/scim+json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=15) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def get(self, path, token=None):
        return self.request("GET", path, token=token)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code

    def text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as reader:
            return reader.read()


def user(name):
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "active": True}


print("check-config")
result = run("check-config", "--database", DATABASE, env={"ACCOUNT_CONSOLE_ADMIN_PASSWORD": ADMIN_PASSWORD})
check(result.returncode == 0 and result.stdout.strip().endswith("ok"), "a good configuration exits 0 and says ok")
check(ADMIN_PASSWORD not in result.stdout and "******** (set)" in result.stdout, "the admin password is masked")
bad_file = os.path.join(WORK, "bad.json")
with open(bad_file, "w") as writer:
    json.dump({"prot": 1, "port": "eighty", "logFormat": "xml"}, writer)
result = run("check-config", "--config", bad_file, "--rate-limit", "0")
problems = [line for line in result.stdout.splitlines() if line.startswith("problem:")]
check(result.returncode == 1, "a bad configuration exits 1")
check(any('unknown setting "prot"' in line and "port" in line for line in problems), "an unknown name in the file is named, with the close one")
check(any("--rate-limit" in line for line in problems) and any("--log-format" in line for line in problems),
      "every wrong value is listed (%d problems)" % len(problems))
result = run("check-config", env={"ACCOUNT_CONSOLE_DATABASE": "postgres://ops:hunter2@db.example:5432/ac"})
check("hunter2" not in result.stdout and "ops@db.example:5432/ac" in result.stdout and "(environment;" in result.stdout,
      "a database URL from the environment is shown without its password")

print("migrate")
first, second = run("migrate", "--database", DATABASE), run("migrate", "--database", DATABASE)
check(first.returncode == 0 and second.returncode == 0 and first.stdout == second.stdout, "migrate is idempotent")
version = int(re.search(r"version (\d+)", first.stdout).group(1))

print("connections and tokens")
result = run("connection", "create", "--name", "okta", "--kind", "okta", "--deletion-guard", "2", "--database", DATABASE)
check(result.returncode == 0, "connection create --deletion-guard 2")
token = run("token", "create", "--connection", "okta", "--database", DATABASE).stdout.strip().splitlines()[-1]
reader_token = run("token", "create", "--connection", "okta", "--scope", "read", "--database", DATABASE).stdout.strip().splitlines()[-1]
result = run("guard", "release", "--connection", "okta", "--database", DATABASE)
check(result.returncode == 2 and "--user" in result.stderr, "guard release without --user or --all: one line, exit 2")
result = run("connection", "update", "--name", "okta", "--deletion-guard", "zero", "--database", DATABASE)
check(result.returncode == 2, "a bad --deletion-guard: exit 2")

print("HTTPS, health, metrics, logs")
live = [os.path.join(WORK, "live.pem"), os.path.join(WORK, "live.key")]
install(make_certificate("first", "first.test"), live)
server = Server("--log-format", "json", "--rate-limit", "50", "--rate-burst", "20", tls=live)
check(server.get("/healthz")[0] == 200, "/healthz over HTTPS")
status, _, body = server.get("/readyz")
check(status == 200 and body.strip() == "ready", "/readyz: ready")
served = ssl.get_server_certificate(("127.0.0.1", server.port))
check("first" in subprocess.run(["openssl", "x509", "-noout", "-subject"], input=served, capture_output=True, text=True).stdout,
      "the first certificate is served")
install(make_certificate("second", "second.test"), live)
server.process.send_signal(signal.SIGHUP)
time.sleep(1)
served = ssl.get_server_certificate(("127.0.0.1", server.port))
check("second" in subprocess.run(["openssl", "x509", "-noout", "-subject"], input=served, capture_output=True, text=True).stdout,
      "SIGHUP: the renewed certificate is served, without a restart")
server.context = ssl.create_default_context(cafile=live[0])

print("deletion guard")
ids = []
for name in ["ann", "ben", "cat", "dan"]:
    status, _, body = server.request("POST", "/scim/v2/Users", user(name + "@example.test"), token)
    ids.append(json.loads(body)["id"])
statuses = [server.request("DELETE", "/scim/v2/Users/" + id, token=token)[0] for id in ids]
check(statuses == [204] * 4, "the IdP gets its usual 204 for every DELETE, held or not")
check(all(server.get("/scim/v2/Users/" + id, token)[0] == 404 for id in ids), "and each user is gone to it (404)")
listing = run("guard", "list", "--connection", "okta", "--database", DATABASE)
check(listing.returncode == 0 and "2 held" in listing.stdout and "cat@example.test" in listing.stdout
      and "dan@example.test" in listing.stdout, "guard list shows the two held past the limit of 2")
result = run("guard", "release", "--connection", "okta", "--user", "cat@example.test", "--database", DATABASE)
check(result.returncode == 0 and "released cat@example.test (delete)" in result.stdout, "guard release --user applies the delete")
result = run("guard", "reject", "--connection", "okta", "--all", "--database", DATABASE)
check(result.returncode == 0 and "rejected dan@example.test" in result.stdout, "guard reject --all restores the rest")
status, _, body = server.get("/scim/v2/Users/" + ids[3], token)
check(status == 200 and json.loads(body).get("active") is True, "the rejected user is back, active")
check(server.get("/scim/v2/Users/" + ids[2], token)[0] == 404, "the released user stays deleted")
result = run("guard", "release", "--connection", "okta", "--user", "nobody@example.test", "--database", DATABASE)
check(result.returncode == 2, "releasing a user that is not held: exit 2")

print("rate limit")
# Sent 20 at a time, so the burst is spent faster than 50 a second refill it even on a busy
# machine (one after another, a slow machine never outran the refill).
with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
    answers = list(pool.map(lambda _: server.get("/scim/v2/Users?count=1", reader_token), range(100)))
limited = [headers for status, headers, _ in answers if status == 429]
check(len(limited) > 0, "a burst past the limit gets 429 (%d of 100)" % len(limited))
check(all(re.fullmatch(r"[1-9][0-9]*", headers.get("Retry-After", "")) for headers in limited),
      "every 429 carries an integer Retry-After")

status, _, metrics = server.get("/metrics")
check(status == 200, "/metrics answers")
for name in ["hb_requests", "http_server_request_duration_bucket", "account_console_provisioning_operations_total",
             "account_console_database_pool_connections", "account_console_activity_queue_rows"]:
    check(name in metrics, "/metrics has " + name)
held = re.search(r'^account_console_deprovisions_total\{(?=[^}]*held="true")(?=[^}]*connection="okta")[^}]*\} (\S+)$',
                 metrics, re.MULTILINE)
check(held is not None and float(held.group(1)) == 2, "/metrics counts the 2 deprovisions the guard held")

print("SIGTERM during a request")
body = json.dumps(user("late@example.test")).encode()
raw = server.context.wrap_socket(socket.create_connection(("127.0.0.1", server.port)), server_hostname="127.0.0.1")
raw.sendall(("POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/scim+json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (token, len(body))).encode())
raw.sendall(body[:10])
time.sleep(0.3)
server.process.send_signal(signal.SIGTERM)
time.sleep(0.3)
raw.sendall(body[10:])
answer = b""
while True:
    chunk = raw.recv(65536)
    if not chunk:
        break
    answer += chunk
check(answer.startswith(b"HTTP/1.1 201"), "the request in flight at SIGTERM completes (201)")
code = server.process.wait(timeout=30)
server.log.close()
check(code == 0, "and the server then exits 0")
log = server.text()
lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
check(len(lines) > 10 and all("time" in line and "level" in line for line in lines), "--log-format json: one object a line")
check(any("request.id" in line and line.get("http.status") == "429" for line in lines), "request lines carry the request id and status")
check(any("deletion guard of connection okta tripped" in line["message"] for line in lines), "the guard's trip is logged")
check(token not in log and reader_token not in log and ADMIN_PASSWORD not in log, "no token or password in the log")

print("export and import")
export_file, copy_db, again_file = (os.path.join(WORK, name) for name in ["export.jsonl", "copy.db", "again.jsonl"])
result = run("export", "--output", export_file, "--database", DATABASE)
check(result.returncode == 0 and "users" in result.stderr, "export writes a file and a summary")
exported = open(export_file).read()
check(token not in exported and "sha256" not in exported, "the export holds no secret")
result = run("import", "--input", export_file, "--database", copy_db)
check(result.returncode == 0 and "0 failed" in result.stderr, "import into an empty directory")
run("export", "--output", again_file, "--database", copy_db)
check(open(again_file).read() == exported, "export -> import -> export: the same file")
broken = exported.splitlines()
broken.insert(2, '{"type":"user","id":"x"')
broken_text = "\n".join(broken) + "\n"
result = run("import", "--on-error", "skip", "--database", copy_db, stdin=broken_text)
check(result.returncode == 0 and "line 3:" in result.stderr and "1 failed" in result.stderr, "--on-error skip: reported by line, skipped")
result = run("import", "--on-error", "stop", "--database", copy_db, stdin=broken_text)
check(result.returncode == 1 and "line 3:" in result.stderr and "stopped" in result.stderr, "--on-error stop: stops there, exit 1")

print("upgrades")
with sqlite3.connect(DATABASE) as database:
    database.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)", (version + 1,))
result = run("migrate", "--database", DATABASE)
check(result.returncode != 0 and "newer" in (result.stderr + result.stdout), "migrate refuses a newer schema")
with sqlite3.connect(DATABASE) as database:
    database.execute("DELETE FROM schema_migrations WHERE version = ?", (version + 1,))
    # Back to the schema before the last migration (the deletion guard's).
    database.execute("DELETE FROM schema_migrations WHERE version = ?", (version,))
    database.execute("DROP TABLE held_deprovisions")
    database.execute("DROP INDEX deprovisioned_connection_at")
    database.execute("ALTER TABLE connections DROP COLUMN deletion_guard")
    database.execute("DROP TABLE job_runs")
old = subprocess.run([BINARY, "serve", "--port", str(free_port()), "--database", DATABASE], capture_output=True, text=True, timeout=60)
check(old.returncode != 0 and "account-console migrate" in old.stderr + old.stdout, "serve on an older schema says to run migrate")
server = Server("--migrate")
check(server.get("/readyz")[0] == 200, "serve --migrate upgrades it and is ready")
check(server.stop() == 0, "and stops cleanly")

if failures:
    print("\n%d operations checks failed:" % len(failures))
    for failure in failures:
        print("  - " + failure)
    sys.exit(1)
print("\nall operations checks passed")
