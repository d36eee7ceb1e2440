#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Declared attributes (spec §3.1) from the built binary: a wrong `[schema]` is exit 2 naming
//! every problem's line and column, `reglint schema` prints the effective schema, `reglint rule`
//! knows RG110 and RG111, and bad values in declared attributes are findings, never a crash.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const DECLARED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/declared/reglint.toml"
);

fn reglint() -> Command {
    let mut c = Command::cargo_bin("reglint").unwrap();
    c.env_remove("REGLINT_LOG").env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const CLEAN: &str = r#"{"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M", "name": "billing-agent", "description": "Answers billing questions", "agent_type": "bedrock_agent", "enabled": true, "capabilities": ["billing"]}"#;

#[test]
fn a_wrong_schema_is_exit_2_naming_every_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "reglint.toml",
        r#"[rules]
ignore = ["RG999"]

[schema.attributes.protocol]
type = "STRING"

[schema.attributes.owner]
type = "S"
pattern = "^team-(["

[schema.attributes.tier]
type = "N"
values = ["gold"]
pattern = "^[0-9]$"

[schema.attributes.routes]
type = "M"
items = "S"

[schema.attributes.stage]
type = "S"
required = ["bedrock", "agentcore"]

[schema.attributes.enabled]
type = "S"
"#,
    );
    let registry = write(dir.path(), "agents.json", &format!("[{CLEAN}]"));
    let before = std::fs::read_to_string(&registry).unwrap();
    let out = reglint()
        .args(["check", "--fix", "--config"])
        .arg(&config)
        .arg(&registry)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    let path = config.display().to_string();
    for (line_col, what) in [
        ("2:11", "unknown rule code or prefix \"RG999\""),
        (
            "25:8",
            "enabled is a built-in attribute of type BOOL; it cannot be declared S",
        ),
        (
            "9:11",
            "the pattern does not compile: unclosed character class",
        ),
        (
            "18:9",
            "items is the element type of a list: it needs type = \"L\", not \"M\"",
        ),
        ("22:12", "required names an unknown agent type \"bedrock\""),
        (
            "14:11",
            "a pattern applies to strings (S, SS, or L with items = \"S\"); tier is N",
        ),
        (
            "13:10",
            "values of tier must be numbers (tier is N); values[0] is \"gold\"",
        ),
        (
            "5:8",
            "unknown type \"STRING\": one of S, N, BOOL, L, M, SS, NS",
        ),
    ] {
        let want = format!("{path}:{line_col}: {what}");
        assert!(err.contains(&want), "no {want:?} in\n{err}");
    }
    assert!(err.contains("8 problems in"), "{err}");
    assert_eq!(std::fs::read_to_string(&registry).unwrap(), before);
}

#[test]
fn schema_prints_the_effective_schema_as_json() {
    let out = reglint()
        .args(["schema", "--format", "json", "--config", DECLARED])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "reglint-schema/1");
    assert_eq!(doc["extra_attributes"], serde_json::json!(["updated_at"]));
    let attrs = doc["attributes"].as_array().unwrap();
    let names: Vec<&str> = attrs.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "agent_id",
            "alias_id",
            "runtime_arn",
            "qualifier",
            "name",
            "description",
            "agent_type",
            "account_id",
            "region",
            "enabled",
            "capabilities",
            "domains",
            "example_queries",
            "endpoint_url",
            "owner",
            "priority",
            "protocol",
            "topics",
        ]
    );
    let get = |n: &str| attrs.iter().find(|a| a["name"] == n).unwrap();
    assert_eq!(
        get("protocol"),
        &serde_json::json!({
            "name": "protocol", "type": "S", "items": null, "required": ["bedrock_agent"],
            "values": ["bedrock", "a2a", "mcp"], "pattern": null,
            "description": "how the hub talks to the agent", "origin": "declared"
        })
    );
    assert_eq!(get("priority")["values"], serde_json::json!([1, 2, 3]));
    assert_eq!(get("topics")["items"], "S");
    assert_eq!(get("owner")["pattern"], "^team-[a-z0-9-]+$");
    assert_eq!(get("owner")["required"], true);
    assert_eq!(get("domains")["origin"], "built-in, tightened");
    assert_eq!(get("domains")["required"], true);
    assert_eq!(get("example_queries")["required"], false);
    assert_eq!(
        get("agent_id")["required"],
        serde_json::json!(["bedrock_agent"])
    );
}

#[test]
fn schema_prints_a_table_and_without_a_config_the_built_in_schema() {
    let out = reglint()
        .args(["schema", "--config", DECLARED])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("attribute "), "{table}");
    let row = |name: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{name} ")))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert_eq!(
        row("protocol"),
        "protocol S bedrock_agent declared values: \"bedrock\", \"a2a\", \"mcp\"; how the hub talks to the agent"
    );
    assert_eq!(row("capabilities"), "capabilities L of S yes built-in");
    assert_eq!(row("domains"), "domains L of S yes built-in, tightened");
    assert!(table.contains("extra_attributes (any type, not checked): updated_at"));

    let dir = tempfile::tempdir().unwrap();
    let out = reglint()
        .current_dir(dir.path())
        .args(["schema", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let attrs = doc["attributes"].as_array().unwrap();
    assert_eq!(attrs.len(), 13);
    assert!(attrs.iter().all(|a| a["origin"] == "built-in"));
}

#[test]
fn rule_lists_and_explains_the_new_rules() {
    let out = reglint()
        .args(["rule", "--all", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let get = |code: &str| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(get("RG110")["name"], "value-not-allowed");
    assert_eq!(get("RG110")["fix"], "safe");
    assert_eq!(get("RG111")["name"], "pattern-mismatch");
    assert_eq!(get("RG111")["fix"], "none");
    let out = reglint().args(["rule", "RG111"]).output().unwrap();
    assert!(text(&out.stdout).starts_with("# RG111 pattern-mismatch\n"));
}

#[test]
fn wrong_and_malformed_declared_values_are_findings_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let base = r#""agent_id": {"S": "PEGHWIVI5Y"}, "alias_id": {"S": "IO1GTTHP0M"}, "name": {"S": "billing-agent"}, "description": {"S": "Answers billing questions"}, "agent_type": {"S": "bedrock_agent"}, "enabled": {"BOOL": true}, "capabilities": {"L": [{"S": "billing"}]}, "domains": {"L": [{"S": "finance"}]}, "owner": {"S": "team-billing"}"#;
    let lines = [
        format!(r#"{{{base}, "protocol": {{"N": "5"}}}}"#),
        format!(r#"{{{base}, "protocol": {{"S": 5}}}}"#),
        format!(
            r#"{{{base}, "protocol": {{"S": "mcp"}}, "topics": {{"L": [{{"S": "billing"}}, {{"BOOL": "x"}}]}}}}"#
        ),
        format!(
            r#"{{{base}, "protocol": {{"S": "mcp"}}, "priority": {{"SS": ["1"]}}, "topics": {{"SS": ["billing"]}}}}"#
        ),
        format!(r#"{{{base}, "protocol": {{"S": "a2a"}}, "priority": {{"N": "2"}}}}"#),
    ];
    let registry = write(dir.path(), "agents.jsonl", &(lines.join("\n") + "\n"));
    let out = reglint()
        .args([
            "check", "--format", "json", "--ignore", "RG3", "--config", DECLARED,
        ])
        .arg(&registry)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(u64, String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["item"]["index"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let found: Vec<(u64, &str, &str)> = found
        .iter()
        .map(|(i, r, m)| (*i, r.as_str(), m.split(':').next().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            (0, "RG002", "protocol is declared S but is N (5)"),
            (1, "RG000", "protocol is not valid DynamoDB JSON"),
            (2, "RG000", "topics is not valid DynamoDB JSON"),
            (3, "RG002", "priority is declared N but is SS ([\"1\"])"),
            (
                3,
                "RG002",
                "topics is declared L of S but is SS ([\"billing\"])"
            ),
        ],
        "{report:#}"
    );
    assert_eq!(report["summary"]["items"], 5);
}
