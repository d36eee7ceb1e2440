#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reglint diff` (spec §10) with the built binary: files, and a seed file against a moto
//! table loaded from it.

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::path::Path;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo::{client, create_table, list, put_items, reglint, s, unique, Item};
use moto::Moto;
use serde_json::{json, Value};

fn binary(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("reglint").unwrap();
    c.env_remove("REGLINT_LOG")
        .env("NO_COLOR", "1")
        .current_dir(dir);
    c
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Typed seed items: a string set `tags`, a number `priority`, a list `capabilities`.
fn seed_item(i: usize) -> Item {
    HashMap::from([
        ("agent_id".to_string(), s(&format!("AGENT{i:05}"))),
        ("alias_id".to_string(), s("IO1GTTHP0M")),
        ("name".to_string(), s(&format!("agent {i}"))),
        ("description".to_string(), s("routes requests")),
        ("agent_type".to_string(), s("bedrock_agent")),
        ("enabled".to_string(), AttributeValue::Bool(true)),
        ("capabilities".to_string(), list(&["search", "billing"])),
        (
            "tags".to_string(),
            AttributeValue::Ss(vec!["alpha".into(), "beta".into(), "gamma".into()]),
        ),
        ("priority".to_string(), AttributeValue::N(format!("{i}.0"))),
    ])
}

fn typed(av: &AttributeValue) -> Value {
    match av {
        AttributeValue::S(v) => json!({"S": v}),
        AttributeValue::N(v) => json!({"N": v}),
        AttributeValue::Bool(v) => json!({"BOOL": v}),
        AttributeValue::Ss(v) => json!({"SS": v}),
        AttributeValue::L(v) => json!({"L": v.iter().map(typed).collect::<Vec<_>>()}),
        other => panic!("not used here: {other:?}"),
    }
}

/// The seed file as DynamoDB JSON Lines.
fn write_seed(path: &Path, items: &[Item]) {
    let mut text = String::new();
    for item in items {
        let m: serde_json::Map<String, Value> =
            item.iter().map(|(k, v)| (k.clone(), typed(v))).collect();
        text.push_str(&Value::Object(m).to_string());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_file_against_itself_and_against_its_plain_form_is_the_same_registry() {
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<Item> = (0..20).map(seed_item).collect();
    write_seed(&dir.path().join("seed.jsonl"), &items);
    let out = binary(dir.path())
        .args(["diff", "seed.jsonl", "seed.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("same registry"));

    // Plain JSON of the same data: lists as lists, numbers spelled `3` instead of `3.0`.
    let plain: Vec<Value> = (0..20)
        .map(|i| {
            json!({"agent_id": format!("AGENT{i:05}"), "alias_id": "IO1GTTHP0M",
                   "name": format!("agent {i}"), "description": "routes requests",
                   "agent_type": "bedrock_agent", "enabled": true,
                   "capabilities": ["search", "billing"], "priority": i})
        })
        .collect();
    std::fs::write(
        dir.path().join("plain.json"),
        serde_json::to_string(&plain).unwrap(),
    )
    .unwrap();
    let out = binary(dir.path())
        .args([
            "diff",
            "seed.jsonl",
            "plain.json",
            "--ignore-attributes",
            "tags",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc = json_of(&out);
    assert_eq!(doc["schema"], "reglint-diff/1");
    assert_eq!(doc["summary"]["a_items"], 20);
    assert_eq!(doc["summary"]["changed"], 0);
}

#[test]
fn an_unreadable_side_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), "[").unwrap();
    let out = binary(dir.path())
        .args(["diff", "a.json", "missing.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[tokio::test]
async fn a_seed_file_against_the_table_loaded_from_it() {
    let Some(moto) = Moto::shared() else { return };
    let db = client(moto).await;
    let table = unique("diff");
    create_table(&db, &table, "agent_id", None).await;
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<Item> = (0..40).map(seed_item).collect();
    write_seed(&dir.path().join("seed.jsonl"), &items);
    // The table holds the same items, with each string set in another order and numbers
    // spelled without the `.0`.
    let loaded: Vec<Item> = items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            item.insert(
                "tags".into(),
                AttributeValue::Ss(vec!["gamma".into(), "alpha".into(), "beta".into()]),
            );
            let n = item["priority"]
                .as_n()
                .unwrap()
                .trim_end_matches(".0")
                .to_string();
            item.insert("priority".into(), AttributeValue::N(n));
            item
        })
        .collect();
    put_items(&db, &table, &loaded).await;
    let source = format!("dynamodb://{table}?region=us-east-1");
    let diff = |extra: &[&str]| {
        let out = reglint(moto, &moto.endpoint, dir.path())
            .args(["diff", "seed.jsonl", &source, "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        (out.status.code(), json_of(&out))
    };
    let (code, doc) = diff(&[]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["b"], format!("dynamodb://{table}"));
    assert_eq!(doc["summary"]["b_items"], 40);

    // Out of band: one item deleted, one edited, one inserted.
    db.delete_item()
        .table_name(&table)
        .key("agent_id", s("AGENT00003"))
        .send()
        .await
        .unwrap();
    db.update_item()
        .table_name(&table)
        .key("agent_id", s("AGENT00007"))
        .update_expression("SET alias_id = :a")
        .expression_attribute_values(":a", s("IO1GTTHP0M\""))
        .send()
        .await
        .unwrap();
    put_items(&db, &table, &[seed_item(99)]).await;
    let (code, doc) = diff(&[]);
    assert_eq!(code, Some(1), "{doc}");
    assert_eq!(doc["only_in_a"], json!([{"agent_id": "AGENT00003"}]));
    assert_eq!(doc["only_in_b"], json!([{"agent_id": "AGENT00099"}]));
    assert_eq!(
        doc["changed"],
        json!([{"key": {"agent_id": "AGENT00007"},
                "attributes": [{"name": "alias_id", "a": {"S": "IO1GTTHP0M"},
                                "b": {"S": "IO1GTTHP0M\""}}]}])
    );
    assert_eq!(
        doc["summary"],
        json!({"a_items": 40, "b_items": 40, "only_in_a": 1, "only_in_b": 1, "changed": 1})
    );

    // Ignoring the edited attribute leaves the delete and the insert.
    let (code, doc) = diff(&["--ignore-attributes", "alias_id,description"]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["summary"]["changed"], 0, "{doc}");
    assert_eq!(doc["summary"]["only_in_a"], 1);
    assert_eq!(doc["summary"]["only_in_b"], 1);

    // Text names the three as well.
    let out = reglint(moto, &moto.endpoint, dir.path())
        .args(["diff", "seed.jsonl", &source])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("only in A: {\"agent_id\":\"AGENT00003\"}"),
        "{text}"
    );
    assert!(
        text.contains("only in B: {\"agent_id\":\"AGENT00099\"}"),
        "{text}"
    );
    assert!(
        text.contains("alias_id: {\"S\":\"IO1GTTHP0M\"} -> {\"S\":\"IO1GTTHP0M\\\"\"}"),
        "{text}"
    );
}

#[test]
fn a_key_held_twice_is_matched_occurrence_by_occurrence() {
    let dir = tempfile::tempdir().unwrap();
    let one = json!({"agent_id": "AGENT00001", "name": "one"});
    let two = json!({"agent_id": "AGENT00001", "name": "two"});
    let write = |name: &str, items: &[&Value]| {
        std::fs::write(dir.path().join(name), serde_json::to_string(items).unwrap()).unwrap();
    };
    write("twice.json", &[&one, &two]);
    write("once.json", &[&one]);
    let out = binary(dir.path())
        .args(["diff", "twice.json", "once.json", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let doc = json_of(&out);
    assert_eq!(
        doc["only_in_a"],
        json!([{"agent_id": "AGENT00001"}]),
        "{doc}"
    );
    assert_eq!(doc["summary"]["changed"], 0);
}
