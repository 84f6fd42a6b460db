#!/usr/bin/env python3
"""Fault injection against the live `account-console serve`.

Usage:
  chaos.py crash BINARY DATABASE WORKDIR [--rounds N] [--threads N] [--seed N]
  chaos.py pg-restart BINARY PG_URL PG_DIR WORKDIR [--outage SECONDS]
  chaos.py disk-full BINARY WORKDIR [--size-mb N]

crash: provisioning load from several threads (user creates, PUTs, PATCHes, deletes, group
creates, renames, deletes, member adds and removes on shared and own groups), SIGKILL at a random
moment, restart on the same database, then: every acknowledged write is there as last
acknowledged (the one write per thread in flight at the kill may or may not have landed, as a
whole), acknowledged deletes are 404, nothing unacknowledged appeared, each user's `groups`
agrees with the groups' members, the files pass `PRAGMA integrity_check` / `foreign_key_check`
(SQLite) or no row points at a missing one (PostgreSQL, every foreign key), and /readyz is 200.
DATABASE is `sqlite` (a new file in WORKDIR; the server itself takes a plain path) or a
postgres:// URL of a cluster, on which a new database is created for the run.

pg-restart: a steady load while PostgreSQL is stopped for a few seconds, then started, then
restarted quickly: during the outage SCIM answers 503 with Retry-After and a SCIM Error body
(never 500, never driver text) within the 5 s the README promises, /readyz is not 200; every
request caught by the stop or the restart is answered (failed or not) within those 5 s; the same
server process serves again within 30 s, holds no database connection once idle, has written its
activity log, and stops cleanly on SIGTERM; every acknowledged write is kept.

disk-full: the SQLite file on a small tmpfs, provisioning until writes fail: the failures are a
SCIM Error that names the condition (or 507), without driver text, reads keep working, nothing
acknowledged is lost, a write answered with a failure is not kept, the file passes its integrity
check; after the tmpfs is enlarged, writes succeed again without a restart. Needs root (mount).

Standard library only (and psql, pg_ctl, mount for the PostgreSQL and tmpfs parts).
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

ADMIN_PASSWORD = "chaos-admin-password-1"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
# What a driver or the OS says; none of it belongs in a client's answer.
DRIVER_TEXT = ["psqlerror", "sqliteerror", "sqlite_", "sqlite-nio", "sqlitenio", "postgresnio", "niocore",
               "connectionpoolerror", "channelerror", "database or disk is full", "disk i/o error",
               "serverclosedconnection", "connection reset by peer", "errno"]
failures = []


def check(condition, what):
    print(("  ok   " if condition else "  FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def sample(items, count=3):
    """The first few of what went wrong, for a check's line; nothing when there is nothing."""
    return "" if not items else ": %s" % list(items)[:count]


def note(text):
    print("       " + text, flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(binary, database, *args):
    result = subprocess.run([binary, *args, "--database", database], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit("%s failed: %s%s" % (" ".join(args), result.stdout, result.stderr))
    return result.stdout


def provisioning_token(binary, database):
    """A connection whose deprovisioning does exactly what was asked: no orphan rule deleting a
    user who left their last group, no deletion guard holding deletes back."""
    cli(binary, database, "connection", "create", "--name", "chaos", "--kind", "generic",
        "--orphan-rule", "off", "--deletion-guard", "off")
    return cli(binary, database, "token", "create", "--connection", "chaos").strip().splitlines()[-1]


# HTTP


class Refused(Exception):
    """No connection: the request was never sent, so it cannot have landed."""


class Lost(Exception):
    """Sent, and no complete answer: it may or may not have landed."""


class Answer:
    def __init__(self, status, headers, text, started, ended):
        self.status, self.headers, self.text = status, headers, text
        self.started, self.ended = started, ended
        try:
            self.json = json.loads(text) if text else None
        except ValueError:
            self.json = None

    @property
    def ok(self):
        return 200 <= self.status < 300

    def header(self, name):
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def short(self):
        return "%d %s" % (self.status, self.text[:300].replace("\n", " "))


def http_request(port, method, path, body=None, token=None, timeout=30):
    headers = {"Content-Type": "application/scim+json", "Connection": "close"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        # Connect apart from sending: a refused connection is the one failure known not to have landed.
        try:
            connection.connect()
        except ConnectionRefusedError as error:
            raise Refused(str(error))
        except OSError as error:
            raise Lost("connect: %r" % error)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            raise Lost(repr(error))
        return Answer(response.status, response.getheaders(), text, started, time.monotonic())
    finally:
        connection.close()


def scim_error_problems(answer):
    """What is wrong with a failure's body as an RFC 7644 §3.12 Error message; [] when it is one."""
    problems = []
    body = answer.json
    if not isinstance(body, dict):
        return ["the body is not JSON: %r" % answer.text[:200]]
    if ERROR_SCHEMA not in (body.get("schemas") or []):
        problems.append("no Error schema")
    if str(body.get("status")) != str(answer.status):
        problems.append("status %r in the body" % body.get("status"))
    if not isinstance(body.get("detail"), str) or not body.get("detail"):
        problems.append("no detail")
    lowered = answer.text.lower()
    leaked = [needle for needle in DRIVER_TEXT if needle in lowered]
    if leaked:
        problems.append("driver text %s" % leaked)
    return problems


def leaked_driver_text(answer):
    lowered = answer.text.lower()
    return [needle for needle in DRIVER_TEXT if needle in lowered]


# the server


class Server:
    def __init__(self, binary, database, work, label, port=None):
        self.binary, self.database, self.work, self.label = binary, database, work, label
        self.port = port or free_port()
        self.starts = 0
        self.process = None

    def start(self, timeout=60):
        self.starts += 1
        self.log_path = os.path.join(self.work, "%s-%d.log" % (self.label, self.starts))
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--database", self.database],
            stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ, ACCOUNT_CONSOLE_ADMIN_PASSWORD=ADMIN_PASSWORD))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                answer = http_request(self.port, "GET", "/readyz", timeout=10)
                if answer.status == 200:
                    return time.monotonic()
            except (Refused, Lost):
                pass
            time.sleep(0.05)
        raise SystemExit("the server did not become ready (%s):\n%s" % (self.log_path, self.text()[-3000:]))

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self, timeout=60):
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log.close()
        return code

    def text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, errors="replace") as reader:
            return reader.read()

    def lines(self, pattern):
        return [line for line in self.text().splitlines() if re.search(pattern, line)]


def scim(server, method, path, body=None, token=None, timeout=30):
    return http_request(server.port, method, "/scim/v2" + path, body, token, timeout)


def list_all(server, token, endpoint):
    """Every resource of /Users or /Groups, by id, through index paging."""
    found, start = {}, 1
    while True:
        answer = scim(server, "GET", "/%s?startIndex=%d&count=200" % (endpoint, start), token=token, timeout=60)
        if not answer.ok:
            raise SystemExit("GET /%s failed: %s" % (endpoint, answer.short()))
        page = answer.json.get("Resources") or []
        for resource in page:
            found[resource["id"]] = resource
        start += len(page)
        if not page or start > answer.json["totalResults"]:
            if len(found) != answer.json["totalResults"]:
                check(False, "/%s lists %d resources and says totalResults %d" % (
                    endpoint, len(found), answer.json["totalResults"]))
            return found


# databases


def fresh_postgres(url, name):
    """A new, empty database on the cluster of `url`; its URL."""
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE %s" % name],
                   check=True, capture_output=True, text=True)
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def drop_postgres(url):
    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    subprocess.run(["psql", admin, "-qc", "DROP DATABASE IF EXISTS %s" % parts.path.strip("/")],
                   capture_output=True, text=True)


def psql(url, sql):
    result = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-XqAt", "-F", "\t", "-c", sql],
                            capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout.strip(), result.stderr.strip()


def sqlite_integrity(path, work, what):
    """integrity_check and foreign_key_check on a copy of the file and its WAL, so the server's own
    recovery of the WAL at its next start is what the next round exercises."""
    copy = os.path.join(work, "integrity-copy.db")
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(copy + suffix):
            os.remove(copy + suffix)
    shutil.copyfile(path, copy)
    if os.path.exists(path + "-wal"):
        shutil.copyfile(path + "-wal", copy + "-wal")
    with sqlite3.connect(copy) as database:
        integrity = [row[0] for row in database.execute("PRAGMA integrity_check")]
        orphans = database.execute("PRAGMA foreign_key_check").fetchall()
    check(integrity == ["ok"], "%s: PRAGMA integrity_check is ok%s" % (what, sample([] if integrity == ["ok"] else integrity, 5)))
    check(not orphans, "%s: PRAGMA foreign_key_check is empty%s" % (what, sample(orphans, 5)))


def postgres_integrity(url, what):
    """No row points at a missing one, for every single-column foreign key the schema has (the
    memberships' users and groups among them); and amcheck's B-tree check where it is installed."""
    code, out, err = psql(url, """
        SELECT c.conrelid::regclass, a.attname, c.confrelid::regclass, af.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 ORDER BY 1, 2""")
    keys = [line.split("\t") for line in out.splitlines() if line]
    if not check(code == 0 and any(table == "memberships" for table, _, _, _ in keys),
                 "%s: the foreign keys are found (%d, memberships among them)" % (what, len(keys))):
        note(err)
        return
    counts = " UNION ALL ".join(
        "SELECT '%s.%s', count(*) FROM %s t WHERE t.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.%s = t.%s)"
        % (table, column, table, column, target, target_column, column)
        for table, column, target, target_column in keys)
    code, out, err = psql(url, counts)
    broken = [line for line in out.splitlines() if not line.endswith("\t0")]
    check(code == 0 and not broken, "%s: no row points at a missing one (%d foreign keys)%s" % (
        what, len(keys), "" if not broken else ": %s" % broken))
    code, out, err = psql(url, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated")
    check(code == 0 and out == "0", "%s: every foreign key is validated" % what)
    code, out, _ = psql(url, "SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'")
    if out == "1":
        code, out, err = psql(url, """
            CREATE EXTENSION IF NOT EXISTS amcheck;
            SELECT count(bt_index_check(c.oid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE am.amname = 'btree' AND n.nspname = current_schema()""")
        check(code == 0, "%s: amcheck finds every B-tree index sound (%s)" % (what, out or err))


# crash: the model


class Partition:
    """What one load thread owns: its users, the groups it created, and the memberships of its users
    (in any group). Only that thread writes them, one request at a time, so after each answer the
    partition is exactly the server's state of those rows."""

    def __init__(self):
        self.users = {}          # id -> attributes
        self.groups = {}         # id -> displayName
        self.members = set()     # (group id, user id)
        self.gone_users = set()  # deleted: must be 404
        self.gone_groups = set()

    def copy(self):
        other = Partition()
        other.users = {id: dict(attributes) for id, attributes in self.users.items()}
        other.groups = dict(self.groups)
        other.members = set(self.members)
        other.gone_users = set(self.gone_users)
        other.gone_groups = set(self.gone_groups)
        return other

    def apply(self, op):
        kind, id = op["kind"], op.get("id")
        if kind in ("create_user", "put_user"):
            self.users[id] = dict(op["attributes"])
        elif kind == "patch_user":
            self.users[id].update(op["changes"])
        elif kind == "delete_user":
            del self.users[id]
            self.gone_users.add(id)
            self.members = {(g, u) for g, u in self.members if u != id}
        elif kind == "create_group":
            self.groups[id] = op["name"]
            self.members |= {(id, u) for u in op["users"]}
        elif kind == "rename_group":
            self.groups[id] = op["name"]
        elif kind == "delete_group":
            del self.groups[id]
            self.gone_groups.add(id)
            self.members = {(g, u) for g, u in self.members if g != id}
        elif kind == "add_members":
            self.members |= {(op["group"], u) for u in op["users"]}
        elif kind == "remove_members":
            self.members -= {(op["group"], u) for u in op["users"]}

    def view(self):
        return {"users": self.users, "groups": self.groups, "members": self.members}


def user_body(attributes):
    return {"schemas": [USER_SCHEMA], "userName": attributes["userName"], "active": True,
            "displayName": attributes["displayName"],
            "name": {"givenName": attributes["givenName"], "familyName": attributes["familyName"]},
            "emails": [{"value": attributes["email"], "type": "work", "primary": True}]}


def user_attributes(resource):
    name = resource.get("name") or {}
    emails = resource.get("emails") or []
    return {"userName": resource.get("userName"), "displayName": resource.get("displayName"),
            "givenName": name.get("givenName"), "familyName": name.get("familyName"),
            "email": emails[0].get("value") if emails else None}


def patch(*operations):
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


class Worker(threading.Thread):
    """One load thread: requests one after another on its partition until told to stop or until a
    request gets no definite answer (after the kill, the first one does)."""

    def __init__(self, index, partition, shared, server, token, stop, tag, seed):
        super().__init__(daemon=True)
        self.index, self.partition, self.shared = index, partition, shared
        self.server, self.token, self.stop = server, token, stop
        self.tag, self.rng = tag, random.Random(seed)
        self.counter = 0
        self.acknowledged = 0
        self.refused = 0
        self.unknown = None      # the op in flight when the answer was lost
        self.unexpected = []     # answers no correct server gives this load
        self.stale_reads = []

    def fresh(self, what):
        self.counter += 1
        return "%s-%d-%d-%s" % (self.tag, self.index, self.counter, what)

    def choose(self):
        part, rng = self.partition, self.rng
        users = sorted(part.users)
        if not users or rng.random() < 0.22:
            name = self.fresh("u")
            attributes = {"userName": name + "@example.test", "displayName": "User " + name,
                          "givenName": "Given " + name, "familyName": "Family " + name, "email": name + "@mail.example.test"}
            return {"kind": "create_user", "attributes": attributes}, "POST", "/Users", user_body(attributes)
        own_groups = sorted(part.groups)
        choices = [("put_user", 1.0), ("patch_user", 2.0), ("delete_user", 0.4), ("read_user", 1.0),
                   ("create_group", 0.4), ("add_members", 3.0)]
        if own_groups:
            choices += [("rename_group", 0.3), ("delete_group", 0.1)]
        if part.members:
            choices += [("remove_members", 2.0)]
        kind = rng.choices([name for name, _ in choices], [weight for _, weight in choices])[0]
        user = rng.choice(users)
        if kind == "put_user":
            current, mark = part.users[user], self.fresh("put")
            attributes = dict(current, displayName="Put " + mark, givenName="PutGiven " + mark,
                              familyName="PutFamily " + mark, email=mark + "@mail.example.test")
            return {"kind": kind, "id": user, "attributes": attributes}, "PUT", "/Users/" + user, user_body(attributes)
        if kind == "patch_user":
            mark = self.fresh("patch")
            changes = {"displayName": "Patched " + mark, "givenName": "PatchedGiven " + mark}
            body = patch({"op": "replace", "path": "displayName", "value": changes["displayName"]},
                         {"op": "replace", "path": "name.givenName", "value": changes["givenName"]})
            return {"kind": kind, "id": user, "changes": changes}, "PATCH", "/Users/" + user, body
        if kind == "delete_user":
            return {"kind": kind, "id": user}, "DELETE", "/Users/" + user, None
        if kind == "read_user":
            return {"kind": kind, "id": user}, "GET", "/Users/" + user, None
        if kind == "create_group":
            name = self.fresh("g")
            initial = rng.sample(users, min(len(users), rng.randint(0, 2)))
            body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": [{"value": u} for u in initial]}
            return {"kind": kind, "name": name, "users": initial}, "POST", "/Groups", body
        if kind == "rename_group":
            group, name = rng.choice(own_groups), self.fresh("renamed")
            body = patch({"op": "replace", "path": "displayName", "value": name})
            return {"kind": kind, "id": group, "name": name}, "PATCH", "/Groups/" + group, body
        if kind == "delete_group":
            group = rng.choice(own_groups)
            return {"kind": kind, "id": group}, "DELETE", "/Groups/" + group, None
        if kind == "add_members":
            group = rng.choice(sorted(self.shared) + own_groups)
            chosen = rng.sample(users, min(len(users), rng.randint(1, 3)))
            body = patch({"op": "add", "path": "members", "value": [{"value": u} for u in chosen]})
            return {"kind": kind, "group": group, "users": chosen}, "PATCH", "/Groups/" + group, body
        # remove_members: one or two present members of one group, in either of the two shapes IdPs send.
        group = rng.choice(sorted({g for g, _ in part.members}))
        present = sorted(u for g, u in part.members if g == group)
        chosen = rng.sample(present, min(len(present), rng.randint(1, 2)))
        if rng.random() < 0.5:
            operations = [{"op": "remove", "path": 'members[value eq "%s"]' % u} for u in chosen]
        else:
            operations = [{"op": "remove", "path": "members", "value": [{"value": u} for u in chosen]}]
        return {"kind": "remove_members", "group": group, "users": chosen}, "PATCH", "/Groups/" + group, patch(*operations)

    def run(self):
        while not self.stop.is_set():
            op, method, path, body = self.choose()
            op["request"] = "%s %s" % (method, path)
            try:
                answer = scim(self.server, method, path, body, self.token)
            except Refused:
                self.refused += 1
                return
            except Lost as error:
                op["error"] = str(error)
                self.unknown = op
                return
            if op["kind"] == "read_user":
                expected = self.partition.users[op["id"]]
                if not answer.ok or user_attributes(answer.json) != expected:
                    self.stale_reads.append("GET %s after its acknowledged writes: %s, expected %s" % (
                        op["id"], answer.short(), expected))
                continue
            if answer.ok:
                if op["kind"] in ("create_user", "create_group"):
                    op["id"] = answer.json["id"]
                self.partition.apply(op)
                self.acknowledged += 1
            elif answer.status < 500:
                # Nothing in this load is refusable: a 4xx means the server lost track of something.
                self.unexpected.append("%s -> %s" % (op["request"], answer.short()))
            else:
                # The server says it failed; treat it as in flight (it may have committed), and stop.
                op["error"] = answer.short()
                self.unexpected.append("%s -> %s" % (op["request"], answer.short()))
                self.unknown = op
                return


def observe(server, token):
    listed = list_all(server, token, "Users")
    users = {id: user_attributes(resource) for id, resource in listed.items()}
    user_groups = {id: {entry["value"] for entry in resource.get("groups") or []} for id, resource in listed.items()}
    groups = {}
    for id, resource in list_all(server, token, "Groups").items():
        groups[id] = (resource.get("displayName"), {member["value"] for member in resource.get("members") or []})
    return users, user_groups, groups


def project(users, groups, user_ids, group_ids):
    """The observed state of one partition's rows, shaped like Partition.view()."""
    return {"users": {id: users[id] for id in user_ids if id in users},
            "groups": {id: groups[id][0] for id in group_ids if id in groups},
            "members": {(g, u) for g, (_, members) in groups.items() for u in members if u in user_ids}}


def describe_difference(expected, observed, shared):
    lines = []
    for id, attributes in expected["users"].items():
        if id not in observed["users"]:
            lines.append("user %s (%s) acknowledged, missing" % (id, attributes["userName"]))
        elif observed["users"][id] != attributes:
            lines.append("user %s is %s, acknowledged %s" % (id, observed["users"][id], attributes))
    for id in observed["users"].keys() - expected["users"].keys():
        lines.append("user %s (%s) is there, acknowledged deleted" % (id, observed["users"][id]["userName"]))
    for id, name in expected["groups"].items():
        if id not in observed["groups"]:
            lines.append("group %s (%s) acknowledged, missing" % (id, name))
        elif observed["groups"][id] != name:
            lines.append("group %s is named %r, acknowledged %r" % (id, observed["groups"][id], name))
    for id in observed["groups"].keys() - expected["groups"].keys():
        lines.append("group %s is there, acknowledged deleted" % id)
    for g, u in sorted(expected["members"] - observed["members"]):
        lines.append("member %s of group %s%s acknowledged, missing" % (u, g, " (shared)" if g in shared else ""))
    for g, u in sorted(observed["members"] - expected["members"]):
        lines.append("member %s of group %s%s is there, acknowledged removed" % (u, g, " (shared)" if g in shared else ""))
    return lines


def verify(server, token, partitions, workers, shared, pool):
    """Checks the restarted server against the partitions; returns the partitions as found (each
    one of its two allowed states, or what is there when neither matched) and the count verified."""
    users, user_groups, groups = observe(server, token)
    resolved, verified = [], 0
    known_users, known_groups = set(), set(shared)
    for index, partition in enumerate(partitions):
        unknown = workers[index].unknown if workers else None
        candidates = [partition]
        if unknown is not None:
            # A create in flight is found by its unique name, if it landed.
            if unknown["kind"] == "create_user":
                found = [id for id, attributes in users.items() if attributes["userName"] == unknown["attributes"]["userName"]]
                check(len(found) <= 1, "at most one user named %s" % unknown["attributes"]["userName"])
                unknown["id"] = found[0] if found else None
            elif unknown["kind"] == "create_group":
                found = [id for id, (name, _) in groups.items() if name == unknown["name"]]
                check(len(found) <= 1, "at most one group named %s" % unknown["name"])
                unknown["id"] = found[0] if found else None
            if unknown["kind"] not in ("create_user", "create_group") or unknown["id"]:
                landed = partition.copy()
                landed.apply(unknown)
                candidates.append(landed)
        user_ids = set().union(*(set(c.users) | c.gone_users for c in candidates))
        group_ids = set().union(*(set(c.groups) | c.gone_groups for c in candidates))
        known_users |= user_ids
        known_groups |= group_ids
        observed = project(users, groups, user_ids, group_ids)
        matching = [c for c in candidates if c.view() == observed]
        what = "thread %d: %d users, %d groups, %d memberships as acknowledged" % (
            index, len(observed["users"]), len(observed["groups"]), len(observed["members"]))
        if unknown is not None:
            outcome = ("no change either way" if len(matching) == 2 else "not landed" if matching == [partition]
                       else "landed" if matching else "neither")
            what += " (%s in flight: %s)" % (unknown["request"], outcome)
        if check(bool(matching), what):
            chosen = matching[-1]
            verified += len(observed["users"]) + len(observed["groups"]) + len(observed["members"])
        else:
            for line in describe_difference(partition.view(), observed, shared)[:20]:
                note(line)
            if unknown is not None:
                note("in flight at the kill: %s (%s)" % (unknown["request"], unknown.get("error")))
            chosen = partition.copy()
            chosen.users, chosen.members = dict(observed["users"]), set(observed["members"])
            chosen.groups = dict(observed["groups"])
            chosen.gone_users |= user_ids - set(chosen.users)
            chosen.gone_groups |= group_ids - set(chosen.groups)
        resolved.append(chosen)
    for id, name in shared.items():
        check(groups.get(id, (None,))[0] == name, "shared group %s is there" % name) or None
    phantoms = sorted(set(users) - known_users)
    check(not phantoms, "no user appeared that was neither acknowledged nor in flight%s" % (
        "" if not phantoms else ": %s" % [users[id]["userName"] for id in phantoms[:10]]))
    phantoms = sorted(set(groups) - known_groups)
    check(not phantoms, "no group appeared that was neither acknowledged nor in flight%s" % (
        "" if not phantoms else ": %s" % [groups[id][0] for id in phantoms[:10]]))
    disagree = [id for id in users if user_groups[id] != {g for g, (_, members) in groups.items() if id in members}]
    check(not disagree, "every user's groups agree with the groups' members (%d users)%s" % (
        len(users), sample(disagree, 5)))
    # Each resource by id as well: 200 with what the list said, or 404 once deleted.
    def by_id(kind_id):
        kind, id = kind_id
        answer = scim(server, "GET", "/%s/%s" % (kind, id), token=token)
        if kind == "Users":
            expected = users.get(id)
            return kind, id, answer, (answer.status == 404 if expected is None else
                                      answer.status == 200 and user_attributes(answer.json) == expected)
        expected = groups.get(id)
        return kind, id, answer, (answer.status == 404 if expected is None else answer.status == 200 and (
            answer.json.get("displayName"), {m["value"] for m in answer.json.get("members") or []}) == expected)
    targets = [("Users", id) for id in sorted(known_users)] + [("Groups", id) for id in sorted(known_groups)]
    wrong = [(kind, id, answer.short()) for kind, id, answer, fine in pool.map(by_id, targets) if not fine]
    check(not wrong, "GET by id agrees for all %d users and groups (200 as listed, 404 when deleted)%s" % (
        len(targets), sample(wrong, 5)))
    return resolved, verified


def crash(args):
    began = time.monotonic()
    os.makedirs(args.workdir, exist_ok=True)
    rng = random.Random(args.seed)
    tag = "c%d" % os.getpid()
    if args.database.lower().startswith(("postgres://", "postgresql://")):
        backend = "postgresql"
        database = fresh_postgres(args.database, "chaos_crash_%d" % os.getpid())
        sqlite_path = None
    else:
        backend = "sqlite"
        name = args.database.split(":", 1)[1] if ":" in args.database else "crash.db"
        database = sqlite_path = os.path.join(args.workdir, name)
        for suffix in ["", "-wal", "-shm"]:
            if os.path.exists(database + suffix):
                os.remove(database + suffix)
    print("crash on %s: %s, %d rounds, %d threads, seed %d, logs in %s" % (
        backend, database, args.rounds, args.threads, args.seed, args.workdir), flush=True)
    token = provisioning_token(args.binary, database)
    server = Server(args.binary, database, args.workdir, "crash-%s" % backend)
    server.start()
    shared = {}
    for number in range(3):
        name = "%s-shared-%d" % (tag, number)
        answer = scim(server, "POST", "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": name}, token)
        if not answer.ok:
            raise SystemExit("creating a shared group failed: %s" % answer.short())
        shared[answer.json["id"]] = name
    partitions = [Partition() for _ in range(args.threads)]
    passed = 0
    pool = concurrent.futures.ThreadPoolExecutor(4)
    for round in range(1, args.rounds + 1):
        print("round %d" % round, flush=True)
        before = len(failures)
        stop = threading.Event()
        workers = [Worker(index, partitions[index], shared, server, token, stop, "%s-r%d" % (tag, round),
                          rng.randrange(1 << 30)) for index in range(args.threads)]
        for worker in workers:
            worker.start()
        delay = rng.uniform(0.5, 3.0)
        time.sleep(delay)
        server.kill()
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
        check(not any(worker.is_alive() for worker in workers), "every load thread ended after the kill")
        acknowledged = sum(worker.acknowledged for worker in workers)
        in_flight = sum(worker.unknown is not None for worker in workers)
        unexpected = [line for worker in workers for line in worker.unexpected]
        stale = [line for worker in workers for line in worker.stale_reads]
        check(acknowledged > 0, "the load was running at the kill (%d writes acknowledged in %.1f s)" % (acknowledged, delay))
        check(not unexpected, "every request before the kill was acknowledged (no 4xx, no 5xx)%s" % (
            sample(unexpected, 5)))
        check(not stale, "every read saw the writes acknowledged before it%s" % (sample(stale, 3)))
        if sqlite_path:
            sqlite_integrity(sqlite_path, args.workdir, "after the kill")
        restarted = time.monotonic()
        server.start()
        ready = http_request(server.port, "GET", "/readyz")
        check(ready.status == 200, "restarted on the same database, /readyz 200 (%.1f s)" % (time.monotonic() - restarted))
        partitions, verified = verify(server, token, partitions, workers, shared, pool)
        if backend == "postgresql":
            postgres_integrity(database, "after the restart")
        round_ok = len(failures) == before
        passed += round_ok
        print("round %d: %s; %d acknowledged, %d in flight at the kill (after %.1f s), %d verified" % (
            round, "passed" if round_ok else "FAILED", acknowledged, in_flight, delay, verified), flush=True)
    code = server.stop()
    check(code == 0, "the last server stops cleanly on SIGTERM (exit %s)" % code)
    errors = server.lines(r"^\S+ (error|critical) ")
    if errors:
        note("error lines of the last server: %s" % errors[:5])
    if sqlite_path:
        with sqlite3.connect(sqlite_path) as db:
            integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
            orphans = db.execute("PRAGMA foreign_key_check").fetchall()
        check(integrity == ["ok"] and not orphans, "after the clean stop: integrity_check ok, foreign_key_check empty")
    elif not failures:
        drop_postgres(database)
    pool.shutdown()
    print("crash: %d/%d rounds passed on %s (%.0f s)" % (passed, args.rounds, backend, time.monotonic() - began), flush=True)


# pg-restart


class PostgresCluster:
    """The cluster of scripts/postgres.sh: stopped and started as its `postgres` user, with the
    options it was started with (postmaster.opts), so port and socket directory stay the same."""

    def __init__(self, directory):
        self.data = os.path.join(directory, "data")
        self.log = os.path.join(directory, "server.log")
        # The newest installed version, as scripts/postgres.sh picks it.
        versions = [v for v in os.listdir("/usr/lib/postgresql") if os.path.exists("/usr/lib/postgresql/%s/bin/pg_ctl" % v)]
        newest = max(versions, key=lambda v: [int(x) for x in re.findall(r"\d+", v)])
        self.pg_ctl = "/usr/lib/postgresql/%s/bin/pg_ctl" % newest
        with open(os.path.join(self.data, "postmaster.opts")) as reader:
            words = shlex.split(reader.read())
        options, skip = [], False
        for word in words[1:]:
            if skip:
                skip = False
            elif word == "-D":
                skip = True
            else:
                options.append(word)
        self.options = shlex.join(options)
        self.running = True

    def ctl(self, *args):
        return subprocess.run(["runuser", "-u", "postgres", "--", self.pg_ctl, "-D", self.data, *args],
                              capture_output=True, text=True, timeout=120)

    def stop(self):
        result = self.ctl("-m", "fast", "-w", "stop")
        self.running = result.returncode != 0
        return result

    def start(self):
        result = self.ctl("-l", self.log, "-w", "-o", self.options, "start")
        self.running = result.returncode == 0
        return result

    def restart(self):
        return self.ctl("-l", self.log, "-m", "fast", "-w", "-o", self.options, "restart")


class Recorder:
    """Every request of the steady load: what, when it was sent, when and how it was answered."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def call(self, kind, detail, send):
        entry = {"kind": kind, "detail": detail, "started": time.monotonic(), "ended": None, "answer": None, "error": None}
        with self.lock:
            self.entries.append(entry)
        try:
            entry["answer"] = send()
        except (Refused, Lost) as error:
            entry["error"] = repr(error)
        entry["ended"] = time.monotonic()
        return entry

    def select(self, condition):
        with self.lock:
            return [entry for entry in self.entries if condition(entry)]


def describe(entry):
    took = "%.1f s" % (entry["ended"] - entry["started"]) if entry["ended"] else "no answer yet"
    what = entry["answer"].short() if entry["answer"] else entry["error"] or "in flight"
    return "%s %s: %s (%s)" % (entry["kind"], entry["detail"], what[:160], took)


# A request that takes longer than this has hung: the README promises an answer within 5 s.
ANSWER_WITHIN = 7.5


def pg_restart(args):
    began = time.monotonic()
    os.makedirs(args.workdir, exist_ok=True)
    cluster = PostgresCluster(args.pg_dir)
    database = fresh_postgres(args.pg_url, "chaos_restart_%d" % os.getpid())
    tag = "p%d" % os.getpid()
    print("pg-restart: %s, cluster %s (%s), logs in %s" % (database, cluster.data, cluster.options, args.workdir), flush=True)
    token = provisioning_token(args.binary, database)
    server = Server(args.binary, database, args.workdir, "pg-restart")
    server.start()
    pid = server.process.pid
    answer = scim(server, "POST", "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": tag + "-group"}, token)
    group = answer.json["id"]
    recorder = Recorder()
    stop = threading.Event()
    created, added = {}, set()
    state = threading.Lock()
    # Long enough for a hung request to show, short enough for the run to end.
    client_timeout = 40

    def creator(index):
        number = 0
        while not stop.is_set():
            number += 1
            name = "%s-%d-%d@example.test" % (tag, index, number)
            body = {"schemas": [USER_SCHEMA], "userName": name, "displayName": name}
            entry = recorder.call("POST /Users", name, lambda: scim(server, "POST", "/Users", body, token, client_timeout))
            if entry["answer"] and entry["answer"].ok:
                with state:
                    created[entry["answer"].json["id"]] = name
            else:
                time.sleep(0.2)

    def member_adder():
        while not stop.is_set():
            with state:
                pending = [id for id in created if id not in added][:3]
            if not pending:
                time.sleep(0.05)
                continue
            body = patch({"op": "add", "path": "members", "value": [{"value": id} for id in pending]})
            entry = recorder.call("PATCH /Groups", "+%d members" % len(pending),
                                  lambda: scim(server, "PATCH", "/Groups/" + group, body, token, client_timeout))
            if entry["answer"] and entry["answer"].ok:
                with state:
                    added.update(pending)
            else:
                time.sleep(0.2)

    def reader():
        while not stop.is_set():
            entry = recorder.call("GET /Users", "count=1",
                                  lambda: scim(server, "GET", "/Users?count=1", token=token, timeout=client_timeout))
            time.sleep(0.02 if entry["answer"] and entry["answer"].ok else 0.2)

    def prober():
        while not stop.is_set():
            recorder.call("GET /readyz", "", lambda: http_request(server.port, "GET", "/readyz", timeout=client_timeout))
            time.sleep(0.25)

    threads = [threading.Thread(target=creator, args=(i,), daemon=True) for i in range(2)]
    threads += [threading.Thread(target=target, daemon=True) for target in (member_adder, reader, prober)]
    for thread in threads:
        thread.start()

    def wait_recovery(since):
        """Seconds from `since` until /readyz is 200 and a SCIM write is acknowledged; None after 30 s."""
        number = 0
        while time.monotonic() < since + 30:
            number += 1
            try:
                if http_request(server.port, "GET", "/readyz", timeout=10).status == 200:
                    name = "%s-probe-%d-%d@example.test" % (tag, int(since), number)
                    answer = scim(server, "POST", "/Users", {"schemas": [USER_SCHEMA], "userName": name}, token, timeout=10)
                    if answer.ok:
                        with state:
                            created[answer.json["id"]] = name
                        return time.monotonic() - since
            except (Refused, Lost):
                pass
            time.sleep(0.25)
        return None

    phases = {}
    time.sleep(3)
    # A phase's window ends a second before the next disruption: what is sent later is judged with it.
    phases["before"] = (began, time.monotonic() - 1)
    # An outage: stopped, down for a while, started again with the same options.
    stopping = time.monotonic()
    result = cluster.stop()
    check(result.returncode == 0, "pg_ctl stop -m fast%s" % ("" if result.returncode == 0 else ": " + result.stderr))
    down = time.monotonic()
    phases["stop"] = (stopping, down)
    try:
        time.sleep(args.outage)
    finally:
        result = cluster.start()
    up = time.monotonic()
    check(result.returncode == 0, "pg_ctl start after %.1f s down%s" % (
        up - down, "" if result.returncode == 0 else ": " + result.stderr))
    phases["outage"] = (down, up)
    recovered = wait_recovery(up)
    check(recovered is not None, "the same server serves again by itself within 30 s of the start%s" % (
        "" if recovered is None else " (%.1f s)" % recovered))
    settled = time.monotonic() + 1
    time.sleep(4)
    phases["after the outage"] = (settled, time.monotonic() - 1)
    # A quick restart: every pooled connection dies at once, mid-request for some.
    restarting = time.monotonic()
    result = cluster.restart()
    back = time.monotonic()
    check(result.returncode == 0, "pg_ctl restart -m fast (%.1f s)" % (back - restarting))
    phases["restart"] = (restarting, back)
    recovered = wait_recovery(back)
    check(recovered is not None, "the same server serves again by itself within 30 s of the restart%s" % (
        "" if recovered is None else " (%.1f s)" % recovered))
    settled = time.monotonic() + 1
    time.sleep(4)
    phases["after the restart"] = (settled, time.monotonic())
    stop.set()
    for thread in threads:
        thread.join(timeout=client_timeout + 10)
    check(server.alive() and server.process.pid == pid, "the server process was never restarted (pid %d)" % pid)

    scim_kinds = {"POST /Users", "PATCH /Groups", "GET /Users"}
    down, up = phases["outage"]
    # Answers that came while PostgreSQL was down (from the moment its stop had taken effect).
    during = recorder.select(lambda e: e["ended"] and down + 0.5 <= e["ended"] <= up)
    scim_answers = [e["answer"] for e in during if e["kind"] in scim_kinds and e["answer"]]
    what = "PostgreSQL down for %.0f s" % args.outage
    check(len(scim_answers) >= 2, "%s: SCIM requests were answered meanwhile (%d)" % (what, len(scim_answers)))
    bad = [a.short() for a in scim_answers if a.status != 503]
    check(not bad, "%s: every SCIM answer is 503%s" % (what, sample(bad, 3)))
    no_retry = [a.short() for a in scim_answers if not re.fullmatch(r"[1-9][0-9]*", a.header("Retry-After") or "")]
    check(not no_retry, "%s: each with an integer Retry-After%s" % (what, sample(no_retry, 3)))
    malformed = [(a.short(), scim_error_problems(a)) for a in scim_answers if scim_error_problems(a)]
    check(not malformed, "%s: each a SCIM Error body without driver text%s" % (what, sample(malformed, 3)))
    if scim_answers:
        note("one of them: %s (Retry-After %s)" % (scim_answers[0].short(), scim_answers[0].header("Retry-After")))
    probes = [e for e in during if e["kind"] == "GET /readyz"]
    ready = [describe(e) for e in probes if e["answer"] and e["answer"].status == 200]
    check(probes and not ready, "%s: /readyz not 200 (%d probes: %s)" % (
        what, len(probes), sorted({e["answer"].short() if e["answer"] else e["error"] for e in probes})[:3]))
    overlapping = recorder.select(lambda e: e["started"] <= up and (e["ended"] is None or e["ended"] >= down))
    note("requests over the outage (sent, answered, from the stop): %s" % "; ".join(
        "%s %+.1f..%s %s" % (e["kind"], e["started"] - down, "%+.1f" % (e["ended"] - down) if e["ended"] else "-",
                             e["answer"].status if e["answer"] else "no answer") for e in overlapping[:24]))
    # Requests sent while it was down: each answered within the promise, or before it came back.
    sent = recorder.select(lambda e: down <= e["started"] <= up and (
        e["started"] <= up - ANSWER_WITHIN or (e["ended"] is not None and e["ended"] <= up)))
    slow = [describe(e) for e in sent if not e["ended"] or e["ended"] - e["started"] > ANSWER_WITHIN]
    check(sent and not slow, "%s: each request sent meanwhile answered within 5 s (%d, slowest %.1f s)%s" % (
        what, len(sent), max((e["ended"] - e["started"] for e in sent if e["ended"]), default=0), sample(slow, 3)))
    for phase in ["before", "after the outage", "after the restart"]:
        start, end = phases[phase]
        window = recorder.select(lambda e: start <= e["started"] <= end)
        bad = [describe(e) for e in window if not (e["answer"] and e["answer"].ok and e["ended"] - e["started"] <= ANSWER_WITHIN)]
        check(len(window) > 5 and not bad, "%s: all %d requests answered 2xx promptly%s" % (
            phase, len(window), "" if not bad else ": %d not: %s" % (len(bad), bad[:3])))
    # Requests caught by the stop or the quick restart may fail, but must be answered.
    for phase, since in [("stop", began), ("restart", up)]:
        start, end = phases[phase]
        caught = recorder.select(lambda e: since <= e["started"] <= end and (e["ended"] is None or e["ended"] >= start))
        hung = [describe(e) for e in caught if not e["ended"] or e["ended"] - e["started"] > ANSWER_WITHIN]
        check(not hung, "%s: every request in flight at it is answered within 5 s (%d)%s" % (
            phase, len(caught), "" if not hung else ": %d not: %s" % (len(hung), hung[:3])))
    answers = [e["answer"] for e in recorder.select(lambda e: e["answer"] is not None)]
    check(not [a for a in answers if a.status == 500], "no 500 in %d answers" % len(answers))
    leaked = [a.short() for a in answers if not a.ok and leaked_driver_text(a)]
    check(not leaked, "no driver text in any answer%s" % (sample(leaked, 3)))
    statuses = {}
    for entry in recorder.select(lambda e: True):
        key = entry["answer"].status if entry["answer"] else "no answer"
        statuses[key] = statuses.get(key, 0) + 1
    note("load answers: %s" % ", ".join("%s x%d" % (k, v) for k, v in sorted(statuses.items(), key=str)))

    # Idle now: no request should still hold a database connection, and the activity log has caught up.
    time.sleep(1)
    metrics = http_request(server.port, "GET", "/metrics").text
    busy = re.search(r'^account_console_database_pool_connections\{state="busy"\} (\S+)$', metrics, re.MULTILINE)
    queued = re.search(r"^account_console_activity_queue_rows (\S+)$", metrics, re.MULTILINE)
    check(busy is not None and float(busy.group(1)) == 0,
          "no database connection stays leased once the load has stopped (busy: %s)" % (busy and busy.group(1)))
    check(queued is not None and float(queued.group(1)) == 0,
          "the activity log's queue is written out (%s rows pending)" % (queued and queued.group(1)))

    users = {id: resource.get("userName") for id, resource in list_all(server, token, "Users").items()}
    missing = [(id, name) for id, name in created.items() if users.get(id) != name]
    check(not missing, "all %d acknowledged creates are there%s" % (len(created), sample(missing, 5)))
    unacknowledged = {e["detail"] for e in recorder.select(
        lambda e: e["kind"] == "POST /Users" and not (e["answer"] and e["answer"].ok))}
    unexplained = sorted(set(users.values()) - set(created.values()) - unacknowledged)
    check(not unexplained, "no user that was never sent (%d unacknowledged creates, %d of them landed)%s" % (
        len(unacknowledged), len(set(users.values()) & unacknowledged), sample(unexplained, 5)))
    answer = scim(server, "GET", "/Groups/" + group, token=token)
    members = {m["value"] for m in (answer.json or {}).get("members") or []}
    check(added <= members, "all %d acknowledged member adds are there%s" % (
        len(added), "" if added <= members else ": missing %s" % sorted(added - members)[:5]))
    code = server.stop(timeout=30)
    check(code == 0, "the server stops cleanly on SIGTERM within 30 s (exit %s)" % code)
    errors = [line for line in server.text().splitlines() if re.match(r"^\S+ (error|critical) ", line)]
    note("%d error lines in %s; the first: %s" % (len(errors), server.log_path, [line[:300] for line in errors[:1]]))
    postgres_integrity(database, "after the restarts")
    if not failures:
        drop_postgres(database)
    print("pg-restart: %s (%.0f s)" % ("passed" if not failures else "%d checks failed" % len(failures),
                                       time.monotonic() - began), flush=True)


# disk-full


def disk_full(args):
    began = time.monotonic()
    os.makedirs(args.workdir, exist_ok=True)
    mount = os.path.join(args.workdir, "full")
    os.makedirs(mount, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % args.size_mb, "tmpfs", mount], check=True)
    server = None
    try:
        database = os.path.join(mount, "chaos.db")
        print("disk-full: %s on a %d MB tmpfs, logs in %s" % (database, args.size_mb, args.workdir), flush=True)
        token = provisioning_token(args.binary, database)
        server = Server(args.binary, database, args.workdir, "disk-full")
        server.start()
        tag = "d%d" % os.getpid()
        answer = scim(server, "POST", "/Groups", {"schemas": [GROUP_SCHEMA], "displayName": tag + "-group"}, token)
        group = answer.json["id"]
        padding = "x" * 6000
        lock = threading.Lock()
        acknowledged, failed, lost, members = {}, [], [], set()
        full = threading.Event()

        def filler(index):
            number = 0
            # Until the disk is full, then a few more each, to see the failures are steady.
            extra = 5
            while extra > 0:
                number += 1
                name = "%s-%d-%d@example.test" % (tag, index, number)
                body = {"schemas": [USER_SCHEMA], "userName": name, "displayName": name, "title": padding}
                try:
                    answer = scim(server, "POST", "/Users", body, token, timeout=60)
                except (Refused, Lost) as error:
                    with lock:
                        lost.append((name, repr(error)))
                    full.set()
                    extra -= 1
                    continue
                with lock:
                    if answer.ok:
                        acknowledged[answer.json["id"]] = name
                    else:
                        failed.append((name, answer))
                        full.set()
                if full.is_set():
                    extra -= 1
                if number > 20000:
                    return

        threads = [threading.Thread(target=filler, args=(i,), daemon=True) for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        usage = shutil.disk_usage(mount)
        note("%d users acknowledged, then %d writes failed and %d got no answer; tmpfs %d/%d KB used" % (
            len(acknowledged), len(failed), len(lost), (usage.total - usage.free) // 1024, usage.total // 1024))
        check(len(acknowledged) > 0 and failed, "writes fail once the disk is full")
        check(not lost, "every write got an answer%s" % (sample(lost, 3)))
        statuses = sorted({answer.status for _, answer in failed})
        note("the failing writes got %s; the first: %s (Retry-After %s)" % (
            statuses, failed[0][1].short() if failed else "-", failed[0][1].header("Retry-After") if failed else "-"))
        check(all(answer.status >= 500 for _, answer in failed), "each failing write is a 5xx (%s)" % statuses)
        check(all(answer.status != 500 for _, answer in failed), "none is a bare 500")
        malformed = [(answer.short(), scim_error_problems(answer)) for _, answer in failed if scim_error_problems(answer)]
        check(not malformed, "each is a SCIM Error body without driver text%s" % (sample(malformed, 2)))
        naming = [answer for _, answer in failed if answer.status == 507 or re.search(
            r"full|space|storage", str((answer.json or {}).get("detail", "")), re.IGNORECASE)]
        check(failed and len(naming) == len(failed),
              "each names the condition (507, or a detail saying the storage is full): %d of %d%s" % (
                  len(naming), len(failed), "" if len(naming) == len(failed) or not failed
                  else "; the detail: %r" % (failed[0][1].json or {}).get("detail")))
        diagnostics = server.lines(r"(?i)disk is full|SQLITE_FULL|no space")
        note("the server's log about it (%d lines): %s" % (len(diagnostics), diagnostics[:2]))
        # Other writes while full: a PATCH of an existing user and a member add.
        some_user = next(iter(acknowledged))
        more = [scim(server, "PATCH", "/Users/" + some_user,
                     patch({"op": "replace", "path": "title", "value": padding + "y"}), token),
                scim(server, "PATCH", "/Groups/" + group,
                     patch({"op": "add", "path": "members", "value": [{"value": some_user}]}), token)]
        note("while full: PATCH /Users -> %s; PATCH /Groups -> %s" % (more[0].short(), more[1].short()))
        check(all(answer.status > 500 and not scim_error_problems(answer) for answer in more if not answer.ok),
              "PATCHes while full fail the same way (or succeed)")
        if more[1].ok:
            members.add(some_user)
        check(server.alive(), "the server is still running")
        check(http_request(server.port, "GET", "/healthz").status == 200, "/healthz 200 while full")
        ready = http_request(server.port, "GET", "/readyz")
        note("/readyz while full: %s" % ready.short())
        read = scim(server, "GET", "/Users/" + some_user, token=token)
        check(read.status == 200 and read.json.get("userName") == acknowledged[some_user],
              "reads still work while full (GET by id)")
        listed = scim(server, "GET", "/Users?count=5", token=token)
        check(listed.status == 200 and listed.json.get("totalResults") == len(acknowledged),
              "reads still work while full (a list, totalResults %s = %d acknowledged)" % (
                  (listed.json or {}).get("totalResults"), len(acknowledged)))

        subprocess.run(["mount", "-o", "remount,size=64m", mount], check=True)
        freed = time.monotonic()
        recovered = None
        while time.monotonic() < freed + 15:
            name = "%s-after-%d@example.test" % (tag, int(time.monotonic() * 1000))
            answer = scim(server, "POST", "/Users", {"schemas": [USER_SCHEMA], "userName": name}, token)
            if answer.ok:
                acknowledged[answer.json["id"]] = name
                recovered = time.monotonic() - freed
                break
            failed.append((name, answer))
            time.sleep(0.5)
        check(recovered is not None, "writes succeed again once space is freed, without a restart%s" % (
            "" if recovered is None else " (%.1f s)" % recovered))
        # The names whose create failed can be created now: a failed create kept nothing.
        retried = []
        for name, _ in failed[:20]:
            answer = scim(server, "POST", "/Users", {"schemas": [USER_SCHEMA], "userName": name}, token)
            retried.append((name, answer))
            if answer.ok:
                acknowledged[answer.json["id"]] = name
        kept = [(name, answer.short()) for name, answer in retried if not answer.ok]
        check(not kept, "a create answered with a failure kept nothing (%d retried: 201)%s" % (
            len(retried), sample(kept, 3)))
        after = [scim(server, "PATCH", "/Groups/" + group,
                      patch({"op": "add", "path": "members", "value": [{"value": id}]}), token) for id in list(acknowledged)[:20]]
        check(all(answer.ok for answer in after), "member adds succeed after the space is freed")
        members |= set(list(acknowledged)[:20])
        users = {id: resource.get("userName") for id, resource in list_all(server, token, "Users").items()}
        missing = [(id, name) for id, name in acknowledged.items() if users.get(id) != name]
        check(not missing, "all %d acknowledged users are there%s" % (len(acknowledged), sample(missing, 5)))
        extra = sorted(set(users) - set(acknowledged))
        check(not extra, "and no other%s" % ("" if not extra else ": %s" % [users[id] for id in extra[:5]]))
        answer = scim(server, "GET", "/Groups/" + group, token=token)
        present = {m["value"] for m in (answer.json or {}).get("members") or []}
        check(members <= present, "the acknowledged member adds are there")
        code = server.stop()
        server = None
        check(code == 0, "the server stops cleanly on SIGTERM (exit %s)" % code)
        with sqlite3.connect(database) as db:
            integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
            orphans = db.execute("PRAGMA foreign_key_check").fetchall()
            count = db.execute("SELECT count(*) FROM users").fetchone()[0]
        check(integrity == ["ok"], "PRAGMA integrity_check is ok%s" % (sample([] if integrity == ["ok"] else integrity, 5)))
        check(not orphans, "PRAGMA foreign_key_check is empty")
        check(count == len(acknowledged), "the file holds the %d acknowledged users (%d)" % (len(acknowledged), count))
    finally:
        if server is not None and server.alive():
            server.kill()
        if subprocess.run(["umount", mount], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", mount], capture_output=True)
    print("disk-full: %s (%.0f s)" % ("passed" if not failures else "%d checks failed" % len(failures),
                                      time.monotonic() - began), flush=True)


def main():
    parser = argparse.ArgumentParser(description="Fault injection against the live account-console server.")
    commands = parser.add_subparsers(dest="command", required=True)
    crash_parser = commands.add_parser("crash", help="SIGKILL under load, restart, verify")
    crash_parser.add_argument("binary")
    crash_parser.add_argument("database", help="sqlite (a new file in WORKDIR) or a postgres:// URL (a new database on it)")
    crash_parser.add_argument("workdir")
    crash_parser.add_argument("--rounds", type=int, default=10)
    crash_parser.add_argument("--threads", type=int, default=5)
    crash_parser.add_argument("--seed", type=int, default=None)
    restart_parser = commands.add_parser("pg-restart", help="PostgreSQL stopped and restarted under load")
    restart_parser.add_argument("binary")
    restart_parser.add_argument("pg_url")
    restart_parser.add_argument("pg_dir", help="the directory scripts/postgres.sh made (its data/ and server.log)")
    restart_parser.add_argument("workdir")
    restart_parser.add_argument("--outage", type=float, default=12.0, help="seconds PostgreSQL stays down")
    full_parser = commands.add_parser("disk-full", help="SQLite on a tmpfs that fills up")
    full_parser.add_argument("binary")
    full_parser.add_argument("workdir")
    full_parser.add_argument("--size-mb", type=int, default=6)
    args = parser.parse_args()
    if getattr(args, "seed", 0) is None:
        args.seed = random.randrange(1 << 30)
    {"crash": crash, "pg-restart": pg_restart, "disk-full": disk_full}[args.command](args)
    if failures:
        print("\n%d chaos checks failed:" % len(failures))
        for failure in failures:
            print("  - " + failure)
        sys.exit(1)


if __name__ == "__main__":
    main()
