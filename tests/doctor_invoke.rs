//! `reglint doctor --invoke`, the release binary against moto and the harness's data plane
//! (tests/harness/moto_server.py answers InvokeAgent with an event stream, as the account the
//! request's credentials belong to): a good answer through the assumed role, and every failure
//! with its next step. The accounts and resources are those of tests/support/world.rs.
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

use std::time::{Duration, Instant};

use doctor::{fixture, line, next_of, Fixture};
use serde_json::{json, Value};
use world::{ACCT_A, ACCT_D, EXTERNAL_ID, LOCAL};

impl Fixture {
    /// How the harness answers InvokeAgent on the agent alias of `account`.
    fn mode(&self, account: &str, agent_id: &str, alias_id: &str, mode: &str) {
        let body = json!({"account": account, "agentId": agent_id, "agentAliasId": alias_id, "mode": mode});
        let (status, text) = self.moto.request(
            "POST",
            "/_reglint/invoke",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        );
        assert_eq!(status, 200, "{text}");
    }

    /// doctor on account D's prepared agent (its role trusts the hub without an ExternalId).
    fn doctor_d(&self, mode: &str, extra: &[&str]) -> (i32, String) {
        let w = &self.world;
        self.mode(ACCT_D, &w.p, &w.p_prod, mode);
        self.entry(ACCT_D, &w.p, &w.p_prod, extra)
    }

    fn invocations_in(&self, account: &str) -> u64 {
        self.moto.calls_in(account)["bedrock-agent-runtime:InvokeAgent"]
            .as_u64()
            .unwrap_or(0)
    }
}

#[test]
fn a_good_answer_comes_from_the_entrys_account_through_its_assumed_role() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    fx.mode(ACCT_A, &w.a1, &w.a1_prod, "answer");
    let (code, out) = fx.entry(
        ACCT_A,
        &w.a1,
        &w.a1_prod,
        &["--external-id", EXTERNAL_ID, "--invoke"],
    );
    assert_eq!(code, 0, "{out}");
    let step = line(&out, 10);
    assert!(
        step.starts_with("10. passed  InvokeAgent: answered "),
        "{out}"
    );
    let heard = format!(
        "\"Hello from account {ACCT_A}: agent {} alias {} heard 'Hello'\"",
        w.a1, w.a1_prod
    );
    assert!(step.ends_with(&heard), "{step}");
    assert!(step.contains("(first chunk after "), "{step}");
    assert!(out.ends_with("all 10 checks passed\n"), "{out}");
    // The call went out with the assumed role's credentials: it counts in account A, and the
    // base credentials (the hub's account) made no data-plane call.
    assert_eq!(fx.invocations_in(ACCT_A), 1);
    assert_eq!(fx.invocations_in(LOCAL), 0);
    assert_eq!(
        fx.moto.calls_in(LOCAL)["sts:AssumeRole"],
        json!(1),
        "one AssumeRole for the control plane and the invocation"
    );
}

#[test]
fn without_invoke_no_data_plane_call_is_made_and_the_text_is_the_one_given() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let (code, out) = fx.doctor_d("answer", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("all 9 checks passed\n"), "{out}");
    assert_eq!(fx.moto.call_count("bedrock-agent-runtime:InvokeAgent"), 0);

    let (code, out) = fx.doctor_d("answer", &["--invoke", "What is \u{1b}[2J 2+2?"]);
    assert_eq!(code, 0, "{out}");
    // The answer is data: escaped like all data.
    assert!(
        line(&out, 10).ends_with("heard 'What is \\u{1b}[2J 2+2?'\""),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert_eq!(fx.invocations_in(ACCT_D), 1);
}

#[test]
fn access_denied_names_the_action_the_alias_and_the_role() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.doctor_d("access-denied", &["--invoke"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        line(&out, 10)
            .starts_with("10. FAILED  InvokeAgent: access denied (AccessDeniedException: "),
        "{out}"
    );
    assert_eq!(
        next_of(&out, 10),
        format!(
            "next: allow bedrock:InvokeAgent on arn:aws:bedrock:us-east-1:{ACCT_D}:agent-alias/{}/{} in the policy of {} (`reglint iam-policy --mode invoke` prints it)",
            w.p,
            w.p_prod,
            world::role(ACCT_D)
        )
    );
    assert!(out.ends_with("1 of 10 checks failed, 0 skipped\n"), "{out}");
}

#[test]
fn not_found_after_the_identity_and_control_plane_passed_reports_the_search() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.doctor_d("not-found", &["--invoke"]);
    assert_eq!(code, 1, "{out}");
    assert!(line(&out, 4).contains("passed  assumed identity"), "{out}");
    assert!(
        line(&out, 10)
            .starts_with("10. FAILED  InvokeAgent: not found (ResourceNotFoundException: "),
        "{out}"
    );
    assert_eq!(
        next_of(&out, 10),
        format!("next: the control plane found agent {} in account {ACCT_D} (us-east-1), InvokeAgent did not, and no other account has it: check that the hub invokes in us-east-1 and that the alias is deployed there", w.p)
    );
    // The search asked the local account.
    assert_eq!(fx.moto.calls_in(LOCAL)["bedrock-agent:GetAgent"], json!(1));
}

#[test]
fn a_validation_error_is_judged_by_the_id_rules() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.doctor_d("validation", &["--invoke"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        line(&out, 10).starts_with(
            "10. FAILED  InvokeAgent: the request was rejected as invalid (ValidationException: "
        ),
        "{out}"
    );
    assert_eq!(
        next_of(&out, 10),
        format!("next: the IDs sent ({}, {}) pass RG101 and the ID patterns; check the input text (at most 25,000 characters) and rerun with -v to see the request", w.p, w.p_prod)
    );
}

#[test]
fn an_error_event_mid_stream_fails_with_what_had_arrived() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let (code, out) = fx.doctor_d("error-mid-stream", &["--invoke", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let step = &doc["steps"][9];
    assert_eq!(step["name"], "InvokeAgent");
    assert_eq!(step["status"], "failed");
    let detail = step["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("the answer's stream ended with an error event after ")
            && detail.ends_with(" bytes of answer (dependencyFailedException: The action group's Lambda function failed)"),
        "{detail}"
    );
    assert!(
        step["next"].as_str().unwrap().contains("agent's trace"),
        "{step}"
    );
    assert!(step["answer"]["bytes"].as_u64().unwrap() > 0, "{step}");
    assert!(
        step["answer"]["preview"]
            .as_str()
            .unwrap()
            .starts_with("Hello from account"),
        "{step}"
    );
    assert_eq!(doc["passed"], json!(false));
    assert_eq!(doc["failed"], json!(1));
}

#[test]
fn a_stream_that_never_ends_times_out() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let started = Instant::now();
    let (code, out) = fx.doctor_d("hang", &["--invoke", "--invoke-timeout", "2"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the timeout did not end the call"
    );
    assert!(
        line(&out, 10).starts_with("10. FAILED  InvokeAgent: timed out after ")
            && line(&out, 10).ends_with(" bytes of answer (the answer did not end within 2 s)"),
        "{out}"
    );
    assert!(next_of(&out, 10).contains("--invoke-timeout"), "{out}");
}

#[test]
fn credentials_that_expire_once_are_re_resolved_and_expiring_again_is_reported() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let (code, out) = fx.doctor_d("expired-once", &["--invoke"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        line(&out, 10).contains("; the credentials expired once and were re-resolved"),
        "{out}"
    );
    // The role was assumed again for fresh credentials, and the second call answered.
    assert_eq!(fx.moto.calls_in(LOCAL)["sts:AssumeRole"], json!(2));
    assert_eq!(fx.invocations_in(ACCT_D), 2);

    fx.moto.reset_calls();
    let (code, out) = fx.doctor_d("expired", &["--invoke"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        line(&out, 10).starts_with("10. FAILED  InvokeAgent: the credentials expired, and again after they were re-resolved (ExpiredTokenException: "),
        "{out}"
    );
    assert!(
        next_of(&out, 10).contains("maximum session duration"),
        "{out}"
    );
    assert_eq!(
        fx.invocations_in(ACCT_D),
        2,
        "one call, one after re-resolving"
    );
}

#[test]
fn throttling_past_retries_is_reported() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let (code, out) = fx.doctor_d("throttle", &["--invoke"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        line(&out, 10).starts_with(
            "10. FAILED  InvokeAgent: throttled past retries (ThrottlingException: Rate exceeded)"
        ),
        "{out}"
    );
    assert!(next_of(&out, 10).contains("quota"), "{out}");
    assert!(fx.invocations_in(ACCT_D) >= 2, "the SDK retried");
}

#[test]
fn the_byte_limit_stops_the_reading() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let (code, out) = fx.doctor_d(
        "big",
        &["--invoke", "--invoke-max-bytes", "1000", "--format", "json"],
    );
    assert_eq!(code, 0, "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let step = &doc["steps"][9];
    assert_eq!(step["status"], "passed");
    assert!(
        step["detail"]
            .as_str()
            .unwrap()
            .contains("stopped reading at the limit of 1000 bytes"),
        "{step}"
    );
    assert_eq!(step["answer"]["truncated"], json!(true));
    assert_eq!(
        step["answer"]["preview"].as_str().unwrap().chars().count(),
        200
    );
}

#[test]
fn an_earlier_failure_skips_the_invocation() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.entry(
        ACCT_A,
        &w.a1,
        &w.a1_prod,
        &["--external-id", "wrong-id", "--invoke"],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        line(&out, 10),
        "10. skipped InvokeAgent: an earlier step failed"
    );
    assert!(out.ends_with("1 of 10 checks failed, 7 skipped\n"), "{out}");
    assert_eq!(fx.moto.call_count("bedrock-agent-runtime:InvokeAgent"), 0);
}

#[test]
fn an_agentcore_runtime_is_invoked_on_its_endpoint() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.doctor(&["--runtime-arn", &w.r1_arn, "--invoke", "ping"]);
    assert_eq!(code, 0, "{out}");
    let id = w.r1_arn.rsplit('/').next().unwrap();
    let step = line(&out, 9);
    assert!(
        step.starts_with(" 9. passed  InvokeAgentRuntime: answered "),
        "{out}"
    );
    assert!(
        step.contains(&format!(
            "Hello from account {ACCT_D}: runtime {id} endpoint DEFAULT heard 'ping'"
        )),
        "{step}"
    );
    assert_eq!(
        fx.moto.calls_in(ACCT_D)["bedrock-agentcore:InvokeAgentRuntime"],
        json!(1)
    );
}

#[test]
fn the_json_document_has_every_step_with_status_detail_and_duration() {
    let Some((fx, _guard)) = fixture() else {
        return;
    };
    let w = &fx.world;
    let (code, out) = fx.doctor_d("answer", &["--invoke", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["entry"],
        format!(
            "agent {} alias {} in account {ACCT_D} (us-east-1)",
            w.p, w.p_prod
        )
    );
    assert_eq!(doc["passed"], json!(true));
    assert_eq!(doc["checks"], json!(10));
    let steps = doc["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "base identity",
            "role ARN",
            "AssumeRole",
            "assumed identity",
            "GetAgent",
            "agent status",
            "GetAgentAlias",
            "alias status",
            "routing and invocation state",
            "InvokeAgent"
        ]
    );
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(s["number"], json!(i + 1));
        assert_eq!(s["status"], "passed", "{s}");
        assert!(s["duration_ms"].as_f64().unwrap() >= 0.0, "{s}");
        assert!(s["next"].is_null(), "{s}");
    }
    let total: f64 = steps
        .iter()
        .map(|s| s["duration_ms"].as_f64().unwrap())
        .sum();
    assert!(
        (doc["duration_ms"].as_f64().unwrap() - total).abs() < 1.0,
        "{doc}"
    );
    let answer = &steps[9]["answer"];
    assert!(answer["first_chunk_ms"].as_f64().unwrap() <= answer["elapsed_ms"].as_f64().unwrap());
    assert_eq!(
        answer["preview"],
        format!(
            "Hello from account {ACCT_D}: agent {} alias {} heard 'Hello'",
            w.p, w.p_prod
        )
    );
}
