"""The hand-written peer reglint is measured against: what a team scripts before it has reglint.

Reads typed (DynamoDB JSON) JSON Lines, one item per line, the way such a script does: ``json.loads``
per line, boto3's ``TypeDeserializer`` for every attribute, then the seed's checks with regular
expressions (agent ID, alias ID, account ID, agent type), list checks (``capabilities`` a list of
non-blank, distinct strings) and a set of keys for duplicates. Prints the number of items and of
findings.

    python3 benches/peer.py registry.jsonl

scripts/bench.sh runs it side by side with ``reglint check --statistics`` on the same file.
"""

import json
import re
import sys

from boto3.dynamodb.types import TypeDeserializer

AGENT_ID = re.compile(r"^[0-9A-Z]{10}$")
ALIAS_ID = re.compile(r"^([0-9A-Z]{10}|TSTALIASID)$")
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
AGENT_TYPES = {"bedrock_agent", "agentcore"}
REQUIRED = ("agent_id", "name", "description", "agent_type", "enabled")


def check(item, seen, findings):
    for name in REQUIRED:
        if name not in item:
            findings.append(f"missing {name}")
    agent_id = item.get("agent_id")
    if not isinstance(agent_id, str):
        findings.append("agent_id is not a string")
    elif item.get("agent_type") == "bedrock_agent" and not AGENT_ID.match(agent_id):
        findings.append(f"malformed agent_id {agent_id!r}")
    if agent_id in seen:
        findings.append(f"duplicate agent_id {agent_id!r}")
    elif isinstance(agent_id, str):
        seen.add(agent_id)
    if item.get("agent_type") not in AGENT_TYPES:
        findings.append(f"unknown agent_type {item.get('agent_type')!r}")
    alias = item.get("alias_id")
    if item.get("agent_type") == "bedrock_agent" and not (isinstance(alias, str) and ALIAS_ID.match(alias)):
        findings.append(f"malformed alias_id {alias!r}")
    account = item.get("account_id")
    if account is not None and not (isinstance(account, str) and ACCOUNT_ID.match(account)):
        findings.append(f"malformed account_id {account!r}")
    if not isinstance(item.get("enabled"), bool):
        findings.append("enabled is not a boolean")
    caps = item.get("capabilities")
    if caps is not None:
        if not isinstance(caps, list):
            findings.append("capabilities is not a list")
        else:
            if any(not isinstance(c, str) or not c.strip() for c in caps):
                findings.append("blank capability")
            if len(set(map(str, caps))) != len(caps):
                findings.append("duplicate capability")


def main(path):
    deserializer = TypeDeserializer()
    seen = set()
    findings = []
    items = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            items += 1
            try:
                raw = json.loads(line)
                item = {k: deserializer.deserialize(v) for k, v in raw.items()}
            except (ValueError, TypeError, KeyError, AttributeError) as err:
                findings.append(f"unreadable item: {err}")
                continue
            check(item, seen, findings)
    print(f"{items} items, {len(findings)} findings")


if __name__ == "__main__":
    main(sys.argv[1])
