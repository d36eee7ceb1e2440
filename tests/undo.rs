//! `reglint undo JOURNAL` end to end, including after a `--fix` run killed with SIGKILL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo::{
    all_items, client, create_table, entry, get, n, put_items, reglint, reglint_process, s, unique,
    Action, Gate, Item, Proxy, Server,
};

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// `count` items, each with two safe fixes (a stray quote on alias_id, account_id as N) and
/// attributes no fix touches.
fn fixable_items(count: usize) -> Vec<Item> {
    (0..count)
        .map(|i| {
            let mut item = entry(&format!("AG{i:08}"), &format!("AL{i:08}\""));
            item.insert("account_id".into(), n(&format!("{}", 1000 + i)));
            item.insert("owner".into(), s(&format!("team-{}", i % 7)));
            item.insert(
                "tags".into(),
                AttributeValue::Ss(vec!["x".into(), "y".into()]),
            );
            item
        })
        .collect()
}

fn sorted_sets(mut items: HashMap<String, Item>) -> HashMap<String, Item> {
    for item in items.values_mut() {
        for v in item.values_mut() {
            if let AttributeValue::Ss(v) | AttributeValue::Ns(v) = v {
                v.sort();
            }
        }
    }
    items
}

fn by_key(items: &[Item]) -> HashMap<String, Item> {
    sorted_sets(
        items
            .iter()
            .map(|i| (i["agent_id"].as_s().unwrap().clone(), i.clone()))
            .collect(),
    )
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A `--fix` of 500 items is killed with SIGKILL after 100 writes (the proxy holds the
/// later UpdateItems, so the kill lands mid-run); `undo` puts the table back exactly.
async fn undo_after_kill_9_mid_fix_restores_the_table_exactly(server: &impl Server) {
    let db = client(server).await;
    let table = unique("killed");
    create_table(&db, &table, "agent_id", None).await;
    let items = fixable_items(500);
    put_items(&db, &table, &items).await;
    let original = by_key(&items);
    assert_eq!(
        sorted_sets(all_items(&db, &table, "agent_id").await),
        original
    );

    let gate = Gate::new(100);
    let g = gate.clone();
    let proxy = Proxy::with_hook(
        server,
        Arc::new(move |req| {
            if req.operation == "UpdateItem" {
                g.pass()
            } else {
                Action::Forward
            }
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut child = reglint_process(server, &proxy.endpoint, dir.path())
        .args([
            "-q",
            "check",
            "--table",
            &table,
            "--fix",
            "--select",
            "RG101,RG105",
        ])
        .args(["--journal", "j.jsonl", "--format", "json"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for(
        "the run to block on its 101st write",
        Duration::from_secs(120),
        || gate.held() >= 1 && proxy.answered("UpdateItem") == 100,
    );
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    gate.release();

    let journal = std::fs::read_to_string(dir.path().join("j.jsonl")).unwrap();
    let entries = journal.matches("\"op\":\"update\"").count();
    assert!(
        entries > 100,
        "every write, sent or held, was journaled first: {entries}"
    );
    let now = sorted_sets(all_items(&db, &table, "agent_id").await);
    let changed = now.iter().filter(|(k, v)| original[*k] != **v).count();
    assert_eq!(changed, 100, "the first 100 writes landed");

    let out = reglint(server, server.endpoint(), dir.path())
        .args(["undo", "j.jsonl"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains(&format!(
            "undo: 100 restored, {} already as before, 0 not written, 0 changed since (left alone)",
            entries - 100
        )),
        "{stdout}"
    );
    assert_eq!(
        sorted_sets(all_items(&db, &table, "agent_id").await),
        original
    );
}

/// Items changed after the fix are left alone (exit 3); `--dry-run` writes nothing.
async fn undo_leaves_items_changed_since_alone_and_dry_run_writes_nothing(server: &impl Server) {
    let db = client(server).await;
    let table = unique("since");
    create_table(&db, &table, "agent_id", None).await;
    let items = fixable_items(3);
    put_items(&db, &table, &items).await;
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, server.endpoint(), dir.path())
        .args([
            "check",
            "--table",
            &table,
            "--fix",
            "--select",
            "RG101,RG105",
            "--journal",
            "j.jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Someone edits item 1 after the fix.
    db.update_item()
        .table_name(&table)
        .key("agent_id", s("AG00000001"))
        .update_expression("SET alias_id = :v")
        .expression_attribute_values(":v", s("EDITED0001"))
        .send()
        .await
        .unwrap();
    let before_undo = sorted_sets(all_items(&db, &table, "agent_id").await);

    let proxy = Proxy::start(server);
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args([
            "undo",
            "j.jsonl",
            "--dry-run",
            "--endpoint-url",
            &proxy.endpoint,
        ])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}{}", text(&out.stderr));
    let key0 = format!("dynamodb://{table} {{\"agent_id\":\"AG00000000\"}}");
    let key1 = format!("dynamodb://{table} {{\"agent_id\":\"AG00000001\"}}");
    assert!(
        stdout.contains(&format!(
            "would restore: {key0}: account_id \"000000001000\" -> 1000, alias_id \"AL00000000\" -> \"AL00000000\\\"\"\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "changed since the fix, left alone: {key1}: it no longer holds what the fix wrote (alias_id \"AL00000001\" is now \"EDITED0001\")\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("undo: 2 would be restored (dry run: nothing written), 0 already as before, 0 not written, 1 changed since (left alone)\n"),
        "{stdout}"
    );
    assert_eq!(
        proxy.count("UpdateItem") + proxy.count("TransactWriteItems") + proxy.count("PutItem"),
        0
    );
    assert_eq!(
        sorted_sets(all_items(&db, &table, "agent_id").await),
        before_undo
    );

    let out = reglint(server, server.endpoint(), dir.path())
        .args(["undo", "j.jsonl"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains(&format!("restored: {key0}: ")), "{stdout}");
    assert!(
        stdout.contains(&format!("changed since the fix, left alone: {key1}: ")),
        "{stdout}"
    );
    let mut expected = by_key(&items);
    let edited = expected.get_mut("AG00000001").unwrap();
    edited.insert("alias_id".into(), s("EDITED0001"));
    edited.insert("account_id".into(), s("000000001001"));
    assert_eq!(
        sorted_sets(all_items(&db, &table, "agent_id").await),
        expected
    );

    // Undone already: nothing to do.
    let out = reglint(server, server.endpoint(), dir.path())
        .args(["undo", "j.jsonl"])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout)
            .contains("undo: 0 restored, 2 already as before, 0 not written, 1 changed since"),
        "{}",
        text(&out.stdout)
    );
}

/// A key change is undone by the reverse transaction; a journal whose last line was cut short
/// by a crash is still used, with a note.
async fn undo_moves_a_key_change_back_and_tolerates_a_cut_short_last_line(server: &impl Server) {
    let db = client(server).await;
    let table = unique("undokey");
    create_table(&db, &table, "agent_id", None).await;
    let mut moving = entry("KEYCHANGE1 ", "8HJK2MN4PQ");
    moving.insert("owner".into(), s("team-k"));
    let skipped = entry("TAKENKEY01\"", "TSTALIASID");
    let holder = entry("TAKENKEY01", "8HJK2MN4PQ");
    let all = [moving.clone(), skipped.clone(), holder.clone()];
    put_items(&db, &table, &all).await;
    let dir = tempfile::tempdir().unwrap();
    let out = reglint(server, server.endpoint(), dir.path())
        .args([
            "check",
            "--table",
            &table,
            "--fix",
            "--unsafe-fixes",
            "--select",
            "RG101",
            "--journal",
            "j.jsonl",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(get(&db, &table, "agent_id", "KEYCHANGE1").await.is_some());
    assert!(get(&db, &table, "agent_id", "KEYCHANGE1 ").await.is_none());

    let path = dir.path().join("j.jsonl");
    let mut journal = std::fs::read_to_string(&path).unwrap();
    journal.push_str("{\"run\":\"cut\",\"seq\":9,\"op\":\"upd");
    std::fs::write(&path, &journal).unwrap();
    let lines = journal.lines().count();

    // No endpoint and no region in the environment: the journal's are used.
    let out = reglint(server, server.endpoint(), dir.path())
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .args(["undo", "j.jsonl"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.starts_with(&format!(
            "note: line {lines} of j.jsonl is incomplete (the run was stopped while writing it) and is ignored"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "restored: dynamodb://{table} {{\"agent_id\":\"KEYCHANGE1 \"}}: move back from dynamodb://{table} {{\"agent_id\":\"KEYCHANGE1\"}} to its old key (agent_id \"KEYCHANGE1\" -> \"KEYCHANGE1 \")"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "not written: dynamodb://{table} {{\"agent_id\":\"TAKENKEY01\\\"\"}}: the fix was skipped when it ran; nothing to undo"
        )),
        "{stdout}"
    );
    assert_eq!(
        sorted_sets(all_items(&db, &table, "agent_id").await),
        by_key(&all)
    );
}

async fn undo_refuses_a_journal_for_another_table_or_a_broken_journal(server: &impl Server) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("other.jsonl"),
        "{\"journal\":\"reglint-journal/1\",\"run\":\"r\",\"time\":\"t\",\"table\":\"gone-table\",\
         \"table_arn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/gone-table\",\"region\":\"us-east-1\",\
         \"key_schema\":[\"agent_id\"],\"tool_version\":\"0.1.0\"}\n",
    )
    .unwrap();
    let out = reglint(server, server.endpoint(), dir.path())
        .args(["undo", "other.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("table gone-table was not found"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(dir.path().join("bad.jsonl"), "not json\n").unwrap();
    let out = reglint(server, server.endpoint(), dir.path())
        .args(["undo", "bad.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bad.jsonl:1: not a reglint journal line"),
        "{}",
        text(&out.stderr)
    );
}

dynamo::on_each_server!(
    undo_after_kill_9_mid_fix_restores_the_table_exactly,
    undo_leaves_items_changed_since_alone_and_dry_run_writes_nothing,
    undo_moves_a_key_change_back_and_tolerates_a_cut_short_last_line,
    undo_refuses_a_journal_for_another_table_or_a_broken_journal,
);
