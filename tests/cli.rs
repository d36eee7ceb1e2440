#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The release binary run as a user runs it, on real files: bad input, exit codes, formats,
//! configuration, and fixes on files.

use assert_cmd::Command;
use std::io::Write;
use std::path::{Path, PathBuf};

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

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

const CLEAN: &str = r#"{"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M", "name": "billing-agent", "description": "Answers billing questions", "agent_type": "bedrock_agent", "account_id": "843074507558", "region": "us-east-1", "enabled": true, "capabilities": ["billing"]}"#;

fn typed_clean() -> String {
    r#"{"agent_id": {"S": "PEGHWIVI5Y"}, "alias_id": {"S": "IO1GTTHP0M"}, "name": {"S": "billing-agent"}, "description": {"S": "Answers billing questions"}, "agent_type": {"S": "bedrock_agent"}, "account_id": {"S": "843074507558"}, "region": {"S": "us-east-1"}, "enabled": {"BOOL": true}, "capabilities": {"L": [{"S": "billing"}]}}"#.to_string()
}

#[test]
fn clean_registry_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "agents.json", format!("[{CLEAN}]").as_bytes());
    let out = reglint()
        .args(["check", "--format", "concise"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("Checked 1 item: 0 errors, 0 warnings"));
}

#[test]
fn invalid_json_is_exit_2_with_line_and_column_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[\n  {\"agent_id\": \"A\",\n   \"name\": }\n]\n";
    let p = write(dir.path(), "bad.json", text.as_bytes());
    let out = reglint()
        .arg("check")
        .arg(&p)
        .arg("--fix")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.json:3:12"), "{err}");
    assert!(err.contains("expected value"), "{err}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
}

#[test]
fn empty_file_non_utf8_and_non_object_items_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.json", b"");
    let out = reglint().arg("check").arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("empty.json:1:1: the file is empty"),
        "{}",
        stderr(&out)
    );

    let latin1 = write(dir.path(), "latin1.json", b"[{\"name\": \"caf\xe9\"}]");
    let out = reglint().arg("check").arg(&latin1).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("latin1.json:1:"), "{}", stderr(&out));
    assert!(stderr(&out).contains("not valid UTF-8"), "{}", stderr(&out));

    let not_obj = write(
        dir.path(),
        "list.json",
        format!("[{CLEAN},\n 42]").as_bytes(),
    );
    let out = reglint().arg("check").arg(&not_obj).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("list.json:2:2: an item must be a JSON object"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn truncated_gzip_is_exit_2() {
    use flate2::write::GzEncoder;
    let dir = tempfile::tempdir().unwrap();
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..200 {
        writeln!(enc, "{{\"Item\": {}}}", typed_clean()).unwrap();
    }
    let bytes = enc.finish().unwrap();
    let p = write(dir.path(), "part.json.gz", &bytes[..bytes.len() / 2]);
    let out = reglint().arg("check").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("part.json.gz"), "{}", stderr(&out));
}

#[test]
fn malformed_typed_value_is_rg000_and_the_rest_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let bad = typed_clean().replace(r#"{"S": "billing-agent"}"#, r#"{"S": 5}"#);
    let worse = typed_clean()
        .replace("PEGHWIVI5Y", "QJ7XK2M9ZT")
        .replace(r#"{"S": "843074507558"}"#, r#"{"N": "abc"}"#)
        .replace("billing-agent", "other-agent");
    let third = typed_clean()
        .replace("PEGHWIVI5Y", "X8KD02LMQP")
        .replace("IO1GTTHP0M", "IO1GTTHP0M'")
        .replace("billing-agent", "third-agent");
    let p = write(
        dir.path(),
        "items.jsonl",
        format!("{bad}\n{worse}\n{third}\n").as_bytes(),
    );
    let out = reglint()
        .args(["check", "--format", "concise", "-q"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{}:1:", p.display()))
            && lines[0].contains("RG000")
            && lines[0]
                .contains("name is not valid DynamoDB JSON: S needs a string, found a number"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(&format!("{}:2:", p.display()))
            && lines[1].contains("RG000")
            && lines[1].contains("N holds \"abc\""),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{}:3:", p.display())) && l.contains("RG101")),
        "{text}"
    );
}

#[test]
fn json_report_has_the_spec_shape() {
    let dir = tempfile::tempdir().unwrap();
    let item = CLEAN.replace("IO1GTTHP0M", "IO1GTTHP0M\\\"");
    let p = write(
        dir.path(),
        "agents.json",
        format!("[\n{item}\n]\n").as_bytes(),
    );
    let out = reglint()
        .args(["check", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "reglint-report/1");
    assert_eq!(v["tool"]["name"], "reglint");
    assert_eq!(v["sources"][0]["kind"], "file");
    assert_eq!(v["sources"][0]["items"], 1);
    for key in [
        "items",
        "errors",
        "warnings",
        "infos",
        "fixable",
        "fixed",
        "skipped_fixes",
        "unverifiable",
        "by_rule",
    ] {
        assert!(v["summary"].get(key).is_some(), "summary.{key}");
    }
    assert_eq!(v["summary"]["by_rule"]["RG101"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "RG101");
    assert_eq!(d["name"], "stray-character-in-identifier");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "alias_id ends with a stray '\"'");
    assert_eq!(
        d["item"],
        serde_json::json!({"source": 0, "index": 0, "key": {"agent_id": "PEGHWIVI5Y"}})
    );
    assert_eq!(d["attribute"], "alias_id");
    assert_eq!(d["location"]["line"], 2);
    assert_eq!(d["location"]["column"], 40);
    assert_eq!(d["fingerprint"].as_str().unwrap().len(), 32);
    assert_eq!(d["fix"]["applicability"], "safe");
    assert_eq!(d["fix"]["title"], "Remove the stray '\"'");
    assert_eq!(
        d["fix"]["edits"],
        serde_json::json!([{"op": "set", "attribute": "alias_id", "value": {"S": "IO1GTTHP0M"}}])
    );

    // The fingerprint is stable across runs.
    let again = reglint()
        .args(["check", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let w: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        v["diagnostics"][0]["fingerprint"],
        w["diagnostics"][0]["fingerprint"]
    );
}

#[test]
fn fix_changes_only_the_value_and_converges() {
    let dir = tempfile::tempdir().unwrap();
    let item = CLEAN
        .replace("IO1GTTHP0M", "IO1GTTHP0M\\\"")
        .replace("\"843074507558\"", "843074507558");
    let text = format!("[\n  {CLEAN},\n  {item}\n]\n").replace(
        "\"PEGHWIVI5Y\", \"alias_id\": \"IO1GTTHP0M\\\"",
        "\"QJ7XK2M9ZT\", \"alias_id\": \"IO1GTTHP0M\\\"",
    );
    let p = write(dir.path(), "agents.json", text.as_bytes());
    let out = reglint()
        .args(["check", "--fix", "-q", "--format", "concise"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let fixed = std::fs::read_to_string(&p).unwrap();
    let expected = text
        .replace("\"IO1GTTHP0M\\\"\"", "\"IO1GTTHP0M\"")
        .replace(": 843074507558,", ": \"843074507558\",");
    assert_eq!(fixed, expected);
    // A second run changes nothing.
    let out = reglint().args(["check", "--fix"]).arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), expected);
}

#[test]
fn diff_prints_the_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let item = CLEAN.replace("IO1GTTHP0M", "IO1GTTHP0M\\\"");
    let text = format!("[\n  {item}\n]\n");
    let p = write(dir.path(), "agents.json", text.as_bytes());
    let out = reglint()
        .args(["check", "--diff"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = stdout(&out);
    assert!(diff.contains(&format!("-  {item}")), "{diff}");
    assert!(diff.contains(&format!("+  {CLEAN}")), "{diff}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    // Nothing to change: exit 0.
    let clean = write(dir.path(), "clean.json", format!("[{CLEAN}]").as_bytes());
    let out = reglint()
        .args(["check", "--diff"])
        .arg(&clean)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn fail_on_and_selection() {
    let dir = tempfile::tempdir().unwrap();
    let item = CLEAN.replace("IO1GTTHP0M", "IO1GTTHP0M\\\"");
    let p = write(dir.path(), "agents.json", format!("[{item}]").as_bytes());
    let code = |args: &[&str]| {
        reglint()
            .arg("check")
            .args(args)
            .arg(&p)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&[]), Some(1));
    assert_eq!(code(&["--fail-on", "never"]), Some(0));
    assert_eq!(code(&["--ignore", "RG1"]), Some(0));
    assert_eq!(code(&["--select", "RG0,RG3"]), Some(0));
    assert_eq!(
        code(&["--select", "RG0", "--extend-select", "RG101"]),
        Some(1)
    );
    assert_eq!(code(&["--select", "RG7"]), Some(2));
}

#[test]
fn stdin_and_scan_output_and_batch_write() {
    let scan = format!(
        "{{\"Items\": [{}], \"Count\": 1, \"ScannedCount\": 1, \"ConsumedCapacity\": null}}",
        typed_clean()
    );
    let out = reglint()
        .args(["check", "-", "--format", "json"])
        .write_stdin(scan)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sources"][0]["kind"], "stdin");
    assert_eq!(v["summary"]["items"], 1);

    let dir = tempfile::tempdir().unwrap();
    let batch = format!(
        "{{\"registry\": [{{\"PutRequest\": {{\"Item\": {}}}}}, {{\"PutRequest\": {{\"Item\": {}}}}}]}}",
        typed_clean(),
        typed_clean().replace("PEGHWIVI5Y", "QJ7XK2M9ZT").replace("billing-agent", "other")
    );
    let p = write(dir.path(), "batch.json", batch.as_bytes());
    let out = reglint()
        .args(["check", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["items"], 2);
}

#[test]
fn export_directory_is_read_in_manifest_order() {
    use flate2::write::GzEncoder;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    let mut manifest = String::new();
    for (i, id) in ["PEGHWIVI5Y", "QJ7XK2M9ZT"].iter().enumerate() {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        let item = typed_clean()
            .replace("PEGHWIVI5Y", id)
            .replace("billing-agent", &format!("agent-{i}"));
        writeln!(enc, "{{\"Item\": {item}}}").unwrap();
        let name = format!("file{}.json.gz", 9 - i);
        std::fs::write(dir.path().join("data").join(&name), enc.finish().unwrap()).unwrap();
        manifest.push_str(&format!("{{\"itemCount\":1,\"md5Checksum\":\"x\",\"etag\":\"y\",\"dataFileS3Key\":\"AWSDynamoDB/01/data/{name}\"}}\n"));
    }
    std::fs::write(dir.path().join("manifest-files.json"), manifest).unwrap();
    let out = reglint()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "RG302",
            "--extend-select",
            "RG101",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sources"][0]["kind"], "export");
    assert_eq!(v["summary"]["items"], 2);
}

#[test]
fn config_unknown_key_points_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "reglint.toml",
        b"[rules]\nselect = [\"ALL\"]\nignroe = [\"RG302\"]\n",
    );
    let p = write(dir.path(), "agents.json", format!("[{CLEAN}]").as_bytes());
    let out = reglint()
        .current_dir(dir.path())
        .arg("check")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("reglint.toml:3:1"), "{err}");
    assert!(err.contains("ignroe"), "{err}");
}

#[test]
fn config_sources_exceptions_and_unused_exception() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("nested");
    std::fs::create_dir(&sub).unwrap();
    let item = CLEAN.replace("IO1GTTHP0M", "IO1GTTHP0M\\\"");
    write(dir.path(), "agents.json", format!("[{item}]").as_bytes());
    write(
        dir.path(),
        "reglint.toml",
        br#"sources = ["agents.json"]

[[rules.exceptions]]
key = { agent_id = "PEGHWIVI5Y" }
rules = ["RG101"]
reason = "tracked in TICKET-1"

[[rules.exceptions]]
key = { agent_id = "NOSUCHAGNT" }
reason = "left over"
"#,
    );
    // Found upward from a subdirectory; sources resolved against the config's directory.
    let out = reglint()
        .current_dir(&sub)
        .args(["check", "--format", "concise", "-q"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("reglint.toml:8:1: RG900 warning"),
        "{text}"
    );
    assert!(lines[0].contains("NOSUCHAGNT"), "{text}");
}

#[test]
fn rule_command_prints_pages() {
    let out = reglint().args(["rule", "RG101"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("# RG101 stray-character-in-identifier"));
    let out = reglint()
        .args(["rule", "--all", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"RG000") && codes.contains(&"RG900"));
    let out = reglint().args(["rule", "RG999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn escapes_terminal_sequences_from_data() {
    let dir = tempfile::tempdir().unwrap();
    let item = CLEAN.replace("IO1GTTHP0M", "IO1GTTHP0M\\u001b]52;c;aGk=\\u0007\\u001b[2J");
    let p = write(dir.path(), "agents.json", format!("[{item}]").as_bytes());
    for format in ["text", "concise", "github"] {
        let out = reglint()
            .args(["check", "--format", format])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
            "{format}: {}",
            stdout(&out)
        );
    }
}

/// `--statistics` keeps only counts; they must be the counts of the full report, fix for fix,
/// and the exit code must not change.
#[test]
fn statistics_count_what_the_full_report_lists() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/registry.json");
    for unsafe_fixes in [false, true] {
        let mut full = reglint();
        full.args(["check", "--format", "json"]).arg(&fixture);
        let mut stats = reglint();
        stats
            .args(["check", "--statistics", "--format", "json"])
            .arg(&fixture);
        if unsafe_fixes {
            full.arg("--unsafe-fixes");
            stats.arg("--unsafe-fixes");
        }
        let (full, stats) = (full.output().unwrap(), stats.output().unwrap());
        assert_eq!(full.status.code(), stats.status.code());
        let report: serde_json::Value = serde_json::from_slice(&full.stdout).unwrap();
        let counts: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
        let mut expected = std::collections::BTreeMap::<String, (u64, u64, u64)>::new();
        for d in report["diagnostics"].as_array().unwrap() {
            let e = expected
                .entry(d["rule"].as_str().unwrap().into())
                .or_default();
            e.0 += 1;
            match d["fix"]["applicability"].as_str() {
                Some("safe") => e.1 += 1,
                Some(_) if unsafe_fixes => e.1 += 1,
                Some(_) => e.2 += 1,
                None => {}
            }
        }
        assert!(expected.len() > 5, "the fixture exercises many rules");
        let got: std::collections::BTreeMap<String, (u64, u64, u64)> = counts["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let n = |k: &str| r[k].as_u64().unwrap();
                (
                    r["code"].as_str().unwrap().to_string(),
                    (n("count"), n("fixable"), n("unsafe_fixable")),
                )
            })
            .collect();
        assert_eq!(got, expected, "unsafe_fixes: {unsafe_fixes}");
        assert_eq!(counts["summary"], report["summary"]);
    }
}

/// Findings printed as they are found (stdout) are byte for byte the report written whole
/// (`--output`, streamed to a temporary file beside it or spilled), in every format that
/// streams, over several sources with findings between items, across items and after the last
/// one (an exception that matches nothing).
#[test]
fn streamed_findings_equal_the_report_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/registry.json");
    let second = write(
        dir.path(),
        "more.jsonl",
        format!(
            "{}\n{}\n",
            typed_clean(),
            typed_clean().replace("PEGHWIVI5Y", "PEGHWIVI5\\\"")
        )
        .as_bytes(),
    );
    write(
        dir.path(),
        "reglint.toml",
        b"[[rules.exceptions]]\nkey = { agent_id = \"NOBODY0000\" }\nrules = [\"RG101\"]\nreason = \"kept for the test\"\n",
    );
    for format in [
        "text", "concise", "jsonl", "github", "json", "sarif", "gitlab", "junit", "html",
    ] {
        let streamed = reglint()
            .current_dir(dir.path())
            .args(["check", "--format", format])
            .arg(&fixture)
            .arg(&second)
            .output()
            .unwrap();
        let out = dir.path().join(format!("report.{format}"));
        let whole = reglint()
            .current_dir(dir.path())
            .args(["check", "--format", format, "--output"])
            .arg(&out)
            .arg(&fixture)
            .arg(&second)
            .output()
            .unwrap();
        assert_eq!(streamed.status.code(), Some(1), "{}", stderr(&streamed));
        assert_eq!(streamed.status.code(), whole.status.code());
        let written = without_times(&std::fs::read_to_string(&out).unwrap());
        assert_eq!(without_times(&stdout(&streamed)), written, "{format}");
        assert!(written.contains("RG900"), "{format}: {written}");
        assert!(written.contains("RG301"), "{format}: {written}");
        if matches!(format, "json" | "sarif" | "gitlab" | "junit" | "html") {
            // Without a temporary file the findings are kept in memory: the same report.
            let kept = reglint()
                .current_dir(dir.path())
                .env("TMPDIR", dir.path().join("no such directory"))
                .args(["check", "--format", format])
                .arg(&fixture)
                .arg(&second)
                .output()
                .unwrap();
            assert_eq!(kept.status.code(), Some(1), "{}", stderr(&kept));
            assert_eq!(
                without_times(&stdout(&kept)),
                written,
                "{format} without a temporary file"
            );
        }
    }
    // A run that stops on unreadable input leaves an existing report as it was, and no
    // temporary file beside it, though its findings were being streamed there.
    let broken = write(
        dir.path(),
        "broken.jsonl",
        format!("{}\n{{\"agent_id\": \n", typed_clean()).as_bytes(),
    );
    for format in ["text", "jsonl", "gitlab", "junit", "html"] {
        let out = dir.path().join(format!("kept.{format}"));
        std::fs::write(&out, "the last good report\n").unwrap();
        let run = reglint()
            .current_dir(dir.path())
            .args(["check", "--format", format, "--output"])
            .arg(&out)
            .arg(&second)
            .arg(&broken)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "the last good report\n"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".reglint-"))
            .collect();
        assert!(left.is_empty(), "{format}: {left:?}");
    }
}

/// The report with the run's time (the html page's title and header) taken out.
fn without_times(report: &str) -> String {
    regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
        .unwrap()
        .replace_all(report, "TIME")
        .into_owned()
}
