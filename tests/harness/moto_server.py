"""moto server for the reglint integration tests, with moto 5.2.5's gaps fixed.

Usage:  .venv/bin/python tests/harness/moto_server.py [PORT] [--exit-on-stdin-eof]

Serves every moto service on 127.0.0.1:PORT (PORT 0 or absent: a free port)
and prints exactly one line, ``READY <port>``, on stdout once it accepts
connections.  Anything printed later goes to stderr.  With
``--exit-on-stdin-eof`` the server exits when its stdin is closed, so a test
process that dies without cleaning up never leaves a server behind.
Set REGLINT_MOTO_VERBOSE=1 to get one access-log line per request on stderr.

What differs from stock moto 5.2.5
----------------------------------
bedrock-agent
  * Path parameters come from the matched route, so ``/agents/ID`` (the Rust
    SDK) and ``/agents/ID/`` (botocore) both work, for every operation.
  * Timestamps are ISO-8601 strings (``2026-11-26T14:00:00Z``).
  * Agent IDs and alias IDs are 10 characters of [0-9A-Z]; agentVersion of
    GetAgent is ``DRAFT``; idleSessionTTLInSeconds defaults to 600.
  * Aliases: CreateAgentAlias, GetAgentAlias, ListAgentAliases,
    UpdateAgentAlias, DeleteAgentAlias.  Every agent has ``TSTALIASID``
    (name AgentTestAlias, routes to DRAFT, PREPARED, ACCEPT_INVOCATIONS).
    CreateAgentAlias without routingConfiguration creates a new numbered
    version and routes to it (as AWS does); routing to a numbered version
    that does not exist yet creates it.
  * Versions: GetAgentVersion, ListAgentVersions.  PrepareAgent.
bedrock-agentcore-control
  * Runtime IDs ``<name>-<10 alnum>``, ARNs
    ``arn:aws:bedrock-agentcore:<region>:<acct>:runtime/<id>``, endpoint ARNs
    ``<runtime arn>/runtime-endpoint/<name>``.
  * CreateAgentRuntime also creates the ``DEFAULT`` endpoint (READY), which
    follows the latest version on UpdateAgentRuntime.
sts
  * AssumeRole enforces the trust policy (AssumeRolePolicyDocument given to
    IAM CreateRole in the role's own account): the caller's account must be
    a trusted principal (``"*"``, ``"<acct>"``, ``arn:aws:iam::<acct>:root``
    or the caller's exact ARN) of an Allow statement for sts:AssumeRole whose
    conditions hold (StringEquals / StringLike / StringNotEquals /
    StringNotLike / Null on sts:ExternalId, aws:PrincipalAccount,
    aws:PrincipalArn, sts:RoleSessionName); a matching Deny wins.  A role
    that does not exist is denied too.  Denial: HTTP 403, code AccessDenied,
    ``User: <caller-arn> is not authorized to perform: sts:AssumeRole on
    resource: <role-arn>``.  Allowed calls behave as before: credentials of
    account X for a role in account X.

dynamodb
  * Requests are served one at a time (a lock around
    ``DynamoHandler.call_action``).  moto's TransactWriteItems deep-copies
    every table it touches and, when the transaction is cancelled, puts the
    copy back, undoing every write another request thread made meanwhile; the
    copy can also fail while another thread mutates the table (HTTP 500,
    ``dictionary keys changed during iteration``).  DynamoDB does neither, so
    with the lock a test fails only for the client's faults.  Faults (500s,
    throttling, dropped connections) are injected on purpose by the tests'
    own proxy, not here.  REGLINT_MOTO_CONCURRENT_DYNAMODB=1 leaves moto as it
    is, to reproduce the lost updates.

Controlling status (test-only)
------------------------------
1. At creation, with tags (the tags stay on the resource):
     CreateAgent         tags {"reglint:status": "NOT_PREPARED"}   (any AgentStatus;
                         FAILED also sets failureReasons)
     CreateAgentAlias    tags {"reglint:status": "FAILED"}         (any AgentAliasStatus)
                         tags {"reglint:invocation-state": "REJECT_INVOCATIONS"}
                         ("reglint:status": "REJECT_INVOCATIONS" works too)
     CreateAgentRuntime  tags {"reglint:status": "CREATE_FAILED"}  (runtime status)
                         tags {"reglint:endpoint-status": "UPDATE_FAILED"}
                         (status of the automatic DEFAULT endpoint)
   Without such a tag: agents, versions and aliases are PREPARED, runtimes and
   endpoints READY.
2. Afterwards: ``POST /_reglint/status`` (alias: ``/_reglint/agent-status``)
   with a JSON object; "account" (default 123456789012) and "region" (default
   us-east-1) pick the backend, then exactly one target:
     {"agentId": ID, "status": S, "failureReasons": [...]}
     {"agentId": ID, "agentVersion": "1", "status": S}
     {"agentId": ID, "agentAliasId": ID, "status": S,
      "invocationState": "REJECT_INVOCATIONS"}          (either key optional)
     {"agentRuntimeId": ID, "status": S, "failureReason": "..."}
     {"agentRuntimeId": ID, "endpointName": "DEFAULT", "status": S}
   Answers 200 {"ok": true}, 404 when the target does not exist, 400 on a
   malformed body.

Call counter (test-only)
------------------------
Every AWS request that reaches a moto service handler is counted as
"<service>:<Operation>" (e.g. "bedrock-agent:GetAgent", "sts:AssumeRole",
"dynamodb:Scan"), per calling account (the account of the credentials).
Retries are separate requests and count separately.
  GET  /_reglint/calls                    {"sts:AssumeRole": 2, ...} (all accounts)
  GET  /_reglint/calls?account=ACCT       the same for one calling account
  GET  /_reglint/calls?by_account=1       {"123456789012": {"sts:AssumeRole": 2}, ...}
  POST /_reglint/calls/reset              zeroes everything, answers {}
``POST /moto-api/reset`` (moto's own) clears resources but not the counter.

Data plane (moto has none): InvokeAgent and InvokeAgentRuntime
---------------------------------------------------------------
``POST /agents/A/agentAliases/B/sessions/S/text`` answers as the agent alias of the
account the request's access key belongs to (moto's own mapping, so assumed-role
credentials answer as the role's account): an application/vnd.amazon.eventstream
body of ``chunk`` events (``{"bytes": base64}``), with the answer
``Hello from account ACCT: agent A alias B heard 'TEXT'``; 404
ResourceNotFoundException when that account has no such agent or alias.
``POST /runtimes/ARN/invocations?qualifier=Q`` answers ``{"result": "Hello from
account ACCT: runtime ID endpoint Q heard 'PROMPT'"}``.  Both are counted
("bedrock-agent-runtime:InvokeAgent", "bedrock-agentcore:InvokeAgentRuntime").
  POST /_reglint/invoke {"account": ACCT, "agentId": A, "agentAliasId": B, "mode": M}
  POST /_reglint/invoke {"account": ACCT, "agentRuntimeArn": ARN, "mode": M}
M: answer (default), access-denied (403 AccessDeniedException), not-found (404),
validation (400 ValidationException), throttle (429 ThrottlingException), expired
(403 ExpiredTokenException always), expired-once (to the first access key that
calls, then answers any other), error-mid-stream (one chunk, then a
dependencyFailedException event), hang (one chunk, then nothing for 120 s), big
(an answer of 300 kB).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import os
import re
import struct
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, unquote

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
STATUS_TAG = "reglint:status"
INVOCATION_TAG = "reglint:invocation-state"
ENDPOINT_STATUS_TAG = "reglint:endpoint-status"
INVOCATION_STATES = ("ACCEPT_INVOCATIONS", "REJECT_INVOCATIONS")
UPPER_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MIXED_ALNUM = UPPER_ALNUM + "abcdefghijklmnopqrstuvwxyz"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def iso(value: Any) -> Any:
    """An ISO-8601 UTC string for an epoch number or a datetime; None stays None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    else:
        dt = datetime.fromtimestamp(float(value), tz=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(datetime.now(timezone.utc))


def random_id(alphabet: str, length: int = 10) -> str:
    from moto.moto_api._internal import mock_random

    return "".join(mock_random.choice(alphabet) for _ in range(length))


def tags_dict(tags: Any) -> dict[str, str]:
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {}


def path_params(response: Any, *names: str) -> dict[str, str]:
    """Path parameters of a REST request, whether or not the path ends in '/'.

    moto's router already matched the request (that is how the operation was
    chosen) and left the parameters in ``uri_match``.
    """
    found = {n: unquote(str(response.uri_match[n])) for n in names if response.uri_match.get(n)}
    return found


def json_body(response: Any) -> dict[str, Any]:
    body = response.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def paginate(items: list[Any], params: dict[str, Any], query: dict[str, Any]) -> tuple[list[Any], str | None]:
    def first(key: str) -> Any:
        if params.get(key) is not None:
            return params[key]
        value = query.get(key)
        return value[0] if isinstance(value, list) and value else value

    try:
        start = int(first("nextToken") or 0)
    except ValueError:
        start = 0
    limit = int(first("maxResults") or 100)
    page = items[start : start + limit]
    more = start + limit < len(items)
    return page, (str(start + limit) if more else None)


# --------------------------------------------------------------------------
# bedrock-agent
# --------------------------------------------------------------------------


def patch_bedrock_agent() -> None:
    from moto.bedrockagent import models, responses
    from moto.bedrockagent.exceptions import ResourceNotFoundException, ValidationException

    Agent = models.Agent
    Backend = models.AgentsforBedrockBackend
    Response = responses.AgentsforBedrockResponse

    original_agent_init = Agent.__init__

    def agent_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_agent_init(self, *args, **kwargs)
        self.agent_id = random_id(UPPER_ALNUM)
        self.agent_arn = (
            f"arn:{models.get_partition(self.region_name)}:bedrock:{self.region_name}:"
            f"{self.account_id}:agent/{self.agent_id}"
        )
        self.agent_version = "DRAFT"
        if not self.idle_session_ttl_in_seconds:
            self.idle_session_ttl_in_seconds = 600
        self.recommended_actions = []
        self.versions = {}
        self.aliases = {}
        self.next_version = 1
        created = self.created_at
        self.aliases["TSTALIASID"] = {
            "agentId": self.agent_id,
            "agentAliasId": "TSTALIASID",
            "agentAliasName": "AgentTestAlias",
            "agentAliasArn": f"{alias_arn_prefix(self)}/TSTALIASID",
            "description": "Test Alias for Agent",
            "routingConfiguration": [{"agentVersion": "DRAFT"}],
            "createdAt": iso(created),
            "updatedAt": iso(created),
            "agentAliasStatus": "PREPARED",
            "aliasInvocationState": "ACCEPT_INVOCATIONS",
        }

    def alias_arn_prefix(agent: Any) -> str:
        return (
            f"arn:{models.get_partition(agent.region_name)}:bedrock:{agent.region_name}:"
            f"{agent.account_id}:agent-alias/{agent.agent_id}"
        )

    def agent_to_dict(self: Any) -> dict[str, Any]:
        dct = {
            "agentId": self.agent_id,
            "agentName": self.agent_name,
            "agentArn": self.agent_arn,
            "agentVersion": "DRAFT",
            "clientToken": self.client_token,
            "instruction": self.instruction,
            "agentStatus": self.agent_status,
            "foundationModel": self.foundation_model,
            "description": self.description,
            "idleSessionTTLInSeconds": self.idle_session_ttl_in_seconds,
            "agentResourceRoleArn": self.agent_resource_role_arn,
            "customerEncryptionKeyArn": self.customer_encryption_key_arn,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "preparedAt": iso(self.prepared_at),
            "failureReasons": self.failure_reasons,
            "recommendedActions": self.recommended_actions,
            "promptOverrideConfiguration": self.prompt_override_configuration,
        }
        return {k: v for k, v in dct.items() if v}

    def agent_summary(self: Any) -> dict[str, Any]:
        dct = {
            "agentId": self.agent_id,
            "agentName": self.agent_name,
            "agentStatus": self.agent_status,
            "description": self.description,
            "updatedAt": iso(self.updated_at),
            "latestAgentVersion": str(self.next_version - 1) if self.versions else "DRAFT",
        }
        return {k: v for k, v in dct.items() if v}

    Agent.__init__ = agent_init
    Agent.to_dict = agent_to_dict
    Agent.dict_summary = agent_summary

    kb_to_dict = models.KnowledgeBase.to_dict
    kb_summary = models.KnowledgeBase.dict_summary

    def kb_iso(fn: Any) -> Any:
        def wrapper(self: Any) -> dict[str, Any]:
            dct = fn(self)
            for key in ("createdAt", "updatedAt"):
                if key in dct:
                    dct[key] = iso(dct[key])
            return dct

        return wrapper

    models.KnowledgeBase.to_dict = kb_iso(kb_to_dict)
    models.KnowledgeBase.dict_summary = kb_iso(kb_summary)

    # -- model helpers -----------------------------------------------------

    def set_agent_status(agent: Any, status: str, reasons: list[str] | None = None) -> None:
        agent.agent_status = status
        agent.updated_at = now_iso()
        if status == "PREPARED":
            agent.prepared_at = agent.updated_at
            agent.failure_reasons = []
        elif status == "NOT_PREPARED":
            agent.prepared_at = None
        if status == "FAILED":
            agent.failure_reasons = reasons or ["Agent preparation failed (set by the test harness)"]
        elif reasons is not None:
            agent.failure_reasons = reasons

    def make_version(agent: Any, number: str, status: str = "PREPARED") -> dict[str, Any]:
        stamp = now_iso()
        version = {
            "agentId": agent.agent_id,
            "agentName": agent.agent_name,
            "agentArn": agent.agent_arn,
            "version": number,
            "instruction": agent.instruction,
            "agentStatus": status,
            "foundationModel": agent.foundation_model,
            "description": agent.description,
            "idleSessionTTLInSeconds": agent.idle_session_ttl_in_seconds,
            "agentResourceRoleArn": agent.agent_resource_role_arn,
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        agent.versions[number] = {k: v for k, v in version.items() if v is not None}
        agent.next_version = max(agent.next_version, int(number) + 1)
        return agent.versions[number]

    def apply_alias_tags(alias: dict[str, Any], tags: dict[str, str]) -> None:
        status = tags.get(STATUS_TAG)
        if status in INVOCATION_STATES:
            alias["aliasInvocationState"] = status
        elif status:
            alias["agentAliasStatus"] = status
            if status == "FAILED":
                alias["failureReasons"] = ["Alias creation failed (set by the test harness)"]
        state = tags.get(INVOCATION_TAG)
        if state:
            alias["aliasInvocationState"] = state

    # -- backend ------------------------------------------------------------

    original_create_agent = Backend.create_agent

    def create_agent(self: Any, *args: Any, **kwargs: Any) -> Any:
        agent = original_create_agent(self, *args, **kwargs)
        status = tags_dict(kwargs.get("tags")).get(STATUS_TAG)
        if status:
            set_agent_status(agent, status)
        return agent

    Backend.create_agent = create_agent
    Backend.reglint_set_agent_status = lambda self, agent, status, reasons=None: set_agent_status(agent, status, reasons)

    # -- responses -----------------------------------------------------------

    def agent_of(self: Any) -> Any:
        params = path_params(self, "agentId")
        agent_id = params.get("agentId")
        if agent_id is None:
            raise ResourceNotFoundException("Agent not found")
        return self.bedrockagent_backend.get_agent(agent_id=agent_id)

    def get_agent(self: Any) -> str:
        return json.dumps({"agent": agent_of(self).to_dict()})

    def delete_agent(self: Any) -> Any:
        agent_id = path_params(self, "agentId").get("agentId", "")
        skip = (self.querystring.get("skipResourceInUseCheck") or ["false"])[0] == "true"
        agent_id, status = self.bedrockagent_backend.delete_agent(
            agent_id=agent_id, skip_resource_in_use_check=skip
        )
        return 202, {}, json.dumps({"agentId": agent_id, "agentStatus": status})

    def prepare_agent(self: Any) -> Any:
        agent = agent_of(self)
        set_agent_status(agent, "PREPARED")
        body = {
            "agentId": agent.agent_id,
            "agentStatus": agent.agent_status,
            "agentVersion": "DRAFT",
            "preparedAt": iso(agent.prepared_at),
        }
        return 202, {}, json.dumps(body)

    def get_knowledge_base(self: Any) -> str:
        kb_id = path_params(self, "knowledgeBaseId").get("knowledgeBaseId", "")
        kb = self.bedrockagent_backend.get_knowledge_base(knowledge_base_id=kb_id)
        return json.dumps({"knowledgeBase": kb.to_dict()})

    def delete_knowledge_base(self: Any) -> Any:
        kb_id = path_params(self, "knowledgeBaseId").get("knowledgeBaseId", "")
        kb_id, status = self.bedrockagent_backend.delete_knowledge_base(knowledge_base_id=kb_id)
        return 202, {}, json.dumps({"knowledgeBaseId": kb_id, "status": status})

    def create_agent_alias(self: Any) -> Any:
        agent = agent_of(self)
        params = json_body(self)
        name = params.get("agentAliasName")
        if not name:
            raise ValidationException("agentAliasName is required")
        routing = params.get("routingConfiguration")
        if not routing:
            number = str(agent.next_version)
            make_version(agent, number)
            routing = [{"agentVersion": number}]
        for route in routing:
            version = str(route.get("agentVersion", ""))
            if version and version != "DRAFT" and version not in agent.versions:
                if not version.isdigit():
                    raise ValidationException(f"Invalid agentVersion {version}")
                make_version(agent, version)
        alias_id = random_id(UPPER_ALNUM)
        while alias_id in agent.aliases:
            alias_id = random_id(UPPER_ALNUM)
        stamp = now_iso()
        alias = {
            "agentId": agent.agent_id,
            "agentAliasId": alias_id,
            "agentAliasName": name,
            "agentAliasArn": f"{alias_arn_prefix(agent)}/{alias_id}",
            "clientToken": params.get("clientToken"),
            "description": params.get("description"),
            "routingConfiguration": routing,
            "createdAt": stamp,
            "updatedAt": stamp,
            "agentAliasHistoryEvents": [{"routingConfiguration": routing, "startDate": stamp}],
            "agentAliasStatus": "PREPARED",
            "aliasInvocationState": "ACCEPT_INVOCATIONS",
        }
        alias = {k: v for k, v in alias.items() if v is not None}
        tags = tags_dict(params.get("tags"))
        apply_alias_tags(alias, tags)
        agent.aliases[alias_id] = alias
        if tags:
            self.bedrockagent_backend.tagger.tag_resource(
                alias["agentAliasArn"], [{"Key": k, "Value": v} for k, v in tags.items()]
            )
        return 202, {}, json.dumps({"agentAlias": alias})

    def alias_of(self: Any) -> tuple[Any, dict[str, Any]]:
        agent = agent_of(self)
        alias_id = path_params(self, "agentAliasId").get("agentAliasId", "")
        alias = agent.aliases.get(alias_id)
        if alias is None:
            raise ResourceNotFoundException(f"Alias {alias_id} not found for agent {agent.agent_id}")
        return agent, alias

    def get_agent_alias(self: Any) -> str:
        _, alias = alias_of(self)
        return json.dumps({"agentAlias": alias})

    def update_agent_alias(self: Any) -> Any:
        agent, alias = alias_of(self)
        params = json_body(self)
        if params.get("agentAliasName"):
            alias["agentAliasName"] = params["agentAliasName"]
        if "description" in params:
            alias["description"] = params["description"]
        if params.get("routingConfiguration"):
            for route in params["routingConfiguration"]:
                version = str(route.get("agentVersion", ""))
                if version.isdigit() and version not in agent.versions:
                    make_version(agent, version)
            alias["routingConfiguration"] = params["routingConfiguration"]
        if params.get("aliasInvocationState"):
            alias["aliasInvocationState"] = params["aliasInvocationState"]
        alias["updatedAt"] = now_iso()
        return 202, {}, json.dumps({"agentAlias": alias})

    def delete_agent_alias(self: Any) -> Any:
        agent, alias = alias_of(self)
        del agent.aliases[alias["agentAliasId"]]
        body = {"agentId": agent.agent_id, "agentAliasId": alias["agentAliasId"], "agentAliasStatus": "DELETING"}
        return 202, {}, json.dumps(body)

    def list_agent_aliases(self: Any) -> str:
        agent = agent_of(self)
        summaries = []
        for alias in agent.aliases.values():
            summary = {
                k: alias[k]
                for k in (
                    "agentAliasId",
                    "agentAliasName",
                    "description",
                    "routingConfiguration",
                    "agentAliasStatus",
                    "createdAt",
                    "updatedAt",
                    "aliasInvocationState",
                )
                if k in alias
            }
            summaries.append(summary)
        page, token = paginate(summaries, json_body(self), self.querystring)
        out: dict[str, Any] = {"agentAliasSummaries": page}
        if token:
            out["nextToken"] = token
        return json.dumps(out)

    def get_agent_version(self: Any) -> str:
        agent = agent_of(self)
        number = path_params(self, "agentVersion").get("agentVersion", "")
        version = agent.versions.get(number)
        if version is None:
            raise ResourceNotFoundException(f"Version {number} not found for agent {agent.agent_id}")
        return json.dumps({"agentVersion": version})

    def list_agent_versions(self: Any) -> str:
        agent = agent_of(self)
        summaries = [
            {
                "agentName": agent.agent_name,
                "agentStatus": agent.agent_status,
                "agentVersion": "DRAFT",
                "createdAt": iso(agent.created_at),
                "updatedAt": iso(agent.updated_at),
            }
        ]
        for version in agent.versions.values():
            summaries.append(
                {
                    "agentName": version["agentName"],
                    "agentStatus": version["agentStatus"],
                    "agentVersion": version["version"],
                    "createdAt": version["createdAt"],
                    "updatedAt": version["updatedAt"],
                }
            )
        page, token = paginate(summaries, json_body(self), self.querystring)
        out: dict[str, Any] = {"agentVersionSummaries": page}
        if token:
            out["nextToken"] = token
        return json.dumps(out)

    for fn in (
        get_agent,
        delete_agent,
        prepare_agent,
        get_knowledge_base,
        delete_knowledge_base,
        create_agent_alias,
        get_agent_alias,
        update_agent_alias,
        delete_agent_alias,
        list_agent_aliases,
        get_agent_version,
        list_agent_versions,
    ):
        setattr(Response, fn.__name__, fn)

    CONTROL["bedrock-agent"] = {
        "backends": models.bedrockagent_backends,
        "set_agent_status": set_agent_status,
        "apply_alias_tags": apply_alias_tags,
    }


# --------------------------------------------------------------------------
# bedrock-agentcore-control
# --------------------------------------------------------------------------


def patch_agentcore() -> None:
    from moto.bedrockagentcorecontrol import models, responses

    Runtime = models.AgentRuntime
    Endpoint = models.AgentRuntimeEndpoint
    Backend = models.BedrockAgentCoreControlBackend
    Response = responses.BedrockAgentCoreControlResponse

    def runtime_arn(region: str, account: str, runtime_id: str) -> str:
        return f"arn:{models.get_partition(region)}:bedrock-agentcore:{region}:{account}:runtime/{runtime_id}"

    original_runtime_init = Runtime.__init__

    def runtime_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_runtime_init(self, *args, **kwargs)
        self.agent_runtime_id = f"{self.agent_runtime_name}-{random_id(MIXED_ALNUM)}"
        self.agent_runtime_arn = runtime_arn(self.region_name, self.account_id, self.agent_runtime_id)
        self.workload_identity_details = {
            "workloadIdentityArn": (
                f"arn:{models.get_partition(self.region_name)}:bedrock-agentcore:{self.region_name}:"
                f"{self.account_id}:workload-identity-directory/default/workload-identity/{self.agent_runtime_id}"
            )
        }
        self.failure_reason = None
        self.versions = []
        self._snapshot_version()

    original_runtime_update = Runtime.update

    def runtime_update(self: Any, *args: Any, **kwargs: Any) -> None:
        arn = self.agent_runtime_arn
        # moto rebuilds its old-style ARN from this; give it one, then restore.
        self.agent_runtime_arn = "arn:aws:bedrock-agentcore:r:a:agent/x:1"
        try:
            original_runtime_update(self, *args, **kwargs)
        finally:
            self.agent_runtime_arn = arn
        if self.versions:
            self.versions[-1]["agentRuntimeArn"] = arn

    original_endpoint_init = Endpoint.__init__

    def endpoint_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_endpoint_init(self, *args, **kwargs)
        self.endpoint_id = f"{self.name}-{random_id(MIXED_ALNUM)}"
        self.agent_runtime_endpoint_arn = f"{self.agent_runtime_arn}/runtime-endpoint/{self.name}"
        self.failure_reason = None

    Runtime.__init__ = runtime_init
    Runtime.update = runtime_update
    Endpoint.__init__ = endpoint_init

    def force_status(model: Any, status: str, reason: str | None = None) -> None:
        # A status outside moto's CREATING->READY transition list stays put.
        model._status = status
        if status.endswith("FAILED"):
            model.failure_reason = reason or f"{status} (set by the test harness)"
        elif reason is not None:
            model.failure_reason = reason
        else:
            model.failure_reason = None

    original_create_runtime = Backend.create_agent_runtime

    def create_agent_runtime(self: Any, *args: Any, **kwargs: Any) -> Any:
        runtime = original_create_runtime(self, *args, **kwargs)
        endpoint = self.create_agent_runtime_endpoint(
            agent_runtime_id=runtime.agent_runtime_id,
            name="DEFAULT",
            agent_runtime_version=None,
            description=None,
            tags=None,
        )
        tags = tags_dict(kwargs.get("tags"))
        if tags.get(STATUS_TAG):
            force_status(runtime, tags[STATUS_TAG])
        if tags.get(ENDPOINT_STATUS_TAG):
            force_status(endpoint, tags[ENDPOINT_STATUS_TAG])
        return runtime

    original_update_runtime = Backend.update_agent_runtime

    def update_agent_runtime(self: Any, *args: Any, **kwargs: Any) -> Any:
        runtime = original_update_runtime(self, *args, **kwargs)
        default = self.agent_runtime_endpoints.get((runtime.agent_runtime_id, "DEFAULT"))
        if default is not None:
            default.target_version = runtime.agent_runtime_version
            default.live_version = runtime.agent_runtime_version
            default.last_updated_at = runtime.last_updated_at
        return runtime

    Backend.create_agent_runtime = create_agent_runtime
    Backend.update_agent_runtime = update_agent_runtime

    def with_failure_reason(original: Any, lookup: Any) -> Any:
        def handler(self: Any) -> Any:
            result = original(self)
            model = lookup(self)
            if getattr(model, "failure_reason", None) and isinstance(result.result, dict):
                result.result["failureReason"] = model.failure_reason
            return result

        handler.__name__ = original.__name__
        return handler

    Response.get_agent_runtime = with_failure_reason(
        Response.get_agent_runtime,
        lambda r: r.backend._get_runtime(r._get_param("agentRuntimeId")),
    )
    Response.get_agent_runtime_endpoint = with_failure_reason(
        Response.get_agent_runtime_endpoint,
        lambda r: r.backend.agent_runtime_endpoints[(r._get_param("agentRuntimeId"), r._get_param("endpointName"))],
    )

    CONTROL["bedrock-agentcore-control"] = {
        "backends": models.bedrockagentcorecontrol_backends,
        "force_status": force_status,
    }


# --------------------------------------------------------------------------
# sts: trust policies
# --------------------------------------------------------------------------


def patch_sts() -> None:
    import moto.core.serialize as serialize
    from moto.core.errors import ErrorShape
    from moto.iam.models import iam_backends
    from moto.sts import exceptions as sts_exceptions
    from moto.sts import responses

    class AccessDenied(sts_exceptions.STSClientError):
        code = "AccessDenied"
        http_status = 403

    # moto derives the service of an error from its class's module.
    AccessDenied.__module__ = "moto.sts.exceptions"
    sts_exceptions.AccessDenied = AccessDenied

    original_get_error_model = serialize.get_error_model

    def get_error_model(exception: Exception, service_model: Any) -> Any:
        status = getattr(exception, "http_status", None)
        if status is None:
            return original_get_error_model(exception, service_model)
        code = getattr(exception, "code", exception.__class__.__name__)
        return ErrorShape(
            shape_name=code,
            shape_model={
                "exception": True,
                "type": "structure",
                "members": {},
                "error": {"code": code, "httpStatusCode": status, "senderFault": True},
            },
        )

    serialize.get_error_model = get_error_model

    def find_role(role_arn: str) -> Any:
        parts = role_arn.split(":")
        if len(parts) < 6 or parts[2] != "iam":
            return None
        account, partition = parts[4], parts[1]
        if account not in iam_backends:
            return None
        try:
            return iam_backends[account][partition].get_role_by_arn(role_arn)
        except Exception:
            return None

    original_assume_role = responses.TokenResponse.assume_role

    def assume_role(self: Any) -> Any:
        role_arn = self._get_param("RoleArn") or ""
        _, caller_arn, caller_account = self.backend.get_caller_identity(self.get_access_key(), self.region)
        context = {
            "sts:externalid": self._get_param("ExternalId"),
            "sts:rolesessionname": self._get_param("RoleSessionName"),
            "aws:principalaccount": caller_account,
            "aws:principalarn": caller_arn,
        }
        role = find_role(role_arn)
        if role is None or not trust_allows(role.assume_role_policy_document, caller_account, caller_arn, context):
            raise AccessDenied(
                f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            )
        return original_assume_role(self)

    assume_role.__name__ = "assume_role"
    responses.TokenResponse.assume_role = assume_role


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_policy(document: Any) -> dict[str, Any]:
    if isinstance(document, dict):
        return document
    text = str(document or "")
    for candidate in (text, unquote(text)):
        try:
            parsed = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            return parsed
    return {}


def principal_matches(principal: Any, account: str, caller_arn: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for entry in as_list(principal.get("AWS")):
        entry = str(entry)
        if entry in ("*", account, caller_arn):
            return True
        if entry.endswith(f":iam::{account}:root"):
            return True
    return False


def action_matches(actions: Any) -> bool:
    return any(fnmatch.fnmatchcase("sts:assumerole", str(a).lower()) for a in as_list(actions))


def condition_holds(conditions: Any, context: dict[str, Any]) -> bool:
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        return False
    for operator, clauses in conditions.items():
        if not isinstance(clauses, dict):
            return False
        for key, expected in clauses.items():
            actual = context.get(str(key).lower())
            wanted = [str(v) for v in as_list(expected)]
            if operator == "StringEquals":
                ok = actual is not None and str(actual) in wanted
            elif operator == "StringLike":
                ok = actual is not None and any(fnmatch.fnmatchcase(str(actual), w) for w in wanted)
            elif operator == "StringNotEquals":
                ok = actual is None or str(actual) not in wanted
            elif operator == "StringNotLike":
                ok = actual is None or not any(fnmatch.fnmatchcase(str(actual), w) for w in wanted)
            elif operator == "Null":
                ok = all((actual is None) == (w.lower() == "true") for w in wanted)
            else:
                ok = False  # an operator this harness does not know never grants access
            if not ok:
                return False
    return True


def trust_allows(document: Any, account: str, caller_arn: str, context: dict[str, Any]) -> bool:
    policy = parse_policy(document)
    allowed = False
    for statement in as_list(policy.get("Statement")):
        if not isinstance(statement, dict):
            continue
        if not action_matches(statement.get("Action")):
            continue
        if not principal_matches(statement.get("Principal"), account, caller_arn):
            continue
        if not condition_holds(statement.get("Condition"), context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


# --------------------------------------------------------------------------
# dynamodb: one request at a time
# --------------------------------------------------------------------------

DYNAMODB_LOCK = threading.Lock()


def patch_dynamodb_serial() -> None:
    from moto.dynamodb.responses import DynamoHandler

    original_call_action = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with DYNAMODB_LOCK:
            return original_call_action(self)

    DynamoHandler.call_action = call_action


# --------------------------------------------------------------------------
# call counter
# --------------------------------------------------------------------------

CALLS: dict[str, Counter[str]] = {}
CALLS_LOCK = threading.Lock()
CONTROL: dict[str, dict[str, Any]] = {}


def patch_call_counter() -> None:
    from moto.core.responses import BaseResponse

    original_call_action = BaseResponse.call_action

    def call_action(self: Any) -> Any:
        try:
            action = self._get_action()
            if action:
                key = f"{self.service_name}:{action}"
                with CALLS_LOCK:
                    CALLS.setdefault(str(self.current_account), Counter())[key] += 1
        except Exception:  # counting must never break a request
            pass
        return original_call_action(self)

    BaseResponse.call_action = call_action


def calls_snapshot(query: dict[str, list[str]]) -> dict[str, Any]:
    with CALLS_LOCK:
        if query.get("by_account", ["0"])[0] not in ("", "0", "false"):
            return {acct: dict(sorted(c.items())) for acct, c in sorted(CALLS.items())}
        accounts = query.get("account")
        total: Counter[str] = Counter()
        for acct, counter in CALLS.items():
            if accounts is None or acct in accounts:
                total.update(counter)
        return dict(sorted(total.items()))


# --------------------------------------------------------------------------
# test-only status control
# --------------------------------------------------------------------------


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def set_status(body: dict[str, Any]) -> None:
    account = str(body.get("account") or DEFAULT_ACCOUNT)
    region = str(body.get("region") or DEFAULT_REGION)
    status = body.get("status")
    if "agentRuntimeId" in body:
        ctl = CONTROL["bedrock-agentcore-control"]
        backend = ctl["backends"][account][region]
        runtime_id = str(body["agentRuntimeId"])
        if "endpointName" in body:
            key = (runtime_id, str(body["endpointName"]))
            target = backend.agent_runtime_endpoints.get(key)
            if target is None:
                raise ControlError(404, f"no endpoint {key[1]} on runtime {runtime_id} in {account}/{region}")
        else:
            target = backend.agent_runtimes.get(runtime_id)
            if target is None:
                raise ControlError(404, f"no runtime {runtime_id} in {account}/{region}")
        if not status:
            raise ControlError(400, "status is required")
        ctl["force_status"](target, str(status), body.get("failureReason"))
        return
    if "agentId" in body:
        ctl = CONTROL["bedrock-agent"]
        backend = ctl["backends"][account][region]
        agent = backend.agents.get(str(body["agentId"]))
        if agent is None:
            raise ControlError(404, f"no agent {body['agentId']} in {account}/{region}")
        if "agentAliasId" in body:
            alias = agent.aliases.get(str(body["agentAliasId"]))
            if alias is None:
                raise ControlError(404, f"no alias {body['agentAliasId']} on agent {agent.agent_id}")
            if status:
                alias["agentAliasStatus"] = str(status)
                if status == "FAILED":
                    alias.setdefault("failureReasons", ["Alias failed (set by the test harness)"])
                else:
                    alias.pop("failureReasons", None)
            if body.get("invocationState"):
                alias["aliasInvocationState"] = str(body["invocationState"])
            if not status and not body.get("invocationState"):
                raise ControlError(400, "status or invocationState is required")
            alias["updatedAt"] = now_iso()
            return
        if not status:
            raise ControlError(400, "status is required")
        if "agentVersion" in body:
            version = agent.versions.get(str(body["agentVersion"]))
            if version is None:
                raise ControlError(404, f"no version {body['agentVersion']} of agent {agent.agent_id}")
            version["agentStatus"] = str(status)
            version["updatedAt"] = now_iso()
            return
        ctl["set_agent_status"](agent, str(status), body.get("failureReasons"))
        return
    raise ControlError(400, "need agentId or agentRuntimeId")


def control_app(app: Any) -> Any:
    """WSGI middleware: /_reglint/* is answered here, everything else by moto."""

    def respond(start_response: Any, status: int, payload: Any) -> list[bytes]:
        data = json.dumps(payload).encode("utf-8")
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "Error")
        start_response(
            f"{status} {reason}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_reglint/"):
            answered = data_plane(environ, start_response)
            return app(environ, start_response) if answered is None else answered
        method = environ.get("REQUEST_METHOD", "GET")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        route = path.rstrip("/")
        if route == "/_reglint/calls" and method == "GET":
            return respond(start_response, 200, calls_snapshot(query))
        if route == "/_reglint/calls/reset" and method == "POST":
            with CALLS_LOCK:
                CALLS.clear()
            return respond(start_response, 200, {})
        setters = {"/_reglint/status": set_status, "/_reglint/agent-status": set_status, "/_reglint/invoke": set_invoke_mode}
        if route in setters and method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                raw = environ["wsgi.input"].read(length) if length else b""
                body = json.loads(raw or b"{}")
                if not isinstance(body, dict):
                    raise ControlError(400, "body must be a JSON object")
                setters[route](body)
            except ControlError as err:
                return respond(start_response, err.status, {"ok": False, "message": str(err)})
            except ValueError as err:
                return respond(start_response, 400, {"ok": False, "message": f"bad JSON: {err}"})
            return respond(start_response, 200, {"ok": True})
        return respond(start_response, 404, {"ok": False, "message": f"no route {method} {path}"})

    return wrapped


# --------------------------------------------------------------------------
# data plane: InvokeAgent and InvokeAgentRuntime (moto has neither)
# --------------------------------------------------------------------------

# (account, agentId, agentAliasId) or (account, runtimeArn) -> {"mode": ..., ...}
INVOKE_MODES: dict[tuple[str, ...], dict[str, Any]] = {}
# The access keys that have called each target, for "expired-once".
INVOKE_KEYS: dict[tuple[str, ...], list[str]] = {}
INVOKE_LOCK = threading.Lock()
INVOKE_AGENT_PATH = re.compile(r"^/agents/([^/]+)/agentAliases/([^/]+)/sessions/([^/]+)/text/?$")
# PATH_INFO is percent-decoded: the runtime ARN's "/" is there as it is.
INVOKE_RUNTIME_PATH = re.compile(r"^/runtimes/(.+)/invocations/?$")
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[0-9]{8}/([^/]+)/")


def event_header(name: str, value: str) -> bytes:
    """One event-stream header of type string (7)."""
    n, v = name.encode("utf-8"), value.encode("utf-8")
    return bytes([len(n)]) + n + bytes([7]) + struct.pack(">H", len(v)) + v


def event_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """An application/vnd.amazon.eventstream message: prelude (total length, headers length,
    CRC32 of both), headers, payload, CRC32 of everything before."""
    head = b"".join(event_header(k, v) for k, v in headers.items())
    prelude = struct.pack(">II", 12 + len(head) + len(payload) + 4, len(head))
    message = prelude + struct.pack(">I", binascii.crc32(prelude)) + head + payload
    return message + struct.pack(">I", binascii.crc32(message))


def chunk_event(text: str) -> bytes:
    payload = json.dumps({"bytes": base64.b64encode(text.encode("utf-8")).decode("ascii")})
    return event_frame(
        {":message-type": "event", ":event-type": "chunk", ":content-type": "application/json"},
        payload.encode("utf-8"),
    )


def exception_event(kind: str, message: str) -> bytes:
    return event_frame(
        {":message-type": "exception", ":exception-type": kind, ":content-type": "application/json"},
        json.dumps({"message": message}).encode("utf-8"),
    )


def caller_of(environ: dict[str, Any]) -> tuple[str, str, str]:
    """(access key, account, region) of a SigV4-signed request, the account as moto maps it."""
    from moto.iam.models import get_account_id_from

    match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return "", DEFAULT_ACCOUNT, DEFAULT_REGION
    return match.group(1), str(get_account_id_from(match.group(1))), match.group(2)


def aws_error(start_response: Any, status: int, code: str, message: str) -> list[bytes]:
    data = json.dumps({"message": message}).encode("utf-8")
    start_response(
        f"{status} {code}",
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("Content-Length", str(len(data)))],
    )
    return [data]


def invoke_mode(target: tuple[str, ...], access_key: str) -> str:
    """The test's mode for the target; "expired-once" answers as expired to the first access key
    that calls and as "answer" to any other (the credentials re-resolved)."""
    with INVOKE_LOCK:
        mode = str(INVOKE_MODES.get(target, {}).get("mode", "answer"))
        keys = INVOKE_KEYS.setdefault(target, [])
        if access_key not in keys:
            keys.append(access_key)
        if mode == "expired-once":
            return "expired" if keys[0] == access_key else "answer"
        return mode


def refusal(start_response: Any, mode: str, action: str, resource: str) -> list[bytes] | None:
    if mode == "expired":
        return aws_error(start_response, 403, "ExpiredTokenException", "The security token included in the request is expired")
    if mode == "access-denied":
        return aws_error(
            start_response, 403, "AccessDeniedException",
            f"User is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
        )
    if mode == "validation":
        return aws_error(start_response, 400, "ValidationException", "1 validation error detected: Value at 'agentAliasId' failed to satisfy constraint")
    if mode == "throttle":
        return aws_error(start_response, 429, "ThrottlingException", "Rate exceeded")
    if mode == "not-found":
        return aws_error(start_response, 404, "ResourceNotFoundException", f"{resource} was not found")
    return None


def stream(frames: list[bytes], mode: str) -> Any:
    for frame in frames:
        yield frame
    if mode == "hang":
        # Never ends on its own: the client's timeout must.
        time.sleep(120)


def invoke_agent(environ: dict[str, Any], start_response: Any, agent_id: str, alias_id: str, session_id: str) -> list[bytes] | Any:
    access_key, account, region = caller_of(environ)
    with CALLS_LOCK:
        CALLS.setdefault(account, Counter())["bedrock-agent-runtime:InvokeAgent"] += 1
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
    resource = f"arn:aws:bedrock:{region}:{account}:agent-alias/{agent_id}/{alias_id}"
    mode = invoke_mode((account, agent_id, alias_id), access_key)
    refused = refusal(start_response, mode, "bedrock:InvokeAgent", resource)
    if refused is not None:
        return refused
    backend = CONTROL["bedrock-agent"]["backends"][account][region]
    agent = backend.agents.get(agent_id)
    if agent is None or alias_id not in agent.aliases:
        return aws_error(start_response, 404, "ResourceNotFoundException", f"Failed to retrieve resource because it doesn't exist. Please check that the ARN {resource} is correct")
    answer = f"Hello from account {account}: agent {agent_id} alias {alias_id} heard '{body.get('inputText', '')}'"
    if mode == "big":
        answer = answer + " " + "x" * 300_000
    half = len(answer) // 2
    frames = [chunk_event(answer[:half]), chunk_event(answer[half:])]
    if mode == "error-mid-stream":
        frames = [frames[0], exception_event("dependencyFailedException", "The action group's Lambda function failed")]
    elif mode == "hang":
        frames = frames[:1]
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/vnd.amazon.eventstream"),
            ("x-amzn-bedrock-agent-content-type", "application/json"),
            ("x-amz-bedrock-agent-session-id", unquote(session_id)),
        ],
    )
    return stream(frames, mode)


def invoke_runtime(environ: dict[str, Any], start_response: Any, arn: str) -> list[bytes] | Any:
    access_key, account, _region = caller_of(environ)
    with CALLS_LOCK:
        CALLS.setdefault(account, Counter())["bedrock-agentcore:InvokeAgentRuntime"] += 1
    qualifier = parse_qs(environ.get("QUERY_STRING", "")).get("qualifier", ["DEFAULT"])[0]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    payload = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
    mode = invoke_mode((account, arn), access_key)
    refused = refusal(start_response, mode, "bedrock-agentcore:InvokeAgentRuntime", arn)
    if refused is not None:
        return refused
    parts = arn.split(":")
    backend = CONTROL["bedrock-agentcore-control"]["backends"][account][parts[3] if len(parts) > 3 else DEFAULT_REGION]
    runtime_id = arn.rsplit("/", 1)[-1]
    if runtime_id not in backend.agent_runtimes or (runtime_id, qualifier) not in backend.agent_runtime_endpoints:
        return aws_error(start_response, 404, "ResourceNotFoundException", f"runtime {arn} endpoint {qualifier} was not found")
    data = json.dumps({"result": f"Hello from account {account}: runtime {runtime_id} endpoint {qualifier} heard '{payload.get('prompt', '')}'"}).encode("utf-8")
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/json"),
            ("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", environ.get("HTTP_X_AMZN_BEDROCK_AGENTCORE_RUNTIME_SESSION_ID", "")),
        ],
    )
    return stream([data[: len(data) // 2], data[len(data) // 2 :]], mode)


def data_plane(environ: dict[str, Any], start_response: Any) -> list[bytes] | Any | None:
    """Answers InvokeAgent and InvokeAgentRuntime; None for any other request."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    path = environ.get("PATH_INFO", "")
    match = INVOKE_AGENT_PATH.match(path)
    if match:
        return invoke_agent(environ, start_response, *(unquote(g) for g in match.groups()))
    match = INVOKE_RUNTIME_PATH.match(path)
    if match:
        return invoke_runtime(environ, start_response, unquote(match.group(1)))
    return None


def set_invoke_mode(body: dict[str, Any]) -> None:
    account = str(body.get("account") or DEFAULT_ACCOUNT)
    mode = str(body.get("mode") or "answer")
    if mode not in ("answer", "access-denied", "not-found", "validation", "throttle", "expired", "expired-once", "error-mid-stream", "hang", "big"):
        raise ControlError(400, f"unknown mode {mode}")
    if "agentRuntimeArn" in body:
        target: tuple[str, ...] = (account, str(body["agentRuntimeArn"]))
    elif "agentId" in body and "agentAliasId" in body:
        target = (account, str(body["agentId"]), str(body["agentAliasId"]))
    else:
        raise ControlError(400, "need agentId and agentAliasId, or agentRuntimeArn")
    with INVOKE_LOCK:
        INVOKE_MODES[target] = {"mode": mode}
        INVOKE_KEYS.pop(target, None)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    port = int(args[0]) if args else 0
    exit_on_eof = "--exit-on-stdin-eof" in argv

    # The account must follow the credentials of each request.
    os.environ.pop("MOTO_ACCOUNT_ID", None)

    from werkzeug.serving import make_server

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    patch_bedrock_agent()
    patch_agentcore()
    patch_sts()
    if os.environ.get("REGLINT_MOTO_CONCURRENT_DYNAMODB") != "1":
        patch_dynamodb_serial()
    patch_call_counter()

    verbose = os.environ.get("REGLINT_MOTO_VERBOSE") == "1"

    class Handler(MotoRequestHandler):
        def log_request(self, *a: Any, **k: Any) -> None:
            if verbose:
                super().log_request(*a, **k)

    app = control_app(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=Handler)
    actual_port = server.server_port
    os.environ["MOTO_PORT"] = str(actual_port)

    stdout = sys.stdout
    sys.stdout = sys.stderr
    stdout.write(f"READY {actual_port}\n")
    stdout.flush()

    if exit_on_eof:

        def watch_stdin() -> None:
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            finally:
                os._exit(0)

        threading.Thread(target=watch_stdin, daemon=True).start()

    import signal

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
