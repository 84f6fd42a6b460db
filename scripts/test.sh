#!/usr/bin/env bash
# The test command: format lint, build (with the module-graph import check), the third-party
# conformance tool against the live server, then every test — the PostgreSQL suites included,
# against a throw-away cluster this script starts and stops.
# Runs as root on a fresh Debian machine with the Swift toolchain; installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v swift >/dev/null 2>&1; then
    echo "scripts/test.sh: the Swift toolchain (6.2 or later) must be on PATH" >&2
    exit 1
fi
need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
# SAML: libxmlsec1 (OpenSSL back end) to build and link against; the xmlsec1 tool for the test IdP.
pkg-config --exists xmlsec1-openssl 2>/dev/null || need_apt+=(libxmlsec1-dev libxmlsec1-openssl pkg-config)
command -v xmlsec1 >/dev/null 2>&1 || need_apt+=(xmlsec1)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if ((${#need_apt[@]})); then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

work="$(mktemp -d /tmp/account-console-test.XXXXXX)"
server_pid=""
idp_pid=""
oidc_pid=""
impostor_pid=""
cleanup() {
    if [[ -n "$idp_pid" ]]; then kill "$idp_pid" 2>/dev/null || true; fi
    if [[ -n "$oidc_pid" ]]; then kill "$oidc_pid" 2>/dev/null || true; fi
    if [[ -n "$impostor_pid" ]]; then kill "$impostor_pid" 2>/dev/null || true; fi
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    [[ -n "${ACCOUNT_CONSOLE_TEST_POSTGRES_DIR:-}" ]] && scripts/postgres.sh stop "$ACCOUNT_CONSOLE_TEST_POSTGRES_DIR"
    rm -rf "$work"
}
trap cleanup EXIT

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until the server on 127.0.0.1:$1 answers /healthz (10 s at most).
wait_for_server() {
    python3 - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("the server did not answer /healthz within 10 s")
PY
}

# Waits until a URL answers 200 (30 s at most): the OpenID Connect provider takes a few seconds.
wait_for_url() {
    python3 - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(f"{sys.argv[1]} did not answer within 30 s")
PY
}

log "format lint (swift format lint --strict)"
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Sources \
    Fuzz/Package.swift Fuzz/Sources

log "build (imports checked against the module graph)"
swift build --build-tests --explicit-target-dependency-import-check error
bin="$(swift build --show-bin-path)/account-console"

log "third-party conformance: scim2-tester (pinned) against the live server on SQLite"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-conformance.txt
"$bin" connection create --name scim2-tester --kind generic --database "$work/conformance.db" >/dev/null
token="$("$bin" token create --connection scim2-tester --database "$work/conformance.db" | tail -n 1)"
port="$(free_port)"
"$bin" serve --host 127.0.0.1 --port "$port" --database "$work/conformance.db" >"$work/server.log" 2>&1 &
server_pid=$!
wait_for_server "$port"
"$work/venv/bin/python" scripts/scim2-tester-run.py "http://127.0.0.1:$port/api/v1/identity/scim/v2" "$token"

log "graceful shutdown: SIGTERM drains, writes the activity log and exits 0"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
if ((status != 0)); then
    echo "scripts/test.sh: the server exited with status $status on SIGTERM" >&2
    tail -n 20 "$work/server.log" >&2
    exit 1
fi
if grep -E '^[^ ]+ (error|critical) ' "$work/server.log"; then
    echo "scripts/test.sh: the server logged errors during the conformance run (above)" >&2
    exit 1
fi

log "replay: Okta's, Entra's and OneLogin's documented traffic with account-console replay against a fresh server"
"$bin" connection create --name replay --kind okta --database "$work/replay.db" >/dev/null
replay_token="$("$bin" token create --connection replay --database "$work/replay.db" | tail -n 1)"
port="$(free_port)"
"$bin" serve --host 127.0.0.1 --port "$port" --database "$work/replay.db" >"$work/replay-server.log" 2>&1 &
server_pid=$!
wait_for_server "$port"
for client in okta entra onelogin; do
    "$bin" replay --client "$client" --url "http://127.0.0.1:$port/api/v1/identity/scim/v2" --token "$replay_token" \
        >"$work/replay-$client.txt" || { cat "$work/replay-$client.txt"; exit 1; }
    grep -q "SKIP" "$work/replay-$client.txt" && { echo "scripts/test.sh: replay skipped a flow" >&2; cat "$work/replay-$client.txt"; exit 1; }
    tail -n 1 "$work/replay-$client.txt"
done
kill -TERM "$server_pid" && wait "$server_pid"
server_pid=""

log "operations: check-config, HTTPS + SIGHUP, health and metrics, rate limit, deletion guard, SIGTERM, export/import, upgrades"
python3 scripts/ops_test.py "$bin" "$work/ops"

log "security: slow and malformed clients on the wire, then no secret in clear in the database file or the log"
python3 scripts/security_test.py "$bin" "$work/security"

log "API contract: docs/openapi.yaml validated, then schemathesis (pinned, bounded examples) against the live server"
scripts/schemathesis-run.sh "$bin" "$work/schemathesis"

# The real-browser test: headless Chromium (Debian) driven by Selenium, axe-core on every page,
# against a fresh server whose admin password is set by the environment.
browser_run() {
    local database="$1" shots="$2"
    local port
    port="$(free_port)"
    ACCOUNT_CONSOLE_ADMIN_PASSWORD="browser-test-password" \
        "$bin" serve --host 127.0.0.1 --port "$port" --database "$database" >"$work/browser-server.log" 2>&1 &
    server_pid=$!
    wait_for_server "$port"
    # An independent SAML IdP (pysaml2, signing with xmlsec1) that knows this server as its SP.
    local idp_port
    idp_port="$(free_port)"
    "$work/browser-venv/bin/python" scripts/saml_idp.py "$idp_port" "$work/idp-key.pem" "$work/idp-cert.pem" \
        "http://127.0.0.1:$port/saml/okta-test/metadata" ada@example.com >"$work/saml-idp.log" 2>&1 &
    idp_pid=$!
    # An independent OpenID Connect provider (pytest-iam) with a client for this server.
    local oidc_port
    oidc_port="$(free_port)"
    "$work/oidc-venv/bin/python" scripts/oidc_idp.py "$oidc_port" \
        "http://127.0.0.1:$port/oidc/okta-test/callback" mallory@example.com "$work/oidc-secret" \
        >"$work/oidc-idp.log" 2>&1 &
    oidc_pid=$!
    wait_for_url "http://localhost:$oidc_port/.well-known/openid-configuration"
    "$work/browser-venv/bin/python" scripts/browser_test.py "http://127.0.0.1:$port" browser-test-password "$shots" \
        "http://127.0.0.1:$idp_port" "http://localhost:$oidc_port" "$work/oidc-secret" || {
        tail -n 30 "$work/browser-server.log" "$work/saml-idp.log" "$work/oidc-idp.log" >&2
        exit 1
    }
    # Known attacks on SAML SPs against the live ACS: real responses of the IdP above, altered,
    # and an impostor IdP claiming its entity ID with a key of its own.
    local impostor_port
    impostor_port="$(free_port)"
    "$work/browser-venv/bin/python" scripts/saml_idp.py "$impostor_port" "$work/attacker-key.pem" \
        "$work/attacker-cert.pem" "http://127.0.0.1:$port/saml/okta-test/metadata" ada@example.com \
        "http://127.0.0.1:$idp_port" >"$work/saml-impostor.log" 2>&1 &
    impostor_pid=$!
    wait_for_url "http://127.0.0.1:$impostor_port/metadata"
    python3 scripts/saml_attacks.py "http://127.0.0.1:$port" okta-test "http://127.0.0.1:$idp_port" \
        "http://127.0.0.1:$impostor_port" ada@example.com || {
        tail -n 30 "$work/browser-server.log" "$work/saml-idp.log" "$work/saml-impostor.log" >&2
        exit 1
    }
    kill "$idp_pid" "$oidc_pid" "$impostor_pid" 2>/dev/null || true
    idp_pid=""
    oidc_pid=""
    impostor_pid=""
    kill -TERM "$server_pid" && wait "$server_pid" || true
    server_pid=""
}

log "real browser: the console in headless Chromium with axe-core, on SQLite"
scripts/browser-setup.sh "$work/browser-venv"
"$work/browser-venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-saml-idp.txt
python3 -m venv "$work/oidc-venv"
"$work/oidc-venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-oidc-idp.txt
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/idp-key.pem" -out "$work/idp-cert.pem" -days 1 \
    -subj "/CN=Account Console test IdP" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/attacker-key.pem" -out "$work/attacker-cert.pem" -days 1 \
    -subj "/CN=An impostor" 2>/dev/null
browser_run "$work/browser.db" "$work/screenshots"
# The README shows these; a run refreshes them.
mkdir -p docs/screenshots
for shot in users group user connection connection-held users-dark users-phone; do
    cp "$work/screenshots/$shot.png" docs/screenshots/
done

log "PostgreSQL (a throw-away cluster on 127.0.0.1)"
eval "$(scripts/postgres.sh)"
export ACCOUNT_CONSOLE_REQUIRE_POSTGRES=1
echo "PostgreSQL at ${ACCOUNT_CONSOLE_TEST_POSTGRES_URL}"

log "real browser: the same on PostgreSQL (a database of its own)"
psql "${ACCOUNT_CONSOLE_TEST_POSTGRES_URL}" -qc "CREATE DATABASE browser"
browser_run "${ACCOUNT_CONSOLE_TEST_POSTGRES_URL%/*}/browser" "$work/screenshots-postgres"

log "several instances: two servers on one PostgreSQL, requests spread over both"
psql "${ACCOUNT_CONSOLE_TEST_POSTGRES_URL}" -qc "CREATE DATABASE instances"
python3 scripts/two_instances_test.py "$bin" "${ACCOUNT_CONSOLE_TEST_POSTGRES_URL%/*}/instances" "$work/instances"

log "faults: SIGKILL under load (3 rounds each on SQLite and PostgreSQL), PostgreSQL restarted under load, a full disk"
scripts/chaos.sh --rounds 3 "$bin"

log "fuzz targets build and run (10 s each; scripts/fuzz.sh SECONDS for real runs)"
scripts/fuzz.sh 10

log "tests"
swift test --skip-build 2>&1 | tee "$work/test-output.txt"
grep -Eq 'Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed' "$work/test-output.txt" || {
    echo "scripts/test.sh: Swift Testing did not report a passing run" >&2
    exit 1
}
if grep -q 'PostgreSQL SUITES SKIPPED' "$work/test-output.txt"; then
    echo "scripts/test.sh: the PostgreSQL suites were skipped" >&2
    exit 1
fi
