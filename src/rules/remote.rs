//! Remote rules (`--verify`): they never see an SDK client. The verify layer
//! ([`crate::verify`]) gathers facts from STS and the Bedrock control plane once per account,
//! agent, alias and runtime, and turns them into findings of these rules.

use super::{rule_doc, Check, FixAvailability, Rule};
use crate::diagnostic::Severity;

/// AssumeRole into the item's account was refused (or no role is configured for it).
pub static RG401: Rule = Rule {
    code: "RG401",
    name: "role-assumption-denied",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "AssumeRole into the item's account refused",
    doc: rule_doc!("RG401"),
    check: Check::Remote,
};

/// The assumed identity is in another account than the item's.
pub static RG402: Rule = Rule {
    code: "RG402",
    name: "identity-mismatch",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the assumed identity is in another account than account_id",
    doc: rule_doc!("RG402"),
    check: Check::Remote,
};

/// GetAgent: no such agent in the item's account.
pub static RG403: Rule = Rule {
    code: "RG403",
    name: "agent-not-found",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    summary: "the agent does not exist in the item's account",
    doc: rule_doc!("RG403"),
    check: Check::Remote,
};

/// The agent's status is not PREPARED.
pub static RG404: Rule = Rule {
    code: "RG404",
    name: "agent-not-prepared",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "agentStatus not PREPARED (transitional states: warning)",
    doc: rule_doc!("RG404"),
    check: Check::Remote,
};

/// GetAgentAlias: no such alias.
pub static RG405: Rule = Rule {
    code: "RG405",
    name: "alias-not-found",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the alias does not exist on the agent",
    doc: rule_doc!("RG405"),
    check: Check::Remote,
};

/// The alias cannot take invocations.
pub static RG406: Rule = Rule {
    code: "RG406",
    name: "alias-not-usable",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "aliasStatus not PREPARED, REJECT_INVOCATIONS, or no routing",
    doc: rule_doc!("RG406"),
    check: Check::Remote,
};

/// GetAgentRuntime: no such runtime.
pub static RG407: Rule = Rule {
    code: "RG407",
    name: "runtime-not-found",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the AgentCore runtime does not exist",
    doc: rule_doc!("RG407"),
    check: Check::Remote,
};

/// The runtime or its endpoint is not READY.
pub static RG408: Rule = Rule {
    code: "RG408",
    name: "runtime-not-ready",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the runtime or its endpoint (qualifier) not READY",
    doc: rule_doc!("RG408"),
    check: Check::Remote,
};

/// The assumed role lacks a control-plane permission.
pub static RG409: Rule = Rule {
    code: "RG409",
    name: "verify-access-denied",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "the assumed role lacks a control-plane permission (item unverified)",
    doc: rule_doc!("RG409"),
    check: Check::Remote,
};

/// Throttled past retries, network or service errors.
pub static RG410: Rule = Rule {
    code: "RG410",
    name: "verify-unavailable",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "throttled past retries, network or service errors (item unverified)",
    doc: rule_doc!("RG410"),
    check: Check::Remote,
};
