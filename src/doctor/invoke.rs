//! `doctor --invoke`: the last step, one invocation through the entry's account session, after
//! every control-plane step passed. Its failures name the cause and what to check next.

use std::io::{self, Write};

use crate::aws::invoke::{seconds, Answer, Invocation, InvokeFailure, InvokeFailureKind};
use crate::report::doctor::{Step, StepAnswer, StepStatus};
use crate::verify::{judge, ItemTarget, Place, Target};

use super::{Printer, Reached};

/// Characters of the answer the step shows.
const PREVIEW_CHARS: usize = 200;

/// The step's name for the entry's kind.
fn step_name(target: &ItemTarget) -> &'static str {
    match target.target {
        Target::Agent { .. } => "InvokeAgent",
        Target::Runtime { .. } => "InvokeAgentRuntime",
    }
}

/// Invokes the entry when the checklist reached its end with every step passed; else the step
/// is skipped.
pub(super) async fn step<W: Write>(
    reached: Option<&Reached>,
    target: &ItemTarget,
    invocation: &Invocation,
    p: &mut Printer<W>,
) -> io::Result<()> {
    let name = step_name(target);
    let Some(reached) = reached.filter(|_| !p.failed()) else {
        return p.skip(&[name]);
    };
    let plane = reached
        .sessions
        .data_plane(&reached.session, &reached.place.region);
    let outcome = match &target.target {
        Target::Agent { agent_id, alias_id } => {
            let alias_arn = alias_arn(&reached.place, agent_id, alias_id);
            plane
                .invoke_agent(&alias_arn, agent_id, alias_id, invocation)
                .await
        }
        Target::Runtime {
            runtime_arn,
            qualifier,
        } => {
            plane
                .invoke_runtime(runtime_arn, qualifier, invocation)
                .await
        }
    };
    match outcome {
        Ok(answer) => p.push(answered(name, &answer, invocation)),
        Err(failure) => {
            let next = next_step(&failure, target, reached, invocation).await;
            p.push(Step {
                name: name.to_string(),
                status: StepStatus::Failed,
                detail: failed_detail(&failure),
                next: Some(next),
                duration: Default::default(),
                answer: Some(step_answer(&failure.partial)),
            })
        }
    }
}

/// `arn:aws:bedrock:<region>:<account>:agent-alias/<agent>/<alias>`: the resource InvokeAgent
/// is authorised on.
fn alias_arn(place: &Place, agent_id: &str, alias_id: &str) -> String {
    format!(
        "arn:{}:bedrock:{}:{}:agent-alias/{agent_id}/{alias_id}",
        crate::aws::bedrock::partition_of(&place.region),
        place.region,
        place.account
    )
}

fn step_answer(answer: &Answer) -> StepAnswer {
    StepAnswer {
        preview: answer.text.chars().take(PREVIEW_CHARS).collect(),
        bytes: answer.bytes,
        truncated: answer.truncated,
        first_chunk: answer.first_chunk,
        elapsed: answer.elapsed,
    }
}

fn answered(name: &str, answer: &Answer, invocation: &Invocation) -> Step {
    let shown = step_answer(answer);
    let more = if answer.text.chars().count() > PREVIEW_CHARS {
        "…"
    } else {
        ""
    };
    let first = answer.first_chunk.map_or_else(
        || "no chunk".to_string(),
        |d| format!("first chunk after {}", secs(d)),
    );
    let mut notes = Vec::new();
    if answer.truncated {
        notes.push(format!(
            "; stopped reading at the limit of {} bytes (--invoke-max-bytes)",
            invocation.max_bytes
        ));
    }
    if answer.refreshed {
        notes.push("; the credentials expired once and were re-resolved".to_string());
    }
    let (status, detail) = if answer.bytes == 0 {
        (
            StepStatus::Failed,
            format!("the answer ended empty after {}", secs(answer.elapsed)),
        )
    } else {
        (
            StepStatus::Passed,
            format!(
                "answered {} bytes in {} ({first}){}: \"{}{more}\"",
                answer.bytes,
                secs(answer.elapsed),
                notes.concat(),
                shown.preview
            ),
        )
    };
    let next = (status == StepStatus::Failed).then(|| {
        "the agent answered nothing: check its instructions and model access in the console's test window".to_string()
    });
    Step {
        name: name.to_string(),
        status,
        detail,
        next,
        duration: Default::default(),
        answer: Some(shown),
    }
}

/// Seconds with millisecond precision.
fn secs(d: std::time::Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn failed_detail(f: &InvokeFailure) -> String {
    let what = match f.kind {
        InvokeFailureKind::AccessDenied => "access denied",
        InvokeFailureKind::NotFound => "not found",
        InvokeFailureKind::Validation => "the request was rejected as invalid",
        InvokeFailureKind::Credentials => {
            "the credentials expired, and again after they were re-resolved"
        }
        InvokeFailureKind::Throttled => "throttled past retries",
        InvokeFailureKind::StreamError => "the answer's stream ended with an error event",
        InvokeFailureKind::Timeout => "timed out",
        InvokeFailureKind::Unavailable => "service unavailable",
        InvokeFailureKind::Other => "unexpected error",
    };
    let received = match f.partial.bytes {
        0 => String::new(),
        n => format!(" after {n} bytes of answer"),
    };
    match f.reason() {
        r if r.is_empty() => format!("{what}{received}"),
        r => format!("{what}{received} ({r})"),
    }
}

/// What to check next for each cause the seed lists.
async fn next_step(
    f: &InvokeFailure,
    target: &ItemTarget,
    reached: &Reached,
    invocation: &Invocation,
) -> String {
    let place = &reached.place;
    match f.kind {
        InvokeFailureKind::AccessDenied => format!(
            "allow {} on {} in the policy of {} (`reglint iam-policy --mode invoke` prints it)",
            f.action, f.resource, reached.who
        ),
        InvokeFailureKind::NotFound => not_found_next(target, reached).await,
        InvokeFailureKind::Validation => validation_next(target),
        InvokeFailureKind::Credentials => format!(
            "the session of account {} was re-resolved once and still expired: check the clock of this machine and the role's maximum session duration, then rerun",
            place.account
        ),
        InvokeFailureKind::Throttled => format!(
            "the agent's account {} is at its InvokeAgent quota: rerun later, or ask for a higher quota in Service Quotas",
            place.account
        ),
        InvokeFailureKind::StreamError => "the agent started to answer and then failed: see the error event's message; the agent's trace (enableTrace) or its CloudWatch logs say more".to_string(),
        InvokeFailureKind::Timeout => format!(
            "the answer did not end within {} (--invoke-timeout): the agent may be waiting on a slow action group or model; raise --invoke-timeout or check the agent's trace",
            seconds(invocation.timeout)
        ),
        InvokeFailureKind::Unavailable | InvokeFailureKind::Other => {
            "rerun later; check the network path to the Bedrock runtime endpoint".to_string()
        }
    }
}

/// Not found by the data plane after the control plane found it: where RG403's search finds
/// the agent, else the Region and the endpoint.
async fn not_found_next(target: &ItemTarget, reached: &Reached) -> String {
    let place = &reached.place;
    let Target::Agent { agent_id, .. } = &target.target else {
        return format!(
            "the runtime was found by the control plane in account {} ({}) but not by the data plane: check the qualifier and the runtime's Region",
            place.account, place.region
        );
    };
    let found = crate::verify::search_elsewhere(&reached.sessions, place, agent_id).await;
    match judge::found_elsewhere(found.as_deref(), &reached.sessions.local_account) {
        Some(judge::FoundElsewhere { account, local }) => {
            let which = if local { "the local account" } else { "account" };
            format!("the agent exists in {which} {account}: register it there (account_id {account}) — the RG403 search found it")
        }
        None => format!(
            "the control plane found agent {agent_id} in account {} ({}), InvokeAgent did not, and no other account has it: check that the hub invokes in {} and that the alias is deployed there",
            place.account, place.region, place.region
        ),
    }
}

/// A rejected request: the IDs sent, judged by the RG101 rule.
fn validation_next(target: &ItemTarget) -> String {
    let ids: Vec<&str> = match &target.target {
        Target::Agent { agent_id, alias_id } => vec![agent_id, alias_id],
        Target::Runtime { runtime_arn, .. } => vec![runtime_arn],
    };
    let stray: Vec<String> = ids
        .iter()
        .filter_map(|id| {
            let stray = crate::rules::rg101_stray_character_in_identifier::stray_characters(id);
            (!stray.is_empty()).then(|| format!("RG101: {id:?} holds {}", stray.join(", ")))
        })
        .collect();
    if stray.is_empty() {
        format!(
            "the IDs sent ({}) pass RG101 and the ID patterns; check the input text (at most 25,000 characters) and rerun with -v to see the request",
            ids.join(", ")
        )
    } else {
        format!(
            "{}: correct the stored ID (`reglint check --fix` removes stray characters)",
            stray.join("; ")
        )
    }
}
