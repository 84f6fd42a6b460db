#!/usr/bin/env bash
# The test command: format lint, build (with the module-graph import check), every test — the
# PostgreSQL suites included, against a throw-away cluster this script starts and stops.
# Runs as root on a fresh Debian machine with the Swift toolchain; installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v swift >/dev/null 2>&1; then
    echo "scripts/test.sh: the Swift toolchain (6.2 or later) must be on PATH" >&2
    exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3
fi

log "format lint (swift format lint --strict)"
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Sources

log "build (imports checked against the module graph)"
swift build --build-tests --explicit-target-dependency-import-check error

log "PostgreSQL (a throw-away cluster on 127.0.0.1)"
eval "$(scripts/postgres.sh)"
trap 'scripts/postgres.sh stop "$ACCOUNT_CONSOLE_TEST_POSTGRES_DIR"' EXIT
export ACCOUNT_CONSOLE_REQUIRE_POSTGRES=1
echo "PostgreSQL at ${ACCOUNT_CONSOLE_TEST_POSTGRES_URL}"

log "tests"
mkdir -p .build
swift test --skip-build 2>&1 | tee .build/test-output.txt
grep -Eq 'Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed' .build/test-output.txt || {
    echo "scripts/test.sh: Swift Testing did not report a passing run" >&2
    exit 1
}
if grep -q 'PostgreSQL SUITES SKIPPED' .build/test-output.txt; then
    echo "scripts/test.sh: the PostgreSQL suites were skipped" >&2
    exit 1
fi
