//! The Bedrock control-plane calls `--verify` and `doctor` make, for one account in one region:
//! GetAgent, GetAgentAlias, ListAgentAliases, GetAgentRuntime and GetAgentRuntimeEndpoint.
//!
//! Each call waits for a slot of a client-side pace (under the published per-Region quotas:
//! GetAgent 15/s, GetAgentAlias and ListAgentAliases 10/s) and for a permit of the run's
//! concurrency bound, then goes out with the client's adaptive retries. Answers come back as
//! plain facts ([`Lookup`]), never SDK types, so everything above this module is testable
//! without AWS. An expired token makes the session's clients re-resolve their credentials once.

use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::errors::{classify_response, AwsFailure};

/// IAM actions, as the messages name them.
pub const GET_AGENT: &str = "bedrock:GetAgent";
pub const GET_AGENT_ALIAS: &str = "bedrock:GetAgentAlias";
pub const LIST_AGENT_ALIASES: &str = "bedrock:ListAgentAliases";
pub const GET_AGENT_RUNTIME: &str = "bedrock-agentcore:GetAgentRuntime";
pub const GET_AGENT_RUNTIME_ENDPOINT: &str = "bedrock-agentcore:GetAgentRuntimeEndpoint";

/// Calls per second reglint allows itself per account and Region. A call goes out within half
/// an interval of its slot, so a second holds at most one more: 15 GetAgent, 10 GetAgentAlias.
const GET_AGENT_PER_SECOND: u32 = 14;
const GET_AGENT_ALIAS_PER_SECOND: u32 = 9;
const LIST_AGENT_ALIASES_PER_SECOND: u32 = 9;
/// AgentCore publishes no control-plane quota; stay as low as for aliases.
const AGENTCORE_PER_SECOND: u32 = 9;

/// The answer to one control-plane question.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<T> {
    Found(T),
    /// ResourceNotFoundException, with the service's message.
    NotFound(String),
    /// The question could not be answered.
    Failed(CallFailure),
}

impl<T> Lookup<T> {
    pub fn found(&self) -> Option<&T> {
        match self {
            Lookup::Found(t) => Some(t),
            _ => None,
        }
    }
}

/// Why a call could not be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// AccessDeniedException: the credentials lack the action (RG409).
    AccessDenied,
    /// Throttled past retries (RG410).
    Throttled,
    /// 5xx, network, timeouts (RG410).
    Unavailable,
    /// The token expired and re-resolving the credentials did not help (RG410).
    Credentials,
    /// Anything else the service answered (RG410).
    Other,
}

/// A failed call: what was asked, on what, and why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFailure {
    pub kind: FailureKind,
    /// The IAM action (`bedrock:GetAgent`).
    pub action: &'static str,
    /// The resource ARN the action was called on.
    pub resource: String,
    /// The service's error code and message, or the network error.
    pub message: String,
}

impl CallFailure {
    /// "throttled past retries (ThrottlingException: Rate exceeded)" and the like.
    pub fn reason(&self) -> String {
        let what = match self.kind {
            FailureKind::AccessDenied => "access denied",
            FailureKind::Throttled => "throttled past retries",
            FailureKind::Unavailable => "service unavailable",
            FailureKind::Credentials => "credentials expired and could not be refreshed",
            FailureKind::Other => "unexpected error",
        };
        if self.message.is_empty() {
            what.to_string()
        } else {
            format!("{what} ({})", self.message)
        }
    }
}

/// What GetAgent says about an agent (its working draft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentFacts {
    pub arn: String,
    pub name: String,
    pub status: String,
    pub failure_reasons: Vec<String>,
}

/// What GetAgentAlias says about an alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasFacts {
    pub name: String,
    pub status: String,
    pub invocation_state: Option<String>,
    /// The versions the alias routes to (`DRAFT`, `1`, …).
    pub routing: Vec<String>,
    pub failure_reasons: Vec<String>,
}

/// One alias of ListAgentAliases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasSummary {
    pub id: String,
    pub name: String,
    pub status: String,
}

/// What GetAgentRuntime says about a runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeFacts {
    pub status: String,
    pub version: String,
    pub failure_reason: Option<String>,
}

/// What GetAgentRuntimeEndpoint says about an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointFacts {
    pub status: String,
    pub live_version: Option<String>,
    pub failure_reason: Option<String>,
}

/// The clients of one account in one Region.
#[derive(Debug, Clone)]
pub struct ControlPlaneClients {
    pub agents: aws_sdk_bedrockagent::Client,
    pub runtimes: aws_sdk_bedrockagentcorecontrol::Client,
}

/// Builds fresh clients whose credentials are resolved anew (after an expired token).
pub type Rebuild = Box<dyn Fn() -> ControlPlaneClients + Send + Sync>;

/// At most one call per interval: calls are spaced evenly, so no window of one second holds
/// more than the rate.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    next: tokio::sync::Mutex<Option<Instant>>,
}

impl Pace {
    pub fn per_second(rate: u32) -> Pace {
        Pace {
            interval: Duration::from_secs(1) / rate.max(1),
            next: tokio::sync::Mutex::new(None),
        }
    }

    /// Reserves the next slot at or after `now`.
    async fn reserve(&self, now: Instant) -> Instant {
        let mut next = self.next.lock().await;
        let slot = next.map_or(now, |n| n.max(now));
        *next = Some(slot + self.interval);
        slot
    }

    /// Waits for this call's slot.
    pub async fn wait(&self) {
        let slot = self.reserve(Instant::now()).await;
        tokio::time::sleep_until(slot).await;
    }
}

#[derive(Debug)]
struct Paces {
    get_agent: Pace,
    get_alias: Pace,
    list_aliases: Pace,
    runtimes: Pace,
}

impl Default for Paces {
    fn default() -> Self {
        Paces {
            get_agent: Pace::per_second(GET_AGENT_PER_SECOND),
            get_alias: Pace::per_second(GET_AGENT_ALIAS_PER_SECOND),
            list_aliases: Pace::per_second(LIST_AGENT_ALIASES_PER_SECOND),
            runtimes: Pace::per_second(AGENTCORE_PER_SECOND),
        }
    }
}

/// The control plane of one account in one Region.
pub struct ControlPlane {
    pub account: String,
    pub region: String,
    clients: RwLock<(u64, ControlPlaneClients)>,
    rebuild: Rebuild,
    paces: Paces,
    permits: Arc<Semaphore>,
    refreshes: AtomicU32,
    generation: AtomicU64,
}

impl std::fmt::Debug for ControlPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ControlPlane({} {})", self.account, self.region)
    }
}

/// A call's error, classified, with its code kept for the message.
struct Classified {
    failure: AwsFailure,
    code: String,
}

fn classified<E>(err: &SdkError<E, HttpResponse>) -> Classified
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (failure, code, _) = classify_response(err);
    Classified { failure, code }
}

impl ControlPlane {
    /// `permits` bounds the calls in flight across the run.
    pub fn new(
        account: impl Into<String>,
        region: impl Into<String>,
        clients: ControlPlaneClients,
        rebuild: Rebuild,
        permits: Arc<Semaphore>,
    ) -> ControlPlane {
        ControlPlane {
            account: account.into(),
            region: region.into(),
            clients: RwLock::new((0, clients)),
            rebuild,
            paces: Paces::default(),
            permits,
            refreshes: AtomicU32::new(0),
            generation: AtomicU64::new(0),
        }
    }

    /// How often the credentials were re-resolved after an expired token.
    pub fn refreshes(&self) -> u32 {
        self.refreshes.load(Ordering::Relaxed)
    }

    fn current(&self) -> (u64, ControlPlaneClients) {
        match self.clients.read() {
            Ok(g) => (g.0, g.1.clone()),
            Err(poisoned) => {
                let g = poisoned.into_inner();
                (g.0, g.1.clone())
            }
        }
    }

    /// Replaces the clients once per generation: concurrent calls that all saw the expired
    /// token refresh only once.
    fn refresh(&self, seen: u64) {
        let mut guard = match self.clients.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if guard.0 != seen {
            return;
        }
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        *guard = (generation, (self.rebuild)());
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(account = %self.account, region = %self.region, "credentials re-resolved after an expired token");
    }

    /// Waits for a slot of the pace, then for a permit of the run's bound. The permit is not
    /// held while waiting for the pace, so that one account's pace does not hold up the others.
    /// A call that got its permit too late for its slot takes a new slot: each call goes out
    /// within half an interval of a slot of its own, so no second holds more than the rate
    /// and one call.
    async fn slot_and_permit(&self, pace: &Pace) -> Option<tokio::sync::SemaphorePermit<'_>> {
        loop {
            pace.wait().await;
            let slot_passed = Instant::now();
            let permit = self.permits.acquire().await.ok();
            if slot_passed.elapsed() <= pace.interval / 2 {
                return permit;
            }
        }
    }

    /// Runs one call: pace, permit, send; on an expired token, new credentials and one more try.
    async fn call<T, F, Fut>(
        &self,
        pace: &Pace,
        action: &'static str,
        resource: String,
        f: F,
    ) -> Lookup<T>
    where
        F: Fn(ControlPlaneClients) -> Fut,
        Fut: Future<Output = Result<T, Classified>>,
    {
        let mut refreshed = false;
        loop {
            let (generation, clients) = self.current();
            let outcome = {
                let _permit = self.slot_and_permit(pace).await;
                f(clients).await
            };
            let err = match outcome {
                Ok(t) => return Lookup::Found(t),
                Err(err) => err,
            };
            let message = match (err.code.as_str(), err.failure.message()) {
                ("", m) => m.to_string(),
                (c, "") => c.to_string(),
                (c, m) => format!("{c}: {m}"),
            };
            let kind = match err.failure {
                AwsFailure::NotFound { message } => return Lookup::NotFound(message),
                AwsFailure::Credentials { .. } if !refreshed => {
                    refreshed = true;
                    self.refresh(generation);
                    continue;
                }
                AwsFailure::Credentials { .. } => FailureKind::Credentials,
                AwsFailure::AccessDenied { .. } => FailureKind::AccessDenied,
                AwsFailure::Throttled { .. } => FailureKind::Throttled,
                AwsFailure::Unavailable { .. } => FailureKind::Unavailable,
                AwsFailure::ConditionFailed { .. }
                | AwsFailure::Validation { .. }
                | AwsFailure::Other { .. } => FailureKind::Other,
            };
            tracing::debug!(%action, %resource, ?kind, "control-plane call failed");
            return Lookup::Failed(CallFailure {
                kind,
                action,
                resource,
                message,
            });
        }
    }

    fn partition(&self) -> &'static str {
        partition_of(&self.region)
    }

    /// `arn:aws:bedrock:<region>:<account>:agent/<id>`
    pub fn agent_arn(&self, agent_id: &str) -> String {
        format!(
            "arn:{}:bedrock:{}:{}:agent/{agent_id}",
            self.partition(),
            self.region,
            self.account
        )
    }

    /// `arn:aws:bedrock:<region>:<account>:agent-alias/<agent>/<alias>`
    pub fn alias_arn(&self, agent_id: &str, alias_id: &str) -> String {
        format!(
            "arn:{}:bedrock:{}:{}:agent-alias/{agent_id}/{alias_id}",
            self.partition(),
            self.region,
            self.account
        )
    }

    /// GetAgent.
    pub async fn get_agent(&self, agent_id: &str) -> Lookup<AgentFacts> {
        let arn = self.agent_arn(agent_id);
        self.call(&self.paces.get_agent, GET_AGENT, arn, |c| async move {
            let out = c
                .agents
                .get_agent()
                .agent_id(agent_id)
                .send()
                .await
                .map_err(|e| classified(&e))?;
            let agent = out.agent().ok_or_else(|| missing_member("agent"))?;
            Ok(AgentFacts {
                arn: agent.agent_arn().to_string(),
                name: agent.agent_name().to_string(),
                status: agent.agent_status().as_str().to_string(),
                failure_reasons: agent.failure_reasons().to_vec(),
            })
        })
        .await
    }

    /// GetAgentAlias.
    pub async fn get_agent_alias(&self, agent_id: &str, alias_id: &str) -> Lookup<AliasFacts> {
        let arn = self.alias_arn(agent_id, alias_id);
        self.call(
            &self.paces.get_alias,
            GET_AGENT_ALIAS,
            arn,
            |c| async move {
                let out = c
                    .agents
                    .get_agent_alias()
                    .agent_id(agent_id)
                    .agent_alias_id(alias_id)
                    .send()
                    .await
                    .map_err(|e| classified(&e))?;
                let alias = out
                    .agent_alias()
                    .ok_or_else(|| missing_member("agentAlias"))?;
                Ok(AliasFacts {
                    name: alias.agent_alias_name().to_string(),
                    status: alias.agent_alias_status().as_str().to_string(),
                    invocation_state: alias
                        .alias_invocation_state()
                        .map(|s| s.as_str().to_string()),
                    routing: alias
                        .routing_configuration()
                        .iter()
                        .filter_map(|r| r.agent_version().map(str::to_string))
                        .collect(),
                    failure_reasons: alias.failure_reasons().to_vec(),
                })
            },
        )
        .await
    }

    /// ListAgentAliases, every page (each page is one paced call).
    pub async fn list_agent_aliases(&self, agent_id: &str) -> Lookup<Vec<AliasSummary>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let arn = self.agent_arn(agent_id);
            let page = self
                .call(&self.paces.list_aliases, LIST_AGENT_ALIASES, arn, |c| {
                    let token = token.clone();
                    async move {
                        let out = c
                            .agents
                            .list_agent_aliases()
                            .agent_id(agent_id)
                            .max_results(100)
                            .set_next_token(token)
                            .send()
                            .await
                            .map_err(|e| classified(&e))?;
                        let aliases = out
                            .agent_alias_summaries()
                            .iter()
                            .map(|a| AliasSummary {
                                id: a.agent_alias_id().to_string(),
                                name: a.agent_alias_name().to_string(),
                                status: a.agent_alias_status().as_str().to_string(),
                            })
                            .collect::<Vec<_>>();
                        Ok((aliases, out.next_token().map(str::to_string)))
                    }
                })
                .await;
            match page {
                Lookup::Found((aliases, next)) => {
                    all.extend(aliases);
                    match next {
                        Some(t) if !t.is_empty() => token = Some(t),
                        _ => return Lookup::Found(all),
                    }
                }
                Lookup::NotFound(m) => return Lookup::NotFound(m),
                Lookup::Failed(f) => return Lookup::Failed(f),
            }
        }
    }

    /// GetAgentRuntime, by the runtime's ARN.
    pub async fn get_agent_runtime(&self, runtime_arn: &str) -> Lookup<RuntimeFacts> {
        let id = runtime_id(runtime_arn).to_string();
        self.call(
            &self.paces.runtimes,
            GET_AGENT_RUNTIME,
            runtime_arn.to_string(),
            |c| {
                let id = id.clone();
                async move {
                    let out = c
                        .runtimes
                        .get_agent_runtime()
                        .agent_runtime_id(id)
                        .send()
                        .await
                        .map_err(|e| classified(&e))?;
                    Ok(RuntimeFacts {
                        status: out.status().as_str().to_string(),
                        version: out.agent_runtime_version().to_string(),
                        failure_reason: out.failure_reason().map(str::to_string),
                    })
                }
            },
        )
        .await
    }

    /// GetAgentRuntimeEndpoint for the endpoint `qualifier` of the runtime.
    pub async fn get_agent_runtime_endpoint(
        &self,
        runtime_arn: &str,
        qualifier: &str,
    ) -> Lookup<EndpointFacts> {
        let id = runtime_id(runtime_arn).to_string();
        let resource = format!("{runtime_arn}/runtime-endpoint/{qualifier}");
        self.call(
            &self.paces.runtimes,
            GET_AGENT_RUNTIME_ENDPOINT,
            resource,
            |c| {
                let id = id.clone();
                async move {
                    let out = c
                        .runtimes
                        .get_agent_runtime_endpoint()
                        .agent_runtime_id(id)
                        .endpoint_name(qualifier)
                        .send()
                        .await
                        .map_err(|e| classified(&e))?;
                    Ok(EndpointFacts {
                        status: out.status().as_str().to_string(),
                        live_version: out.live_version().map(str::to_string),
                        failure_reason: out.failure_reason().map(str::to_string),
                    })
                }
            },
        )
        .await
    }
}

fn missing_member(member: &str) -> Classified {
    Classified {
        failure: AwsFailure::Other {
            code: String::new(),
            message: format!("the response has no {member}"),
        },
        code: String::new(),
    }
}

/// The runtime ID of a runtime ARN (`…:runtime/<id>`).
pub fn runtime_id(runtime_arn: &str) -> &str {
    runtime_arn
        .rsplit_once(":runtime/")
        .map_or(runtime_arn, |(_, id)| id)
}

/// The ARN partition of a Region.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn runtime_id_is_the_part_after_runtime() {
        assert_eq!(
            runtime_id(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-Yn2GsXHG69"
            ),
            "my_agent-Yn2GsXHG69"
        );
    }

    #[tokio::test]
    async fn pace_spaces_calls_evenly() {
        let pace = Pace::per_second(10);
        let start = Instant::now();
        let mut slots = Vec::new();
        for _ in 0..11 {
            slots.push(pace.reserve(start).await - start);
        }
        // 11 calls at 10/s, all asked at once: 100 ms apart, the last a full second after the
        // first, so no second holds more than 10.
        let expected: Vec<Duration> = (0..11).map(|i| Duration::from_millis(100 * i)).collect();
        assert_eq!(slots, expected);
        // A call asked after an idle period starts at once.
        let later = start + Duration::from_secs(5);
        assert_eq!(pace.reserve(later).await, later);
    }
}
