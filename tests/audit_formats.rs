//! The scheduled-audit outputs end to end, with the built binary as a user runs it: `--format
//! emf` validated against the published EMF schema and its extra limits, `--format openmetrics`
//! read by prometheus_client's OpenMetrics parser, `--output` written atomically, and
//! `--history` / `reglint history` over several runs, a torn line, and concurrent and killed
//! runs. The Python checkers live in tests/harness/ and run from .venv (scripts/setup-audit.sh).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn reglint() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("reglint"));
    cmd.env_remove("REGLINT_LOG").env("NO_COLOR", "1");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The venv's python with the audit checkers' packages; fails (never skips) when missing.
fn python() -> PathBuf {
    let py = root().join(".venv/bin/python");
    let ok = py.is_file()
        && Command::new(&py)
            .args([
                "-c",
                "import jsonschema, prometheus_client.openmetrics.parser",
            ])
            .status()
            .is_ok_and(|s| s.success());
    assert!(
        ok,
        "{} cannot import jsonschema and prometheus_client: run scripts/setup-audit.sh",
        py.display()
    );
    py
}

/// A registry with findings in two accounts, one hostile name, and a source path that needs
/// escaping in a label value.
fn registry(dir: &Path) -> PathBuf {
    let path = dir.join("agents \"prod\\eu\".json");
    let items = json!([
        {"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M\"", "name": "billing",
         "description": "d", "agent_type": "bedrock_agent", "account_id": "843074507558",
         "region": "us-east-1", "enabled": true, "capabilities": ["billing"]},
        {"agent_id": "QJ7XK2M9ZT", "alias_id": "R4ND0MAL1S", "name": "<img src=x onerror=alert(1)>",
         "description": "d", "agent_type": "bedrock_agent", "account_id": "152864141302",
         "region": "us-east-1", "enabled": true, "capabilities": "ticket triage"},
        {"agent_id": "X8KD02LMQP", "alias_id": "AL1ASV2PRD", "name": "hr", "description": "d",
         "agent_type": "bedrock_agent", "account_id": "152864141302", "region": "eu-west-1",
         "enabled": true, "capabilities": ["hr"]}
    ]);
    std::fs::write(&path, serde_json::to_string_pretty(&items).unwrap()).unwrap();
    path
}

fn json_report(path: &Path) -> Value {
    let out = run(reglint().arg("check").arg(path).args(["--format", "json"]));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn emf_lines_are_valid_against_the_schema_and_the_limits_and_count_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path());
    std::fs::write(
        dir.path().join("reglint.toml"),
        "[audit]\nnamespace = \"Acme/Registry\"\n",
    )
    .unwrap();
    let out = run(reglint()
        .current_dir(dir.path())
        .arg("check")
        .arg(&path)
        .args(["--format", "emf"]));
    let mut check = Command::new(python())
        .arg(root().join("tests/harness/emf_check.py"))
        .arg(root().join("tests/schemas/emf.schema.json"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(check.stdin.as_mut().unwrap(), &out.stdout).unwrap();
    let checked = check.wait_with_output().unwrap();
    let verdict: Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert!(checked.status.success(), "{verdict}");
    assert_eq!(verdict["errors"], json!([]));

    let events: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(verdict["lines"], events.len());
    let summary = &json_report(&path)["summary"];
    let label = path.display().to_string();
    let dims = |e: &Value| e["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0].clone();
    for e in &events {
        assert_eq!(
            e["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "Acme/Registry"
        );
        assert_eq!(e["Source"], label.as_str());
    }
    let source: Vec<_> = events
        .iter()
        .filter(|e| dims(e) == json!(["Source"]))
        .collect();
    assert_eq!(source.len(), 1);
    let total = summary["errors"].as_u64().unwrap()
        + summary["warnings"].as_u64().unwrap()
        + summary["infos"].as_u64().unwrap();
    assert_eq!(source[0]["Findings"], total);
    assert_eq!(source[0]["Errors"], summary["errors"]);
    assert_eq!(source[0]["Items"], 3);
    assert_eq!(source[0]["Unverifiable"], 0);
    let by_rule: std::collections::BTreeMap<String, u64> = events
        .iter()
        .filter(|e| dims(e) == json!(["Source", "Rule"]))
        .map(|e| {
            (
                e["Rule"].as_str().unwrap().to_string(),
                e["Findings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(json!(by_rule), summary["by_rule"]);
    let accounts: Vec<_> = events
        .iter()
        .filter(|e| dims(e) == json!(["Source", "Account"]))
        .map(|e| e["Account"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(accounts, ["152864141302", "843074507558"]);
}

#[test]
fn a_namespace_cloudwatch_refuses_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path());
    std::fs::write(
        dir.path().join("reglint.toml"),
        "[audit]\nnamespace = \"bad name!\"\n",
    )
    .unwrap();
    let out = reglint()
        .current_dir(dir.path())
        .arg("check")
        .arg(&path)
        .args(["--format", "emf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reglint.toml:2:13"), "{err}");
}

fn parse_openmetrics(file: &Path) -> Value {
    let out = Command::new(python())
        .arg(root().join("tests/harness/openmetrics_parse.py"))
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the OpenMetrics parser refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn openmetrics_is_read_by_the_prometheus_parser_with_escaped_labels_and_no_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path());
    let prom = dir.path().join("reglint.prom");
    run(reglint()
        .arg("check")
        .arg(&path)
        .args(["--format", "openmetrics", "--output"])
        .arg(&prom));
    let text = std::fs::read_to_string(&prom).unwrap();
    assert!(text.ends_with("\n# EOF\n"), "{text}");
    let families = parse_openmetrics(&prom);
    let family = |name: &str| {
        families
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no family {name} in {families}"))
            .clone()
    };
    let label = path.display().to_string();
    let summary = &json_report(&path)["summary"];
    let findings = family("reglint_findings");
    assert_eq!(findings["type"], "gauge");
    let mut by_rule = serde_json::Map::new();
    for s in findings["samples"].as_array().unwrap() {
        assert_eq!(
            s["labels"]["source"],
            label.as_str(),
            "the label round-trips: {s}"
        );
        assert_eq!(s["timestamp"], Value::Null);
        by_rule.insert(
            s["labels"]["rule"].as_str().unwrap().into(),
            s["value"].as_f64().unwrap().round().into(),
        );
    }
    let expected: serde_json::Map<String, Value> = summary["by_rule"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), json!(v.as_f64().unwrap())))
        .collect();
    assert_eq!(Value::Object(by_rule), Value::Object(expected));
    let items = family("reglint_items");
    assert_eq!(items["samples"][0]["labels"]["source"], label.as_str());
    assert_eq!(items["samples"][0]["value"], 3.0);
    assert_eq!(family("reglint_unverifiable")["samples"][0]["value"], 0.0);
    let last = family("reglint_last_run_timestamp_seconds");
    assert_eq!(last["unit"], "seconds");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let t = last["samples"][0]["value"].as_f64().unwrap();
    assert!((now - t).abs() < 120.0, "{t} vs {now}");
    assert_eq!(last["samples"][0]["timestamp"], Value::Null);
}

#[test]
fn the_openmetrics_parser_would_refuse_a_file_without_eof() {
    // The parser in the test above is strict: the same exposition without `# EOF` fails.
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path());
    let out = run(reglint()
        .arg("check")
        .arg(&path)
        .args(["--format", "openmetrics"]));
    let text = String::from_utf8(out.stdout).unwrap();
    let cut = dir.path().join("cut.prom");
    std::fs::write(&cut, text.trim_end_matches("# EOF\n")).unwrap();
    let status = Command::new(python())
        .arg(root().join("tests/harness/openmetrics_parse.py"))
        .arg(&cut)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}

#[test]
fn output_files_are_replaced_by_rename_and_leave_no_temporary_file() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path());
    let out_dir = dir.path().join("textfile");
    std::fs::create_dir(&out_dir).unwrap();
    for format in ["openmetrics", "json", "html", "emf", "text"] {
        let target = out_dir.join(format!("reglint.{format}"));
        std::fs::write(&target, "old").unwrap();
        let before = std::fs::metadata(&target).unwrap().ino();
        run(reglint()
            .arg("check")
            .arg(&path)
            .args(["--format", format, "--output"])
            .arg(&target));
        let after = std::fs::metadata(&target).unwrap().ino();
        assert_ne!(before, after, "{format}: written in place, not renamed");
        assert_ne!(std::fs::read_to_string(&target).unwrap(), "old");
    }
    // A new file gets the mode any new file gets here; a replaced file keeps its own.
    use std::os::unix::fs::PermissionsExt;
    let reference = out_dir.join("reference");
    std::fs::write(&reference, "x").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let fresh = out_dir.join("fresh.prom");
    run(reglint()
        .arg("check")
        .arg(&path)
        .args(["--format", "openmetrics", "-o"])
        .arg(&fresh));
    assert_eq!(mode(&fresh), mode(&reference));
    let kept = out_dir.join("reglint.openmetrics");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    run(reglint()
        .arg("check")
        .arg(&path)
        .args(["--format", "openmetrics", "-o"])
        .arg(&kept));
    assert_eq!(mode(&kept), 0o640);
    std::fs::remove_file(&reference).unwrap();
    std::fs::remove_file(&fresh).unwrap();
    let names: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
}

fn history_json(file: &Path) -> Value {
    let out = run(reglint()
        .arg("history")
        .arg(file)
        .args(["--format", "json"]));
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn history_over_two_runs_shows_each_run_the_change_and_first_and_latest_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path());
    let history = dir.path().join("audits.jsonl");
    let check = || {
        run(reglint()
            .arg("check")
            .arg(&path)
            .args(["--format", "json", "--history"])
            .arg(&history))
    };
    check();
    // Between the runs the stray quote is fixed and a capabilities string appears.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("IO1GTTHP0M\\\"", "IO1GTTHP0M")
            .replace("[\n      \"hr\"\n    ]", "\"hr\""),
    )
    .unwrap();
    check();
    let lines = std::fs::read_to_string(&history).unwrap();
    assert_eq!(lines.lines().count(), 2);
    let first: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    for member in [
        "time",
        "tool",
        "sources",
        "items",
        "errors",
        "warnings",
        "infos",
        "unverifiable",
        "by_rule",
        "by_account",
        "by_severity",
        "aws_calls",
        "exit_code",
    ] {
        assert!(first.get(member).is_some(), "{member} missing from {first}");
    }
    assert!(
        first["by_account"]["152864141302"].as_u64().unwrap() > 0,
        "{first}"
    );

    let doc = history_json(&history);
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["change"], Value::Null);
    let change = &runs[1]["change"]["by_rule"];
    assert_eq!(change["RG101"], -1, "{change}");
    let rg003 = &doc["rules"]["RG003"];
    assert_eq!(
        rg003["latest"].as_u64().unwrap(),
        rg003["first"].as_u64().unwrap() + 1,
        "{doc}"
    );
    assert_eq!(doc["rules"]["RG101"], json!({"first": 1, "latest": 0}));
    assert_eq!(doc["skipped_lines"], json!([]));

    let text = run(reglint().arg("history").arg(&history));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("first run"), "{text}");
    assert!(text.contains("RG101 -1"), "{text}");
    assert!(text.contains("2 runs"), "{text}");
}

#[test]
fn a_run_torn_mid_append_leaves_a_file_that_is_still_read_and_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path());
    let history = dir.path().join("audits.jsonl");
    let check = || {
        run(reglint()
            .arg("check")
            .arg(&path)
            .args(["-q", "--format", "concise", "--history"])
            .arg(&history))
    };
    check();
    // What a power loss in the middle of the next append leaves: half a line.
    let whole = std::fs::read(&history).unwrap();
    let mut torn = whole.clone();
    torn.extend_from_slice(&whole[..whole.len() / 2]);
    std::fs::write(&history, &torn).unwrap();
    let doc = history_json(&history);
    assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
    assert_eq!(doc["skipped_lines"][0]["line"], 2);
    assert!(doc["skipped_lines"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("incomplete last line"));
    // The next run starts its own line after the torn one.
    check();
    let doc = history_json(&history);
    assert_eq!(doc["runs"].as_array().unwrap().len(), 2);
    assert_eq!(doc["skipped_lines"].as_array().unwrap().len(), 1);
    let text = String::from_utf8(run(reglint().arg("history").arg(&history)).stdout).unwrap();
    assert!(text.contains("line 2 skipped"), "{text}");
}

#[test]
fn concurrent_and_killed_runs_never_leave_half_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path());
    let history = dir.path().join("audits.jsonl");
    let spawn = || {
        reglint()
            .arg("check")
            .arg(&path)
            .args(["-q", "--format", "concise", "--history"])
            .arg(&history)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let finished: Vec<_> = (0..8).map(|_| spawn()).collect();
    let mut killed: Vec<_> = (0..8).map(|_| spawn()).collect();
    for (i, child) in killed.iter_mut().enumerate() {
        std::thread::sleep(std::time::Duration::from_millis(3 * i as u64));
        let _ = child.kill();
    }
    for mut c in finished {
        assert!(c.wait().unwrap().code().is_some());
    }
    let killed_ok = killed
        .iter_mut()
        .map(|c| c.wait().unwrap())
        .filter(|s| s.code().is_some())
        .count();
    let doc = history_json(&history);
    assert_eq!(doc["skipped_lines"], json!([]), "a line was torn");
    let runs = doc["runs"].as_array().unwrap().len();
    assert!(runs >= 8 + killed_ok && runs <= 16, "{runs} runs");
    let text = std::fs::read_to_string(&history).unwrap();
    assert!(text.ends_with('\n'));
    assert_eq!(text.lines().count(), runs);
}

#[test]
fn a_missing_history_file_is_an_error() {
    let out = reglint()
        .args(["history", "/nonexistent/audits.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the history file"));
}
