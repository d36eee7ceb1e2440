#!/usr/bin/env bash
# Measures reglint on a live table in a local moto (not a benchmark of DynamoDB: moto is one
# Python process). Prints the scan time with 1 and 4 segments, the --fix time, and the number
# of calls of each kind that reached moto.
#
#   scripts/measure-table.sh [ITEMS] [BAD_EVERY]
#
# ITEMS (default 10000) items of about 400 bytes; every BAD_EVERY-th (default 2) has two safe
# fixes (a stray quote on alias_id, account_id stored as a number).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
items="${1:-10000}"
bad_every="${2:-2}"
py="$("$root/scripts/setup-moto.sh" | tail -n 1)"
(cd "$root" && cargo build --release --quiet)
bin="$root/target/release/reglint"
work="$(mktemp -d)"

coproc MOTO { exec "$py" "$root/tests/harness/moto_server.py" 0 --exit-on-stdin-eof 2>/dev/null; }
moto_pid=$MOTO_PID
trap 'kill "$moto_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
read -r ready port <&"${MOTO[0]}"
[ "$ready" = READY ] || { echo "moto did not start" >&2; exit 1; }
endpoint="http://127.0.0.1:$port"

export AWS_ENDPOINT_URL="$endpoint" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing \
    AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN

"$py" - "$items" "$bad_every" <<'PY'
import os, sys, boto3
items, bad_every = int(sys.argv[1]), int(sys.argv[2])
db = boto3.resource("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
table = db.create_table(TableName="measure", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "agent_id", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "agent_id", "KeyType": "HASH"}])
with table.batch_writer() as batch:
    for i in range(items):
        bad = i % bad_every == 0
        batch.put_item(Item={
            "agent_id": f"AG{i:08d}", "alias_id": f"AL{i:08d}" + ('"' if bad else ""),
            "name": f"agent {i}", "description": "routes requests " + "x" * 200,
            "agent_type": "bedrock_agent", "enabled": True, "capabilities": ["search", "triage"],
            "account_id": (1000 + i) if bad else "123456789012",
        })
PY

calls() { "$py" -c 'import json,sys,urllib.request as u; print(json.load(u.urlopen(sys.argv[1]+"/_reglint/calls")))' "$endpoint"; }
reset() { "$py" -c 'import sys,urllib.request as u; u.urlopen(u.Request(sys.argv[1]+"/_reglint/calls/reset", method="POST"))' "$endpoint"; }
timed() {
    local label="$1"; shift
    reset
    local start end
    start=$(date +%s.%N)
    set +e
    /usr/bin/time -f "%U %S %M" -o "$work/time.txt" "$@" >"$work/out.json" 2>"$work/err.txt"
    local code=$?
    set -e
    end=$(date +%s.%N)
    read -r user sys rss < <(tail -n 1 "$work/time.txt")
    printf '%-18s %6.2f s wall, reglint cpu %5.2f s, max rss %6d KB, exit %s, calls %s\n' \
        "$label" "$(echo "$end - $start" | bc)" "$(echo "$user + $sys" | bc)" "$rss" "$code" "$(calls)"
}

echo "table: $items items, every $bad_every-th fixable"
timed "scan, 1 segment" "$bin" -q check --table measure --select RG101,RG105 --format json
timed "scan, 4 segments" "$bin" -q check --table measure --select RG101,RG105 --format json --segments 4
timed "--fix" "$bin" -q check --table measure --select RG101,RG105 --format json --fix --journal "$work/j.jsonl"
"$py" -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print("  fixed", s["fixed"], "fixes on", s.get("aws_calls"))' "$work/out.json"
echo "  journal: $(grep -c '"op"' "$work/j.jsonl") entries, $(wc -c <"$work/j.jsonl") bytes"
timed "second --fix" "$bin" -q check --table measure --select RG101,RG105 --format json --fix --journal "$work/j2.jsonl"
timed "undo" "$bin" -q undo "$work/j.jsonl"
