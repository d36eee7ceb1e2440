//! Least privilege: every AWS call the release binary makes in each mode (check on a table;
//! --fix with a key-changing unsafe fix, then undo; --verify with an assumed role; doctor
//! --invoke, whose target-account calls need `target` and `invoke` together) is mapped to
//! the IAM action that authorises it, and that action must be granted, on that resource, by
//! `reglint iam-policy --mode <mode>`. Calls are seen by moto's call counter (per account) and,
//! for DynamoDB, by a proxy that reads each request (a TransactWriteItems is authorised item
//! by item: Put → PutItem, Delete → DeleteItem, ConditionCheck → ConditionCheckItem,
//! Update → UpdateItem).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use dynamo::{client, create_table, entry, put_items, s, unique, Action, Proxy};
use moto::{Moto, BASE_ACCOUNT, REGION};
use serde_json::Value;

const ACCT_A: &str = "111122223333";

fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/RegistryVerifier")
}

/// `*` matches any run of characters; everything else literally.
fn matches(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len()).any(|i| matches(tail, &text[head.len() + i..]))
        }
    }
}

/// The policy documents of `reglint iam-policy --mode MODE` for this table.
fn policy(dir: &Path, mode: &str, table: &str) -> Value {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_reglint"))
        .current_dir(dir)
        .args([
            "iam-policy",
            "--mode",
            mode,
            "--table",
            table,
            "--region",
            REGION,
        ])
        .args([
            "--account",
            BASE_ACCOUNT,
            "--role-arn",
            &role("{account_id}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Whether a permissions policy (not a trust policy) allows `action` on `resource`.
fn allows(policies: &Value, action: &str, resource: &str) -> bool {
    policies.as_object().unwrap().iter().any(|(name, doc)| {
        name != "TrustPolicy"
            && doc["Statement"].as_array().unwrap().iter().any(|st| {
                let list = |v: &Value| -> Vec<String> {
                    match v {
                        Value::String(x) => vec![x.clone()],
                        Value::Array(a) => {
                            a.iter().map(|x| x.as_str().unwrap().to_string()).collect()
                        }
                        _ => vec![],
                    }
                };
                st["Effect"] == "Allow"
                    && list(&st["Action"]).iter().any(|a| matches(a, action))
                    && list(&st["Resource"]).iter().any(|r| matches(r, resource))
            })
    })
}

/// The IAM actions behind one moto-counted call (`service:Operation`); None when a call needs
/// no permission.
fn iam_action(call: &str) -> Option<String> {
    let (service, op) = call.split_once(':').unwrap();
    match (service, op) {
        ("sts", "GetCallerIdentity") => None,
        ("bedrock-agent" | "bedrock-agent-runtime", op) => Some(format!("bedrock:{op}")),
        ("bedrock-agentcore-control" | "bedrock-agentcore", op) => {
            Some(format!("bedrock-agentcore:{op}"))
        }
        (service, op) => Some(format!("{service}:{op}")),
    }
}

/// DynamoDB requests seen by the proxy, as IAM actions (transactions item by item).
type Seen = Arc<Mutex<BTreeSet<String>>>;

fn recording_proxy(moto: &Moto) -> (Proxy, Seen) {
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let proxy = Proxy::with_hook(
        moto,
        Arc::new(move |req| {
            let mut seen = s2.lock().unwrap();
            match req.operation.as_str() {
                "" => {}
                "TransactWriteItems" => {
                    for item in req.body["TransactItems"].as_array().unwrap() {
                        for (kind, action) in [
                            ("Put", "PutItem"),
                            ("Delete", "DeleteItem"),
                            ("Update", "UpdateItem"),
                            ("ConditionCheck", "ConditionCheckItem"),
                        ] {
                            if item.get(kind).is_some() {
                                seen.insert(format!("dynamodb:{action}"));
                            }
                        }
                    }
                }
                op => {
                    seen.insert(format!("dynamodb:{op}"));
                }
            }
            Action::Forward
        }),
    );
    (proxy, seen)
}

fn calls_of(moto: &Moto, account: &str) -> BTreeSet<String> {
    moto.calls_by_account()[account]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_call_of_every_mode_is_granted_by_its_policy() {
    let Some(moto) = Moto::start() else { return };
    moto.create_cross_account_role(&role(ACCT_A), None);
    let in_a = aws_sdk_bedrockagent::Client::new(&moto.assumed_config(&role(ACCT_A)).await);
    let agent = in_a
        .create_agent()
        .agent_name("a_one")
        .agent_resource_role_arn("arn:aws:iam::111122223333:role/agent-runtime")
        .send()
        .await
        .unwrap()
        .agent()
        .unwrap()
        .agent_id()
        .to_string();
    let alias = in_a
        .create_agent_alias()
        .agent_id(&agent)
        .agent_alias_name("prod")
        .send()
        .await
        .unwrap()
        .agent_alias()
        .unwrap()
        .agent_alias_id()
        .to_string();
    let db = client(&moto).await;
    let table = unique("iam");
    create_table(&db, &table, "agent_id", None).await;
    let mut remote = entry(&agent, &alias);
    remote.insert("account_id".into(), s(ACCT_A));
    put_items(
        &db,
        &table,
        &[
            remote,
            entry("PEGHWIVI5Y", "IO1GTTHP0M\""),
            entry("KEYCHANGE1 ", "8HJK2MN4PQ"),
        ],
    )
    .await;
    let table_arn = format!("arn:aws:dynamodb:{REGION}:{BASE_ACCOUNT}:table/{table}");
    let dir = tempfile::tempdir().unwrap();
    let template = role("{account_id}");

    type Run<'a> = (&'a str, Vec<Vec<&'a str>>);
    let runs: Vec<Run> = vec![
        ("check", vec![vec!["check", "--table", &table]]),
        (
            "fix",
            vec![
                vec![
                    "check",
                    "--table",
                    &table,
                    "--fix",
                    "--unsafe-fixes",
                    "--journal",
                    "j.jsonl",
                ],
                vec!["undo", "j.jsonl"],
            ],
        ),
        (
            "verify",
            vec![vec![
                "check",
                "--table",
                &table,
                "--verify",
                "--role-arn",
                &template,
            ]],
        ),
        (
            "invoke",
            vec![vec![
                "doctor",
                "--account",
                ACCT_A,
                "--agent-id",
                &agent,
                "--alias-id",
                &alias,
                "--role-arn",
                &template,
                "--invoke",
            ]],
        ),
    ];
    for (mode, commands) in runs {
        moto.reset_calls();
        let (proxy, seen) = recording_proxy(&moto);
        for args in &commands {
            let out = dynamo::reglint(&moto, &proxy.endpoint, dir.path())
                .args(args)
                .output()
                .unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let base_calls = calls_of(&moto, BASE_ACCOUNT);
        let remote_calls = calls_of(&moto, ACCT_A);
        let dynamodb = seen.lock().unwrap().clone();
        eprintln!("{mode}: dynamodb {dynamodb:?}; base {base_calls:?}; in A {remote_calls:?}");

        let table_policy = policy(
            dir.path(),
            if mode == "fix" { "fix" } else { "check" },
            &table,
        );
        for action in &dynamodb {
            assert!(
                allows(&table_policy, action, &table_arn),
                "{mode}: {action} on {table_arn} is not granted: {table_policy:#}"
            );
        }
        if mode == "fix" {
            for used in [
                "dynamodb:UpdateItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
            ] {
                assert!(dynamodb.contains(used), "{mode} used {used}: {dynamodb:?}");
            }
        }
        let verify_policy = policy(dir.path(), "verify", &table);
        let target_policy = policy(dir.path(), "target", &table);
        let invoke_policy = policy(dir.path(), "invoke", &table);
        let assumes = matches!(mode, "verify" | "invoke");
        for call in &base_calls {
            let Some(action) = iam_action(call) else {
                continue;
            };
            let granted = if action.starts_with("dynamodb:") {
                // Seen in detail by the proxy (a transaction counts as its items).
                action == "dynamodb:TransactWriteItems" || dynamodb.contains(&action)
            } else if action == "sts:AssumeRole" {
                assumes && allows(&verify_policy, &action, &role(ACCT_A))
            } else {
                // The hub's own entries are verified with its own credentials.
                assumes
                    && allows(
                        &target_policy,
                        &action,
                        "arn:aws:bedrock:us-east-1:123456789012:agent/X",
                    )
            };
            assert!(granted, "{mode}: {call} in the hub account is not granted");
        }
        if mode == "invoke" {
            assert!(
                remote_calls.contains("bedrock-agent-runtime:InvokeAgent"),
                "{remote_calls:?}"
            );
            assert!(!base_calls.contains("bedrock-agent-runtime:InvokeAgent"));
        }
        if assumes {
            assert!(base_calls.contains("sts:AssumeRole"), "{base_calls:?}");
            assert!(!remote_calls.is_empty(), "verify called into A");
        } else {
            assert!(
                remote_calls.is_empty(),
                "{mode} stays in the hub: {remote_calls:?}"
            );
        }
        for call in &remote_calls {
            let Some(action) = iam_action(call) else {
                continue;
            };
            let resource = if action.contains("Alias") || action == "bedrock:InvokeAgent" {
                format!("arn:aws:bedrock:{REGION}:{ACCT_A}:agent-alias/{agent}/{alias}")
            } else {
                format!("arn:aws:bedrock:{REGION}:{ACCT_A}:agent/{agent}")
            };
            let granted = allows(&target_policy, &action, &resource)
                || (mode == "invoke" && allows(&invoke_policy, &action, &resource));
            assert!(
                granted,
                "{mode}: {call} in {ACCT_A} is not granted by the target role's policy: {target_policy:#}"
            );
        }
    }
}
