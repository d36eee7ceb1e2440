//! Hostile data through the release binary, from files and from a moto table: terminal escape
//! sequences (CSI, OSC 8 links, OSC 52 clipboard writes), bidi overrides, NUL and other
//! control characters in values, attribute names and keys; items near the 400 KB limit;
//! deeply nested maps; 10,000-element lists; binary values; 38-digit numbers.
//!
//! Whatever the input: no panic (exit 0, 1, 2 or 3 only); no raw control, bidi or C1
//! character reaches stdout or stderr in the text, concise and github formats (nor stderr in
//! any format); JSON, JSON Lines and SARIF parse with serde_json; JUnit parses with quick-xml
//! and holds no character XML 1.0 forbids.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::path::Path;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use dynamo::{all_items, client, create_table, put_items, reglint, s, sorted_sets, unique, Item};
use moto::Moto;
use serde_json::{json, Value};

/// Every way data has been used to take over a terminal.
const HOSTILE: &str =
    "\u{1b}[31mred\u{1b}[0m \u{1b}]8;;https://evil.example/\u{7}link\u{1b}]8;;\u{7} \
    \u{1b}]52;c;ZXZpbA==\u{7} \u{202e}txt.exe\u{202c} nul\u{0}x bel\u{7} c1\u{9b}31m \
    bs\u{8} del\u{7f} cr\r \u{2066}iso\u{2069} \u{1b}P dcs \u{1b}\\ st\u{9c}";

const FORMATS: &[&str] = &[
    "text", "concise", "github", "json", "jsonl", "sarif", "junit",
];

/// Characters that must never reach a terminal raw.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Some((i, c)) = text.char_indices().find(|(_, c)| forbidden(*c)) {
        let from = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
        panic!(
            "{what}: raw U+{:04X} at byte {i}: {:?}",
            c as u32,
            &text[from..(i + 20).min(text.len())]
        );
    }
}

/// Runs the checks on one output.
fn assert_output(what: &str, format: &str, out: &std::process::Output) {
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=3)),
        "{what}: exit {code:?} (a panic or a signal)\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert_clean(&format!("{what}: stderr"), &out.stderr);
    if code == Some(2) {
        return;
    }
    match format {
        "text" | "concise" | "github" => assert_clean(&format!("{what}: stdout"), &out.stdout),
        "json" | "sarif" => {
            serde_json::from_slice::<Value>(&out.stdout)
                .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        }
        "jsonl" => {
            for line in String::from_utf8(out.stdout.clone()).unwrap().lines() {
                serde_json::from_str::<Value>(line)
                    .unwrap_or_else(|e| panic!("{what}: not a JSON line: {e}: {line}"));
            }
        }
        "junit" => {
            let xml = std::str::from_utf8(&out.stdout).unwrap();
            let mut reader = quick_xml::Reader::from_str(xml);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{what}: not XML: {e}"),
                }
            }
            // XML 1.0 allows only tab, newline and carriage return below U+0020.
            if let Some(c) = xml
                .chars()
                .find(|c| (*c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || *c == '\u{fffe}')
            {
                panic!("{what}: U+{:04X} is not allowed in XML 1.0", c as u32);
            }
        }
        _ => unreachable!(),
    }
}

fn nested(depth: usize) -> Value {
    let mut v = json!("bottom");
    for _ in 0..depth {
        v = json!({ "a": v });
    }
    v
}

/// Plain JSON items with hostile text everywhere, and the limits of DynamoDB.
fn plain_items() -> Value {
    json!([
        {
            "agent_id": format!("KEY{HOSTILE}"),
            "alias_id": HOSTILE,
            "name": HOSTILE,
            "description": HOSTILE,
            "agent_type": "bedrock_agent",
            "enabled": true,
            "capabilities": [HOSTILE, "search"],
            HOSTILE: HOSTILE,
            "nul\u{0}name": "x",
        },
        {
            "agent_id": "BIGITEM001",
            "alias_id": "TSTALIASID",
            "name": "big",
            "description": format!("{}{HOSTILE}", "d".repeat(399_000)),
            "agent_type": "bedrock_agent",
            "enabled": true,
            "capabilities": ["search"],
        },
        {
            "agent_id": "LONGLIST01",
            "alias_id": "TSTALIASID",
            "name": "many capabilities",
            "description": "d",
            "agent_type": "bedrock_agent",
            "enabled": true,
            "capabilities": (0..10_000).map(|i| if i % 1000 == 0 { HOSTILE.to_string() } else { format!("c{i}") }).collect::<Vec<_>>(),
        },
        {
            "agent_id": "NUMBERS001",
            "alias_id": "TSTALIASID",
            "name": "numbers",
            "description": "d",
            "agent_type": "bedrock_agent",
            "enabled": "yes",
            "capabilities": ["search"],
            "account_id": "__N38__",
            "weight": "__F38__",
        },
        {
            "agent_id": "DEEP000100",
            "alias_id": "TSTALIASID",
            "name": "deep",
            "description": "d",
            "agent_type": "bedrock_agent",
            "enabled": true,
            "capabilities": ["search"],
            "meta": nested(100),
        },
    ])
}

/// The same in DynamoDB JSON, with binary values and sets.
fn dynamodb_items() -> Value {
    json!([
        {
            "agent_id": {"S": format!("K\u{0}\u{1b}]52;c;eA==\u{7}{HOSTILE}")},
            "alias_id": {"S": "TSTALIASID"},
            "name": {"S": HOSTILE},
            "agent_type": {"S": HOSTILE},
            "enabled": {"N": "99999999999999999999999999999999999999"},
            "capabilities": {"SS": [HOSTILE, "\u{202e}b"]},
            "blob": {"B": "G1szMW0HAJvigK4="},
            "blobs": {"BS": ["AA==", "G10yO2M7ZUE9PQc="]},
            "weights": {"NS": ["1E+125", "-1E-130", "12345678901234567890123456789012345678"]},
            HOSTILE: {"M": {HOSTILE: {"L": [{"S": HOSTILE}, {"NULL": true}, {"BOOL": false}]}}},
        }
    ])
}

fn run(moto: Option<&Moto>, dir: &Path, args: &[&str]) -> std::process::Output {
    match moto {
        Some(m) => reglint(m, &m.endpoint, dir).args(args).output().unwrap(),
        None => assert_cmd::Command::new(env!("CARGO_BIN_EXE_reglint"))
            .current_dir(dir)
            .env_remove("REGLINT_LOG")
            .args(args)
            .output()
            .unwrap(),
    }
}

/// JSON text of `value`, with the 38-digit number literals serde_json cannot hold put in.
fn json_text(value: &Value) -> String {
    value
        .to_string()
        .replace("\"__N38__\"", "12345678901234567890123456789012345678")
        .replace(
            "\"__F38__\"",
            "-0.12345678901234567890123456789012345678e-90",
        )
}

fn write(dir: &Path, name: &str, value: &Value) {
    std::fs::write(dir.join(name), json_text(value)).unwrap();
}

#[test]
fn hostile_files_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "plain.json", &plain_items());
    write(dir.path(), "dynamo.json", &dynamodb_items());
    // One JSON Lines file of both kinds.
    let mut lines = String::new();
    for v in plain_items().as_array().unwrap() {
        lines.push_str(&json_text(v));
        lines.push('\n');
    }
    std::fs::write(dir.path().join("items.jsonl"), lines).unwrap();
    for file in ["plain.json", "dynamo.json", "items.jsonl"] {
        for format in FORMATS {
            let out = run(None, dir.path(), &["check", file, "--format", format]);
            assert_output(&format!("{file} --format {format}"), format, &out);
            assert_ne!(
                out.status.code(),
                Some(2),
                "{file} is readable: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        for extra in [&["--diff"][..], &["--statistics"][..], &["-vv"][..]] {
            let mut args = vec!["check", file];
            args.extend_from_slice(extra);
            let out = run(None, dir.path(), &args);
            assert_output(&format!("{file} {extra:?}"), "text", &out);
        }
    }
    // --fix on a copy: the file is rewritten and still parses.
    let fixed = dir.path().join("fixed.json");
    std::fs::copy(dir.path().join("plain.json"), &fixed).unwrap();
    let out = run(
        None,
        dir.path(),
        &["check", "fixed.json", "--fix", "--unsafe-fixes"],
    );
    assert_output("--fix", "text", &out);
    serde_json::from_slice::<Value>(&std::fs::read(&fixed).unwrap()).unwrap();
}

/// Nesting beyond what a JSON parser may recurse into is a clear exit-2 error, not a stack
/// overflow; 100 levels are read.
#[test]
fn deep_nesting_is_read_or_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    for depth in [100usize, 127, 128, 200, 1000, 100_000] {
        let name = format!("deep{depth}.json");
        // Written by hand: serde_json would refuse to serialise past its own limit too.
        let text = format!(
            "[{{\"agent_id\":\"DEEP000001\",\"meta\":{}\"x\"{}}}]",
            "{\"a\":".repeat(depth),
            "}".repeat(depth)
        );
        std::fs::write(dir.path().join(&name), text).unwrap();
        for format in ["text", "json"] {
            let out = run(None, dir.path(), &["check", &name, "--format", format]);
            assert_output(&format!("{name} {format}"), format, &out);
            let err = String::from_utf8_lossy(&out.stderr);
            if depth <= 100 {
                assert_eq!(out.status.code(), Some(1), "{name}: {err}");
            } else if depth > 128 {
                assert_eq!(out.status.code(), Some(2), "{name}: {err}");
                assert!(err.contains(&name), "names the file: {err}");
                assert!(
                    err.contains("nest") || err.contains("recursion"),
                    "says why: {err}"
                );
            }
        }
    }
}

fn sdk(v: &Value) -> AttributeValue {
    match v {
        Value::String(x) => s(x),
        Value::Object(m) => AttributeValue::M(m.iter().map(|(k, v)| (k.clone(), sdk(v))).collect()),
        _ => unreachable!(),
    }
}

/// The same hostile items in a moto table: check in every format, --diff, --fix with unsafe
/// fixes (key changes of hostile keys), and undo.
#[tokio::test]
async fn hostile_table_items_in_every_format_fix_and_undo() {
    let Some(moto) = Moto::shared() else { return };
    let db = client(moto).await;
    let table = unique("hostile");
    create_table(&db, &table, "agent_id", None).await;
    let base = |id: &str| -> Item {
        HashMap::from([
            ("agent_id".to_string(), s(id)),
            ("alias_id".to_string(), s(&format!("{HOSTILE}\""))),
            ("name".to_string(), s(HOSTILE)),
            ("agent_type".to_string(), s("bedrock_agent")),
            ("enabled".to_string(), AttributeValue::Bool(true)),
            (
                "capabilities".to_string(),
                AttributeValue::L(vec![s(HOSTILE)]),
            ),
        ])
    };
    let mut hostile = base(&format!("KEY \u{0}{HOSTILE} "));
    hostile.insert(HOSTILE.into(), s(HOSTILE));
    hostile.insert(
        format!("nul\u{0}{HOSTILE}"),
        AttributeValue::Ss(vec![HOSTILE.into(), "x".into()]),
    );
    hostile.insert(
        "blob".into(),
        AttributeValue::B(Blob::new(b"\x1b[31m\x07\x00\x9b".to_vec())),
    );
    hostile.insert(
        "blobs".into(),
        AttributeValue::Bs(vec![
            Blob::new(vec![0u8]),
            Blob::new(b"\x1b]52;c;eA==\x07".to_vec()),
        ]),
    );
    hostile.insert(
        "big".into(),
        AttributeValue::N("12345678901234567890123456789012345678".into()),
    );
    hostile.insert(
        "account_id".into(),
        AttributeValue::N("99999999999999999999999999999999999999".into()),
    );
    let mut big = base("BIGITEM001 ");
    big.insert(
        "description".into(),
        s(&format!("{}{HOSTILE}", "d".repeat(390_000))),
    );
    let mut long = base("LONGLIST01");
    long.insert(
        "capabilities".into(),
        AttributeValue::L(
            (0..10_000)
                .map(|i| s(if i % 1000 == 0 { HOSTILE } else { "c" }))
                .collect(),
        ),
    );
    let mut deep = base("DEEP000032");
    // DynamoDB allows 32 levels of nesting.
    deep.insert("meta".into(), sdk(&nested(31)));
    let items = vec![hostile, big, long, deep];
    put_items(&db, &table, &items).await;
    let before = all_items(&db, &table, "agent_id").await;

    let dir = tempfile::tempdir().unwrap();
    for format in FORMATS {
        let out = run(
            Some(moto),
            dir.path(),
            &["check", "--table", &table, "--format", format],
        );
        assert_output(&format!("table --format {format}"), format, &out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = run(
        Some(moto),
        dir.path(),
        &["check", "--table", &table, "--diff"],
    );
    assert_output("table --diff", "text", &out);
    let out = run(
        Some(moto),
        dir.path(),
        &[
            "-v",
            "check",
            "--table",
            &table,
            "--fix",
            "--unsafe-fixes",
            "--journal",
            "j.jsonl",
        ],
    );
    assert_output("table --fix", "text", &out);
    assert_ne!(
        all_items(&db, &table, "agent_id").await,
        before,
        "something was fixed"
    );
    let out = run(Some(moto), dir.path(), &["undo", "j.jsonl", "--dry-run"]);
    assert_output("undo --dry-run", "text", &out);
    let out = run(Some(moto), dir.path(), &["undo", "j.jsonl"]);
    assert_output("undo", "text", &out);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        sorted_sets(all_items(&db, &table, "agent_id").await),
        sorted_sets(before),
        "undo restores hostile items exactly"
    );
}
