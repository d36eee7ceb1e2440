#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The shipped fixture, as the README's first command runs it: every planted problem found at
//! its place; `--fix` changes only the bytes it must, converges, and leaves entries that parse
//! into the strict types.

use assert_cmd::Command;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/registry.json");

fn reglint() -> Command {
    let mut c = Command::cargo_bin("reglint").unwrap();
    c.env("NO_COLOR", "1").env_remove("REGLINT_LOG");
    c
}

#[test]
fn every_planted_problem_is_found_where_it_is() {
    let out = reglint()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "fixtures/registry.json",
            "--format",
            "concise",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = [
        "fixtures/registry.json:4:17: RG101 error",
        "fixtures/registry.json:24:21: RG003 error",
        "fixtures/registry.json:33:19: RG105 error",
        "fixtures/registry.json:43:19: RG106 error",
        "fixtures/registry.json:48:3: RG001 error",
        "fixtures/registry.json:57:5: RG006 warning",
        "fixtures/registry.json:60:17: RG301 error",
        "fixtures/registry.json:119:17: RG104 warning",
    ];
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{text}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(want),
            "{line:?} should start with {want:?}"
        );
    }
}

fn copy_fixture(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("registry.json");
    std::fs::copy(FIXTURE, &p).unwrap();
    p
}

#[test]
fn fix_changes_only_the_bytes_it_must_and_converges() {
    let dir = tempfile::tempdir().unwrap();
    let p = copy_fixture(dir.path());
    let original = std::fs::read_to_string(&p).unwrap();

    let out = reglint()
        .args(["check", "--fix", "-q"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "RG301 and RG001 remain");
    let safe = original
        .replace(
            r#""alias_id": "IO1GTTHP0M\"","#,
            r#""alias_id": "IO1GTTHP0M","#,
        )
        .replace(
            r#""capabilities": "ticket triage","#,
            r#""capabilities": ["ticket triage"],"#,
        )
        .replace(
            r#""account_id": 12345678901,"#,
            r#""account_id": "012345678901","#,
        )
        .replace(
            r#""agent_type": "Bedrock-Agent","#,
            r#""agent_type": "bedrock_agent","#,
        );
    assert_ne!(safe, original);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), safe);

    // Twice in a row is a no-op.
    reglint()
        .args(["check", "--fix", "-q"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), safe);

    // Unsafe fixes add the near-miss rename, and nothing fixable remains.
    let out = reglint()
        .args(["check", "--fix", "--unsafe-fixes", "-q"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = safe.replace(r#""capabilites": ["#, r#""capabilities": ["#);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), all);
    let out = reglint()
        .args(["check", "--unsafe-fixes", "--format", "json"])
        .arg(&p)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["fixable"], 0);
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["RG301", "RG104"]);
}

#[test]
fn fixed_entries_parse_into_the_strict_types() {
    use reglint::source::{FileReader, InputFormat};
    let dir = tempfile::tempdir().unwrap();
    let p = copy_fixture(dir.path());
    reglint()
        .args(["check", "--fix", "--unsafe-fixes", "-q"])
        .arg(&p)
        .output()
        .unwrap();
    let bytes = std::fs::read(&p).unwrap();
    let mut items = Vec::new();
    FileReader {
        format: InputFormat::Auto,
    }
    .read_bytes("registry.json", &bytes, &mut |si| items.push(si.item))
    .unwrap();
    assert_eq!(items.len(), 16);
    let mut parsed = 0;
    for item in &items {
        match reglint::schema::RegistryEntry::from_item(item, &[]) {
            Ok(entry) => {
                parsed += 1;
                assert!(!entry.capabilities.is_empty());
            }
            Err(e) => panic!("{e}: {:?}", item.to_plain_json()),
        }
    }
    assert_eq!(parsed, 16);
}

const DECLARED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/declared");

/// The declared-attributes fixture, copied with its reglint.toml into a fresh folder.
fn copy_declared(dir: &std::path::Path) -> std::path::PathBuf {
    for name in ["registry.json", "reglint.toml"] {
        std::fs::copy(format!("{DECLARED_DIR}/{name}"), dir.join(name)).unwrap();
    }
    dir.join("registry.json")
}

#[test]
fn declared_attributes_fixture_is_linted_exactly() {
    // No SOURCE: the config's `sources`, read from its folder.
    let out = reglint()
        .current_dir(DECLARED_DIR)
        .args(["check", "--format", "concise", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = [
        r#"28:17: RG110 error [*] protocol holds " Bedrock", which is not one of its values: "bedrock", "a2a", "mcp""#,
        r#"40:17: RG110 error protocol holds "grpc", which is not one of its values: "bedrock", "a2a", "mcp""#,
        r#"41:14: RG111 error owner "Payroll Team" does not match its pattern ^team-[a-z0-9-]+$"#,
        r#"42:16: RG110 error [*] topics holds "Refunds", which is not one of its values: "billing", "refunds", "payroll", "code-review""#,
        r#"44:3: RG001 error domains is required on an agentcore entry but missing"#,
        r#"54:21: RG111 error endpoint_url "http://code-review.internal" does not match its pattern ^https://"#,
        r#"57:3: RG001 error protocol is required on a bedrock_agent entry but missing"#,
        r#"67:17: RG002 error priority is declared N but is S ("2")"#,
    ];
    let lines: Vec<&str> = text.lines().collect();
    let prefix = format!("{DECLARED_DIR}/registry.json:");
    let found: Vec<&str> = lines
        .iter()
        .map(|l| l.strip_prefix(&prefix).unwrap_or(l))
        .collect();
    assert_eq!(found, expected, "{text}");
}

#[test]
fn fix_applies_the_declared_value_fixes_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let p = copy_declared(dir.path());
    let original = std::fs::read_to_string(&p).unwrap();
    let out = reglint()
        .current_dir(dir.path())
        .args(["check", "--fix", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the unfixable findings remain");
    let fixed = original
        .replace(r#""protocol": " Bedrock","#, r#""protocol": "bedrock","#)
        .replace(r#""topics": ["Refunds"]"#, r#""topics": ["refunds"]"#);
    assert_ne!(fixed, original);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), fixed);

    // Twice in a row is a no-op, and nothing fixable remains.
    reglint()
        .current_dir(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "-q"])
        .output()
        .unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), fixed);
    let out = reglint()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["fixable"], 0);
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["RG110", "RG111", "RG001", "RG111", "RG001", "RG002"]
    );
}

#[test]
fn clean_declared_entries_parse_with_their_declared_types() {
    use reglint::config::Config;
    use reglint::schema::{DeclaredValue, RegistryEntry};
    use reglint::source::{FileReader, InputFormat};
    let config = Config::load(std::path::Path::new(&format!(
        "{DECLARED_DIR}/reglint.toml"
    )))
    .unwrap();
    let bytes = std::fs::read(format!("{DECLARED_DIR}/registry.json")).unwrap();
    let mut items = Vec::new();
    FileReader {
        format: InputFormat::Auto,
    }
    .read_bytes("registry.json", &bytes, &mut |si| items.push(si.item))
    .unwrap();
    let extra = &config.file.registry.extra_attributes;
    let parsed: Vec<_> = items
        .iter()
        .map(|i| RegistryEntry::from_item_with(i, extra, &config.schema))
        .collect();
    // The first and the last entries are clean; every other one has a planted problem.
    let ok: Vec<usize> = parsed
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_ok())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(ok, [0, 5], "{parsed:#?}");
    let first = parsed[0].as_ref().unwrap();
    assert_eq!(
        first.declared["protocol"],
        DeclaredValue::S("bedrock".into())
    );
    assert_eq!(first.declared["priority"], DeclaredValue::N("1".into()));
    assert_eq!(
        first.declared["topics"],
        DeclaredValue::L(vec![
            DeclaredValue::S("billing".into()),
            DeclaredValue::S("refunds".into())
        ])
    );
    assert_eq!(
        first.extra["updated_at"],
        serde_json::json!({"S": "2026-11-30"})
    );
    let last = parsed[5].as_ref().unwrap();
    assert_eq!(
        last.declared["endpoint_url"],
        DeclaredValue::S("https://data.internal".into())
    );
}
