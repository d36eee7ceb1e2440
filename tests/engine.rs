#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The one engine under every writer, as a user meets it: `--diff` on every kind of file
//! source, the report of a writing run, a file that changes while `--fix` runs, and the
//! engine's loop itself.

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use reglint::config::Config;
use reglint::engine::{drive, Checker, FixPlanner, Mode};
use reglint::lint::Linter;
use reglint::report::Report;
use reglint::rules::registry::RegistryIndex;
use reglint::select::Selection;
use reglint::source::{InputFormat, SourceSpec};
use reglint::store::FileStore;

fn reglint() -> Command {
    let mut c = Command::cargo_bin("reglint").unwrap();
    c.env_remove("REGLINT_LOG").env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn text(out: &[u8]) -> String {
    String::from_utf8(out.to_vec()).unwrap()
}

/// One fixable error (a stray quote) and one that no fix removes (a malformed agent ID).
const REGISTRY: &str = r#"[
  {"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M\"", "name": "billing-agent", "description": "Answers billing questions", "agent_type": "bedrock_agent", "account_id": "843074507558", "enabled": true, "capabilities": ["billing"]},
  {"agent_id": "BAD", "alias_id": "R4ND0MAL1S", "name": "triage", "description": "Routes tickets", "agent_type": "bedrock_agent", "account_id": "843074507558", "enabled": true, "capabilities": ["triage"]}
]
"#;

/// Only a fixable error.
const FIXABLE: &str = r#"[
  {"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M\"", "name": "billing-agent", "description": "Answers billing questions", "agent_type": "bedrock_agent", "account_id": "843074507558", "enabled": true, "capabilities": ["billing"]}
]
"#;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn diff_of_stdin_and_of_gzip_files_shows_the_change_and_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let gz = write(dir.path(), "agents.json.gz", &gzip(FIXABLE.as_bytes()));
    let from_stdin = reglint()
        .args(["check", "-", "--diff"])
        .write_stdin(FIXABLE)
        .output()
        .unwrap();
    let from_gz = reglint()
        .args(["check", "--diff"])
        .arg(&gz)
        .output()
        .unwrap();
    for (what, out) in [("stdin", &from_stdin), ("gzip", &from_gz)] {
        assert_eq!(out.status.code(), Some(1), "{what}: {}", text(&out.stderr));
        let shown = text(&out.stdout);
        assert!(
            shown.contains("-  {\"agent_id\": \"PEGHWIVI5Y\", \"alias_id\": \"IO1GTTHP0M\\\"\""),
            "{what}: {shown}"
        );
        assert!(
            shown.contains("+  {\"agent_id\": \"PEGHWIVI5Y\", \"alias_id\": \"IO1GTTHP0M\""),
            "{what}: {shown}"
        );
    }
    // Nothing was written.
    assert_eq!(std::fs::read(&gz).unwrap(), gzip(FIXABLE.as_bytes()));
}

#[test]
fn fix_of_stdin_or_of_an_export_is_refused_with_exit_2() {
    let out = reglint()
        .args(["check", "-", "--fix"])
        .write_stdin(FIXABLE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("- cannot be changed in place"), "{err}");
    assert!(err.contains("--diff"), "{err}");
}

#[test]
fn diff_with_errors_no_fix_removes_exits_1_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let unfixable = r#"[{"agent_id": "BAD", "alias_id": "R4ND0MAL1S", "name": "triage", "description": "Routes tickets", "agent_type": "bedrock_agent", "enabled": true, "capabilities": ["triage"]}]"#;
    let p = write(dir.path(), "agents.json", unfixable.as_bytes());
    let out = reglint()
        .args(["check", "--diff", "--format", "concise"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("RG102"), "{}", text(&out.stdout));
}

#[test]
fn diff_in_json_is_a_json_report_with_the_planned_writes() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "agents.json", REGISTRY.as_bytes());
    for format in ["json", "sarif"] {
        let out = reglint()
            .args(["check", "--diff", "--format", format])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{format}: not JSON ({e}): {}", text(&out.stdout)));
        let writes = match format {
            "json" => doc["writes"].clone(),
            _ => doc["runs"][0]["properties"]["writes"].clone(),
        };
        let writes = writes
            .as_array()
            .unwrap_or_else(|| panic!("{format}: {doc}"));
        assert_eq!(writes.len(), 1, "{format}: {writes:?}");
        assert_eq!(writes[0]["outcome"], "planned");
        assert_eq!(
            writes[0]["item"],
            serde_json::json!({"agent_id": "PEGHWIVI5Y"})
        );
        assert_eq!(writes[0]["attributes"], serde_json::json!(["alias_id"]));
    }
    assert_eq!(std::fs::read_to_string(&p).unwrap(), REGISTRY);
}

#[test]
fn a_fix_run_lists_its_writes_in_json_and_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "agents.json", REGISTRY.as_bytes());
    let out = reglint()
        .args(["check", "--fix", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    // The malformed agent ID remains.
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["writes"][0]["outcome"], "written");
    assert_eq!(doc["writes"][0]["fixes"], 1);
    assert_eq!(doc["summary"]["fixed"], 1);
    assert_eq!(doc["summary"]["skipped_fixes"], 0);
    let jsonl = write(dir.path(), "b.json", REGISTRY.as_bytes());
    let out = reglint()
        .args(["check", "--fix", "--format", "jsonl"])
        .arg(&jsonl)
        .output()
        .unwrap();
    let last = text(&out.stdout).lines().last().unwrap().to_string();
    let tail: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(tail["writes"][0]["outcome"], "written", "{tail}");
}

#[test]
fn fixable_counts_agree_between_json_and_text() {
    let dir = tempfile::tempdir().unwrap();
    // RG006 offers an unsafe rename; RG101 a safe fix.
    let item = r#"[{"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M\"", "name": "billing-agent", "description": "Answers billing questions", "agent_type": "bedrock_agent", "enabled": true, "capabilites": ["billing"]}]"#;
    let p = write(dir.path(), "agents.json", item.as_bytes());
    let json = reglint()
        .args(["check", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["fixable"], 1, "{}", doc["summary"]);
    assert_eq!(doc["summary"]["unsafe_fixable"], 1, "{}", doc["summary"]);
    let shown = reglint().args(["check"]).arg(&p).output().unwrap();
    assert!(
        text(&shown.stdout).contains("[*] 1 fixable with --fix (1 more with --fix --unsafe-fixes)"),
        "{}",
        text(&shown.stdout)
    );
    let unsafe_json = reglint()
        .args(["check", "--format", "json", "--unsafe-fixes"])
        .arg(&p)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&unsafe_json.stdout).unwrap();
    assert_eq!(doc["summary"]["fixable"], 2, "{}", doc["summary"]);
    assert_eq!(doc["summary"]["unsafe_fixable"], 0, "{}", doc["summary"]);
}

fn linter() -> Linter {
    Linter::new(
        &Config::default(),
        &Selection::new(None, vec![], vec![]),
        false,
    )
}

/// A file that changes between the read and the write is not written, and what it holds
/// now is what the report checks: its errors are reported and fail the run.
#[test]
fn a_file_changed_during_fix_is_left_and_its_current_errors_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "agents.json", FIXABLE.as_bytes());
    let linter = linter();
    let spec = SourceSpec::Path(p.clone());
    let mut store = FileStore::in_memory(&linter, 0, &spec, InputFormat::Auto, true).unwrap();
    // Another writer replaces the file after it was read.
    std::fs::write(&p, REGISTRY).unwrap();
    let mut report = Report {
        writing: true,
        ..Report::default()
    };
    let mut registry = RegistryIndex::default();
    let mut checker = Checker {
        linter: &linter,
        registry: &mut registry,
        observe: None,
        protected: &[],
    };
    let planner = FixPlanner {
        linter: &linter,
        protected: &[],
    };
    drive(&mut store, &planner, Mode::Fix, &mut report, &mut |s, r| {
        checker.take(&s.read, r)
    })
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        REGISTRY,
        "nothing written"
    );
    assert_eq!(report.summary.fixed, 0);
    assert_eq!(report.summary.skipped_fixes, 1);
    assert_eq!(report.writes.len(), 1);
    assert_eq!(report.writes[0].outcome, "skipped");
    assert_eq!(report.writes[0].reason, Some("changed"));
    let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
    // The current file: the stray quote (item 0) and the malformed agent ID (item 1).
    assert!(rules.contains(&"RG101"), "{rules:?}");
    assert!(rules.contains(&"RG102"), "{rules:?}");
    let code = reglint::commands::check::exit_code(
        &report,
        Some(reglint::diagnostic::Severity::Error),
        Mode::Fix,
    );
    assert_eq!(code, 1, "errors remain: exit 1, not 3");
}

#[test]
fn fixes_written_through_the_engine_keep_the_rest_of_the_file() {
    let linter = linter();
    let mut store = FileStore::from_bytes(&linter, "a.json", REGISTRY.as_bytes().to_vec());
    let planner = FixPlanner {
        linter: &linter,
        protected: &[],
    };
    let mut report = Report::default();
    let mut seen = 0;
    drive(&mut store, &planner, Mode::Fix, &mut report, &mut |_, _| {
        seen += 1
    })
    .unwrap();
    assert_eq!(seen, 2);
    let after = String::from_utf8(store.bytes().unwrap().to_vec()).unwrap();
    assert_eq!(after, REGISTRY.replace("IO1GTTHP0M\\\"", "IO1GTTHP0M"));
}

#[test]
fn iam_policy_target_needs_the_hubs_account_and_keeps_the_external_id() {
    let dir = tempfile::tempdir().unwrap();
    let out = reglint()
        .current_dir(dir.path())
        .env_remove("REGLINT_EXTERNAL_ID")
        .args(["iam-policy", "--mode", "target"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).is_empty());
    assert!(
        text(&out.stderr).contains("pass --account ID"),
        "{}",
        text(&out.stderr)
    );
    write(
        dir.path(),
        "reglint.toml",
        b"[registry]\nlocal_account_id = \"843074507558\"\n\n[verify.accounts.\"152864141302\"]\nexternal_id_env = \"SPECIAL_EXT\"\n",
    );
    let out = reglint()
        .current_dir(dir.path())
        .env_remove("REGLINT_EXTERNAL_ID")
        .args(["iam-policy", "--mode", "target"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let trust = &doc["TrustPolicy"]["Statement"][0];
    assert_eq!(trust["Principal"]["AWS"], "arn:aws:iam::843074507558:root");
    assert!(
        trust["Condition"]["StringEquals"]["sts:ExternalId"].is_string(),
        "{trust}"
    );
}
