//! The moto test server behaves like AWS where reglint depends on it: these
//! tests drive it with the real AWS SDK for Rust.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

use aws_sdk_bedrockagent::error::ProvideErrorMetadata;
use aws_sdk_bedrockagent::types::{
    AgentAliasRoutingConfigurationListItem, AgentAliasStatus, AgentStatus, AliasInvocationState,
};
use aws_sdk_bedrockagentcorecontrol::types::{
    AgentRuntimeArtifact, AgentRuntimeEndpointStatus, AgentRuntimeStatus, ContainerConfiguration,
    NetworkConfiguration, NetworkMode,
};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use moto::{trust_policy, Moto, BASE_ACCOUNT};
use serde_json::json;
use std::collections::HashSet;

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/agent-runtime";

fn is_upper_alnum_10(id: &str) -> bool {
    id.len() == 10
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// `<name>-<10 alnum>`
fn is_runtime_id(id: &str, name: &str) -> bool {
    let Some((prefix, suffix)) = id.rsplit_once('-') else {
        return false;
    };
    prefix == name && suffix.len() == 10 && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Seconds since the epoch must be a plausible "now" (the value parsed).
fn assert_recent(dt: &aws_smithy_types::DateTime) {
    assert!(dt.secs() > 1_700_000_000, "timestamp not parsed: {dt:?}");
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}{}{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn agent_client(moto: &Moto) -> aws_sdk_bedrockagent::Client {
    aws_sdk_bedrockagent::Client::new(&moto.sdk_config().await)
}

async fn create_agent(
    client: &aws_sdk_bedrockagent::Client,
    name: &str,
    status: Option<&str>,
) -> String {
    let mut req = client
        .create_agent()
        .agent_name(name)
        .agent_resource_role_arn(ROLE_ARN);
    if let Some(s) = status {
        req = req.tags("reglint:status", s);
    }
    req.send()
        .await
        .expect("CreateAgent")
        .agent()
        .expect("agent")
        .agent_id()
        .to_string()
}

#[tokio::test]
async fn agent_ids_have_the_aws_shape_and_get_agent_parses() {
    let Some(moto) = Moto::shared() else { return };
    let client = agent_client(moto).await;
    let name = unique("alpha_");
    let created = client
        .create_agent()
        .agent_name(&name)
        .agent_resource_role_arn(ROLE_ARN)
        .foundation_model("anthropic.claude-v2")
        .send()
        .await
        .expect("CreateAgent");
    let agent = created.agent().expect("agent");
    let id = agent.agent_id().to_string();
    assert!(is_upper_alnum_10(&id), "agent id {id}");
    assert_eq!(
        agent.agent_arn(),
        format!("arn:aws:bedrock:us-east-1:{BASE_ACCOUNT}:agent/{id}")
    );

    let got = client
        .get_agent()
        .agent_id(&id)
        .send()
        .await
        .expect("GetAgent");
    let agent = got.agent().expect("agent");
    assert_eq!(agent.agent_id(), id);
    assert_eq!(agent.agent_name(), name);
    assert_eq!(agent.agent_version(), "DRAFT");
    assert_eq!(agent.agent_status(), &AgentStatus::Prepared);
    assert_eq!(agent.idle_session_ttl_in_seconds(), 600);
    assert_eq!(agent.agent_resource_role_arn(), ROLE_ARN);
    assert_recent(agent.created_at());
    assert_recent(agent.updated_at());
    assert_recent(agent.prepared_at().expect("preparedAt"));

    let err = client
        .get_agent()
        .agent_id("ZZZZZZZZZZ")
        .send()
        .await
        .expect_err("no such agent");
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn agent_status_is_set_by_tag_and_by_the_status_endpoint() {
    let Some(moto) = Moto::shared() else { return };
    let client = agent_client(moto).await;

    let not_prepared = create_agent(&client, &unique("np_"), Some("NOT_PREPARED")).await;
    let got = client
        .get_agent()
        .agent_id(&not_prepared)
        .send()
        .await
        .expect("GetAgent");
    let agent = got.agent().expect("agent");
    assert_eq!(agent.agent_status(), &AgentStatus::NotPrepared);
    assert!(agent.prepared_at().is_none());

    let failed = create_agent(&client, &unique("failed_"), Some("FAILED")).await;
    let got = client
        .get_agent()
        .agent_id(&failed)
        .send()
        .await
        .expect("GetAgent");
    assert_eq!(
        got.agent().expect("agent").agent_status(),
        &AgentStatus::Failed
    );
    assert!(!got.agent().expect("agent").failure_reasons().is_empty());

    let ok = create_agent(&client, &unique("later_"), None).await;
    moto.set_status(&json!({"account": BASE_ACCOUNT, "agentId": ok, "status": "NOT_PREPARED"}));
    let got = client
        .get_agent()
        .agent_id(&ok)
        .send()
        .await
        .expect("GetAgent");
    assert_eq!(
        got.agent().expect("agent").agent_status(),
        &AgentStatus::NotPrepared
    );

    // PrepareAgent brings it back.
    let prepared = client
        .prepare_agent()
        .agent_id(&ok)
        .send()
        .await
        .expect("PrepareAgent");
    assert_eq!(prepared.agent_status(), &AgentStatus::Prepared);
    let got = client
        .get_agent()
        .agent_id(&ok)
        .send()
        .await
        .expect("GetAgent");
    assert_eq!(
        got.agent().expect("agent").agent_status(),
        &AgentStatus::Prepared
    );
}

#[tokio::test]
async fn aliases_can_be_created_read_and_listed_including_the_test_alias() {
    let Some(moto) = Moto::shared() else { return };
    let client = agent_client(moto).await;
    let agent_id = create_agent(&client, &unique("aliased_"), None).await;

    let created = client
        .create_agent_alias()
        .agent_id(&agent_id)
        .agent_alias_name("live")
        .send()
        .await
        .expect("CreateAgentAlias");
    let alias = created.agent_alias().expect("alias");
    let alias_id = alias.agent_alias_id().to_string();
    assert!(is_upper_alnum_10(&alias_id), "alias id {alias_id}");
    assert_ne!(alias_id, "TSTALIASID");
    assert_eq!(
        alias.agent_alias_arn(),
        format!("arn:aws:bedrock:us-east-1:{BASE_ACCOUNT}:agent-alias/{agent_id}/{alias_id}")
    );
    // No routing given: AWS snapshots a new version and routes to it.
    assert_eq!(alias.routing_configuration()[0].agent_version(), Some("1"));

    let got = client
        .get_agent_alias()
        .agent_id(&agent_id)
        .agent_alias_id(&alias_id)
        .send()
        .await
        .expect("GetAgentAlias");
    let alias = got.agent_alias().expect("alias");
    assert_eq!(alias.agent_alias_name(), "live");
    assert_eq!(alias.agent_alias_status(), &AgentAliasStatus::Prepared);
    assert_eq!(
        alias.alias_invocation_state(),
        Some(&AliasInvocationState::AcceptInvocations)
    );
    assert_recent(alias.created_at());
    assert_recent(alias.updated_at());

    let version = client
        .get_agent_version()
        .agent_id(&agent_id)
        .agent_version("1")
        .send()
        .await
        .expect("GetAgentVersion");
    assert_eq!(version.agent_version().expect("version").version(), "1");
    assert_eq!(
        version.agent_version().expect("version").agent_status(),
        &AgentStatus::Prepared
    );

    let test_alias = client
        .get_agent_alias()
        .agent_id(&agent_id)
        .agent_alias_id("TSTALIASID")
        .send()
        .await
        .expect("GetAgentAlias TSTALIASID");
    let test_alias = test_alias.agent_alias().expect("alias");
    assert_eq!(test_alias.agent_alias_name(), "AgentTestAlias");
    assert_eq!(
        test_alias.routing_configuration()[0].agent_version(),
        Some("DRAFT")
    );
    assert_eq!(test_alias.agent_alias_status(), &AgentAliasStatus::Prepared);

    let listed: Vec<_> = client
        .list_agent_aliases()
        .agent_id(&agent_id)
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("ListAgentAliases");
    let ids: HashSet<&str> = listed.iter().map(|s| s.agent_alias_id()).collect();
    assert_eq!(ids, HashSet::from(["TSTALIASID", alias_id.as_str()]));
    let tst = listed
        .iter()
        .find(|s| s.agent_alias_id() == "TSTALIASID")
        .expect("TSTALIASID");
    assert_eq!(tst.agent_alias_name(), "AgentTestAlias");
    assert_eq!(
        tst.routing_configuration()[0].agent_version(),
        Some("DRAFT")
    );
    assert_eq!(tst.agent_alias_status(), &AgentAliasStatus::Prepared);

    let err = client
        .get_agent_alias()
        .agent_id(&agent_id)
        .agent_alias_id("NOPE123456")
        .send()
        .await
        .expect_err("no such alias");
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn alias_status_and_invocation_state_are_controllable() {
    let Some(moto) = Moto::shared() else { return };
    let client = agent_client(moto).await;
    let agent_id = create_agent(&client, &unique("alias_state_"), None).await;

    let failed = client
        .create_agent_alias()
        .agent_id(&agent_id)
        .agent_alias_name("broken")
        .routing_configuration(
            AgentAliasRoutingConfigurationListItem::builder()
                .agent_version("3")
                .build(),
        )
        .tags("reglint:status", "FAILED")
        .tags("reglint:invocation-state", "REJECT_INVOCATIONS")
        .send()
        .await
        .expect("CreateAgentAlias");
    let alias = failed.agent_alias().expect("alias");
    assert_eq!(alias.agent_alias_status(), &AgentAliasStatus::Failed);
    assert_eq!(
        alias.alias_invocation_state(),
        Some(&AliasInvocationState::RejectInvocations)
    );
    assert_eq!(alias.routing_configuration()[0].agent_version(), Some("3"));

    let paused = client
        .create_agent_alias()
        .agent_id(&agent_id)
        .agent_alias_name("paused")
        .tags("reglint:status", "REJECT_INVOCATIONS")
        .send()
        .await
        .expect("CreateAgentAlias");
    let paused = paused.agent_alias().expect("alias");
    assert_eq!(paused.agent_alias_status(), &AgentAliasStatus::Prepared);
    assert_eq!(
        paused.alias_invocation_state(),
        Some(&AliasInvocationState::RejectInvocations)
    );

    moto.set_status(
        &json!({"agentId": agent_id, "agentAliasId": "TSTALIASID", "status": "FAILED"}),
    );
    let got = client
        .get_agent_alias()
        .agent_id(&agent_id)
        .agent_alias_id("TSTALIASID")
        .send()
        .await
        .expect("GetAgentAlias");
    assert_eq!(
        got.agent_alias().expect("alias").agent_alias_status(),
        &AgentAliasStatus::Failed
    );

    moto.set_status(&json!({"agentId": agent_id, "agentVersion": "3", "status": "FAILED"}));
    let version = client
        .get_agent_version()
        .agent_id(&agent_id)
        .agent_version("3")
        .send()
        .await
        .expect("GetAgentVersion");
    assert_eq!(
        version.agent_version().expect("version").agent_status(),
        &AgentStatus::Failed
    );
}

fn runtime_request(client: &aws_sdk_bedrockagentcorecontrol::Client, name: &str) -> aws_sdk_bedrockagentcorecontrol::operation::create_agent_runtime::builders::CreateAgentRuntimeFluentBuilder{
    let container = ContainerConfiguration::builder()
        .container_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest")
        .build()
        .expect("container");
    let network = NetworkConfiguration::builder()
        .network_mode(NetworkMode::Public)
        .build()
        .expect("network");
    client
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(AgentRuntimeArtifact::ContainerConfiguration(container))
        .role_arn(ROLE_ARN)
        .network_configuration(network)
}

#[tokio::test]
async fn runtimes_have_current_arns_and_a_default_endpoint() {
    let Some(moto) = Moto::shared() else { return };
    let client = aws_sdk_bedrockagentcorecontrol::Client::new(&moto.sdk_config().await);
    let name = unique("my_agent_");
    let created = runtime_request(&client, &name)
        .send()
        .await
        .expect("CreateAgentRuntime");
    let id = created.agent_runtime_id().to_string();
    assert!(is_runtime_id(&id, &name), "runtime id {id}");
    let arn = format!("arn:aws:bedrock-agentcore:us-east-1:{BASE_ACCOUNT}:runtime/{id}");
    assert_eq!(created.agent_runtime_arn(), arn);

    let got = client
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("GetAgentRuntime");
    assert_eq!(got.agent_runtime_id(), id);
    assert_eq!(got.agent_runtime_arn(), arn);
    assert_eq!(got.agent_runtime_name(), name);
    assert_eq!(got.agent_runtime_version(), "1");
    assert_eq!(got.status(), &AgentRuntimeStatus::Ready);
    assert_recent(got.created_at());
    assert_recent(got.last_updated_at());

    let endpoint = client
        .get_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("DEFAULT")
        .send()
        .await
        .expect("GetAgentRuntimeEndpoint");
    assert_eq!(endpoint.name(), "DEFAULT");
    assert_eq!(endpoint.status(), &AgentRuntimeEndpointStatus::Ready);
    assert_eq!(endpoint.agent_runtime_arn(), arn);
    assert_eq!(
        endpoint.agent_runtime_endpoint_arn(),
        format!("{arn}/runtime-endpoint/DEFAULT")
    );
    assert!(
        is_runtime_id(endpoint.id(), "DEFAULT"),
        "endpoint id {}",
        endpoint.id()
    );
    assert_eq!(endpoint.live_version(), Some("1"));
    assert_recent(endpoint.created_at());

    let listed = client
        .list_agent_runtime_endpoints()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("ListAgentRuntimeEndpoints");
    let names: Vec<&str> = listed
        .runtime_endpoints()
        .iter()
        .map(|e| e.name())
        .collect();
    assert_eq!(names, ["DEFAULT"]);

    let err = client
        .get_agent_runtime()
        .agent_runtime_id("missing-AAAAAAAAAA")
        .send()
        .await
        .expect_err("no such runtime");
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
    let err = client
        .get_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("canary")
        .send()
        .await
        .expect_err("no such endpoint");
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
async fn runtime_and_endpoint_status_are_controllable() {
    let Some(moto) = Moto::shared() else { return };
    let client = aws_sdk_bedrockagentcorecontrol::Client::new(&moto.sdk_config().await);
    let name = unique("broken_");
    let created = runtime_request(&client, &name)
        .tags("reglint:status", "CREATE_FAILED")
        .tags("reglint:endpoint-status", "UPDATE_FAILED")
        .send()
        .await
        .expect("CreateAgentRuntime");
    let id = created.agent_runtime_id().to_string();
    let got = client
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("GetAgentRuntime");
    assert_eq!(got.status(), &AgentRuntimeStatus::CreateFailed);
    assert!(got.failure_reason().is_some());
    let endpoint = client
        .get_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("DEFAULT")
        .send()
        .await
        .expect("GetAgentRuntimeEndpoint");
    assert_eq!(endpoint.status(), &AgentRuntimeEndpointStatus::UpdateFailed);

    moto.set_status(&json!({"agentRuntimeId": id, "status": "READY"}));
    moto.set_status(
        &json!({"agentRuntimeId": id, "endpointName": "DEFAULT", "status": "DELETE_FAILED"}),
    );
    let got = client
        .get_agent_runtime()
        .agent_runtime_id(&id)
        .send()
        .await
        .expect("GetAgentRuntime");
    assert_eq!(got.status(), &AgentRuntimeStatus::Ready);
    assert!(got.failure_reason().is_none());
    let endpoint = client
        .get_agent_runtime_endpoint()
        .agent_runtime_id(&id)
        .endpoint_name("DEFAULT")
        .send()
        .await
        .expect("GetAgentRuntimeEndpoint");
    assert_eq!(endpoint.status(), &AgentRuntimeEndpointStatus::DeleteFailed);
}

#[tokio::test]
async fn assume_role_enforces_trust_policy_and_external_id() {
    let Some(moto) = Moto::shared() else { return };
    let account = "152864141302";
    let with_id = format!("arn:aws:iam::{account}:role/{}", unique("reader_"));
    let open = format!("arn:aws:iam::{account}:role/ops/{}", unique("open_"));
    let nobody = format!("arn:aws:iam::{account}:role/{}", unique("nobody_"));
    let missing = format!("arn:aws:iam::{account}:role/{}", unique("missing_"));
    moto.create_cross_account_role(&with_id, Some("reglint-ext-1"));
    moto.create_role(&open, &json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": BASE_ACCOUNT}, "Action": "sts:AssumeRole"}]
    }));
    moto.create_role(&nobody, &json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }));

    let sts = aws_sdk_sts::Client::new(&moto.sdk_config().await);
    let assume = |arn: &str, ext: Option<&str>| {
        sts.assume_role()
            .role_arn(arn)
            .role_session_name("reglint")
            .set_external_id(ext.map(str::to_string))
            .send()
    };

    let ok = assume(&with_id, Some("reglint-ext-1"))
        .await
        .expect("right ExternalId");
    let user = ok.assumed_role_user().expect("assumed role user");
    assert!(
        user.arn()
            .starts_with(&format!("arn:aws:sts::{account}:assumed-role/")),
        "{}",
        user.arn()
    );
    assume(&open, None).await.expect("trust without condition");

    for (arn, ext, why) in [
        (&with_id, Some("wrong"), "wrong ExternalId"),
        (&with_id, None, "missing ExternalId"),
        (&nobody, None, "role trusting nobody"),
        (&missing, None, "role that does not exist"),
    ] {
        let err = assume(arn, ext).await.expect_err(why);
        assert_eq!(err.code(), Some("AccessDenied"), "{why}");
        let status = err.raw_response().map(|r| r.status().as_u16());
        assert_eq!(status, Some(403), "{why}");
        let expected = format!(
            "User: arn:aws:sts::{BASE_ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole on resource: {arn}"
        );
        assert_eq!(err.message(), Some(expected.as_str()), "{why}");
    }
}

#[tokio::test]
async fn assumed_credentials_act_in_the_role_account_only() {
    let Some(moto) = Moto::shared() else { return };
    let account = "210987654321";
    let role = format!("arn:aws:iam::{account}:role/{}", unique("registry_reader_"));
    moto.create_cross_account_role(&role, Some("ext-9"));

    let assumed = moto.assumed_config_with(&role, Some("ext-9")).await;
    let identity = aws_sdk_sts::Client::new(&assumed)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(identity.account(), Some(account));
    let base_identity = aws_sdk_sts::Client::new(&moto.sdk_config().await)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(base_identity.account(), Some(BASE_ACCOUNT));

    let in_b = aws_sdk_bedrockagent::Client::new(&assumed);
    let agent_id = create_agent(&in_b, &unique("remote_"), None).await;
    let got = in_b
        .get_agent()
        .agent_id(&agent_id)
        .send()
        .await
        .expect("GetAgent in its account");
    assert_eq!(
        got.agent().expect("agent").agent_arn(),
        format!("arn:aws:bedrock:us-east-1:{account}:agent/{agent_id}")
    );

    let base = agent_client(moto).await;
    let err = base
        .get_agent()
        .agent_id(&agent_id)
        .send()
        .await
        .expect_err("other account");
    assert_eq!(err.code(), Some("ResourceNotFoundException"));

    // A provider with the wrong ExternalId fails on first use.
    let wrong = moto.assumed_config_with(&role, Some("nope")).await;
    let err = aws_sdk_bedrockagent::Client::new(&wrong)
        .get_agent()
        .agent_id(&agent_id)
        .send()
        .await
        .expect_err("wrong ExternalId");
    assert!(format!("{:?}", err).contains("AccessDenied"), "{err:?}");
}

#[tokio::test]
async fn dynamodb_scan_paginates_and_segments_cover_the_table() {
    let Some(moto) = Moto::shared() else { return };
    let client = aws_sdk_dynamodb::Client::new(&moto.sdk_config().await);
    let table = unique("registry-");
    client
        .create_table()
        .table_name(&table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("CreateTable");
    // 30 items of ~100 KB: more than 1 MB, so a plain Scan must page.
    let filler = "x".repeat(100_000);
    for i in 0..30 {
        client
            .put_item()
            .table_name(&table)
            .item("pk", AttributeValue::S(format!("agent-{i:02}")))
            .item("blob", AttributeValue::S(filler.clone()))
            .send()
            .await
            .expect("PutItem");
    }

    let first = client.scan().table_name(&table).send().await.expect("Scan");
    assert!(
        first.count() < 30,
        "one page must stop at 1 MB, got {}",
        first.count()
    );
    assert!(first.last_evaluated_key().is_some());

    let pages: Vec<_> = client
        .scan()
        .table_name(&table)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("Scan pages");
    assert!(pages.len() >= 3, "pages: {}", pages.len());
    let keys: HashSet<String> = pages
        .iter()
        .flat_map(|p| p.items())
        .map(|item| item["pk"].as_s().unwrap().clone())
        .collect();
    assert_eq!(keys.len(), 30);

    let mut segmented = HashSet::new();
    for segment in 0..3 {
        let pages: Vec<_> = client
            .scan()
            .table_name(&table)
            .segment(segment)
            .total_segments(3)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .expect("segment scan");
        for item in pages.iter().flat_map(|p| p.items()) {
            assert!(
                segmented.insert(item["pk"].as_s().unwrap().clone()),
                "item in two segments"
            );
        }
    }
    assert_eq!(segmented, keys);
}

#[tokio::test]
async fn call_counter_counts_each_api_call_per_account() {
    // Its own server: the shared one counts every test's calls.
    let Some(moto) = Moto::start() else { return };
    let account = "333344445555";
    let role = format!("arn:aws:iam::{account}:role/counter");
    moto.create_role(&role, &trust_policy(BASE_ACCOUNT, None));

    let client = agent_client(&moto).await;
    let agent_id = create_agent(&client, "counted", None).await;
    moto.reset_calls();
    assert_eq!(moto.calls(), json!({}));

    for _ in 0..3 {
        client
            .get_agent()
            .agent_id(&agent_id)
            .send()
            .await
            .expect("GetAgent");
    }
    client
        .list_agent_aliases()
        .agent_id(&agent_id)
        .send()
        .await
        .expect("ListAgentAliases");
    let assumed = moto.assumed_config(&role).await;
    aws_sdk_sts::Client::new(&assumed)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    let sts = aws_sdk_sts::Client::new(&moto.sdk_config().await);
    let denied = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/none"))
        .role_session_name("x1")
        .send()
        .await;
    assert_eq!(denied.expect_err("denied").code(), Some("AccessDenied"));

    assert_eq!(
        moto.calls(),
        json!({
            "bedrock-agent:GetAgent": 3,
            "bedrock-agent:ListAgentAliases": 1,
            "sts:AssumeRole": 2,
            "sts:GetCallerIdentity": 1,
        })
    );
    assert_eq!(moto.call_count("bedrock-agent:GetAgent"), 3);
    assert_eq!(moto.call_count("bedrock-agent:GetAgentAlias"), 0);
    assert_eq!(moto.calls_in(account), json!({"sts:GetCallerIdentity": 1}));
    assert_eq!(
        moto.calls_by_account()[BASE_ACCOUNT]["sts:AssumeRole"],
        json!(2)
    );

    moto.reset_calls();
    assert_eq!(moto.calls(), json!({}));
}

#[test]
fn env_points_a_child_process_at_moto() {
    let Some(moto) = Moto::shared() else { return };
    let env = moto.env();
    let get = |k: &str| {
        env.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("AWS_ENDPOINT_URL"), Some(moto.endpoint.as_str()));
    assert_eq!(get("AWS_ACCESS_KEY_ID"), Some("testing"));
    assert_eq!(get("AWS_REGION"), Some("us-east-1"));
    assert!(moto::ENV_REMOVE.contains(&"AWS_PROFILE"));
    assert!(moto::ENV_REMOVE.contains(&"AWS_BEARER_TOKEN_BEDROCK"));

    let mut cmd = std::process::Command::new("env");
    cmd.env("AWS_PROFILE", "prod")
        .env("AWS_BEARER_TOKEN_BEDROCK", "secret");
    moto.apply_env(&mut cmd);
    let out = cmd.output().expect("run env");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("AWS_ENDPOINT_URL={}", moto.endpoint)));
    assert!(!text.contains("AWS_PROFILE="));
    assert!(!text.contains("AWS_BEARER_TOKEN_BEDROCK="));
}

/// Runs one test of this very binary in a child process whose moto is `python` (a path that
/// does not exist, or a Python without moto), with `REGLINT_SKIP_AWS_TESTS` set to `skip`.
fn run_without_moto(test: &str, python: &str, skip: Option<&str>) -> std::process::Output {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact"])
        .env("REGLINT_MOTO_PYTHON", python)
        .env_remove(moto::SKIP_VAR)
        .env_remove("CI");
    if let Some(value) = skip {
        cmd.env(moto::SKIP_VAR, value);
    }
    cmd.output().unwrap()
}

/// A test that needs moto fails when moto is missing (no Python at all, or a Python without
/// moto), in CI or not; only `REGLINT_SKIP_AWS_TESTS=1` skips it, and then it says so on
/// stderr, naming the test (visible without `--nocapture`). Both forms of the rule are checked: a test with its own server
/// (`Moto::start`) and one sharing the binary's server (`Moto::shared`).
#[test]
fn a_moto_test_fails_without_moto_unless_skipping_was_asked_for() {
    let no_moto = ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .args(["-c", "import moto"])
                .output()
                .is_ok_and(|o| !o.status.success())
        });
    let mut pythons = vec!["/nonexistent/reglint-test/python"];
    pythons.extend(no_moto);
    for test in [
        "call_counter_counts_each_api_call_per_account",
        "env_points_a_child_process_at_moto",
    ] {
        for python in &pythons {
            for skip in [None, Some("0"), Some("true")] {
                let out = run_without_moto(test, python, skip);
                let all = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                assert!(
                    !out.status.success(),
                    "{test} with {python}, skip {skip:?}: passed without moto\n{all}"
                );
                assert!(all.contains("moto is not available"), "{all}");
                assert!(all.contains("1 failed"), "{all}");
            }
            let out = run_without_moto(test, python, Some("1"));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{test} with {python}: {stderr}");
            assert!(
                stderr.contains(&format!("skipped {test}: moto is not available")),
                "{stderr}"
            );
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("1 passed"),
                "exactly the one test ran"
            );
        }
    }
    // This machine has moto: the same test passes with it, and skipping changes nothing.
    let Some(_moto) = Moto::shared() else { return };
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    let out = cmd
        .args(["env_points_a_child_process_at_moto", "--exact"])
        .env(moto::SKIP_VAR, "1")
        .env_remove("REGLINT_MOTO_PYTHON")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("skipped"));
}
