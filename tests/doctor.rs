//! `reglint doctor`, the release binary against moto: the checklist for one entry, step by step.
//! The accounts and resources are those of tests/support/world.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/doctor.rs"]
mod doctor;
#[path = "support/dynamo.rs"]
mod dynamo;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/world.rs"]
mod world;

use doctor::{fixture, line, next_of};
use serde_json::json;
use world::{ACCT_A, ACCT_B, ACCT_C, ACCT_D, EXTERNAL_ID, LOCAL, MISSING_RUNTIME};

#[test]
fn a_healthy_cross_account_entry_passes_every_step() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.entry(ACCT_A, &w.a1, &w.a1_prod, &["--external-id", EXTERNAL_ID]);
    let role = world::role(ACCT_A);
    assert_eq!(
        out,
        format!(
            "reglint doctor: agent {a1} alias {alias} in account {ACCT_A} (us-east-1)
 1. passed  base identity: arn:aws:sts::{LOCAL}:user/moto (account {LOCAL})
 2. passed  role ARN: {role} (from the role ARN template)
 3. passed  AssumeRole: assumed as session reglint (an ExternalId was sent)
 4. passed  assumed identity: arn:aws:sts::{ACCT_A}:assumed-role/RegistryVerifier/reglint (account {ACCT_A})
 5. passed  GetAgent: a_one (arn:aws:bedrock:us-east-1:{ACCT_A}:agent/{a1})
 6. passed  agent status: PREPARED
 7. passed  GetAgentAlias: prod ({alias})
 8. passed  alias status: PREPARED
 9. passed  routing and invocation state: routes to version 1; ACCEPT_INVOCATIONS
all 9 checks passed
",
            a1 = w.a1,
            alias = w.a1_prod
        )
    );
    assert_eq!(code, 0);
    let calls = fx.moto.calls_by_account();
    assert_eq!(
        calls[LOCAL],
        json!({"sts:AssumeRole": 1, "sts:GetCallerIdentity": 1})
    );
    assert_eq!(
        calls[ACCT_A],
        json!({"sts:GetCallerIdentity": 1, "bedrock-agent:GetAgent": 1, "bedrock-agent:GetAgentAlias": 1})
    );
}

#[test]
fn a_wrong_external_id_fails_at_assume_role_and_says_what_to_check() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.entry(ACCT_A, &w.a1, &w.a1_prod, &["--external-id", "wrong-id"]);
    let role = world::role(ACCT_A);
    assert_eq!(
        line(&out, 3),
        format!(" 3. FAILED  AssumeRole: refused (an ExternalId was sent): AccessDenied: User: arn:aws:sts::{LOCAL}:user/moto is not authorized to perform: sts:AssumeRole on resource: {role}")
    );
    let next = next_of(&out, 3);
    for fragment in [
        "next: check that",
        "trust policy allows",
        "sts:ExternalId condition",
        "sts:AssumeRole on the role",
    ] {
        assert!(next.contains(fragment), "{next}");
    }
    for step in 4..=9 {
        assert!(line(&out, step).contains(" skipped "), "{out}");
    }
    assert!(out.ends_with("1 of 9 checks failed, 6 skipped\n"), "{out}");
    assert_eq!(code, 1);
    assert!(fx.moto.calls_in(ACCT_A).as_object().unwrap().is_empty());

    // Without any ExternalId the message says so.
    let (code, out) = fx.entry(ACCT_A, &w.a1, &w.a1_prod, &[]);
    assert!(
        line(&out, 3).contains("refused (no ExternalId was sent)"),
        "{out}"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_role_that_trusts_nobody_fails_at_assume_role() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let (code, out) = fx.entry(ACCT_B, "BBBBBBBBBB", "BBBBBBBBB1", &[]);
    assert!(
        line(&out, 3)
            .starts_with(" 3. FAILED  AssumeRole: refused (no ExternalId was sent): AccessDenied"),
        "{out}"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_role_override_into_another_account_fails_at_the_assumed_identity() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let (code, out) = fx.entry(
        ACCT_C,
        "CCCCCCCCCC",
        "CCCCCCCCC1",
        &["--external-id", EXTERNAL_ID],
    );
    let role = world::role(ACCT_A);
    assert_eq!(
        line(&out, 2),
        format!(" 2. passed  role ARN: {role} (from [verify.accounts.\"{ACCT_C}\"] role_arn)")
    );
    assert_eq!(
        line(&out, 4),
        format!(" 4. FAILED  assumed identity: arn:aws:sts::{ACCT_A}:assumed-role/RegistryVerifier/reglint is in account {ACCT_A}, not account {ACCT_C}")
    );
    assert_eq!(
        next_of(&out, 4),
        format!("next: the role ARN for account {ACCT_C} points into account {ACCT_A}: correct it")
    );
    assert!(out.ends_with("1 of 9 checks failed, 5 skipped\n"), "{out}");
    assert_eq!(code, 1);
}

#[test]
fn an_entry_picked_from_a_file_by_key_names_the_nearest_alias_when_its_alias_is_missing() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.doctor(&["--source", "registry.json", "--key", "name=d-alias-missing"]);
    assert!(out.starts_with(&format!(
        "reglint doctor: agent {} alias {} in account {ACCT_D} (us-east-1)\n",
        w.p,
        w.p_typo()
    )));
    assert!(line(&out, 6).ends_with("agent status: PREPARED"), "{out}");
    assert_eq!(
        line(&out, 7),
        format!(
            " 7. FAILED  GetAgentAlias: alias {} of agent {} was not found",
            w.p_typo(),
            w.p
        )
    );
    let next = next_of(&out, 7);
    assert!(next.starts_with("next: the agent's aliases: "), "{next}");
    assert!(
        next.ends_with(&format!("nearest: {} (prod)", w.p_prod)),
        "{next}"
    );
    assert_eq!(code, 1);
}

#[test]
fn agent_and_alias_states_fail_their_own_steps() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.entry(ACCT_D, &w.np, "TSTALIASID", &[]);
    assert_eq!(line(&out, 6), " 6. FAILED  agent status: NOT_PREPARED");
    assert_eq!(
        next_of(&out, 6),
        format!(
            "next: prepare the agent: aws bedrock-agent prepare-agent --agent-id {}",
            w.np
        )
    );
    assert!(out.ends_with("1 of 9 checks failed, 0 skipped\n"), "{out}");
    assert_eq!(code, 1);

    // The same draft does not matter to an alias that routes to a published version.
    let (code, out) = fx.entry(ACCT_D, &w.np, &w.np_prod, &[]);
    assert!(
        line(&out, 6).starts_with(" 6. passed  agent status: the draft is NOT_PREPARED, but alias"),
        "{out}"
    );
    assert_eq!(code, 0, "{out}");

    let (code, out) = fx.entry(ACCT_D, &w.p, &w.p_failed, &[]);
    assert_eq!(
        line(&out, 8),
        " 8. FAILED  alias status: FAILED (Alias creation failed (set by the test harness))"
    );
    assert_eq!(code, 1);

    // prod, broken and paused each made a version: paused routes to 3.
    let (code, out) = fx.entry(ACCT_D, &w.p, &w.p_paused, &[]);
    assert_eq!(
        line(&out, 9),
        " 9. FAILED  routing and invocation state: routes to version 3, but rejects invocations (REJECT_INVOCATIONS)"
    );
    assert_eq!(code, 1);
}

#[test]
fn an_agent_missing_from_the_local_account_fails_get_agent() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.doctor(&["--agent-id", &w.p, "--alias-id", &w.p_prod]);
    assert!(out.starts_with("reglint doctor: agent "), "{out}");
    assert!(
        out.lines().next().unwrap().contains("in the local account"),
        "{out}"
    );
    assert_eq!(
        line(&out, 2),
        format!(" 2. passed  role ARN: account {LOCAL} is the local account: the base credentials are used, no role is assumed")
    );
    assert_eq!(
        line(&out, 5),
        format!(
            " 5. FAILED  GetAgent: agent {} was not found in account {LOCAL} (us-east-1)",
            w.p
        )
    );
    assert!(next_of(&out, 5).contains("set account_id"), "{out}");
    assert_eq!(code, 1);
}

#[test]
fn agentcore_runtimes_and_their_endpoints() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let id = w.r1_arn.rsplit_once("runtime/").unwrap().1;
    let (code, out) = fx.doctor(&["--runtime-arn", &w.r1_arn]);
    assert_eq!(
        out.lines().skip(5).collect::<Vec<_>>(),
        vec![
            format!(" 5. passed  GetAgentRuntime: {id} version 1").as_str(),
            " 6. passed  runtime status: READY",
            " 7. passed  GetAgentRuntimeEndpoint: DEFAULT",
            " 8. passed  endpoint status: READY, live version 1",
            "all 8 checks passed",
        ]
    );
    assert_eq!(code, 0, "{out}");

    let (code, out) = fx.doctor(&["--runtime-arn", &w.r1_arn, "--qualifier", "canary"]);
    assert_eq!(
        line(&out, 7),
        format!(
            " 7. FAILED  GetAgentRuntimeEndpoint: endpoint canary of runtime {id} does not exist"
        )
    );
    assert!(line(&out, 8).contains(" skipped "));
    assert_eq!(code, 1);

    let (code, out) = fx.doctor(&["--runtime-arn", MISSING_RUNTIME]);
    assert_eq!(
        line(&out, 5),
        format!(" 5. FAILED  GetAgentRuntime: runtime gone_agent-AAAAAAAAAA was not found in account {ACCT_D} (us-east-1)")
    );
    assert_eq!(code, 1);
}

#[test]
fn an_entry_that_cannot_be_named_is_a_usage_error() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let (code, _) = fx.doctor(&["--agent-id", "PEGHWIVI5Y"]);
    assert_eq!(code, 2);
    let (code, _) = fx.doctor(&["--source", "registry.json", "--key", "name=nobody"]);
    assert_eq!(code, 2);
    let (code, _) = fx.doctor(&["--agent-id", "PEGHWIVI5Y\"", "--alias-id", "IO1GTTHP0M"]);
    assert_eq!(code, 2);
    assert_eq!(fx.moto.calls(), json!({}));
}

#[test]
fn an_entry_picked_from_a_live_table_by_key() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let table = dynamo::unique("registry");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let client = dynamo::client(&fx.moto).await;
            dynamo::create_table(&client, &table, "agent_id", None).await;
            let mut item = dynamo::entry(&w.p, &w.p_failed);
            item.insert("account_id".into(), dynamo::s(ACCT_D));
            dynamo::put_items(&client, &table, &[item, dynamo::entry(&w.l1, &w.l1_prod)]).await;
        });
    let source = format!("dynamodb://{table}");
    let (code, out) = fx.doctor(&["--source", &source, "--key", &format!("agent_id={}", w.p)]);
    assert!(
        out.starts_with(&format!(
            "reglint doctor: agent {} alias {} in account {ACCT_D} (us-east-1)\n",
            w.p, w.p_failed
        )),
        "{out}"
    );
    assert_eq!(
        line(&out, 8),
        " 8. FAILED  alias status: FAILED (Alias creation failed (set by the test harness))"
    );
    assert_eq!(code, 1);

    let (code, out) = fx.doctor(&["--source", &source, "--key", &format!("agent_id={}", w.l1)]);
    assert!(out.ends_with("all 9 checks passed\n"), "{out}");
    assert_eq!(code, 0);
}
