#!/usr/bin/env bash
# Whole-run benchmarks of `reglint check` on generated registries (examples/gen.rs): wall time
# with hyperfine, peak memory and CPU time with /usr/bin/time -v, and the `gzip -dc` baseline
# for exports. Results go to $OUT (default target/bench) as hyperfine JSON and a summary.md.
#
#   scripts/bench.sh                      # 100,000 and 1,000,000 items, every format
#   SIZES=100000 FORMATS="jsonl export" RUNS=3 scripts/bench.sh
#   scripts/bench.sh segments             # a moto table scanned with 1, 2, 4 and 8 segments
#   scripts/bench.sh peer                 # against benches/peer.py on 200,000 items (PEER_ITEMS)
#
# Environment: SIZES, FORMATS, RUNS (hyperfine runs, default 5), WORK (corpora, default
# /tmp/reglint-bench), OUT, DEFECT_RATE (default 0.1), SEG_ITEMS (items in the moto table,
# default 20000), BUILD=0 (do not build first).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZES="${SIZES:-100000 1000000}"
FORMATS="${FORMATS:-plain jsonl jsonl-item typed-array scan export}"
RUNS="${RUNS:-5}"
WORK="${WORK:-/tmp/reglint-bench}"
OUT="${OUT:-$root/target/bench}"
DEFECT_RATE="${DEFECT_RATE:-0.1}"
SEG_ITEMS="${SEG_ITEMS:-20000}"

need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "bench.sh needs $1: install it with \`apt-get install -y $2\`" >&2
        exit 2
    fi
}
need hyperfine hyperfine
[ -x /usr/bin/time ] || { echo "bench.sh needs /usr/bin/time: install it with \`apt-get install -y time\`" >&2; exit 2; }
need gzip gzip

mkdir -p "$WORK" "$OUT"
if [ "${BUILD:-1}" != 0 ]; then # BUILD=0: use the binaries already built
    (cd "$root" && cargo build --release --quiet && cargo build --release --quiet --example gen)
fi
bin="$root/target/release/reglint"
gen="$root/target/release/examples/gen"
summary="$OUT/summary.md"

machine() {
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

corpus() { # format items -> path (generated once)
    local format="$1" items="$2" path="$WORK/registry-$2.$1"
    if [ ! -e "$path" ]; then
        "$gen" --items "$items" --format "$format" --out "$path" --defect-rate "$DEFECT_RATE" --seed 1 >&2
    fi
    echo "$path"
}

# Peak resident memory (MiB) and CPU seconds (user + system) of one run.
memory() {
    local log="$OUT/time.log"
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || true
    local kb user sys
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
    user=$(sed -n 's/.*User time (seconds): //p' "$log")
    sys=$(sed -n 's/.*System time (seconds): //p' "$log")
    echo "$((kb / 1024)) MiB peak, $(awk "BEGIN { print $user + $sys }") s CPU"
}

# Mean wall time of a command (seconds) from hyperfine; exit status 1 (findings) is expected.
wall() {
    local name="$1"
    shift
    hyperfine --style none --warmup 1 --runs "$RUNS" -i --export-json "$OUT/$name.json" "$@" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f s ± %.3f" % (r["mean"], r["stddev"]))' "$OUT/$name.json"
}

files() {
    echo "# reglint check: whole runs"
    machine
    echo
    echo "| items | format | input | wall (mean ± sd, $RUNS runs) | peak memory, CPU |"
    echo "|---|---|---|---|---|"
    for n in $SIZES; do
        for f in $FORMATS; do
            local p size cmd
            p=$(corpus "$f" "$n")
            size=$(du -sh --apparent-size "$p" | cut -f1)
            # JSON Lines to stdout: findings are written as they are found (hyperfine and
            # memory() send stdout to /dev/null).
            cmd="$bin -q check --format jsonl $p"
            echo "| $n | $f | $size | $(wall "check-$f-$n" "$cmd") | $(memory $cmd) |"
        done
        if [[ " $FORMATS " == *" export "* ]]; then
            local e
            e=$(corpus export "$n")
            echo "| $n | gzip -dc baseline | $(du -sh "$e/data" | cut -f1) gz | $(wall "gzip-$n" "gzip -dc $e/data/*.json.gz > /dev/null") | $(memory sh -c "gzip -dc $e/data/*.json.gz") |"
        fi
    done
}

reports() {
    # Every item defective: about 100,000 diagnostics from 90,000 items. The report's cost is
    # the difference from --statistics, which prints a few lines.
    local p="$WORK/registry-90000-all-defective.jsonl"
    [ -e "$p" ] || "$gen" --items 90000 --format jsonl --out "$p" --defect-rate 1 --seed 1
    echo
    echo "## Writing reports of many diagnostics"
    echo
    echo "diagnostics: $("$bin" -q check --format json "$p" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["diagnostics"]))')"
    echo
    echo "| report | wall (mean ± sd) |"
    echo "|---|---|"
    for fmt in statistics text concise json jsonl sarif; do
        local args="--format $fmt"
        [ "$fmt" = statistics ] && args="--statistics"
        echo "| $fmt | $(wall "report-$fmt" "$bin -q check $args $p") |"
    done
    echo "| json, --output FILE | $(wall "report-json-file" "$bin -q check --format json --output $OUT/report.out $p") |"
}

peer() {
    # The hand-written peer (benches/peer.py: json.loads per line, boto3's TypeDeserializer,
    # regex and list checks, a duplicate set) and reglint on the same 200,000 typed JSON Lines,
    # taking turns in one run. boto3 comes with moto's virtual environment.
    local py p
    py="$("$root/scripts/setup-moto.sh" | tail -n 1)"
    p=$(corpus jsonl "${PEER_ITEMS:-200000}")
    echo
    echo "## Against the hand-written peer (${PEER_ITEMS:-200000} typed JSON Lines)"
    echo
    machine
    echo
    hyperfine --style none --warmup 1 --runs "$RUNS" -i --export-json "$OUT/peer.json" \
        -n reglint "$bin -q check --statistics $p" \
        -n "reglint --format json --output" "$bin -q check --format json --output $OUT/peer-report.json $p" \
        -n peer "$py $root/benches/peer.py $p" >/dev/null 2>&1
    python3 - "$OUT/peer.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
peer = results["peer"]["mean"]
print("| run | wall (mean ± sd) | peer's time over this |")
print("|---|---|---|")
for name, r in results.items():
    print("| %s | %.3f s ± %.3f | %.1f× |" % (name, r["mean"], r["stddev"], peer / r["mean"]))
PY
}

segments() {
    # A moto table scanned with 1, 2, 4 and 8 segments. Needs the table reader
    # (`reglint check dynamodb://TABLE`) and moto (scripts/setup-moto.sh makes .venv).
    if ! "$bin" check --help | grep -q -- '--segments' || ! "$bin" check --help | grep -q 'dynamodb://'; then
        echo "this reglint cannot read tables (dynamodb://TABLE); skipping the segments benchmark" >&2
        return 0
    fi
    local py
    py="$("$root/scripts/setup-moto.sh" | tail -n 1)"
    coproc MOTO { exec "$py" "$root/tests/harness/moto_server.py" 0 --exit-on-stdin-eof 2>/dev/null; }
    local moto_pid=$MOTO_PID ready port
    trap 'kill "$moto_pid" 2>/dev/null || true' RETURN
    read -r ready port <&"${MOTO[0]}"
    [ "$ready" = READY ] || { echo "moto did not start" >&2; return 1; }
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1 \
        AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
    unset AWS_PROFILE AWS_SESSION_TOKEN
    local items
    items=$(corpus typed-array "$SEG_ITEMS")
    "$py" - "$items" <<'PY'
import json, os, sys, boto3, botocore
db = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
db.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "agent_id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "agent_id", "KeyType": "HASH"}])
items = json.load(open(sys.argv[1]))
for i in range(0, len(items), 25):
    batch = {}
    for item in items[i:i + 25]:
        key = item.get("agent_id", {}).get("S")
        if isinstance(key, str) and key:
            batch[key] = item  # one put per key in a batch
    try:
        db.batch_write_item(RequestItems={"bench": [{"PutRequest": {"Item": it}} for it in batch.values()]})
    except (botocore.exceptions.ParamValidationError, botocore.exceptions.ClientError):
        for it in batch.values():  # typed values moto or boto3 refuse ({"S": 5}) are left out
            try:
                db.put_item(TableName="bench", Item=it)
            except (botocore.exceptions.ParamValidationError, botocore.exceptions.ClientError):
                pass
PY
    echo
    echo "## A moto table of $SEG_ITEMS items (moto is one Python process: this measures reglint's scan, not DynamoDB)"
    echo
    echo "| segments | wall (mean ± sd) |"
    echo "|---|---|"
    for s in 1 2 4 8; do
        echo "| $s | $(wall "segments-$s" "$bin -q check dynamodb://bench --segments $s --format json --output /dev/null") |"
    done
}

case "${1:-files}" in
    files) { files; reports; peer; } | tee "$summary" ;;
    reports) reports | tee -a "$summary" ;;
    peer) peer | tee -a "$summary" ;;
    segments) segments | tee -a "$summary" ;;
    all) { files; reports; peer; segments; } | tee "$summary" ;;
    *) echo "usage: scripts/bench.sh [files|reports|peer|segments|all]" >&2; exit 2 ;;
esac
