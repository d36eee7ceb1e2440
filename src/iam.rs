//! `reglint iam-policy`: the least-privilege IAM policy documents for each way of running
//! reglint. The action lists here are the only ones reglint's AWS calls need; a test runs each
//! mode against a test server and checks every call made is covered.

use serde_json::{json, Value};

/// What the policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyMode {
    /// Scan the registry table (audits, CI gates).
    Check,
    /// Scan and repair the table, and undo repairs.
    Fix,
    /// Assume the verifier role in each account (the hub side of --verify).
    Verify,
    /// The role in each target account: its trust policy and read-only permissions.
    Target,
    /// `reglint migrate` on a table: the registry's description and the ledger table.
    Migrate,
    /// `doctor --invoke`: what the role in each target account needs on top of `target` to
    /// invoke the agent (a model call) or the AgentCore runtime.
    Invoke,
}

/// DynamoDB actions of a read-only run.
pub const CHECK_ACTIONS: &[&str] = &["dynamodb:DescribeTable", "dynamodb:Scan"];

/// DynamoDB actions of a repair run (and of `undo`). A key-attribute fix is a
/// TransactWriteItems of a Put and a Delete, authorised as PutItem and DeleteItem.
pub const FIX_ACTIONS: &[&str] = &[
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
];

/// Control-plane actions the verifier role needs in each target account.
pub const TARGET_ACTIONS: &[&str] = &[
    "bedrock:GetAgent",
    "bedrock:GetAgentAlias",
    "bedrock:ListAgentAliases",
    "bedrock-agentcore:GetAgentRuntime",
    "bedrock-agentcore:GetAgentRuntimeEndpoint",
];

/// Data-plane actions of `doctor --invoke` in the target account.
pub const INVOKE_ACTIONS: &[&str] = &[
    "bedrock:InvokeAgent",
    "bedrock-agentcore:InvokeAgentRuntime",
];

/// Actions `migrate` takes on its ledger table (`reglint-migrations`): create it once, read and
/// conditionally write entries and the lock lease.
pub const LEDGER_ACTIONS: &[&str] = &[
    "dynamodb:CreateTable",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
];

/// What to fill into the policies.
#[derive(Debug, Clone)]
pub struct PolicyInputs {
    /// Table name, or `*`.
    pub table: String,
    /// Region, or `*`.
    pub region: String,
    /// The hub's account (where the table and the caller live), or `*`.
    pub account: String,
    /// Role ARN template with `{account_id}`, and per-account overrides.
    pub role_arns: Vec<String>,
    /// Whether the verifier sends an ExternalId.
    pub external_id: bool,
}

/// The policy documents for a mode, as one JSON value (`{"PolicyName": document, …}`).
pub fn policies(mode: PolicyMode, p: &PolicyInputs) -> Value {
    let table_arn = format!(
        "arn:aws:dynamodb:{}:{}:table/{}",
        p.region, p.account, p.table
    );
    let statement = |sid: &str, actions: &[&str], resources: Vec<String>| json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources});
    let doc = |statements: Vec<Value>| json!({"Version": "2012-10-17", "Statement": statements});
    match mode {
        PolicyMode::Check => json!({
            "ReglintCheck": doc(vec![statement("ScanRegistry", CHECK_ACTIONS, vec![table_arn])])
        }),
        PolicyMode::Fix => json!({
            "ReglintFix": doc(vec![statement("RepairRegistry", FIX_ACTIONS, vec![table_arn])])
        }),
        PolicyMode::Migrate => {
            let ledger_arn = format!(
                "arn:aws:dynamodb:{}:{}:table/{}",
                p.region,
                p.account,
                crate::aws::ledger::DEFAULT_TABLE
            );
            json!({"ReglintMigrate": doc(vec![
                // `apply` and `undo` read and write the registry as `--fix` does; `plan`,
                // `status` and `stamp` need only DescribeTable and Scan of it.
                statement("MigrateRegistry", FIX_ACTIONS, vec![table_arn]),
                statement("MigrationLedger", LEDGER_ACTIONS, vec![ledger_arn]),
            ])})
        }
        PolicyMode::Verify => {
            let roles: Vec<String> = p
                .role_arns
                .iter()
                .map(|r| r.replace("{account_id}", "*"))
                .collect();
            json!({
                "ReglintVerify": doc(vec![statement("AssumeVerifierRoles", &["sts:AssumeRole"], roles)])
            })
        }
        PolicyMode::Invoke => json!({
            "ReglintInvoke": doc(vec![
                statement("InvokeAgents", &INVOKE_ACTIONS[..1], vec!["arn:aws:bedrock:*:*:agent-alias/*/*".into()]),
                statement("InvokeRuntimes", &INVOKE_ACTIONS[1..], vec!["arn:aws:bedrock-agentcore:*:*:runtime/*".into(), "arn:aws:bedrock-agentcore:*:*:runtime/*/runtime-endpoint/*".into()]),
            ])
        }),
        PolicyMode::Target => {
            let mut trust = json!({
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{}:root", p.account)},
                "Action": "sts:AssumeRole",
            });
            if p.external_id {
                trust["Condition"] =
                    json!({"StringEquals": {"sts:ExternalId": "<your ExternalId>"}});
            }
            json!({
                "TrustPolicy": doc(vec![trust]),
                "ReglintTargetReadOnly": doc(vec![
                    statement("ReadAgents", &TARGET_ACTIONS[..3], vec!["arn:aws:bedrock:*:*:agent/*".into(), "arn:aws:bedrock:*:*:agent-alias/*/*".into()]),
                    statement("ReadRuntimes", &TARGET_ACTIONS[3..], vec!["arn:aws:bedrock-agentcore:*:*:runtime/*".into()]),
                ]),
            })
        }
    }
}

/// The IAM actions a policy document grants (for the coverage test).
pub fn granted_actions(policies: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(map) = policies.as_object() {
        for doc in map.values() {
            for st in doc["Statement"].as_array().into_iter().flatten() {
                match &st["Action"] {
                    Value::String(a) => out.push(a.clone()),
                    Value::Array(a) => {
                        out.extend(a.iter().filter_map(|x| x.as_str().map(String::from)))
                    }
                    _ => {}
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> PolicyInputs {
        PolicyInputs {
            table: "registry".into(),
            region: "us-east-1".into(),
            account: "843074507558".into(),
            role_arns: vec!["arn:aws:iam::{account_id}:role/RegistryVerifier".into()],
            external_id: true,
        }
    }

    #[test]
    fn check_is_read_only_on_the_table() {
        let p = policies(PolicyMode::Check, &inputs());
        assert_eq!(
            granted_actions(&p),
            vec!["dynamodb:DescribeTable", "dynamodb:Scan"]
        );
        assert_eq!(
            p["ReglintCheck"]["Statement"][0]["Resource"][0],
            "arn:aws:dynamodb:us-east-1:843074507558:table/registry"
        );
    }

    #[test]
    fn migrate_writes_the_registry_as_fix_does_and_its_ledger() {
        let p = policies(PolicyMode::Migrate, &inputs());
        let st = &p["ReglintMigrate"]["Statement"];
        assert_eq!(st[0]["Action"], json!(FIX_ACTIONS));
        assert_eq!(
            st[0]["Resource"][0],
            "arn:aws:dynamodb:us-east-1:843074507558:table/registry"
        );
        assert_eq!(
            st[1]["Resource"][0],
            "arn:aws:dynamodb:us-east-1:843074507558:table/reglint-migrations"
        );
        assert!(granted_actions(&p).contains(&"dynamodb:Query".to_string()));
    }

    #[test]
    fn verify_and_target() {
        let p = policies(PolicyMode::Verify, &inputs());
        assert_eq!(
            p["ReglintVerify"]["Statement"][0]["Resource"][0],
            "arn:aws:iam::*:role/RegistryVerifier"
        );
        let t = policies(PolicyMode::Target, &inputs());
        assert_eq!(
            t["TrustPolicy"]["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::843074507558:root"
        );
        assert!(
            t["TrustPolicy"]["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"]
                .is_string()
        );
        assert_eq!(granted_actions(&t).len(), 6);
    }
}
