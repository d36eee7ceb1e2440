#!/usr/bin/env bash
# Fuzzes reglint with cargo-fuzz (libFuzzer + AddressSanitizer): each target in turn for a set
# time, starting from its committed corpus (fuzz/corpus/<target>/, read only), then prints the
# executions, the speed and the crashes of each.
#
#   scripts/fuzz.sh [-t SECONDS] [-s address|none] [TARGET...]
#
# -t  seconds per target (default 60; FUZZ_SECONDS also sets it)
# -s  sanitizer (default address; FUZZ_SANITIZER also sets it)
# Targets default to every one in fuzz/fuzz_targets/.
#
# cargo-fuzz turns AddressSanitizer on with -Zsanitizer=address, a nightly flag; on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets rustc accept it. Needs `cargo install cargo-fuzz` and a C++ compiler
# (libfuzzer-sys builds libFuzzer). New inputs libFuzzer finds go to fuzz/new-corpus/<target>/
# (ignored by git); a crashing input is saved as fuzz/artifacts/<target>/crash-<sha1>.
# Minimise one with `cargo fuzz tmin TARGET FILE`, fix the bug, and commit the input to
# fuzz/corpus/<target>/ so that tests/fuzz_corpus.rs replays it on every test run.
# Exit status: 0 when no target crashed, 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-address}"
while getopts "t:s:h" opt; do
    case "$opt" in
        t) seconds="$OPTARG" ;;
        s) sanitizer="$OPTARG" ;;
        *) sed -n '2,20p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in fuzz/fuzz_targets/*.rs; do
        targets+=("$(basename "$f" .rs)")
    done
fi

export RUSTC_BOOTSTRAP=1
echo "building ${targets[*]} (sanitizer: $sanitizer)" >&2
for t in "${targets[@]}"; do
    cargo fuzz build --sanitizer "$sanitizer" "$t" >&2
done

logs="fuzz/artifacts/logs"
mkdir -p "$logs"
status=0
summary=()
for t in "${targets[@]}"; do
    mkdir -p "fuzz/new-corpus/$t" "fuzz/artifacts/$t"
    dict=()
    case "$t" in
        config_toml) dict=(-dict=fuzz/dict/toml.dict) ;;
        *) dict=(-dict=fuzz/dict/json.dict) ;;
    esac
    log="$logs/$t.log"
    before=$(find "fuzz/artifacts/$t" -type f | sort)
    echo "fuzzing $t for ${seconds}s (log: $log)" >&2
    start=$(date +%s)
    rc=0
    cargo fuzz run --sanitizer "$sanitizer" "$t" "fuzz/new-corpus/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "${dict[@]}" \
        >"$log" 2>&1 || rc=$?
    elapsed=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    new=$(comm -13 <(printf '%s\n' "$before") <(find "fuzz/artifacts/$t" -type f | sort) | sed '/^$/d')
    crashes=$(printf '%s' "$new" | grep -c . || true)
    if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        # libFuzzer failed without saving an input (a build or start-up problem).
        crashes="error (exit $rc)"
    fi
    if [ "$rc" -ne 0 ]; then
        status=1
        grep -m1 -E "panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer|SUMMARY" "$log" >&2 || true
        printf '%s\n' "$new" >&2
    fi
    summary+=("$(printf '%-16s %6ss %12s execs %8s exec/s  crashes: %s' \
        "$t" "$elapsed" "${execs:-?}" "${speed:-?}" "$crashes")")
done
printf '%s\n' "${summary[@]}"
exit "$status"
