//! The decisions of the remote rules, one function each, over gathered facts. `--verify` turns
//! them into findings (RG403–RG408) and `doctor` into steps; both call these, so they cannot
//! disagree about what is ready, what is missing and what is nearest.

use crate::aws::bedrock::{
    AgentFacts, AliasFacts, AliasSummary, EndpointFacts, Lookup, RuntimeFacts,
};

use super::DRAFT_ALIAS;

/// A status that is on its way somewhere: a warning, not an error, while it lasts.
pub fn is_transitional(status: &str) -> bool {
    matches!(status, "CREATING" | "PREPARING" | "UPDATING" | "VERSIONING")
}

/// `" (reason; reason)"`, or nothing.
pub fn joined_reasons(reasons: &[String]) -> String {
    if reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", reasons.join("; "))
    }
}

/// Whether an agent's state lets its alias be invoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentReadiness {
    Prepared,
    /// The draft is not prepared, but the alias routes to a published version it does not affect.
    DraftNotUsed {
        status: String,
        version: String,
    },
    /// Not ready: deleting, or not prepared while the alias routes to the draft.
    NotReady {
        status: String,
        routes_to_draft: bool,
        transitional: bool,
    },
}

/// RG404: the agent's status, read with the alias's routing (`alias` as gathered; an alias not
/// found or not asked about counts as routing to the draft).
pub fn agent_readiness(
    agent: &AgentFacts,
    alias_id: &str,
    alias: Option<&Lookup<AliasFacts>>,
) -> AgentReadiness {
    if agent.status == "PREPARED" {
        return AgentReadiness::Prepared;
    }
    let found = match alias {
        Some(Lookup::Found(a)) => Some(a),
        _ => None,
    };
    let routes_to_draft =
        alias_id == DRAFT_ALIAS || found.is_none_or(|a| a.routing.iter().any(|v| v == "DRAFT"));
    let version = found.and_then(|a| a.routing.first().cloned());
    match version {
        Some(version) if !routes_to_draft && agent.status != "DELETING" => {
            AgentReadiness::DraftNotUsed {
                status: agent.status.clone(),
                version,
            }
        }
        _ => AgentReadiness::NotReady {
            status: agent.status.clone(),
            routes_to_draft,
            transitional: is_transitional(&agent.status),
        },
    }
}

/// What keeps an alias from being invoked (RG406), in the order a person fixes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasProblem {
    NotPrepared { status: String, transitional: bool },
    RejectsInvocations,
    NoRouting,
}

/// RG406: every problem of an alias; none when it can be invoked.
pub fn alias_problems(alias: &AliasFacts) -> Vec<AliasProblem> {
    let mut out = Vec::new();
    if alias.status != "PREPARED" {
        out.push(AliasProblem::NotPrepared {
            status: alias.status.clone(),
            transitional: is_transitional(&alias.status),
        });
    }
    if alias.invocation_state.as_deref() == Some("REJECT_INVOCATIONS") {
        out.push(AliasProblem::RejectsInvocations);
    }
    if alias.routing.is_empty() {
        out.push(AliasProblem::NoRouting);
    }
    out
}

/// RG405: the agent's aliases, nearest to the missing `alias_id` first (edit distance,
/// ignoring case; ties by ID).
pub fn nearest_aliases<'a>(list: &'a [AliasSummary], alias_id: &str) -> Vec<&'a AliasSummary> {
    let wanted = alias_id.to_ascii_uppercase();
    let mut sorted: Vec<&AliasSummary> = list.iter().collect();
    sorted.sort_by(|a, b| {
        let d = |s: &AliasSummary| strsim::levenshtein(&s.id.to_ascii_uppercase(), &wanted);
        d(a).cmp(&d(b)).then_with(|| a.id.cmp(&b.id))
    });
    sorted
}

/// RG403: the account where a missing agent was found instead, when the search found it.
/// `local` marks the local account, which is where an entry without `account_id` is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundElsewhere {
    pub account: String,
    pub local: bool,
}

/// RG403: where else the agent lives, from the cross-account search.
pub fn found_elsewhere(found_in: Option<&str>, local_account: &str) -> Option<FoundElsewhere> {
    found_in.map(|account| FoundElsewhere {
        account: account.to_string(),
        local: account == local_account,
    })
}

/// RG408: a runtime or endpoint status that is not READY, with its failure reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    pub status: String,
    pub reason: Option<String>,
    pub transitional: bool,
}

impl NotReady {
    /// `"FAILED (reason)"`.
    pub fn describe(&self) -> String {
        format!(
            "{}{}",
            self.status,
            self.reason
                .as_ref()
                .map_or_else(String::new, |r| format!(" ({r})"))
        )
    }
}

fn ready(status: &str, reason: Option<&String>) -> Option<NotReady> {
    (status != "READY").then(|| NotReady {
        status: status.to_string(),
        reason: reason.cloned(),
        transitional: is_transitional(status),
    })
}

/// RG408: whether the runtime is ready.
pub fn runtime_readiness(runtime: &RuntimeFacts) -> Option<NotReady> {
    ready(&runtime.status, runtime.failure_reason.as_ref())
}

/// RG408: whether the endpoint (`qualifier`) is ready.
pub fn endpoint_readiness(endpoint: &EndpointFacts) -> Option<NotReady> {
    ready(&endpoint.status, endpoint.failure_reason.as_ref())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn agent(status: &str) -> AgentFacts {
        AgentFacts {
            arn: "arn".into(),
            name: "a".into(),
            status: status.into(),
            failure_reasons: vec![],
        }
    }

    fn alias(routing: &[&str]) -> Lookup<AliasFacts> {
        Lookup::Found(AliasFacts {
            name: "prod".into(),
            status: "PREPARED".into(),
            invocation_state: None,
            routing: routing.iter().map(|s| s.to_string()).collect(),
            failure_reasons: vec![],
        })
    }

    #[test]
    fn a_draft_that_no_alias_uses_does_not_stop_routing() {
        let a = agent("NOT_PREPARED");
        assert_eq!(
            agent_readiness(&a, "AL1ASV2PRD", Some(&alias(&["3"]))),
            AgentReadiness::DraftNotUsed {
                status: "NOT_PREPARED".into(),
                version: "3".into()
            }
        );
        assert!(matches!(
            agent_readiness(&a, "AL1ASV2PRD", Some(&alias(&["DRAFT"]))),
            AgentReadiness::NotReady {
                routes_to_draft: true,
                ..
            }
        ));
        assert!(matches!(
            agent_readiness(&a, DRAFT_ALIAS, Some(&alias(&["3"]))),
            AgentReadiness::NotReady {
                routes_to_draft: true,
                ..
            }
        ));
        assert!(matches!(
            agent_readiness(&agent("DELETING"), "AL1ASV2PRD", Some(&alias(&["3"]))),
            AgentReadiness::NotReady {
                transitional: false,
                ..
            }
        ));
        assert_eq!(
            agent_readiness(&agent("PREPARED"), DRAFT_ALIAS, None),
            AgentReadiness::Prepared
        );
    }

    #[test]
    fn the_nearest_alias_ignores_case() {
        let list = vec![
            AliasSummary {
                id: "ZZZZZZZZZZ".into(),
                name: "z".into(),
                status: "PREPARED".into(),
            },
            AliasSummary {
                id: "io1gtthp0n".into(),
                name: "prod".into(),
                status: "PREPARED".into(),
            },
        ];
        assert_eq!(nearest_aliases(&list, "IO1GTTHP0M")[0].id, "io1gtthp0n");
    }
}
