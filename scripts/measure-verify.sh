#!/usr/bin/env bash
# Measures `reglint check --verify` against a local moto (not a benchmark of Bedrock: moto is one
# Python process; reglint paces itself under the published quotas, which bounds the wall time).
# Prints the wall time, reglint's CPU time and the calls of each kind that reached moto.
#
#   scripts/measure-verify.sh [ENTRIES] [ACCOUNTS] [CONCURRENCY]
#
# ENTRIES (default 1000) registry entries spread evenly over ACCOUNTS (default 10) accounts
# besides the local one; in each account every agent is registered twice (its prod alias and
# TSTALIASID), so there are ENTRIES/2 distinct agents and ENTRIES distinct aliases.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
entries="${1:-1000}"
accounts="${2:-10}"
concurrency="${3:-8}"
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
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_BEARER_TOKEN_BEDROCK

setup_start=$(date +%s.%N)
"$py" - "$entries" "$accounts" "$work" <<'PY'
import json, os, sys, boto3
entries, accounts, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ep = os.environ["AWS_ENDPOINT_URL"]
kw = dict(endpoint_url=ep, region_name="us-east-1")
sts = boto3.client("sts", **kw)
registry = []
per_account = entries // accounts
for a in range(accounts):
    acct = f"{500000000000 + a * 1111:012d}"
    iam = boto3.client("iam", **kw)
    iam.meta.events.register("before-sign.iam.*", lambda request=None, acct=acct, **_: request.headers.__setitem__("x-moto-account-id", acct))
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "measure-ext"}}}]}
    iam.create_role(RoleName="RegistryVerifier", AssumeRolePolicyDocument=json.dumps(trust))
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/RegistryVerifier",
                            RoleSessionName="setup", ExternalId="measure-ext")["Credentials"]
    agents = boto3.client("bedrock-agent", aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"], **kw)
    for i in range(per_account // 2):
        agent = agents.create_agent(agentName=f"agent{a}_{i}",
                                    agentResourceRoleArn=f"arn:aws:iam::{acct}:role/agent")["agent"]["agentId"]
        alias = agents.create_agent_alias(agentId=agent, agentAliasName="prod")["agentAlias"]["agentAliasId"]
        for alias_id in (alias, "TSTALIASID"):
            registry.append({"agent_id": agent, "alias_id": alias_id, "account_id": acct,
                             "name": f"agent-{a}-{i}-{alias_id}", "description": "measured",
                             "agent_type": "bedrock_agent", "enabled": True, "capabilities": ["x"]})
json.dump(registry, open(f"{work}/registry.json", "w"))
open(f"{work}/reglint.toml", "w").write(
    '[registry]\nkey = ["name"]\n[rules]\nignore = ["RG104"]\n'
    '[verify]\nrole_arn = "arn:aws:iam::{account_id}:role/RegistryVerifier"\n')
print(f"registry: {len(registry)} entries in {accounts} accounts")
PY
echo "setup: $(echo "$(date +%s.%N) - $setup_start" | bc) s"

calls() { "$py" -c 'import json,sys,urllib.request as u; print(json.dumps(json.load(u.urlopen(sys.argv[1]+"/_reglint/calls")), sort_keys=True))' "$endpoint"; }
reset() { "$py" -c 'import sys,urllib.request as u; u.urlopen(u.Request(sys.argv[1]+"/_reglint/calls/reset", method="POST"))' "$endpoint"; }

sed -i "s/^\[verify\]$/[verify]\nconcurrency = $concurrency/" "$work/reglint.toml"
reset
start=$(date +%s.%N)
set +e
/usr/bin/time -f "%U %S %M" -o "$work/time.txt" "$bin" -q check "$work/registry.json" \
    --config "$work/reglint.toml" --verify --external-id measure-ext --format json >"$work/out.json" 2>"$work/err.txt"
code=$?
set -e
end=$(date +%s.%N)
read -r user sys rss < <(tail -n 1 "$work/time.txt")
printf 'verify, concurrency %s: %.2f s wall, reglint cpu %.2f s, max rss %d KB, exit %s\n' \
    "$concurrency" "$(echo "$end - $start" | bc)" "$(echo "$user + $sys" | bc)" "$rss" "$code"
echo "  calls at moto:   $(calls)"
"$py" -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print("  report summary: items", s["items"], "errors", s["errors"], "warnings", s["warnings"], "unverifiable", s["unverifiable"]); print("  report calls:   ", json.dumps(s.get("aws_calls"), sort_keys=True))' "$work/out.json"
if [ -s "$work/err.txt" ]; then echo "  stderr: $(head -c 600 "$work/err.txt")"; fi
