#!/usr/bin/env bash
# Measures `--format html` on generated registries (examples/gen.rs, every item defective): the
# page's size and how long headless Chromium takes to load it and run its script (`--dump-dom`
# wall time), for each target number of findings.
#
#   scripts/measure-html.sh [FINDINGS ...]      # default: 1000 100000
#
# Environment: PROFILE (cargo profile of the binaries, default dev), WORK (default a temp dir).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(1000 100000)
profile="${PROFILE:-dev}"
dir=debug
[ "$profile" = dev ] || dir="$profile"
(cd "$root" && cargo build --quiet --profile "$profile" && cargo build --quiet --profile "$profile" --example gen)
bin="$root/target/$dir/reglint"
gen="$root/target/$dir/examples/gen"
command -v chromium >/dev/null || { echo "measure-html: chromium is missing (scripts/setup-audit.sh)" >&2; exit 2; }
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
printf '%10s %10s %12s %14s\n' findings items "page bytes" "dump-dom s"
for target in "${targets[@]}"; do
    # gen's items carry a little more than one finding each at --defect-rate 1.
    items=$(( target * 10 / 13 ))
    corpus="$work/registry-$items.jsonl"
    [ -e "$corpus" ] || "$gen" --items "$items" --format jsonl --out "$corpus" --defect-rate 1 --seed 1 >&2
    page="$work/report-$items.html"
    "$bin" check "$corpus" --format html --output "$page" --fail-on never
    findings=$("$bin" check "$corpus" --format json --statistics --fail-on never | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["errors"]+s["warnings"]+s["infos"])')
    profile_dir="$(mktemp -d)"
    start=$(date +%s.%N)
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile_dir" --dump-dom "file://$page" > "$work/dom-$items.html" 2>/dev/null
    end=$(date +%s.%N)
    rm -rf "$profile_dir"
    printf '%10s %10s %12s %14.2f\n' "$findings" "$items" "$(stat -c %s "$page")" "$(echo "$end - $start" | bc)"
done
