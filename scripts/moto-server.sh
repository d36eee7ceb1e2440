#!/usr/bin/env bash
# Start a local moto server (a stand-in for AWS on this machine) to try reglint on a live
# DynamoDB table without an AWS account. Prints the endpoint and the environment to use, then
# serves until Ctrl-C.
#
#   scripts/moto-server.sh [--port PORT] [--seed TABLE]
#
#   --port PORT    port on 127.0.0.1 (default 4566; 0 picks a free one)
#   --seed TABLE   create TABLE (key agent_id) holding a few registry items with problems
#                  reglint finds and fixes
#
# The first run installs the pinned moto into .venv/ (scripts/setup-moto.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port=4566
seed=""
while [ $# -gt 0 ]; do
    case "$1" in
        --port) port="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "moto-server: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

py="$("$root/scripts/setup-moto.sh" | tail -n 1)"

coproc MOTO { exec "$py" "$root/tests/harness/moto_server.py" "$port"; }
moto_pid=$MOTO_PID
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT INT TERM
read -r ready actual <&"${MOTO[0]}" || true
if [ "${ready:-}" != "READY" ]; then
    echo "moto-server: moto did not start (see the messages above)" >&2
    exit 1
fi
endpoint="http://127.0.0.1:$actual"

if [ -n "$seed" ]; then
    AWS_ENDPOINT_URL="$endpoint" "$py" - "$seed" <<'PY'
import sys, boto3
table = sys.argv[1]
db = boto3.client("dynamodb", endpoint_url=__import__("os").environ["AWS_ENDPOINT_URL"],
                  region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
db.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "agent_id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "agent_id", "KeyType": "HASH"}])
def s(v): return {"S": v}
def caps(*v): return {"L": [s(x) for x in v]}
items = [
    {"agent_id": s("PEGHWIVI5Y"), "alias_id": s('IO1GTTHP0M"'), "name": s("billing"),
     "description": s("Answers billing questions"), "agent_type": s("bedrock_agent"),
     "account_id": {"N": "43074507558"}, "enabled": {"BOOL": True}, "capabilities": caps("billing")},
    {"agent_id": s("Q3ZLW8K2MD"), "alias_id": s("TSTALIASID"), "name": s("support"),
     "description": s("First-line support"), "agent_type": s("bedrock_agent"),
     "account_id": s("152864141302"), "enabled": {"BOOL": True}, "capabilities": caps("support", "triage")},
    {"agent_id": s("X7RT2LQ9VB"), "alias_id": s("8HJK2MN4PQ"), "name": s("search"),
     "agent_type": s("bedrock_agent"), "enabled": {"BOOL": False}, "capabilities": caps("search")},
]
for item in items:
    db.put_item(TableName=table, Item=item)
print(f"seeded table {table} with {len(items)} items", file=sys.stderr)
PY
fi

cat <<EOF
moto is serving on $endpoint (Ctrl-C stops it; its state is lost then).

In another shell:
  export AWS_ENDPOINT_URL=$endpoint AWS_REGION=us-east-1 \\
         AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  unset AWS_PROFILE
  reglint check dynamodb://${seed:-TABLE}
  reglint check dynamodb://${seed:-TABLE} --fix      # writes a reglint-journal-*.jsonl
  reglint undo reglint-journal-*.jsonl --dry-run
EOF

# moto logs to stderr from here on; serve until interrupted.
wait "$moto_pid"
