//! `reglint check dynamodb://TABLE` end to end: the binary against moto and against dynoxide
//! (`NAME::moto` and `NAME::dynoxide`; the error paths, which the proxy or the client decide,
//! on dynoxide only), the table made and read back with the Rust SDK.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo::{
    all_items, client, create_table, entry, get, n, put_items, raw_call, reglint, s, unique,
    Action, Item, Proxy, Server,
};
use serde_json::{json, Value};

fn report(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// stderr, with the error renderer's line wrapping undone (`\n  │ ` joins a long line).
fn stderr(output: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr);
    let mut out = String::new();
    for line in text.split('\n') {
        match line.trim_start().strip_prefix("│ ") {
            Some(rest) if !out.is_empty() => {
                out.push(' ');
                out.push_str(rest.trim_start());
            }
            _ => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(line);
            }
        }
    }
    out
}

fn keys_of(report: &Value, attr: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["item"]["key"][attr].as_str().unwrap().to_string())
        .collect()
}

/// 3,000 items of ~2 KB (6 MB: several 1 MB pages, and more than one page per segment), each
/// missing `description` so that RG001 flags every one of them exactly once.
async fn scan_sees_every_item_once_with_one_and_with_four_segments(server: &impl Server) {
    let db = client(server).await;
    let table = unique("scan");
    create_table(&db, &table, "agent_id", None).await;
    let padding = "p".repeat(2000);
    let items: Vec<Item> = (0..3000)
        .map(|i| {
            let mut item = entry(&format!("AGENT{i:05}"), "TSTALIASID");
            item.remove("description");
            item.insert("padding".into(), s(&padding));
            item
        })
        .collect();
    put_items(&db, &table, &items).await;
    let first_page = db.scan().table_name(&table).send().await.unwrap();
    assert!(
        first_page.last_evaluated_key().is_some(),
        "the table must span several pages"
    );

    let expected: Vec<String> = (0..3000).map(|i| format!("AGENT{i:05}")).collect();
    let dir = tempfile::tempdir().unwrap();
    for segments in ["1", "4"] {
        let proxy = Proxy::start(server);
        let out = reglint(server, &proxy.endpoint, dir.path())
            .args(["check", &format!("dynamodb://{table}"), "--select", "RG001"])
            .args(["--format", "json", "--segments", segments])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let r = report(&out);
        assert_eq!(r["summary"]["items"], 3000);
        assert_eq!(r["summary"]["errors"], 3000);
        assert_eq!(
            r["sources"],
            json!([{"kind": "table", "path": format!("dynamodb://{table}"), "items": 3000}])
        );
        // Sorted by key, each item once.
        assert_eq!(keys_of(&r, "agent_id"), expected, "segments {segments}");
        let d = &r["diagnostics"][0];
        assert_eq!(d["rule"], "RG001");
        assert_eq!(d["attribute"], "description");
        assert_eq!(d["item"]["key"], json!({"agent_id": "AGENT00000"}));
        assert!(d.get("location").is_none());
        let pages = proxy.count("Scan");
        if segments == "1" {
            assert!(pages >= 6, "6 MB needs at least 6 pages, saw {pages}");
        } else {
            // Every segment reads at least two pages (1.5 MB each).
            assert!(
                pages >= 8,
                "4 segments of 1.5 MB need at least 8 pages, saw {pages}"
            );
        }
        assert_eq!(r["summary"]["aws_calls"]["Scan"], pages);
        assert_eq!(proxy.count("UpdateItem") + proxy.count("PutItem"), 0);
    }
}

/// A table with one composite key sorts by partition then sort key, and reports the key as
/// plain JSON.
async fn composite_keys_are_reported_in_key_order(server: &impl Server) {
    let db = client(server).await;
    let table = unique("composite");
    create_table(&db, &table, "agent_id", Some("alias_id")).await;
    let mut items = Vec::new();
    for (agent, alias) in [
        ("B0000AGENT", "TSTALIASID"),
        ("A0000AGENT", "ZZZZZZZZZZ"),
        ("A0000AGENT", "AAAAAAAAAA"),
    ] {
        let mut item = entry(agent, alias);
        item.remove("name");
        items.push(item);
    }
    put_items(&db, &table, &items).await;
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, server.endpoint(), dir.path())
        .args([
            "check",
            "--table",
            &table,
            "--select",
            "RG001",
            "--format",
            "json",
            "--consistent-read",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let keys: Vec<Value> = report(&out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["item"]["key"].clone())
        .collect();
    assert_eq!(
        keys,
        [
            json!({"agent_id": "A0000AGENT", "alias_id": "AAAAAAAAAA"}),
            json!({"agent_id": "A0000AGENT", "alias_id": "ZZZZZZZZZZ"}),
            json!({"agent_id": "B0000AGENT", "alias_id": "TSTALIASID"}),
        ]
    );
}

fn bad_items() -> (Item, Item, Item, Item) {
    // A: a stray quote on alias_id (RG101) and account_id as a number (RG105), plus attributes
    // no rule touches, of every type.
    let mut a = entry("PEGHWIVI5Y", "IO1GTTHP0M\"");
    a.insert("account_id".into(), n("43074507558"));
    a.insert("owner".into(), s("team-a"));
    a.insert(
        "weights".into(),
        AttributeValue::Ns(vec!["1.50".into(), "2".into()]),
    );
    a.insert(
        "tags".into(),
        AttributeValue::Ss(vec!["b".into(), "a".into()]),
    );
    a.insert(
        "blob".into(),
        AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(vec![
            0u8, 159, 146, 150,
        ])),
    );
    a.insert(
        "meta".into(),
        AttributeValue::M(HashMap::from([
            ("name".to_string(), s("nested")),
            (
                "list".to_string(),
                AttributeValue::L(vec![n("1"), AttributeValue::Null(true)]),
            ),
        ])),
    );
    // B: valid.
    let mut b = entry("Q3ZLW8K2MD", "TSTALIASID");
    b.insert("account_id".into(), s("152864141302"));
    // C: separators in account_id (RG105).
    let mut c = entry("X7RT2LQ9VB", "8HJK2MN4PQ");
    c.insert("account_id".into(), s("1234-5678-9012"));
    // D: a stray space in the partition key (RG101 on a key attribute: unsafe).
    let d = entry("KEYCHANGE1 ", "8HJK2MN4PQ");
    (a, b, c, d)
}

async fn fix_writes_exactly_the_fixed_values_and_a_second_fix_writes_nothing(server: &impl Server) {
    let db = client(server).await;
    let table = unique("fix");
    create_table(&db, &table, "agent_id", None).await;
    let (a, b, c, d) = bad_items();
    put_items(&db, &table, &[a.clone(), b.clone(), c.clone(), d.clone()]).await;
    // The items as the server keeps them: DynamoDB trims leading and trailing zeroes of
    // numbers (`1.50` is `1.5`), as dynoxide does; moto keeps them as sent.
    let stored = all_items(&db, &table, "agent_id").await;
    let [a, b, c, d] =
        ["PEGHWIVI5Y", "Q3ZLW8K2MD", "X7RT2LQ9VB", "KEYCHANGE1 "].map(|k| stored[k].clone());
    let dir = tempfile::tempdir().unwrap();
    let proxy = Proxy::start(server);
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args([
            "check",
            &format!("dynamodb://{table}"),
            "--fix",
            "--select",
            "RG101,RG105",
        ])
        .args(["--format", "json", "--journal", "j1.jsonl"])
        .output()
        .unwrap();
    // D's key fix is unsafe: not applied, still an error.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r["summary"]["fixed"], 3);
    assert_eq!(r["summary"]["skipped_fixes"], 0);
    assert_eq!(r["summary"]["errors"], 1);
    let remaining = &r["diagnostics"][0];
    assert_eq!(remaining["rule"], "RG101");
    assert_eq!(remaining["item"]["key"], json!({"agent_id": "KEYCHANGE1 "}));
    assert_eq!(remaining["fix"]["applicability"], "unsafe");
    assert_eq!(
        remaining["fix"]["edits"],
        json!([{"op": "set", "attribute": "agent_id", "value": {"S": "KEYCHANGE1"}}])
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "about to fix 2 items in {} (account {}, region us-east-1",
            server.table_arn(&table),
            server.arn_account()
        )),
        "{err}"
    );
    assert_eq!(proxy.count("UpdateItem"), 2);
    assert_eq!(proxy.count("TransactWriteItems"), 0);

    let now = all_items(&db, &table, "agent_id").await;
    let mut a_fixed = a.clone();
    a_fixed.insert("alias_id".into(), s("IO1GTTHP0M"));
    a_fixed.insert("account_id".into(), s("043074507558"));
    let mut c_fixed = c.clone();
    c_fixed.insert("account_id".into(), s("123456789012"));
    let expected: HashMap<String, Item> = [
        ("PEGHWIVI5Y".to_string(), a_fixed.clone()),
        ("Q3ZLW8K2MD".to_string(), b),
        ("X7RT2LQ9VB".to_string(), c_fixed.clone()),
        ("KEYCHANGE1 ".to_string(), d),
    ]
    .into();
    assert_eq!(now.len(), 4);
    for (key, item) in &expected {
        let got = &now[key];
        // Sets come back in any order; everything else is compared exactly.
        let mut got = got.clone();
        let mut want = item.clone();
        for x in [&mut got, &mut want] {
            for v in x.values_mut() {
                if let AttributeValue::Ss(v) | AttributeValue::Ns(v) = v {
                    v.sort();
                }
            }
        }
        assert_eq!(got, want, "item {key}");
    }

    // The journal: a header, then before- and after-images for A and C.
    let text = std::fs::read_to_string(dir.path().join("j1.jsonl")).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let header = &lines[0];
    assert_eq!(header["journal"], "reglint-journal/1");
    assert_eq!(header["table"], table.as_str());
    assert_eq!(header["table_arn"], server.table_arn(&table));
    assert_eq!(header["region"], "us-east-1");
    assert_eq!(header["endpoint"], proxy.endpoint.as_str());
    assert_eq!(header["key_schema"], json!(["agent_id"]));
    let run = header["run"].as_str().unwrap();
    assert!(uuid_like(run), "{run}");
    let entries: Vec<&Value> = lines.iter().filter(|l| l.get("op").is_some()).collect();
    assert_eq!(entries.len(), 2);
    let by_key: HashMap<&str, &Value> = entries
        .iter()
        .map(|e| (e["key"]["agent_id"]["S"].as_str().unwrap(), *e))
        .collect();
    let pe = by_key["PEGHWIVI5Y"];
    assert_eq!(pe["run"], run);
    assert_eq!(pe["op"], "update");
    assert_eq!(pe["before"]["alias_id"], json!({"S": "IO1GTTHP0M\""}));
    assert_eq!(pe["before"]["account_id"], json!({"N": "43074507558"}));
    assert_eq!(pe["after"]["account_id"], json!({"S": "043074507558"}));
    assert_eq!(pe["after"]["blob"], json!({"B": "AJ+Slg=="}));
    assert_eq!(
        pe["after"]["meta"],
        json!({"M": {"list": {"L": [{"N": "1"}, {"NULL": true}]}, "name": {"S": "nested"}}})
    );
    assert_eq!(
        by_key["X7RT2LQ9VB"]["after"]["account_id"],
        json!({"S": "123456789012"})
    );
    let outcomes: Vec<&Value> = lines
        .iter()
        .filter(|l| l.get("outcome").is_some())
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| o["outcome"] == "written"));

    // Converged: nothing more to write, no journal.
    let proxy = Proxy::start(server);
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args([
            "check",
            "--table",
            &table,
            "--fix",
            "--select",
            "RG101,RG105",
        ])
        .args(["--format", "json", "--journal", "j2.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(report(&out)["summary"]["fixed"], 0);
    assert_eq!(
        proxy.count("UpdateItem") + proxy.count("TransactWriteItems") + proxy.count("PutItem"),
        0
    );
    assert!(!dir.path().join("j2.jsonl").exists());
    assert!(!stderr(&out).contains("about to fix"));
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

async fn a_key_fix_is_one_transaction_and_a_taken_key_is_skipped(server: &impl Server) {
    let db = client(server).await;
    let table = unique("keyfix");
    create_table(&db, &table, "agent_id", None).await;
    let mut moving = entry("KEYCHANGE1 ", "8HJK2MN4PQ");
    moving.insert("owner".into(), s("team-k"));
    let blocked = entry("TAKENKEY01\"", "TSTALIASID");
    let holder = entry("TAKENKEY01", "8HJK2MN4PQ");
    put_items(
        &db,
        &table,
        &[moving.clone(), blocked.clone(), holder.clone()],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let proxy = Proxy::start(server);
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args([
            "check",
            "--table",
            &table,
            "--fix",
            "--unsafe-fixes",
            "--select",
            "RG101",
        ])
        .args(["--journal", "j.jsonl", "--fail-on", "never"])
        .output()
        .unwrap();
    // Nothing fails the run, but one fix was skipped: incomplete.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\nFixed 1 problem\n"), "{text}");
    assert!(
        text.contains("\nSkipped 1 fix: the new key is already taken\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\nnote: skipped the key change of dynamodb://{table} {{\"agent_id\":\"TAKENKEY01\\\"\"}} to dynamodb://{table} {{\"agent_id\":\"TAKENKEY01\"}}: that key is already used by another item (named \"agent TAKENKEY01\"); nothing was overwritten\n"
        )),
        "{text}"
    );
    assert_eq!(proxy.count("TransactWriteItems"), 2);
    assert_eq!(proxy.count("UpdateItem"), 0);
    let now = all_items(&db, &table, "agent_id").await;
    let mut moved = moving.clone();
    moved.insert("agent_id".into(), s("KEYCHANGE1"));
    let expected: HashMap<String, Item> = [
        ("KEYCHANGE1".to_string(), moved),
        ("TAKENKEY01\"".to_string(), blocked),
        ("TAKENKEY01".to_string(), holder),
    ]
    .into();
    assert_eq!(now, expected);
    let journal = std::fs::read_to_string(dir.path().join("j.jsonl")).unwrap();
    assert_eq!(journal.matches("\"op\":\"key_change\"").count(), 2);
    assert_eq!(journal.matches("\"outcome\":\"skipped\"").count(), 1);
}

/// Between reglint's Scan and its UpdateItem, another writer changes the item: the proxy
/// applies that change through its own request just before forwarding the UpdateItem.
async fn a_concurrent_change_skips_the_fix_and_survives(server: &'static impl Server) {
    let db = client(server).await;
    let table = unique("race");
    create_table(&db, &table, "agent_id", None).await;
    // 1: the writer changes the attribute the fix is about; 2: another attribute.
    let one = entry("CONCUR0001", "IO1GTTHP0M\"");
    let two = entry("CONCUR0002", "8HJK2MN4PQ'");
    put_items(&db, &table, &[one.clone(), two.clone()]).await;

    let fired: Arc<[AtomicBool; 2]> = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
    let (t, f) = (table.clone(), fired.clone());
    let proxy = Proxy::with_hook(
        server,
        Arc::new(move |req| {
            if req.operation != "UpdateItem" {
                return Action::Forward;
            }
            let key = req.body["Key"]["agent_id"]["S"].as_str().unwrap_or("");
            let (i, attr, value) = match key {
                "CONCUR0001" => (0, "alias_id", "NEWALIAS01"),
                "CONCUR0002" => (1, "description", "edited by someone else"),
                _ => return Action::Forward,
            };
            if !f[i].swap(true, Ordering::SeqCst) {
                raw_call(
                    server,
                    "UpdateItem",
                    &json!({
                        "TableName": t,
                        "Key": {"agent_id": {"S": key}},
                        "UpdateExpression": "SET #a = :v",
                        "ExpressionAttributeNames": {"#a": attr},
                        "ExpressionAttributeValues": {":v": {"S": value}},
                    }),
                );
            }
            Action::Forward
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args(["check", "--table", &table, "--fix", "--select", "RG101"])
        .args(["--journal", "j.jsonl"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}{}", stderr(&out));
    // The item holds the writer's valid alias now: no finding left.
    assert!(
        text.starts_with("Checked 2 items: 0 errors, 0 warnings, 0 infos\nFixed 1 problem\n"),
        "{text}"
    );
    assert!(
        text.contains("\nSkipped 1 fix: the item changed while it was being checked\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\nnote: skipped the fix of dynamodb://{table} {{\"agent_id\":\"CONCUR0001\"}}: the item changed after it was read: alias_id is now \"NEWALIAS01\" (read \"IO1GTTHP0M\\\"\"); nothing was overwritten\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\nnote: wrote fixes to 1 of 2 items in {}; journal: j.jsonl\n",
            server.table_arn(&table)
        )),
        "{text}"
    );
    let mut one_now = one.clone();
    one_now.insert("alias_id".into(), s("NEWALIAS01"));
    assert_eq!(
        get(&db, &table, "agent_id", "CONCUR0001").await.unwrap(),
        one_now
    );
    // The fix of 2 went through without losing the other writer's description.
    let mut two_now = two.clone();
    two_now.insert("alias_id".into(), s("8HJK2MN4PQ"));
    two_now.insert("description".into(), s("edited by someone else"));
    assert_eq!(
        get(&db, &table, "agent_id", "CONCUR0002").await.unwrap(),
        two_now
    );
    assert_eq!(proxy.count("UpdateItem"), 2);
}

async fn diff_shows_the_item_changes_and_writes_nothing(server: &impl Server) {
    let db = client(server).await;
    let table = unique("diff");
    create_table(&db, &table, "agent_id", None).await;
    let mut a = entry("PEGHWIVI5Y", "IO1GTTHP0M\"");
    a.insert("account_id".into(), n("43074507558"));
    put_items(&db, &table, &[a.clone(), entry("Q3ZLW8K2MD", "TSTALIASID")]).await;
    let dir = tempfile::tempdir().unwrap();
    let proxy = Proxy::start(server);
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args([
            "check",
            "--table",
            &table,
            "--diff",
            "--select",
            "RG101,RG105",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let header = format!("dynamodb://{table} {{\"agent_id\":\"PEGHWIVI5Y\"}}");
    assert!(
        text.contains(&format!("--- {header}\n+++ {header}\n")),
        "{text}"
    );
    assert!(text.contains("-  \"account_id\": {\"N\":\"43074507558\"},\n+  \"account_id\": {\"S\":\"043074507558\"},\n"), "{text}");
    assert!(text.contains("-  \"alias_id\": {\"S\":\"IO1GTTHP0M\\\"\"},\n+  \"alias_id\": {\"S\":\"IO1GTTHP0M\"},\n"), "{text}");
    assert!(!text.contains("Q3ZLW8K2MD"), "{text}");
    assert_eq!(
        proxy.count("UpdateItem") + proxy.count("TransactWriteItems"),
        0
    );
    assert_eq!(get(&db, &table, "agent_id", "PEGHWIVI5Y").await.unwrap(), a);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no journal for --diff"
    );
}

// ---------------------------------------------------------------------------------------------
// Failures: exit 2, a message naming what to check, nothing written.
// ---------------------------------------------------------------------------------------------

async fn one_bad_item_table(server: &impl Server, prefix: &str) -> (String, Item) {
    let db = client(server).await;
    let table = unique(prefix);
    create_table(&db, &table, "agent_id", None).await;
    let item = entry("PEGHWIVI5Y", "IO1GTTHP0M\"");
    put_items(&db, &table, std::slice::from_ref(&item)).await;
    (table, item)
}

fn deny(operation: &'static str, code: &'static str, message: &'static str) -> dynamo::Hook {
    Arc::new(move |req| {
        if req.operation == operation {
            Action::Error {
                status: 400,
                code: code.into(),
                message: message.into(),
            }
        } else {
            Action::Forward
        }
    })
}

async fn a_missing_table_names_the_table_region_and_endpoint(server: &impl Server) {
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, server.endpoint(), dir.path())
        .args(["check", "dynamodb://no-such-table", "--fix"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "table no-such-table was not found (region us-east-1, endpoint {}): check the table name, --region and --profile",
            server.endpoint()
        )),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no journal"
    );
}

async fn an_unreachable_endpoint_says_so(server: &impl Server) {
    let port = dynamo::closed_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, &endpoint, dir.path())
        .args(["check", "--table", "registry"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot reach DynamoDB for DescribeTable on table registry (region us-east-1, endpoint {endpoint}): check --endpoint-url or AWS_ENDPOINT_URL"
        )),
        "{err}"
    );
    assert!(err.contains("Connection refused"), "{err}");
}

async fn no_region_is_a_usage_error(server: &impl Server) {
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, server.endpoint(), dir.path())
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .args(["check", "--table", "registry"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile"
        ),
        "{}",
        stderr(&out)
    );
}

/// `dynamodb://TABLE?region=…&endpoint=…` carries the source's own settings: with no region and
/// a dead endpoint in the environment, the source still reaches its table, and its name in the
/// report is the table's, without the parameters.
async fn a_sources_own_parameters_reach_its_table(server: &impl Server) {
    let (table, _) = one_bad_item_table(server, "params").await;
    let dir = tempfile::tempdir().unwrap();
    let dead = format!("http://127.0.0.1:{}", dynamo::closed_port());
    let source = format!(
        "dynamodb://{table}?region=us-east-1&endpoint={}",
        server.endpoint().replace(':', "%3A")
    );
    let out = reglint(server, &dead, dir.path())
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .args(["check", &source, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = report(&out);
    assert_eq!(
        doc["sources"][0]["path"],
        format!("dynamodb://{table}"),
        "{doc}"
    );
    assert!(doc["summary"]["errors"].as_u64().unwrap() > 0, "{doc}");
    let bad = reglint(server, server.endpoint(), dir.path())
        .args(["check", &format!("dynamodb://{table}?colour=blue")])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown parameter \"colour\""),
        "{}",
        stderr(&bad)
    );
}

async fn access_denied_names_the_iam_action_and_nothing_is_written(server: &impl Server) {
    let db = client(server).await;
    let (table, item) = one_bad_item_table(server, "denied").await;
    let dir = tempfile::tempdir().unwrap();
    for op in ["DescribeTable", "Scan", "UpdateItem"] {
        let msg =
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform this action";
        let proxy = Proxy::with_hook(server, deny(op, "AccessDeniedException", msg));
        let journal = format!("j-{op}.jsonl");
        let out = reglint(server, &proxy.endpoint, dir.path())
            .args(["check", "--table", &table, "--fix", "--journal", &journal])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{op}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "access denied: {op} on table {table} (region us-east-1, endpoint {}) was refused; the credentials need the IAM action dynamodb:{op} on this table. AWS said: {msg}",
                proxy.endpoint
            )),
            "{op}: {err}"
        );
        assert!(out.stdout.is_empty(), "{op}");
        if op == "UpdateItem" {
            assert!(
                err.contains("nothing was written; the journal is j-UpdateItem.jsonl"),
                "{err}"
            );
            let journal = std::fs::read_to_string(dir.path().join(&journal)).unwrap();
            assert!(journal.contains("\"outcome\":\"failed\""), "{journal}");
        } else {
            assert!(!dir.path().join(&journal).exists(), "{op}");
        }
        assert_eq!(
            get(&db, &table, "agent_id", "PEGHWIVI5Y").await.unwrap(),
            item,
            "{op}"
        );
    }
}

async fn expired_credentials_say_what_to_do(server: &impl Server) {
    let (table, item) = one_bad_item_table(server, "expired").await;
    let db = client(server).await;
    let proxy = Proxy::with_hook(
        server,
        deny(
            "DescribeTable",
            "ExpiredTokenException",
            "The security token included in the request is expired",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args(["check", "--table", &table, "--fix"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "the AWS credentials were not accepted for DescribeTable on table {table}"
        )),
        "{err}"
    );
    assert!(err.contains("they are missing, expired or invalid; refresh them (for example `aws sso login`, or new session keys)"), "{err}");
    assert!(
        err.contains("The security token included in the request is expired"),
        "{err}"
    );
    assert_eq!(
        proxy.count("DescribeTable"),
        1,
        "credential errors are not retried"
    );
    assert_eq!(
        get(&db, &table, "agent_id", "PEGHWIVI5Y").await.unwrap(),
        item
    );
}

/// The item's values reach the terminal escaped, in messages and in the live lines.
async fn values_from_the_table_are_escaped(server: &impl Server) {
    let db = client(server).await;
    let table = unique("escape");
    create_table(&db, &table, "agent_id", None).await;
    let mut item = entry("ESC\u{1b}[31mAPE", "TSTALIASID");
    item.remove("name");
    put_items(&db, &table, &[item]).await;
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, server.endpoint(), dir.path())
        .args([
            "check", "--table", &table, "--select", "RG001", "--format", "concise",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(
        text.contains("{\"agent_id\":\"ESC\\u001b[31mAPE\"}: RG001 error"),
        "{text}"
    );
}

/// Throttled writes are retried by the SDK (standard retries); each fix is still journaled
/// once and written once.
async fn throttled_writes_are_retried(server: &impl Server) {
    let db = client(server).await;
    let (table, item) = one_bad_item_table(server, "throttle").await;
    let throttled = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let t = throttled.clone();
    let proxy = Proxy::with_hook(
        server,
        Arc::new(move |req| {
            if req.operation == "UpdateItem" && t.fetch_add(1, Ordering::SeqCst) < 2 {
                Action::Error {
                    status: 400,
                    code: "ProvisionedThroughputExceededException".into(),
                    message:
                        "The level of configured provisioned throughput for the table was exceeded"
                            .into(),
                }
            } else {
                Action::Forward
            }
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args([
            "check",
            "--table",
            &table,
            "--fix",
            "--select",
            "RG101",
            "--journal",
            "j.jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        proxy.count("UpdateItem"),
        3,
        "two throttled attempts, then the write"
    );
    let mut fixed = item.clone();
    fixed.insert("alias_id".into(), s("IO1GTTHP0M"));
    assert_eq!(
        get(&db, &table, "agent_id", "PEGHWIVI5Y").await.unwrap(),
        fixed
    );
    let journal = std::fs::read_to_string(dir.path().join("j.jsonl")).unwrap();
    assert_eq!(journal.matches("\"op\":\"update\"").count(), 1);
    assert_eq!(journal.matches("\"outcome\":\"written\"").count(), 1);
}

dynamo::on_each_server!(
    scan_sees_every_item_once_with_one_and_with_four_segments,
    composite_keys_are_reported_in_key_order,
    fix_writes_exactly_the_fixed_values_and_a_second_fix_writes_nothing,
    a_key_fix_is_one_transaction_and_a_taken_key_is_skipped,
    a_concurrent_change_skips_the_fix_and_survives,
    diff_shows_the_item_changes_and_writes_nothing,
);

// Error paths: the proxy answers, or the SDK and reglint decide; the server only has to exist.
dynamo::on_dynoxide!(
    a_missing_table_names_the_table_region_and_endpoint,
    an_unreachable_endpoint_says_so,
    no_region_is_a_usage_error,
    a_sources_own_parameters_reach_its_table,
    access_denied_names_the_iam_action_and_nothing_is_written,
    expired_credentials_say_what_to_do,
    values_from_the_table_are_escaped,
    throttled_writes_are_retried,
);
