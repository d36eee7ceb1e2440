//! The control-plane calls of `--verify` against mocked Bedrock clients (aws-smithy-mocks), for
//! what moto cannot produce: throttling past retries, AccessDenied, 5xx and expired tokens.
//! Each outcome is carried through to the finding the item gets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_bedrockagent::error::ErrorMetadata;
use aws_sdk_bedrockagent::operation::get_agent::GetAgentOutput;
use aws_sdk_bedrockagent::operation::get_agent_alias::{GetAgentAliasError, GetAgentAliasOutput};
use aws_sdk_bedrockagent::types::error::ResourceNotFoundException;
use aws_sdk_bedrockagent::types::{
    Agent, AgentAlias, AgentAliasRoutingConfigurationListItem, AgentAliasStatus, AgentStatus,
};
use aws_sdk_bedrockagent::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::DateTime;
use tokio::sync::Semaphore;

use reglint::aws::bedrock::{AgentFacts, ControlPlane, ControlPlaneClients, FailureKind, Lookup};
use reglint::lint::ItemOrigin;
use reglint::model::{Format, Item, Value};
use reglint::verify::{findings, Facts, Place, Plan};

const ACCOUNT: &str = "152864141302";
const REGION: &str = "us-east-1";
const AGENT: &str = "PEGHWIVI5Y";
const ALIAS: &str = "IO1GTTHP0M";
const ROLE: &str = "arn:aws:iam::152864141302:role/RegistryVerifier";

fn agents_client(rules: &[&Rule]) -> Client {
    mock_client!(aws_sdk_bedrockagent, RuleMode::Sequential, rules, |b| b
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2))
        ))
}

fn runtimes_client() -> aws_sdk_bedrockagentcorecontrol::Client {
    aws_sdk_bedrockagentcorecontrol::Client::from_conf(
        aws_sdk_bedrockagentcorecontrol::Config::builder()
            .behavior_version(aws_sdk_bedrockagentcorecontrol::config::BehaviorVersion::latest())
            .region(aws_sdk_bedrockagentcorecontrol::config::Region::new(REGION))
            .build(),
    )
}

/// A control plane over a mocked client; `rebuilds` counts how often its credentials were
/// re-resolved (the rebuilt clients answer from the same rules).
fn plane(client: Client, rebuilds: Arc<AtomicUsize>) -> ControlPlane {
    let clients = ControlPlaneClients {
        agents: client,
        runtimes: runtimes_client(),
    };
    let again = clients.clone();
    ControlPlane::new(
        ACCOUNT,
        REGION,
        clients,
        Box::new(move || {
            rebuilds.fetch_add(1, Ordering::SeqCst);
            again.clone()
        }),
        Arc::new(Semaphore::new(8)),
    )
}

fn agent(status: AgentStatus) -> Agent {
    Agent::builder()
        .agent_id(AGENT)
        .agent_name("billing")
        .agent_arn(format!("arn:aws:bedrock:{REGION}:{ACCOUNT}:agent/{AGENT}"))
        .agent_version("DRAFT")
        .agent_status(status)
        .idle_session_ttl_in_seconds(600)
        .agent_resource_role_arn("arn:aws:iam::152864141302:role/agent")
        .created_at(DateTime::from_secs(1_700_000_000))
        .updated_at(DateTime::from_secs(1_700_000_000))
        .build()
        .unwrap()
}

fn alias() -> AgentAlias {
    AgentAlias::builder()
        .agent_id(AGENT)
        .agent_alias_id(ALIAS)
        .agent_alias_name("prod")
        .agent_alias_arn(format!(
            "arn:aws:bedrock:{REGION}:{ACCOUNT}:agent-alias/{AGENT}/{ALIAS}"
        ))
        .routing_configuration(
            AgentAliasRoutingConfigurationListItem::builder()
                .agent_version("1")
                .build(),
        )
        .created_at(DateTime::from_secs(1_700_000_000))
        .updated_at(DateTime::from_secs(1_700_000_000))
        .agent_alias_status(AgentAliasStatus::Prepared)
        .build()
        .unwrap()
}

/// An error response as Bedrock sends it (REST-JSON: the code in `x-amzn-errortype`).
fn wire_error(status: u16, code: &'static str, message: &str) -> Response {
    let mut response = Response::new(
        StatusCode::try_from(status).unwrap(),
        SdkBody::from(serde_json::json!({ "message": message }).to_string()),
    );
    response.headers_mut().insert("x-amzn-errortype", code);
    response
}

fn expired_token() -> Response {
    wire_error(
        403,
        "ExpiredTokenException",
        "The security token included in the request is expired",
    )
}

fn throttled() -> Response {
    wire_error(429, "ThrottlingException", "Rate exceeded")
}

/// The one registry entry these tests verify, planned as `check --verify` plans it.
fn planned() -> Plan {
    let item = Item::new(Format::Plain)
        .with("agent_id", Value::S(AGENT.into()))
        .with("alias_id", Value::S(ALIAS.into()))
        .with("account_id", Value::S(ACCOUNT.into()))
        .with("name", Value::S("billing".into()))
        .with("agent_type", Value::S("bedrock_agent".into()));
    let origin = ItemOrigin {
        source: 0,
        label: "registry.json".into(),
        index: 0,
        key: serde_json::Map::new(),
        chunk: None,
        item_span: None,
    };
    let mut plan = Plan::default();
    assert!(plan.observe(&item, &origin));
    plan
}

/// The findings of the entry when GetAgent answered `agent` (and the alias is fine).
fn findings_for(agent: Lookup<AgentFacts>) -> Vec<(String, String)> {
    let plan = planned();
    let place = Place {
        account: ACCOUNT.into(),
        region: REGION.into(),
    };
    let mut facts = Facts {
        local_account: "123456789012".into(),
        ..Facts::default()
    };
    facts.sessions.insert(ACCOUNT.into(), Ok(()));
    facts.roles.insert(ACCOUNT.into(), Some(ROLE.into()));
    facts.agents.insert((place.clone(), AGENT.into()), agent);
    findings(&plan.items[0], &place, &facts)
        .into_iter()
        .map(|f| (f.violation.code.to_string(), f.violation.message))
        .collect()
}

#[tokio::test]
async fn throttling_past_the_retries_leaves_the_item_unverified() {
    let rule = mock!(Client::get_agent)
        .sequence()
        .http_response(throttled)
        .repeatedly()
        .build();
    let rebuilds = Arc::new(AtomicUsize::new(0));
    let plane = plane(agents_client(&[&rule]), rebuilds.clone());

    let got = plane.get_agent(AGENT).await;
    let Lookup::Failed(failure) = &got else {
        panic!("{got:?}")
    };
    assert_eq!(failure.kind, FailureKind::Throttled);
    assert_eq!(failure.action, "bedrock:GetAgent");
    assert_eq!(
        failure.resource,
        format!("arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/{AGENT}")
    );
    assert_eq!(rule.num_calls(), 3, "every attempt of the retry policy");
    assert_eq!(rebuilds.load(Ordering::SeqCst), 0);

    assert_eq!(
        findings_for(got),
        vec![(
            "RG410".to_string(),
            format!("bedrock:GetAgent on arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/{AGENT} failed: throttled past retries (ThrottlingException: Rate exceeded); the agent was not verified")
        )]
    );
}

#[tokio::test]
async fn server_errors_past_the_retries_leave_the_item_unverified() {
    let rule = mock!(Client::get_agent)
        .sequence()
        .http_status(503, None)
        .repeatedly()
        .build();
    let plane = plane(agents_client(&[&rule]), Arc::new(AtomicUsize::new(0)));
    let got = plane.get_agent(AGENT).await;
    assert!(
        matches!(&got, Lookup::Failed(f) if f.kind == FailureKind::Unavailable),
        "{got:?}"
    );
    assert_eq!(rule.num_calls(), 3);
    let found = findings_for(got);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "RG410");
    assert!(
        found[0].1.contains("failed: service unavailable"),
        "{}",
        found[0].1
    );
}

#[tokio::test]
async fn access_denied_on_get_agent_names_the_action_and_the_resource() {
    let rule = mock!(Client::get_agent).then_http_response(|| {
        wire_error(
            403,
            "AccessDeniedException",
            "User is not authorized to perform: bedrock:GetAgent",
        )
    });
    let plane = plane(agents_client(&[&rule]), Arc::new(AtomicUsize::new(0)));
    let got = plane.get_agent(AGENT).await;
    assert!(
        matches!(&got, Lookup::Failed(f) if f.kind == FailureKind::AccessDenied),
        "{got:?}"
    );
    assert_eq!(rule.num_calls(), 1, "AccessDenied is not retried");
    assert_eq!(
        findings_for(got),
        vec![(
            "RG409".to_string(),
            format!("role {ROLE} may not bedrock:GetAgent on arn:aws:bedrock:us-east-1:{ACCOUNT}:agent/{AGENT}; the agent was not verified (AccessDeniedException: User is not authorized to perform: bedrock:GetAgent)")
        )]
    );
}

#[tokio::test]
async fn an_expired_token_re_resolves_the_credentials_once_and_retries() {
    let rule = mock!(Client::get_agent)
        .sequence()
        .http_response(expired_token)
        .output(|| {
            GetAgentOutput::builder()
                .agent(agent(AgentStatus::Prepared))
                .build()
        })
        .build();
    let rebuilds = Arc::new(AtomicUsize::new(0));
    let plane = plane(agents_client(&[&rule]), rebuilds.clone());

    let got = plane.get_agent(AGENT).await;
    let Lookup::Found(facts) = &got else {
        panic!("{got:?}")
    };
    assert_eq!(facts.status, "PREPARED");
    assert_eq!(
        rule.num_calls(),
        2,
        "the expired attempt is not retried as is"
    );
    assert_eq!(rebuilds.load(Ordering::SeqCst), 1);
    assert_eq!(plane.refreshes(), 1);
}

#[tokio::test]
async fn a_token_that_stays_expired_is_refreshed_only_once() {
    let rule = mock!(Client::get_agent)
        .sequence()
        .http_response(expired_token)
        .repeatedly()
        .build();
    let rebuilds = Arc::new(AtomicUsize::new(0));
    let plane = plane(agents_client(&[&rule]), rebuilds.clone());

    let got = plane.get_agent(AGENT).await;
    assert!(
        matches!(&got, Lookup::Failed(f) if f.kind == FailureKind::Credentials),
        "{got:?}"
    );
    assert_eq!(rule.num_calls(), 2);
    assert_eq!(rebuilds.load(Ordering::SeqCst), 1);
    let found = findings_for(got);
    assert_eq!(found[0].0, "RG410");
    assert!(
        found[0].1.contains("credentials expired and could not be refreshed (ExpiredTokenException: The security token included in the request is expired)"),
        "{}",
        found[0].1
    );
}

#[tokio::test]
async fn not_found_and_found_answers_become_facts() {
    let missing = mock!(Client::get_agent)
        .match_requests(|r| r.agent_id() == Some("ZZZZZZZZZZ"))
        .then_http_response(|| {
            wire_error(
                404,
                "ResourceNotFoundException",
                "Agent ZZZZZZZZZZ not found",
            )
        });
    let found = mock!(Client::get_agent)
        .match_requests(|r| r.agent_id() == Some(AGENT))
        .then_output(|| {
            GetAgentOutput::builder()
                .agent(agent(AgentStatus::NotPrepared))
                .build()
        });
    let alias_rule = mock!(Client::get_agent_alias)
        .then_output(|| GetAgentAliasOutput::builder().agent_alias(alias()).build());
    // A modeled error as the SDK builds it from a response: its code is in its metadata.
    let alias_missing = mock!(Client::get_agent_alias).then_error(|| {
        GetAgentAliasError::ResourceNotFoundException(
            ResourceNotFoundException::builder()
                .message("no alias")
                .meta(
                    ErrorMetadata::builder()
                        .code("ResourceNotFoundException")
                        .message("no alias")
                        .build(),
                )
                .build(),
        )
    });
    let client = agents_client(&[&missing, &found, &alias_rule, &alias_missing]);
    let plane = plane(client, Arc::new(AtomicUsize::new(0)));

    assert_eq!(
        plane.get_agent("ZZZZZZZZZZ").await,
        Lookup::NotFound("Agent ZZZZZZZZZZ not found".into())
    );
    let got = plane.get_agent(AGENT).await;
    assert_eq!(got.found().unwrap().status, "NOT_PREPARED");
    let a = plane.get_agent_alias(AGENT, ALIAS).await;
    let a = a.found().unwrap();
    assert_eq!(a.routing, vec!["1".to_string()]);
    assert_eq!(a.status, "PREPARED");
    assert_eq!(a.invocation_state, None);
    assert_eq!(
        plane.get_agent_alias(AGENT, "TSTALIASID").await,
        Lookup::NotFound("no alias".into())
    );
}
