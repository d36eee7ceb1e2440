//! A multi-account registry world in moto for the `--verify` and `doctor` tests: roles, agents
//! in every status, aliases, AgentCore runtimes, and a registry file naming them all.
//!
//! Include after `support/moto.rs`:
//!
//! ```ignore
//! #[path = "support/moto.rs"]
//! mod moto;
//! #[path = "support/world.rs"]
//! mod world;
//! ```
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_bedrockagentcorecontrol::types::{
    AgentRuntimeArtifact, ContainerConfiguration, NetworkConfiguration, NetworkMode,
};
use serde_json::{json, Value};

use super::moto::{trust_policy, Moto, BASE_ACCOUNT};

/// The hub's own account (the base credentials).
pub const LOCAL: &str = BASE_ACCOUNT;
/// Its role demands the ExternalId [`EXTERNAL_ID`].
pub const ACCT_A: &str = "111122223333";
/// Its role trusts nobody.
pub const ACCT_B: &str = "444455556666";
/// Its per-account role override points into account A.
pub const ACCT_C: &str = "777788889999";
/// Its role trusts the hub without conditions; most agents live here.
pub const ACCT_D: &str = "210987654321";
pub const EXTERNAL_ID: &str = "reglint-ext-2026";
pub const ROLE_NAME: &str = "RegistryVerifier";
pub const TEMPLATE: &str = "arn:aws:iam::{account_id}:role/RegistryVerifier";
pub const MISSING_RUNTIME: &str =
    "arn:aws:bedrock-agentcore:us-east-1:210987654321:runtime/gone_agent-AAAAAAAAAA";

pub fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/{ROLE_NAME}")
}

/// The IDs moto gave everything.
#[derive(Debug, Clone)]
pub struct World {
    pub l1: String,
    pub l1_prod: String,
    pub a1: String,
    pub a1_prod: String,
    /// PREPARED, with aliases prod, failed and paused.
    pub p: String,
    pub p_prod: String,
    pub p_failed: String,
    pub p_paused: String,
    /// NOT_PREPARED, with an alias routing to version 1.
    pub np: String,
    pub np_prod: String,
    /// FAILED.
    pub f: String,
    /// UPDATING.
    pub u: String,
    /// Lives in D, registered under A.
    pub w: String,
    pub w_prod: String,
    /// READY, DEFAULT endpoint READY.
    pub r1_arn: String,
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

async fn agent(client: &aws_sdk_bedrockagent::Client, name: &str, status: Option<&str>) -> String {
    let mut req = client
        .create_agent()
        .agent_name(name)
        .agent_resource_role_arn("arn:aws:iam::123456789012:role/agent-runtime");
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

async fn alias(
    client: &aws_sdk_bedrockagent::Client,
    agent_id: &str,
    name: &str,
    tag: Option<(&str, &str)>,
) -> String {
    let mut req = client
        .create_agent_alias()
        .agent_id(agent_id)
        .agent_alias_name(name);
    if let Some((k, v)) = tag {
        req = req.tags(k, v);
    }
    req.send()
        .await
        .expect("CreateAgentAlias")
        .agent_alias()
        .expect("alias")
        .agent_alias_id()
        .to_string()
}

async fn runtime(client: &aws_sdk_bedrockagentcorecontrol::Client, name: &str) -> String {
    let container = ContainerConfiguration::builder()
        .container_uri("210987654321.dkr.ecr.us-east-1.amazonaws.com/agent:latest")
        .build()
        .unwrap();
    let network = NetworkConfiguration::builder()
        .network_mode(NetworkMode::Public)
        .build()
        .unwrap();
    client
        .create_agent_runtime()
        .agent_runtime_name(name)
        .agent_runtime_artifact(AgentRuntimeArtifact::ContainerConfiguration(container))
        .role_arn("arn:aws:iam::210987654321:role/agent-runtime")
        .network_configuration(network)
        .send()
        .await
        .expect("CreateAgentRuntime")
        .agent_runtime_arn()
        .to_string()
}

impl World {
    /// Creates the roles and resources (moto's state must be fresh).
    pub fn build(moto: &Moto) -> World {
        moto.create_cross_account_role(&role(ACCT_A), Some(EXTERNAL_ID));
        moto.create_role(
            &role(ACCT_B),
            &json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        );
        moto.create_role(&role(ACCT_D), &trust_policy(BASE_ACCOUNT, None));
        block_on(async {
            let local = aws_sdk_bedrockagent::Client::new(&moto.sdk_config().await);
            let in_a = aws_sdk_bedrockagent::Client::new(
                &moto
                    .assumed_config_with(&role(ACCT_A), Some(EXTERNAL_ID))
                    .await,
            );
            let d_config = moto.assumed_config(&role(ACCT_D)).await;
            let in_d = aws_sdk_bedrockagent::Client::new(&d_config);
            let runtimes_d = aws_sdk_bedrockagentcorecontrol::Client::new(&d_config);

            let l1 = agent(&local, "local_one", None).await;
            let l1_prod = alias(&local, &l1, "prod", None).await;
            let a1 = agent(&in_a, "a_one", None).await;
            let a1_prod = alias(&in_a, &a1, "prod", None).await;
            let p = agent(&in_d, "prepared", None).await;
            let p_prod = alias(&in_d, &p, "prod", None).await;
            let p_failed = alias(&in_d, &p, "broken", Some(("reglint:status", "FAILED"))).await;
            let p_paused = alias(
                &in_d,
                &p,
                "paused",
                Some(("reglint:invocation-state", "REJECT_INVOCATIONS")),
            )
            .await;
            let np = agent(&in_d, "not_prepared", None).await;
            let np_prod = alias(&in_d, &np, "prod", None).await;
            moto.set_status(&json!({"account": ACCT_D, "agentId": np, "status": "NOT_PREPARED"}));
            let f = agent(&in_d, "failed", Some("FAILED")).await;
            let u = agent(&in_d, "updating", Some("UPDATING")).await;
            let w = agent(&in_d, "wanderer", None).await;
            let w_prod = alias(&in_d, &w, "prod", None).await;
            let r1_arn = runtime(&runtimes_d, "ready_agent").await;
            World {
                l1,
                l1_prod,
                a1,
                a1_prod,
                p,
                p_prod,
                p_failed,
                p_paused,
                np,
                np_prod,
                f,
                u,
                w,
                w_prod,
                r1_arn,
            }
        })
    }

    /// An alias ID one character away from `p_prod` that does not exist.
    pub fn p_typo(&self) -> String {
        let mut chars: Vec<char> = self.p_prod.chars().collect();
        let last = chars.len() - 1;
        chars[last] = if chars[last] == 'Q' { 'R' } else { 'Q' };
        chars.into_iter().collect()
    }

    /// Every registry entry, keyed by name.
    pub fn registry(&self) -> Vec<Value> {
        let agent = |name: &str, agent_id: &str, alias_id: &str, account: Option<&str>| {
            let mut item = json!({
                "agent_id": agent_id, "alias_id": alias_id, "name": name,
                "description": format!("{name} entry"), "agent_type": "bedrock_agent",
                "enabled": true, "capabilities": ["testing"],
            });
            if let Some(a) = account {
                item["account_id"] = json!(a);
            }
            item
        };
        let runtime = |name: &str, arn: &str, qualifier: Option<&str>| {
            let mut item = json!({
                "agent_id": name, "runtime_arn": arn, "name": name,
                "description": format!("{name} entry"), "agent_type": "agentcore",
                "enabled": true, "capabilities": ["testing"],
            });
            if let Some(q) = qualifier {
                item["qualifier"] = json!(q);
            }
            item
        };
        vec![
            agent("local-prod", &self.l1, &self.l1_prod, None),
            agent("local-draft", &self.l1, "TSTALIASID", None),
            agent("a-prod", &self.a1, &self.a1_prod, Some(ACCT_A)),
            agent("b-agent", "BBBBBBBBBB", "BBBBBBBBB1", Some(ACCT_B)),
            agent("c-agent", "CCCCCCCCCC", "CCCCCCCCC1", Some(ACCT_C)),
            agent("d-prod", &self.p, &self.p_prod, Some(ACCT_D)),
            agent("d-draft-not-prepared", &self.np, "TSTALIASID", Some(ACCT_D)),
            agent(
                "d-versioned-not-prepared",
                &self.np,
                &self.np_prod,
                Some(ACCT_D),
            ),
            agent("d-failed", &self.f, "TSTALIASID", Some(ACCT_D)),
            agent("d-updating", &self.u, "TSTALIASID", Some(ACCT_D)),
            agent("d-alias-failed", &self.p, &self.p_failed, Some(ACCT_D)),
            agent("d-alias-paused", &self.p, &self.p_paused, Some(ACCT_D)),
            agent("d-alias-missing", &self.p, &self.p_typo(), Some(ACCT_D)),
            agent("d-test-alias", &self.p, "TSTALIASID", Some(ACCT_D)),
            runtime("d-runtime", &self.r1_arn, None),
            runtime("d-runtime-canary", &self.r1_arn, Some("canary")),
            runtime("d-runtime-missing", MISSING_RUNTIME, None),
            agent("a-wrong-account", &self.w, &self.w_prod, Some(ACCT_A)),
            agent("bad-id", &format!("{}\"", self.l1), "BADBADBAD1", None),
        ]
    }

    /// The config every test uses: items keyed by name, account C's role pointing into A.
    pub fn config(&self) -> String {
        format!(
            "[registry]\nkey = [\"name\"]\n\n# Draft aliases are registered on purpose; d-runtime-canary registers d-runtime's runtime again, for another endpoint.\n[rules]\nignore = [\"RG104\", \"RG301\"]\n\n[verify]\nrole_arn = \"{TEMPLATE}\"\n\n[verify.accounts.\"{ACCT_C}\"]\nrole_arn = \"{}\"\n",
            role(ACCT_A)
        )
    }
}
