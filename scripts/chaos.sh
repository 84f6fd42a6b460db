#!/usr/bin/env bash
# Fault injection against the built server (scripts/chaos.py): SIGKILL under provisioning load on
# SQLite and on PostgreSQL, PostgreSQL stopped and restarted under load, SQLite on a full disk.
# Builds nothing: the binary is the argument, else the one `swift build` made.
# Usage: scripts/chaos.sh [--rounds N] [BINARY]   (or CHAOS_ROUNDS=N; default 10 crash rounds each)
# Runs as root (the disk-full part mounts a tmpfs). Uses the PostgreSQL cluster named by
# ACCOUNT_CONSOLE_TEST_POSTGRES_URL and _DIR when both are set, else starts a throw-away one.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds="${CHAOS_ROUNDS:-10}"
bin=""
while (($#)); do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        *) bin="$1"; shift ;;
    esac
done
[[ -n "$bin" ]] || bin="$(swift build --show-bin-path)/account-console"
if [[ ! -x "$bin" ]]; then
    echo "scripts/chaos.sh: no server binary at $bin (build it first, or give its path)" >&2
    exit 1
fi

work="$(mktemp -d /tmp/account-console-chaos.XXXXXX)"
own_cluster=""
status=1
cleanup() {
    [[ -n "$own_cluster" ]] && scripts/postgres.sh stop "$own_cluster"
    # The logs are what explains a failure: kept then.
    if ((status == 0)); then rm -rf "$work"; else echo "scripts/chaos.sh: logs kept in $work" >&2; fi
}
trap cleanup EXIT

if [[ -z "${ACCOUNT_CONSOLE_TEST_POSTGRES_URL:-}" || -z "${ACCOUNT_CONSOLE_TEST_POSTGRES_DIR:-}" ]]; then
    eval "$(scripts/postgres.sh)"
    own_cluster="$ACCOUNT_CONSOLE_TEST_POSTGRES_DIR"
fi

# Every run goes ahead whatever the one before found; the failures are listed at the end.
failed=()
step() {
    local name="$1"
    shift
    printf '\n==> %s\n' "$name"
    local started=$SECONDS result=0
    python3 scripts/chaos.py "$@" || result=$?
    printf '==> %s: %s, %d s\n' "$name" "$( ((result == 0)) && echo passed || echo FAILED)" $((SECONDS - started))
    ((result == 0)) || failed+=("$name")
}

step "crash, SQLite ($rounds rounds)" crash "$bin" sqlite "$work/crash-sqlite" --rounds "$rounds"
step "crash, PostgreSQL ($rounds rounds)" crash "$bin" "$ACCOUNT_CONSOLE_TEST_POSTGRES_URL" "$work/crash-postgres" \
    --rounds "$rounds"
step "PostgreSQL restarts under load" pg-restart "$bin" "$ACCOUNT_CONSOLE_TEST_POSTGRES_URL" \
    "$ACCOUNT_CONSOLE_TEST_POSTGRES_DIR" "$work/pg-restart"
step "SQLite on a full disk" disk-full "$bin" "$work/disk-full"
if ((${#failed[@]})); then
    printf '\nscripts/chaos.sh: failed: %s\n' "$(IFS=,; echo "${failed[*]}")" >&2
    exit 1
fi
status=0
echo "all chaos runs passed"
