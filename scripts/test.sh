#!/usr/bin/env bash
# The test command: format lint, build (with the module-graph import check), all tests.
# Runs as root on a fresh Debian machine with the Swift toolchain; installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

if ! command -v swift >/dev/null 2>&1; then
    echo "scripts/test.sh: the Swift toolchain (6.2 or later) must be on PATH" >&2
    exit 1
fi

log "format lint (swift format lint --strict)"
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Sources

log "build (imports checked against the module graph)"
swift build --build-tests --explicit-target-dependency-import-check error

log "tests"
swift test --skip-build --parallel 2>&1 | tee .build/test-output.txt
grep -Eq 'Test run with [0-9]+ tests? (in [0-9]+ suites? )?passed' .build/test-output.txt || {
    echo "scripts/test.sh: Swift Testing did not report a passing run" >&2
    exit 1
}
