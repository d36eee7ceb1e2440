#!/usr/bin/env bash
# Whole-run benchmarks of `reglint check` on generated registries (examples/gen.rs): wall time
# with hyperfine, peak memory and CPU time with /usr/bin/time -v, and the `gzip -dc` baseline
# for exports. Results go to $OUT (default target/bench) as hyperfine JSON and a summary.md.
#
#   scripts/bench.sh                      # 100,000 and 1,000,000 items, every format
#   SIZES=100000 FORMATS="jsonl export" RUNS=3 scripts/bench.sh
#   scripts/bench.sh segments             # a moto table scanned with 1, 2, 4 and 8 segments
#   scripts/bench.sh peer                 # against benches/peer.py on 200,000 items (PEER_ITEMS)
#   scripts/bench.sh reports              # 100,000 findings in every report format
#   scripts/bench.sh limits               # 1M typed JSON Lines and 1M-item exports vs gzip -dc
#   scripts/bench.sh memory               # peak memory of every format at 100k, 1M and 2M items
#
# Rival commands (reglint and the peer, reglint and gzip -dc, one format and another) take
# turns, A B A B …, through benches/interleave.py: this machine's speed drifts by up to 25%
# from minute to minute, and commands run one after the other would compare the minutes.
#
# Environment: SIZES, FORMATS, RUNS (runs of each command, default 5), WORK (corpora, default
# /tmp/reglint-bench), OUT, DEFECT_RATE (default 0.1), LIMIT_ITEMS (default 1000000) and
# LIMIT_DEFECT_RATE (default 0.05, about 5% of items defective) for `limits`, MEMORY_SIZES,
# SEG_ITEMS (items in the moto table, default 20000), BUILD=0 (do not build first).
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

turns() { # rival commands run in turn (benches/interleave.py); arguments as it takes them
    python3 "$root/benches/interleave.py" --runs "$RUNS" "$@"
}

reports() {
    # Every item defective: about 100,000 diagnostics from 90,000 items. What a report costs is
    # its run's time over --statistics, which prints a few lines; the runs take turns.
    local p="$WORK/registry-90000-all-defective.jsonl"
    [ -e "$p" ] || "$gen" --items 90000 --format jsonl --out "$p" --defect-rate 1 --seed 1
    echo
    echo "## Writing reports of many diagnostics"
    echo
    machine
    echo "diagnostics: $("$bin" -q check --format json "$p" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["diagnostics"]))')"
    echo
    local runs=("statistics=$bin -q check --statistics $p")
    for fmt in text concise jsonl json sarif gitlab junit html; do
        runs+=("$fmt=$bin -q check --format $fmt $p")
    done
    runs+=("json --output=$bin -q check --format json --output $OUT/report.out $p")
    turns --over statistics "${runs[@]}"
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
    turns --ratio-to peer \
        "reglint --statistics=$bin -q check --statistics $p" \
        "reglint --format json --output=$bin -q check --format json --output $OUT/peer-report.json $p" \
        "peer=$py $root/benches/peer.py $p"
}

limits() {
    # The figures of the performance targets, every run taking turns with its rivals: 1,000,000
    # typed JSON Lines, and the same items as a DynamoDB export of 8 and of 16 gzip files
    # beside `gzip -dc` of its files.
    local n="${LIMIT_ITEMS:-1000000}" rate="${LIMIT_DEFECT_RATE:-0.05}" p e8 e16
    p="$WORK/limits-$n-$rate.jsonl"
    e8="$WORK/limits-$n-$rate.export8"
    e16="$WORK/limits-$n-$rate.export16"
    [ -e "$p" ] || "$gen" --items "$n" --format jsonl --out "$p" --defect-rate "$rate" --seed 1 >&2
    [ -e "$e8" ] || "$gen" --items "$n" --format export --files 8 --out "$e8" --defect-rate "$rate" --seed 1 >&2
    [ -e "$e16" ] || "$gen" --items "$n" --format export --files 16 --out "$e16" --defect-rate "$rate" --seed 1 >&2
    echo
    echo "## $n typed JSON Lines ($(du -sh --apparent-size "$p" | cut -f1)) and exports of them"
    echo
    machine
    echo
    turns \
        "--statistics=$bin -q check --statistics $p" \
        "--format json=$bin -q check --format json $p" \
        "--format json --output=$bin -q check --format json --output $OUT/limits.json $p"
    echo
    turns --ratio-to "gzip -dc, 8 files" \
        "export, 8 files=$bin -q check --format json --output $OUT/limits-e8.json $e8" \
        "gzip -dc, 8 files=gzip -dc $e8/data/*.json.gz" \
        "export, 16 files=$bin -q check --format json --output $OUT/limits-e16.json $e16" \
        "gzip -dc, 16 files=gzip -dc $e16/data/*.json.gz"
}

peaks() {
    # Peak memory of every report format written with --output, at 100,000, 1,000,000 and
    # 2,000,000 typed JSON Lines (MEMORY_SIZES): flat but for the registry rules' index.
    echo
    echo "## Peak memory with --output"
    echo
    machine
    echo
    local sizes="${MEMORY_SIZES:-100000 1000000 2000000}" n fmt line
    line="| format |"
    for n in $sizes; do line+=" $n items |"; done
    echo "$line"
    echo "|---|$(for n in $sizes; do printf -- '---|'; done)"
    for fmt in statistics "statistics --ignore RG3" text jsonl json sarif gitlab junit html; do
        line="| $fmt |"
        for n in $sizes; do
            local p args
            p=$(corpus jsonl "$n")
            case "$fmt" in
                statistics*) args="--$fmt" ;;
                *) args="--format $fmt --output $OUT/memory.out" ;;
            esac
            line+=" $(memory "$bin" -q check $args "$p" | cut -d' ' -f1,2) |"
        done
        echo "$line"
    done
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
    limits) limits | tee -a "$summary" ;;
    memory) peaks | tee -a "$summary" ;;
    segments) segments | tee -a "$summary" ;;
    all) { files; reports; peer; limits; peaks; segments; } | tee "$summary" ;;
    *) echo "usage: scripts/bench.sh [files|reports|peer|limits|memory|segments|all]" >&2; exit 2 ;;
esac
