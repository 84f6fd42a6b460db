#!/usr/bin/env bash
# API conformance fuzzing: schemathesis (pinned in scripts/requirements-schemathesis.txt) against a
# live server on a fresh SQLite file, with a connection's provisioning token. Every SCIM endpoint
# and the operational ones of docs/openapi.yaml get generated requests (valid and invalid), and
# each answer is checked against the description: no 5xx, a documented status, content type,
# headers and body schema.
#
# Usage: scripts/schemathesis-run.sh BINARY WORKDIR
#   BINARY   the built account-console, e.g. "$(swift build --show-bin-path)/account-console"
#   WORKDIR  where the venv, the database, the server log and the reports go (created if missing)
#
# The description is the server's own /openapi.yaml when it answers 200 there, else
# docs/openapi.yaml. SCHEMATHESIS_MAX_EXAMPLES (default 20) bounds the cases per operation and
# SCHEMATHESIS_SEED (default 1) makes a run reproducible. Exit status: 0 when every check passed,
# non-zero on any failure (schemathesis' own status, or 1 when the server misbehaved).
set -euo pipefail
cd "$(dirname "$0")/.."

if (($# != 2)); then
    echo "usage: scripts/schemathesis-run.sh BINARY WORKDIR" >&2
    exit 2
fi
if [[ ! -x "$1" ]]; then
    echo "scripts/schemathesis-run.sh: $1 is not an executable" >&2
    exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
mkdir -p "$2"
work="$(cd "$2" && pwd)"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-20}"
seed="${SCHEMATHESIS_SEED:-1}"

log() { printf '\n==> %s\n' "$*"; }

server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until the server on 127.0.0.1:$1 answers /healthz (15 s at most).
wait_for_server() {
    python3 - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("the server did not answer /healthz within 15 s")
PY
}

# Saves $1 to $2 and succeeds when it answers 200; fails otherwise (nothing is saved).
fetch_spec() {
    python3 - "$1" "$2" <<'PY'
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
        if response.status != 200:
            sys.exit(1)
        body = response.read()
except (urllib.error.URLError, OSError):
    sys.exit(1)
with open(sys.argv[2], "wb") as writer:
    writer.write(body)
PY
}

log "schemathesis: venv from scripts/requirements-schemathesis.txt"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check -r scripts/requirements-schemathesis.txt

log "schemathesis: a connection, its token and a server on a fresh SQLite file"
database="$work/schemathesis.db"
rm -f "$database" "$database-wal" "$database-shm"
"$bin" connection create --name schemathesis --kind generic --database "$database" >/dev/null
token="$("$bin" token create --connection schemathesis --database "$database" | tail -n 1)"
port="$(free_port)"
base="http://127.0.0.1:$port"
ACCOUNT_CONSOLE_ADMIN_PASSWORD="schemathesis-admin-password" \
    "$bin" serve --host 127.0.0.1 --port "$port" --database "$database" >"$work/server.log" 2>&1 &
server_pid=$!
wait_for_server "$port"

exclude=()
if fetch_spec "$base/openapi.yaml" "$work/openapi.yaml"; then
    echo "using the description the server serves at $base/openapi.yaml"
    spec="$base/openapi.yaml"
else
    echo "the server does not serve /openapi.yaml; using docs/openapi.yaml (and not testing that path)"
    cp docs/openapi.yaml "$work/openapi.yaml"
    spec="$work/openapi.yaml"
    exclude=(--exclude-path /openapi.yaml)
fi
"$work/venv/bin/openapi-spec-validator" "$work/openapi.yaml"

# /Me answers 501 by design (RFC 7644 §3.11: a provider without /Me SHOULD answer 501); every
# other 5xx fails the run.
cat >"$work/schemathesis.toml" <<'TOML'
[[operations]]
include-path = "/scim/v2/Me"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "501"]
TOML

log "schemathesis: at most $max_examples cases per operation, seed $seed"
status=0
# Run from the work directory: schemathesis keeps nothing in the repository.
(
    cd "$work"
    "$work/venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$spec" \
        --url "$base" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
        --max-examples "$max_examples" \
        --seed "$seed" \
        --workers 1 \
        --request-timeout 10 \
        --generation-database none \
        --report junit --report-dir "$work/report" \
        --no-color \
        "${exclude[@]}"
) || status=$?

log "schemathesis: stopping the server"
if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "scripts/schemathesis-run.sh: the server died during the run" >&2
    tail -n 30 "$work/server.log" >&2
    server_pid=""
    exit 1
fi
kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=""
if ((server_status != 0)); then
    echo "scripts/schemathesis-run.sh: the server exited with status $server_status on SIGTERM" >&2
    tail -n 20 "$work/server.log" >&2
    exit 1
fi
if grep -E '^[^ ]+ (error|critical) ' "$work/server.log"; then
    echo "scripts/schemathesis-run.sh: the server logged errors during the run (above)" >&2
    ((status != 0)) || status=1
fi
if ((status != 0)); then
    echo "scripts/schemathesis-run.sh: schemathesis found failures (exit $status); reports in $work/report" >&2
fi
exit "$status"
