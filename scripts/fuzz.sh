#!/usr/bin/env bash
# Runs the libFuzzer targets in Fuzz/ for a given time each and prints what each run covered.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (default: 60 s each; targets: filter json patch validation saml)
# Each target starts from its committed seeds (Fuzz/Corpus/TARGET; the SAML target also from the
# signed responses in Tests/SAMLTests/Fixtures) and grows a working corpus under .build-fuzz/corpus.
# A crash, a broken invariant, a leak or a time-out stops the run; the input that did it is kept
# in .build-fuzz/artifacts and the script fails. Needs the Swift toolchain's libFuzzer (Linux).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(filter json patch validation saml)

scratch="$PWD/.build-fuzz"
# Release with the fuzzer's coverage instrumentation and AddressSanitizer, on every module built;
# linked by lld (gold fails on AddressSanitizer's debug information).
flags=(-c release --package-path Fuzz --scratch-path "$scratch"
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
swift build "${flags[@]}" >&2
bin="$(swift build "${flags[@]}" --show-bin-path)"
mkdir -p "$scratch/artifacts"

summary=()
status=0
for target in "${targets[@]}"; do
    case "$target" in
        filter) product=FuzzFilter max_len=4096 seeds=(Fuzz/Corpus/filter) ;;
        json) product=FuzzJSON max_len=65536 seeds=(Fuzz/Corpus/json) ;;
        patch) product=FuzzPatch max_len=16384 seeds=(Fuzz/Corpus/patch) ;;
        validation) product=FuzzValidation max_len=16384 seeds=(Fuzz/Corpus/validation) ;;
        saml) product=FuzzSAML max_len=65536 seeds=(Tests/SAMLTests/Fixtures) ;;
        *) echo "scripts/fuzz.sh: unknown target '$target'" >&2; exit 2 ;;
    esac
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    log="$scratch/$target.log"
    echo "==> $target for ${seconds}s" >&2
    if "$bin/$product" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -max_len="$max_len" \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$scratch/artifacts/$target-" \
        >"$log" 2>&1; then
        result="ok"
    else
        result="FAILED (see $log and $scratch/artifacts)"
        status=1
        tail -n 40 "$log" >&2
    fi
    # libFuzzer's last status line, e.g. "#1234567 DONE cov: 812 ft: 3050 corp: 410/38Kb ...".
    done_line="$(grep -E '^#[0-9]+\s+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true)"
    runs="$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}' || true)"
    cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$done_line")"
    ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$done_line")"
    corp="$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$done_line")"
    summary+=("$(printf '%-11s %6ss %12s execs  cov %5s  ft %6s  corpus %5s  %s' \
        "$target" "$seconds" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done
printf '%s\n' "${summary[@]}"
exit "$status"
