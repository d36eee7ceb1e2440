//! Secret hygiene: with the most verbose logging (`-vv`, `REGLINT_LOG=trace`) and distinctive
//! dummy credentials, no byte of stdout, stderr, a report file or a journal holds the secret
//! key, the session token (the base one, or any moto-issued token from AssumeRole), or the
//! ExternalId, for check, --fix, undo and --verify with an assumed role.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::path::Path;

use dynamo::{client, create_table, entry, put_items, s, unique};
use moto::Moto;

const SECRET_KEY: &str = "SECRETbase9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const SESSION_TOKEN: &str = "TOKENbase0123456789abcdefZXhhbXBsZS10b2tlbg==";
const EXTERNAL_ID: &str = "EXTIDsecret-5b1d0c9e";
/// moto's AssumeRole session tokens all start with this (moto/sts/utils.py
/// SESSION_TOKEN_PREFIX): any of them in the output is a leaked assumed-role token.
const MOTO_TOKEN_PREFIX: &str = "FQoGZXIvYXdzE";
const ACCT_A: &str = "111122223333";

fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/RegistryVerifier")
}

/// Every secret, as a person or a script might search for it.
fn assert_no_secret(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for secret in [
        SECRET_KEY,
        "SECRETbase",
        SESSION_TOKEN,
        "TOKENbase",
        EXTERNAL_ID,
        "EXTIDsecret",
        MOTO_TOKEN_PREFIX,
    ] {
        if let Some(i) = text.find(secret) {
            let from = text[..i].char_indices().rev().nth(80).map_or(0, |(j, _)| j);
            panic!(
                "{what} holds {secret:?}: …{}…",
                &text[from..(i + 60).min(text.len())]
            );
        }
    }
}

fn run(moto: &Moto, dir: &Path, args: &[&str]) -> std::process::Output {
    let out = dynamo::reglint(moto, &moto.endpoint, dir)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("REGLINT_EXTERNAL_ID", EXTERNAL_ID)
        .env("REGLINT_LOG", "trace")
        .arg("-vv")
        .args(args)
        .output()
        .unwrap();
    let what = format!("reglint {args:?}");
    assert!(
        matches!(out.status.code(), Some(0..=3)),
        "{what}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_secret(&format!("{what}: stdout"), &out.stdout);
    assert_no_secret(&format!("{what}: stderr"), &out.stderr);
    out
}

#[tokio::test]
async fn no_secret_reaches_output_reports_or_journals_at_trace_level() {
    let Some(moto) = Moto::start() else { return };
    moto.create_cross_account_role(&role(ACCT_A), Some(EXTERNAL_ID));
    // An agent in A, reached through the role with the ExternalId.
    let in_a = aws_sdk_bedrockagent::Client::new(
        &moto
            .assumed_config_with(&role(ACCT_A), Some(EXTERNAL_ID))
            .await,
    );
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
    let table = unique("secrets");
    create_table(&db, &table, "agent_id", None).await;
    let mut remote = entry(&agent, &alias);
    remote.insert("account_id".into(), s(ACCT_A));
    let quoted = entry("PEGHWIVI5Y", "IO1GTTHP0M\"");
    let key_change = entry("KEYCHANGE1 ", "8HJK2MN4PQ");
    put_items(&db, &table, &[remote, quoted, key_change]).await;

    let dir = tempfile::tempdir().unwrap();
    let template = role("{account_id}");
    let out = run(&moto, dir.path(), &["check", "--table", &table]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("TRACE") || err.contains("DEBUG"),
        "the most verbose logging is on: {err}"
    );
    run(
        &moto,
        dir.path(),
        &[
            "check",
            "--table",
            &table,
            "--format",
            "json",
            "-o",
            "check.json",
        ],
    );
    run(
        &moto,
        dir.path(),
        &[
            "check",
            "--table",
            &table,
            "--fix",
            "--unsafe-fixes",
            "--journal",
            "j.jsonl",
            "--format",
            "sarif",
            "-o",
            "fix.sarif",
        ],
    );
    run(&moto, dir.path(), &["undo", "j.jsonl", "--dry-run"]);
    run(&moto, dir.path(), &["undo", "j.jsonl"]);
    moto.reset_calls();
    let out = run(
        &moto,
        dir.path(),
        &[
            "check",
            "--table",
            &table,
            "--verify",
            "--role-arn",
            &template,
            "--format",
            "json",
        ],
    );
    // The role was assumed with the ExternalId and used in A.
    let calls = moto.calls();
    assert!(
        calls["sts:AssumeRole"].as_u64().unwrap_or(0) >= 1,
        "{calls}"
    );
    let in_a_calls = moto.calls_in(ACCT_A);
    assert!(
        in_a_calls
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("bedrock-agent:")),
        "{in_a_calls}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["item"]["key"]["agent_id"] == agent.as_str()),
        "the remote entry verifies cleanly: {report:#}"
    );
    run(
        &moto,
        dir.path(),
        &[
            "check",
            "--table",
            &table,
            "--verify",
            "--role-arn",
            &template,
            "--external-id",
            EXTERNAL_ID,
            "--format",
            "junit",
            "-o",
            "verify.xml",
        ],
    );
    // A wrong ExternalId: the error says one was sent, never which.
    let out = dynamo::reglint(&moto, &moto.endpoint, dir.path())
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("REGLINT_LOG", "trace")
        .args([
            "-vv",
            "check",
            "--table",
            &table,
            "--verify",
            "--role-arn",
            &template,
        ])
        .args(["--external-id", "EXTIDsecret-wrong"])
        .output()
        .unwrap();
    assert_no_secret("wrong ExternalId: stdout", &out.stdout);
    assert_no_secret("wrong ExternalId: stderr", &out.stderr);

    let mut files = 0;
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let path = f.unwrap().path();
        assert_no_secret(&path.display().to_string(), &std::fs::read(&path).unwrap());
        files += 1;
    }
    assert_eq!(files, 4, "check.json, fix.sarif, j.jsonl, verify.xml");
}
