//! `reglint check --verify`, the release binary against moto, across five accounts: the local
//! one and A (role with ExternalId), B (role trusting nobody), C (role override into A) and D
//! (agents, aliases and runtimes in every state). See tests/support/world.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/world.rs"]
mod world;
// The fixture (one moto with the world, one folder with its reglint.toml) is doctor's.
#[path = "support/doctor.rs"]
mod doctor;

use std::path::PathBuf;

use doctor::{fixture, Fixture};

use serde_json::{json, Value};
use world::{ACCT_A, ACCT_B, ACCT_C, ACCT_D, EXTERNAL_ID, LOCAL, MISSING_RUNTIME};

impl Fixture {
    /// A registry file with the named entries of the world.
    fn registry(&self, file: &str, names: &[&str]) -> PathBuf {
        let items: Vec<Value> = self
            .world
            .registry()
            .into_iter()
            .filter(|i| names.is_empty() || names.contains(&i["name"].as_str().unwrap()))
            .collect();
        let path = self.dir.path().join(file);
        std::fs::write(&path, serde_json::to_string_pretty(&items).unwrap()).unwrap();
        path
    }

    /// Runs `reglint check FILE --verify --format json ARGS` against moto.
    fn check(&self, file: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> (i32, Value) {
        let mut cmd = assert_cmd::Command::cargo_bin("reglint").unwrap();
        cmd.envs(self.moto.env());
        for k in moto::ENV_REMOVE {
            cmd.env_remove(k);
        }
        cmd.envs(env.iter().copied());
        cmd.current_dir(self.dir.path())
            .arg("check")
            .arg(file)
            .args(["--verify", "--format", "json"]);
        if !args.contains(&"--config") {
            cmd.arg("--config")
                .arg(self.dir.path().join("reglint.toml"));
        }
        cmd.args(args);
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
        assert!(
            !stderr.contains("SecretAccessKey") && !stderr.contains("testing"),
            "stderr leaks credentials: {stderr}"
        );
        (out.status.code().unwrap(), report)
    }
}

/// `(name, rule, severity, message)` of every diagnostic, sorted.
fn findings(report: &Value) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["item"]["key"]["name"].as_str().unwrap_or("").to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn diagnostic<'a>(report: &'a Value, name: &str, rule: &str) -> &'a Value {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["item"]["key"]["name"] == name && d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} on {name}: {report:#}"))
}

/// Asserts the exact (name, rule, severity) set and a message fragment for each.
fn assert_findings(report: &Value, expected: &[(&str, &str, &str, &str)]) {
    let got = findings(report);
    let got_keys: Vec<(String, String, String)> = got
        .iter()
        .map(|(n, r, s, _)| (n.clone(), r.clone(), s.clone()))
        .collect();
    let mut want_keys: Vec<(String, String, String)> = expected
        .iter()
        .map(|(n, r, s, _)| (n.to_string(), r.to_string(), s.to_string()))
        .collect();
    want_keys.sort();
    assert_eq!(got_keys, want_keys, "findings: {got:#?}");
    for (name, rule, _, fragment) in expected {
        let (_, _, _, message) = got
            .iter()
            .find(|(n, r, _, _)| n == name && r == rule)
            .unwrap();
        assert!(
            message.contains(fragment),
            "{rule} on {name}: {message:?} lacks {fragment:?}"
        );
    }
}

#[test]
fn verify_reports_every_remote_finding_with_one_call_per_distinct_question() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let file = fx.registry("all.json", &[]);
    let (code, report) = fx.check(&file, &["--external-id", EXTERNAL_ID], &[]);

    let r1_id = w.r1_arn.rsplit_once("runtime/").unwrap().1.to_string();
    let role_a = world::role(ACCT_A);
    let role_b = world::role(ACCT_B);
    let rg401_b = format!("AssumeRole {role_b} was refused (an ExternalId was sent): AccessDenied: User: arn:aws:sts::{LOCAL}:user/moto is not authorized to perform: sts:AssumeRole on resource: {role_b}");
    let rg402_c = format!("assuming {role_a} gives arn:aws:sts::{ACCT_A}:assumed-role/RegistryVerifier/reglint in account {ACCT_A}, not account {ACCT_C}");
    let rg403 = format!(
        "agent {} was not found in account {ACCT_A} (us-east-1); it exists in account {ACCT_D}",
        w.w
    );
    let rg404_np = format!(
        "agent {} in account {ACCT_D} is NOT_PREPARED, and alias TSTALIASID routes to its draft",
        w.np
    );
    let rg404_f = format!(
        "agent {} in account {ACCT_D} is FAILED (Agent preparation failed (set by the test harness)), and alias TSTALIASID routes to its draft",
        w.f
    );
    let rg404_u = format!("agent {} in account {ACCT_D} is UPDATING", w.u);
    let rg405 = format!(
        "alias {} of agent {} was not found in account {ACCT_D}; nearest: {} (prod, PREPARED); the agent's aliases: ",
        w.p_typo(),
        w.p,
        w.p_prod
    );
    let rg406_failed = format!(
        "alias {} of agent {} is FAILED (Alias creation failed (set by the test harness))",
        w.p_failed, w.p
    );
    let rg406_paused = format!(
        "alias {} of agent {} rejects invocations (REJECT_INVOCATIONS)",
        w.p_paused, w.p
    );
    let rg407 =
        format!("runtime gone_agent-AAAAAAAAAA was not found in account {ACCT_D} (us-east-1)");
    let rg408 = format!("endpoint canary of runtime {r1_id} does not exist");
    assert_findings(
        &report,
        &[
            ("b-agent", "RG401", "error", &rg401_b),
            ("c-agent", "RG402", "error", &rg402_c),
            ("a-wrong-account", "RG403", "error", &rg403),
            ("d-draft-not-prepared", "RG404", "error", &rg404_np),
            ("d-failed", "RG404", "error", &rg404_f),
            ("d-updating", "RG404", "warning", &rg404_u),
            ("d-alias-missing", "RG405", "error", &rg405),
            ("d-alias-failed", "RG406", "error", &rg406_failed),
            ("d-alias-paused", "RG406", "error", &rg406_paused),
            ("d-runtime-missing", "RG407", "error", &rg407),
            ("d-runtime-canary", "RG408", "error", &rg408),
            // Not verified: its identifier fails RG101.
            ("bad-id", "RG101", "error", "agent_id"),
        ],
    );
    assert_eq!(code, 1);

    // The alias list names every alias of the agent.
    let listed = &diagnostic(&report, "d-alias-missing", "RG405")["message"];
    for id in [&w.p_prod, &w.p_failed, &w.p_paused] {
        assert!(listed.as_str().unwrap().contains(id.as_str()), "{listed}");
    }
    assert!(listed
        .as_str()
        .unwrap()
        .contains("TSTALIASID (AgentTestAlias, PREPARED)"));

    // RG401 says what to check; RG403 offers the move as an unsafe fix.
    let rg401 = diagnostic(&report, "b-agent", "RG401");
    assert_eq!(rg401["attribute"], "account_id");
    let help = rg401["help"].as_str().unwrap();
    for fragment in ["trust policy", "sts:ExternalId", "sts:AssumeRole on"] {
        assert!(help.contains(fragment), "{help}");
    }
    let rg403 = diagnostic(&report, "a-wrong-account", "RG403");
    assert_eq!(rg403["attribute"], "agent_id");
    assert_eq!(
        rg403["fix"],
        json!({
            "applicability": "unsafe",
            "title": format!("Register the agent under account {ACCT_D}"),
            "edits": [{"op": "set", "attribute": "account_id", "value": {"S": ACCT_D}}],
        })
    );
    assert!(rg403["location"]["line"].as_u64().unwrap() > 0);

    // One AssumeRole per account, one GetCallerIdentity per session, one GetAgent per
    // (account, agent), one GetAgentAlias per alias, one ListAgentAliases for the missing alias.
    let by_account = fx.moto.calls_by_account();
    assert_eq!(
        by_account[LOCAL],
        json!({
            "sts:AssumeRole": 4,                       // A, B, C and D; none in the local account
            "sts:GetCallerIdentity": 1,                // the base identity
            "bedrock-agent:GetAgent": 2,               // l1, and w looked for in the local account
            "bedrock-agent:GetAgentAlias": 2,          // l1 prod, l1 TSTALIASID
        })
    );
    assert_eq!(
        by_account[ACCT_A],
        json!({
            "sts:GetCallerIdentity": 2,                // A's session, and C's (which lands in A)
            "bedrock-agent:GetAgent": 2,               // a1, w
            "bedrock-agent:GetAgentAlias": 1,          // a1 prod
        })
    );
    assert_eq!(
        by_account[ACCT_D],
        json!({
            "sts:GetCallerIdentity": 1,
            "bedrock-agent:GetAgent": 5,               // p, np, f, u, and w found here
            "bedrock-agent:GetAgentAlias": 9,          // p x5, np x2, f, u
            "bedrock-agent:ListAgentAliases": 1,       // p, for the missing alias
            "bedrock-agentcore-control:GetAgentRuntime": 2,
            "bedrock-agentcore-control:GetAgentRuntimeEndpoint": 2,
        })
    );
    assert!(by_account.get(ACCT_B).is_none() && by_account.get(ACCT_C).is_none());
    // Every call is covered by the policies `reglint iam-policy` prints (GetCallerIdentity
    // needs no permission).
    let inputs = reglint::iam::PolicyInputs {
        table: "*".into(),
        region: "*".into(),
        account: LOCAL.into(),
        role_arns: vec![world::TEMPLATE.into()],
        external_id: true,
    };
    let target = reglint::iam::granted_actions(&reglint::iam::policies(
        reglint::iam::PolicyMode::Target,
        &inputs,
    ));
    let hub = reglint::iam::granted_actions(&reglint::iam::policies(
        reglint::iam::PolicyMode::Verify,
        &inputs,
    ));
    for calls in by_account.as_object().unwrap().values() {
        for api in calls.as_object().unwrap().keys() {
            let action = api
                .replace("bedrock-agentcore-control:", "bedrock-agentcore:")
                .replace("bedrock-agent:", "bedrock:");
            assert!(
                action == "sts:GetCallerIdentity"
                    || target.contains(&action)
                    || hub.contains(&action),
                "{action} is in no policy"
            );
        }
    }
    // The report counts the same calls, by API.
    let by_api: serde_json::Map<String, Value> = fx
        .moto
        .calls()
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.split_once(':').unwrap().1.to_string(), v.clone()))
        .collect();
    assert_eq!(report["summary"]["aws_calls"], Value::Object(by_api));
    assert_eq!(report["summary"]["unverifiable"], 0);
    assert_eq!(report["summary"]["items"], 19);
}

#[test]
fn a_wrong_external_id_is_refused_and_the_message_says_one_was_sent() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let file = fx.registry("a.json", &["a-prod", "d-prod"]);
    let (code, report) = fx.check(&file, &["--external-id", "not-the-right-one"], &[]);
    let role_a = world::role(ACCT_A);
    assert_findings(
        &report,
        &[(
            "a-prod",
            "RG401",
            "error",
            &format!("AssumeRole {role_a} was refused (an ExternalId was sent): AccessDenied"),
        )],
    );
    assert_eq!(code, 1);
    let calls = fx.moto.calls_by_account();
    assert_eq!(calls[LOCAL]["sts:AssumeRole"], 2);
    assert!(calls.get(ACCT_A).is_none(), "nothing may run as A: {calls}");
    assert_eq!(calls[ACCT_D]["bedrock-agent:GetAgent"], 1);
}

#[test]
fn a_missing_external_id_is_refused_and_the_message_says_none_was_sent() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let file = fx.registry("a-none.json", &["a-prod"]);
    let (code, report) = fx.check(&file, &[], &[]);
    let role_a = world::role(ACCT_A);
    assert_findings(
        &report,
        &[(
            "a-prod",
            "RG401",
            "error",
            &format!("AssumeRole {role_a} was refused (no ExternalId was sent)"),
        )],
    );
    assert_eq!(code, 1);
}

#[test]
fn the_external_id_can_come_from_the_variable_the_config_names() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let file = fx.registry("a-env.json", &["a-prod", "local-prod"]);
    let config = fx.dir.path().join("env.toml");
    std::fs::write(
        &config,
        format!(
            "[registry]\nkey = [\"name\"]\n[verify]\nrole_arn = \"{}\"\nexternal_id_env = \"HUB_EXTERNAL_ID\"\nsession_name = \"nightly-audit\"\n",
            world::TEMPLATE
        ),
    )
    .unwrap();
    let (code, report) = fx.check(
        &file,
        &["--config", config.to_str().unwrap()],
        &[("HUB_EXTERNAL_ID", EXTERNAL_ID)],
    );
    assert_findings(&report, &[]);
    assert_eq!(code, 0);
    assert_eq!(fx.moto.calls_in(ACCT_A)["bedrock-agent:GetAgentAlias"], 1);
}

#[test]
fn a_bearer_token_in_the_environment_does_not_replace_the_assumed_role() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let file = fx.registry("bearer.json", &["d-prod", "d-test-alias", "local-prod"]);
    let (code, report) = fx.check(
        &file,
        &["--external-id", EXTERNAL_ID],
        &[(
            "AWS_BEARER_TOKEN_BEDROCK",
            "bedrock-api-key-should-not-be-used",
        )],
    );
    // With bearer auth the calls would not carry D's credentials, and moto would look for the
    // agent in the default account: RG403.
    assert_findings(&report, &[]);
    assert_eq!(code, 0);
    let calls = fx.moto.calls_by_account();
    assert_eq!(calls[ACCT_D]["bedrock-agent:GetAgent"], 1);
    assert_eq!(calls[ACCT_D]["bedrock-agent:GetAgentAlias"], 2);
    assert_eq!(calls[LOCAL]["bedrock-agent:GetAgent"], 1);
}

#[test]
fn an_unreachable_control_plane_leaves_items_unverified_and_exits_3() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let file = fx.registry("down.json", &["local-prod"]);
    // STS still answers; the Bedrock Agents endpoint refuses connections.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let (code, report) = fx.check(
        &file,
        &[],
        &[(
            "AWS_ENDPOINT_URL_BEDROCK_AGENT",
            &format!("http://127.0.0.1:{port}"),
        )],
    );
    let agent_arn = format!("arn:aws:bedrock:us-east-1:{LOCAL}:agent/{}", fx.world.l1);
    assert_findings(
        &report,
        &[(
            "local-prod",
            "RG410",
            "warning",
            &format!("bedrock:GetAgent on {agent_arn} failed: service unavailable"),
        )],
    );
    assert_eq!(report["summary"]["unverifiable"], 1);
    assert_eq!(code, 3);
    // A warning fails the run when asked to.
    let (code, _) = fx.check(
        &file,
        &["--fail-on", "warning"],
        &[(
            "AWS_ENDPOINT_URL_BEDROCK_AGENT",
            &format!("http://127.0.0.1:{port}"),
        )],
    );
    assert_eq!(code, 1);
}

#[test]
fn the_local_account_option_that_disagrees_with_the_credentials_is_identity_mismatch() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let file = fx.registry("local.json", &["local-prod", "d-prod"]);
    let (code, report) = fx.check(&file, &["--local-account", "999999999999"], &[]);
    assert_findings(
        &report,
        &[(
            "local-prod",
            "RG402",
            "error",
            &format!("the base credentials are arn:aws:sts::{LOCAL}:user/moto in account {LOCAL}, not the local account 999999999999"),
        )],
    );
    assert_eq!(code, 1);
    assert!(fx
        .moto
        .calls_in(LOCAL)
        .get("bedrock-agent:GetAgent")
        .is_none());
}

#[test]
fn remote_rules_can_be_ignored_and_run_only_with_verify() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let file = fx.registry("ignored.json", &["d-failed", "d-runtime-missing"]);
    let (code, report) = fx.check(&file, &["--ignore", "RG404"], &[]);
    assert_findings(
        &report,
        &[(
            "d-runtime-missing",
            "RG407",
            "error",
            &format!("runtime gone_agent-AAAAAAAAAA was not found in account {ACCT_D}"),
        )],
    );
    assert_eq!(code, 1);
    let _ = MISSING_RUNTIME;

    // Without --verify nothing is asked of AWS.
    fx.moto.reset_calls();
    let out = assert_cmd::Command::cargo_bin("reglint")
        .unwrap()
        .envs(fx.moto.env())
        .current_dir(fx.dir.path())
        .args(["check", file.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fx.moto.calls(), json!({}));
}

/// A registry entry of the world as a DynamoDB item.
fn to_item(entry: &Value) -> dynamo::Item {
    fn av(v: &Value) -> aws_sdk_dynamodb::types::AttributeValue {
        use aws_sdk_dynamodb::types::AttributeValue;
        match v {
            Value::String(s) => AttributeValue::S(s.clone()),
            Value::Bool(b) => AttributeValue::Bool(*b),
            Value::Array(a) => AttributeValue::L(a.iter().map(av).collect()),
            other => panic!("not in the world's entries: {other}"),
        }
    }
    entry
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), av(v)))
        .collect()
}

#[test]
fn items_of_a_live_table_are_verified_like_file_items() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let table = dynamo::unique("registry");
    let names = [
        "local-prod",
        "d-failed",
        "a-wrong-account",
        "d-runtime-missing",
    ];
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = dynamo::client(&fx.moto).await;
            dynamo::create_table(&client, &table, "name", None).await;
            let items: Vec<dynamo::Item> = fx
                .world
                .registry()
                .iter()
                .filter(|e| names.contains(&e["name"].as_str().unwrap()))
                .map(to_item)
                .collect();
            dynamo::put_items(&client, &table, &items).await;
        });
    fx.moto.reset_calls();
    let source = PathBuf::from(format!("dynamodb://{table}"));
    let (code, report) = fx.check(&source, &["--external-id", EXTERNAL_ID], &[]);
    let w = &fx.world;
    assert_findings(
        &report,
        &[
            (
                "a-wrong-account",
                "RG403",
                "error",
                &format!(
                    "agent {} was not found in account {ACCT_A} (us-east-1); it exists in account {ACCT_D}",
                    w.w
                ),
            ),
            ("d-failed", "RG404", "error", "is FAILED"),
            ("d-runtime-missing", "RG407", "error", "runtime gone_agent-AAAAAAAAAA was not found"),
        ],
    );
    assert_eq!(code, 1);
    // Table items name the table and their key, not a file position.
    let rg403 = diagnostic(&report, "a-wrong-account", "RG403");
    assert!(rg403.get("location").is_none(), "{rg403}");
    assert_eq!(rg403["fix"]["edits"][0]["value"], json!({"S": ACCT_D}));
    // The table's calls and the verification's are both in the summary.
    let calls = &report["summary"]["aws_calls"];
    assert_eq!(calls["Scan"], 1);
    assert_eq!(calls["DescribeTable"], 1);
    assert_eq!(
        calls["GetAgent"],
        fx.moto.call_count("bedrock-agent:GetAgent")
    );
    assert_eq!(calls["AssumeRole"], 2); // A and D
}

#[test]
fn unsafe_fixes_register_missing_agents_under_the_account_that_has_them() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let mut entries: Vec<Value> = fx
        .world
        .registry()
        .into_iter()
        .filter(|e| {
            ["a-wrong-account", "local-prod", "d-prod"].contains(&e["name"].as_str().unwrap())
        })
        .collect();
    // Missing agents are looked for in the run's accounts: d-prod puts D in the run.
    // An entry without account_id for an agent that lives in D.
    entries.push(json!({
        "agent_id": w.p, "alias_id": w.p_prod, "name": "d-without-account",
        "description": "d-without-account entry", "agent_type": "bedrock_agent",
        "enabled": true, "capabilities": ["testing"],
    }));
    let file = fx.dir.path().join("move.json");
    let original = serde_json::to_string_pretty(&entries).unwrap();
    std::fs::write(&file, &original).unwrap();

    // --fix alone applies safe fixes only: the file stays, the findings offer the move.
    let (code, report) = fx.check(&file, &["--fix", "--external-id", EXTERNAL_ID], &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report).len(), 2, "{report:#}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);

    let (code, report) = fx.check(
        &file,
        &["--fix", "--unsafe-fixes", "--external-id", EXTERNAL_ID],
        &[],
    );
    assert_findings(&report, &[]);
    assert_eq!(report["summary"]["fixed"], 2);
    assert_eq!(code, 0);
    // Byte for byte: a-wrong-account's account_id rewritten in place, d-without-account's
    // added after its last attribute in the file's own layout; nothing else touched.
    let mut expected = original.replace(
        &format!("\"account_id\": \"{ACCT_A}\""),
        &format!("\"account_id\": \"{ACCT_D}\""),
    );
    let last_member_end = expected.rfind("]\n  }").unwrap() + 1;
    expected.insert_str(
        last_member_end,
        &format!(",\n    \"account_id\": \"{ACCT_D}\""),
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);

    // Converged: nothing left to find or fix.
    let (code, report) = fx.check(&file, &["--external-id", EXTERNAL_ID], &[]);
    assert_findings(&report, &[]);
    assert_eq!(code, 0);
}

#[test]
fn without_working_base_credentials_nothing_is_verified_and_the_run_stops() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let file = fx.registry("nocreds.json", &["local-prod"]);
    let mut cmd = assert_cmd::Command::cargo_bin("reglint").unwrap();
    cmd.envs(fx.moto.env());
    for k in moto::ENV_REMOVE {
        cmd.env_remove(k);
    }
    let out = cmd
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .current_dir(fx.dir.path())
        .args(["check", file.to_str().unwrap(), "--verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the base AWS credentials do not work (GetCallerIdentity:"),
        "{stderr}"
    );
    assert_eq!(fx.moto.calls(), json!({}));
}
