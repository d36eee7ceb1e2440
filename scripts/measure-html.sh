#!/usr/bin/env bash
# Measures `--format html` on generated registries (examples/gen.rs, every item defective): the
# page's size, headless Chromium's `--dump-dom` wall time (start, load, script, dump, exit), and
# the page's own time to be ready (`performance.now()` at the end of its script), for each
# target number of findings. First the `--dump-dom` time of an empty page: Chromium's own cost.
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

dump() { # page dom-file -> seconds
    local profile_dir start end
    profile_dir="$(mktemp -d)"
    start=$(date +%s.%N)
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile_dir" --dump-dom "file://$1" > "$2" 2>/dev/null
    end=$(date +%s.%N)
    rm -rf "$profile_dir"
    echo "$end - $start" | bc
}

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo '<!DOCTYPE html><html><body>empty</body></html>' > "$work/empty.html"
printf 'empty page: dump-dom %.2f s\n' "$(dump "$work/empty.html" "$work/dom-empty.html")"
printf '%10s %10s %12s %12s %10s\n' findings items "page bytes" "dump-dom s" "ready ms"
for target in "${targets[@]}"; do
    # gen's items carry about 1.12 findings each at --defect-rate 1.
    items=$(( target * 100 / 112 ))
    corpus="$work/registry-$items.jsonl"
    [ -e "$corpus" ] || "$gen" --items "$items" --format jsonl --out "$corpus" --defect-rate 1 --seed 1 >&2
    page="$work/report-$items.html"
    "$bin" check "$corpus" --format html --output "$page" --fail-on never
    findings=$("$bin" check "$corpus" --format json --statistics --fail-on never \
        | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print(s["errors"]+s["warnings"]+s["infos"])')
    secs=$(dump "$page" "$work/dom-$items.html")
    ready=$(grep -o 'data-ready-ms="[0-9]*"' "$work/dom-$items.html" | grep -o '[0-9]*' || echo '?')
    printf '%10s %10s %12s %12.2f %10s\n' "$findings" "$items" "$(stat -c %s "$page")" "$secs" "$ready"
done
