//! `reglint migrate apply` and `migrate undo` on tables, with the release binary against real
//! DynamoDB wire protocols (moto and dynoxide): every op compared item by item with the
//! expected result, a second apply that sends no write, the ledger's states, `undo --to 0`
//! restoring the table exactly, a refused plan, a second apply meeting the lock, the write
//! budget's lower bound, and `kill -9` at random moments followed by `apply --resume`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo::{
    all_items, client, create_table, list, on_dynoxide, on_each_server, put_items, reglint,
    reglint_process, s, unique, Item, Proxy, Server,
};
use serde_json::Value;

const OPS: [(&str, &str); 7] = [
    (
        "0001_lists.toml",
        "[[op]]\nkind = \"convert\"\nattribute = \"capabilities\"\nfrom = \"S\"\nto = \"L\"\nsplit = \",\"\n",
    ),
    (
        "0002_rename.toml",
        "[[op]]\nkind = \"rename\"\nfrom = \"capabilites\"\nto = \"capabilities\"\n",
    ),
    (
        "0003_types.toml",
        "[[op]]\nkind = \"map_values\"\nattribute = \"agent_type\"\nmap = { \"bedrock-agent\" = \"bedrock_agent\" }\n",
    ),
    (
        "0004_protocol.toml",
        "[[op]]\nkind = \"set\"\nattribute = \"protocol\"\nvalue = { S = \"bedrock\" }\nwhere = { agent_type = \"bedrock_agent\" }\n",
    ),
    (
        "0005_remove.toml",
        "[[op]]\nkind = \"remove\"\nattribute = \"legacy_route\"\n",
    ),
    (
        "0006_copy.toml",
        "[[op]]\nkind = \"copy\"\nfrom = \"name\"\nto = \"display_name\"\n",
    ),
    (
        "0007_move.toml",
        "[[op]]\nkind = \"move\"\nkey = { agent_id = \"{account_id}#{agent_id}\" }\n",
    ),
];

fn base(id: &str, name: &str) -> Item {
    HashMap::from([
        ("agent_id".to_string(), s(id)),
        ("alias_id".to_string(), s("IO1GTTHP0M")),
        ("account_id".to_string(), s("123456789012")),
        ("name".to_string(), s(name)),
        ("agent_type".to_string(), s("bedrock_agent")),
        ("enabled".to_string(), AttributeValue::Bool(true)),
    ])
}

fn with(mut item: Item, attrs: &[(&str, AttributeValue)]) -> Item {
    for (k, v) in attrs {
        item.insert(k.to_string(), v.clone());
    }
    item
}

/// Three items in the old shapes, and what every op together makes of them.
fn before_and_after() -> (Vec<Item>, HashMap<String, Item>) {
    let a = with(
        base("PEGHWIVI5Y", "alpha"),
        &[
            ("agent_type", s("bedrock-agent")),
            ("capabilities", s("search,summarise")),
            ("legacy_route", s("r1")),
        ],
    );
    let b = with(base("QEGHWIVI5Y", "beta"), &[("capabilites", list(&["x"]))]);
    let c = with(
        base("REGHWIVI5Y", "gamma"),
        &[
            ("agent_type", s("agentcore")),
            ("capabilities", list(&["y"])),
        ],
    );
    let moved = |item: &Item, extra: &[(&str, AttributeValue)]| {
        let id = item["agent_id"].as_s().unwrap();
        let mut out = with(item.clone(), extra);
        out.insert("agent_id".into(), s(&format!("123456789012#{id}")));
        out.insert("display_name".into(), item["name"].clone());
        out
    };
    let mut a2 = moved(
        &a,
        &[
            ("agent_type", s("bedrock_agent")),
            ("capabilities", list(&["search", "summarise"])),
            ("protocol", s("bedrock")),
        ],
    );
    a2.remove("legacy_route");
    let mut b2 = moved(
        &b,
        &[("capabilities", list(&["x"])), ("protocol", s("bedrock"))],
    );
    b2.remove("capabilites");
    let c2 = moved(&c, &[]);
    let after = [a2, b2, c2]
        .into_iter()
        .map(|i| (i["agent_id"].as_s().unwrap().clone(), i))
        .collect();
    (vec![a, b, c], after)
}

/// A project folder: reglint.toml naming the ledger, the migrations and their sum.
fn project(ledger: &str, ops: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("reglint.toml"),
        format!("[migrate]\nledger_table = \"{ledger}\"\n"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    for (name, text) in ops {
        std::fs::write(dir.path().join("migrations").join(name), text).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reglint"))
        .args(["migrate", "hash"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(server: &impl Server, endpoint: &str, dir: &Path, args: &[&str]) -> Out {
    let out = reglint(server, endpoint, dir).args(args).output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
    }
}

fn json(out: &Out) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr))
}

fn states(doc: &Value) -> Vec<String> {
    doc["targets"][0]["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap().to_string())
        .collect()
}

async fn every_op_then_nothing_then_undo(server: &impl Server) {
    let db = client(server).await;
    let table = unique("mig-ops");
    let ledger = unique("ledger");
    create_table(&db, &table, "agent_id", None).await;
    let (items, expected) = before_and_after();
    put_items(&db, &table, &items).await;
    let original = all_items(&db, &table, "agent_id").await;
    let dir = project(&ledger, &OPS);
    let target = format!("dynamodb://{table}");
    let proxy = Proxy::start(server);
    let apply = |extra: &[&str]| {
        let mut args = vec![
            "migrate",
            "apply",
            target.as_str(),
            "--yes",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        run(server, &proxy.endpoint, dir.path(), &args)
    };

    let first = apply(&["--create-ledger", "--allow-new-findings"]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let doc = json(&first);
    assert_eq!(states(&doc), vec!["applied"; 7]);
    let written: Vec<u64> = doc["targets"][0]["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["written"].as_u64().unwrap())
        .collect();
    assert_eq!(written, [1, 1, 1, 2, 1, 3, 3], "{doc}");
    // The outcome carries the plan the run checked: ops, items to write, lint delta, estimate.
    let m4 = &doc["targets"][0]["migrations"][3];
    assert_eq!(
        (
            m4["ops"][0]["kind"].as_str(),
            m4["ops"][0]["matches"].as_u64()
        ),
        (Some("set"), Some(2)),
        "{m4}"
    );
    assert_eq!(m4["items_to_write"], 2);
    assert!(
        m4["lint"]["fixed"].is_object() && m4["estimate"]["wcu"].as_f64() >= Some(2.0),
        "{m4}"
    );
    assert_eq!(all_items(&db, &table, "agent_id").await, expected);
    assert_eq!(
        proxy.count("TransactWriteItems"),
        3,
        "move is one transaction per item"
    );

    // Applied: nothing is read for writing, nothing is written.
    let writes = |p: &Proxy| p.count("UpdateItem") + p.count("TransactWriteItems");
    let before = writes(&proxy);
    let again = apply(&[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(states(&json(&again)), vec!["applied"; 7]);
    assert_eq!(writes(&proxy), before, "a second apply sends no write");

    let status = run(
        server,
        &proxy.endpoint,
        dir.path(),
        &["migrate", "status", &target, "--format", "json"],
    );
    assert_eq!(states(&json(&status)), vec!["applied"; 7]);

    // An applied migration edited afterwards is refused.
    std::fs::write(
        dir.path().join("migrations/0005_remove.toml"),
        OPS[4].1.replace("legacy_route", "old_route"),
    )
    .unwrap();
    run(server, &proxy.endpoint, dir.path(), &["migrate", "hash"]);
    let edited = apply(&[]);
    assert_eq!(edited.code, 2);
    assert!(
        edited.stderr.contains("0005_remove.toml was applied to"),
        "{}",
        edited.stderr
    );
    std::fs::write(dir.path().join("migrations/0005_remove.toml"), OPS[4].1).unwrap();
    run(server, &proxy.endpoint, dir.path(), &["migrate", "hash"]);

    let undo = run(
        server,
        &proxy.endpoint,
        dir.path(),
        &["migrate", "undo", &target, "--to", "0"],
    );
    assert_eq!(undo.code, 0, "{}\n{}", undo.stdout, undo.stderr);
    assert_eq!(
        all_items(&db, &table, "agent_id").await,
        original,
        "{}",
        undo.stdout
    );
    let status = run(
        server,
        &proxy.endpoint,
        dir.path(),
        &["migrate", "status", &target, "--format", "json"],
    );
    assert_eq!(states(&json(&status)), vec!["undone"; 7]);
    // Undone migrations apply again.
    let third = apply(&["--allow-new-findings"]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert_eq!(all_items(&db, &table, "agent_id").await, expected);
}

async fn a_plan_that_introduces_errors_is_refused(server: &impl Server) {
    let db = client(server).await;
    let table = unique("mig-refused");
    create_table(&db, &table, "agent_id", None).await;
    put_items(&db, &table, &[base("PEGHWIVI5Y", "alpha")]).await;
    let before = all_items(&db, &table, "agent_id").await;
    // A stray quote in an alias ID: an error finding the plan would introduce.
    let bad = "[[op]]\nkind = \"set\"\nattribute = \"alias_id\"\nvalue = { S = \"bad'alias\" }\nif_absent = false\n";
    let dir = project(&unique("ledger"), &[("0001_bad.toml", bad)]);
    let target = format!("dynamodb://{table}");
    let out = run(
        server,
        server.endpoint(),
        dir.path(),
        &["migrate", "apply", &target, "--yes", "--create-ledger"],
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("introduces errors"), "{}", out.stderr);
    assert_eq!(all_items(&db, &table, "agent_id").await, before);
    let status = run(
        server,
        server.endpoint(),
        dir.path(),
        &["migrate", "status", &target, "--format", "json"],
    );
    assert_eq!(states(&json(&status)), ["pending"]);
}

on_each_server!(
    every_op_then_nothing_then_undo,
    a_plan_that_introduces_errors_is_refused
);

fn many(count: usize) -> Vec<Item> {
    (0..count)
        .map(|i| {
            with(
                base(&format!("A{i:09}"), &format!("agent {i}")),
                &[("capabilities", s("search,summarise"))],
            )
        })
        .collect()
}

const LISTS_AND_PROTOCOL: [(&str, &str); 2] = [
    OPS[0],
    (
        "0002_protocol.toml",
        "[[op]]\nkind = \"set\"\nattribute = \"protocol\"\nvalue = { S = \"bedrock\" }\n",
    ),
];

/// A budget of 50 WCU over 300 one-unit writes takes at least 6 s (a lower bound, not a race);
/// a second apply meanwhile meets the lock and exits 2 naming its holder.
async fn the_budget_paces_and_a_second_apply_meets_the_lock(server: &impl Server) {
    let db = client(server).await;
    let table = unique("mig-budget");
    let ledger = unique("ledger");
    create_table(&db, &table, "agent_id", None).await;
    put_items(&db, &table, &many(300)).await;
    let dir = project(&ledger, &LISTS_AND_PROTOCOL[..1]);
    let target = format!("dynamodb://{table}");
    let created = run(
        server,
        server.endpoint(),
        dir.path(),
        &["migrate", "status", &target, "--create-ledger"],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let started = Instant::now();
    let first = reglint_process(server, server.endpoint(), dir.path())
        .args([
            "migrate",
            "apply",
            &target,
            "--yes",
            "--max-wcu",
            "50",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lock_held = async {
        for _ in 0..200 {
            let got = db
                .get_item()
                .table_name(&ledger)
                .key("target", s(&server.table_arn(&table)))
                .key("entry", s("lock"))
                .consistent_read(true)
                .send()
                .await
                .unwrap();
            if got.item.is_some() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        false
    };
    assert!(lock_held.await, "the first apply takes the lock");
    let second = run(
        server,
        server.endpoint(),
        dir.path(),
        &["migrate", "apply", &target, "--yes"],
    );
    assert_eq!(second.code, 2, "{}\n{}", second.stdout, second.stderr);
    assert!(
        second.stderr.contains("is locked by") && second.stderr.contains(" pid "),
        "{}",
        second.stderr
    );
    let out = first.wait_with_output().unwrap();
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["targets"][0]["migrations"][0]["written"], 300);
    assert!(
        elapsed >= Duration::from_secs(6),
        "300 WCU at 50 per second took {elapsed:?}"
    );
    // The lock was given back: the next apply runs (and finds nothing to do).
    let third = run(
        server,
        server.endpoint(),
        dir.path(),
        &["migrate", "apply", &target, "--yes"],
    );
    assert_eq!(third.code, 0, "{}", third.stderr);
}

fn journal_entries(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("reglint-journal-")
        })
        .map(|e| {
            std::fs::read_to_string(e.path())
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("\"before\""))
                .count()
        })
        .sum()
}

/// 20 `kill -9` at random moments of an apply over 1,000 items (each landing mid-run: some
/// writes journalled, not all), each followed by `apply --resume`, reach exactly the result of
/// an uninterrupted run.
async fn kill_9_then_resume_reaches_the_uninterrupted_result(server: &impl Server) {
    const COUNT: usize = 1000;
    let db = client(server).await;
    let ledger = unique("ledger");
    let dir = project(&ledger, &LISTS_AND_PROTOCOL);
    let reference = unique("mig-ref");
    create_table(&db, &reference, "agent_id", None).await;
    put_items(&db, &reference, &many(COUNT)).await;
    let target = format!("dynamodb://{reference}");
    let out = run(
        server,
        server.endpoint(),
        dir.path(),
        &["migrate", "apply", &target, "--yes", "--create-ledger"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let expected = all_items(&db, &reference, "agent_id").await;
    let mut seed = std::process::id() as u64;
    let mut resumed_from_checkpoint = 0;
    for trial in 0..20 {
        let table = unique("mig-kill");
        create_table(&db, &table, "agent_id", None).await;
        put_items(&db, &table, &many(COUNT)).await;
        let target = format!("dynamodb://{table}");
        let journals = tempfile::tempdir().unwrap();
        seed = dynamo::mix(seed + trial);
        // Both migrations write every item: kill after 1 to 1,999 journalled writes.
        let at = 1 + (seed % (2 * COUNT as u64 - 1)) as usize;
        let mut child = reglint_process(server, server.endpoint(), dir.path())
            .args([
                "migrate",
                "apply",
                &target,
                "--yes",
                "--page-size",
                "100",
                "--journal-dir",
            ])
            .arg(journals.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while journal_entries(journals.path()) < at && Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        let journalled = journal_entries(journals.path());
        assert!(
            running && journalled > 0 && journalled < 2 * COUNT,
            "trial {trial}: the kill landed mid-run (running {running}, {journalled} of {} journalled)",
            2 * COUNT
        );
        if trial == 0 {
            let plain = run(
                server,
                server.endpoint(),
                dir.path(),
                &["migrate", "apply", &target, "--yes", "--break-lock"],
            );
            assert_eq!(
                plain.code, 2,
                "a stopped run is not silently taken over: {}",
                plain.stderr
            );
            assert!(
                plain.stderr.contains("is `running` on") && plain.stderr.contains("--resume"),
                "{}",
                plain.stderr
            );
        }
        let (pending, pages_done) = ledger_state(&db, &ledger, &server.table_arn(&table)).await;
        let proxy = Proxy::start(server);
        let resumed = run(
            server,
            &proxy.endpoint,
            dir.path(),
            &[
                "migrate",
                "apply",
                &target,
                "--yes",
                "--resume",
                "--break-lock",
                "--page-size",
                "100",
                "--journal-dir",
                journals.path().to_str().unwrap(),
            ],
        );
        assert_eq!(resumed.code, 0, "trial {trial}: {}", resumed.stderr);
        // The plan reads every page once (10 pages of 100 and the empty last one); each pending
        // migration reads the pages its checkpoint has not passed.
        let full = PAGES * (1 + pending);
        assert!(
            proxy.count("Scan") <= full - pages_done,
            "trial {trial}: {} scans, {pending} migrations pending, {pages_done} pages checkpointed",
            proxy.count("Scan")
        );
        resumed_from_checkpoint += u64::from(pages_done > 0);
        assert_eq!(
            all_items(&db, &table, "agent_id").await,
            expected,
            "trial {trial}: killed after {journalled} journalled writes"
        );
        let status = run(
            server,
            server.endpoint(),
            dir.path(),
            &["migrate", "status", &target, "--format", "json"],
        );
        assert_eq!(
            states(&json(&status)),
            ["applied", "applied"],
            "trial {trial}"
        );
        eprintln!("trial {trial}: killed after {journalled} of {} journalled writes, {pages_done} pages checkpointed; resumed to the same table", 2 * COUNT);
    }
    assert!(
        resumed_from_checkpoint >= 10,
        "most kills land after a checkpoint: {resumed_from_checkpoint} of 20"
    );
}

/// Scan pages of a 1,000-item table at 100 items a page.
const PAGES: u64 = 11;

/// Before a resume: how many migrations the ledger does not hold as applied, and how many
/// pages the running one's checkpoints passed (its items scanned, 100 a page).
async fn ledger_state(db: &aws_sdk_dynamodb::Client, ledger: &str, arn: &str) -> (u64, u64) {
    let out = db
        .query()
        .table_name(ledger)
        .key_condition_expression("#t = :t AND begins_with(#e, :m)")
        .expression_attribute_names("#t", "target")
        .expression_attribute_names("#e", "entry")
        .expression_attribute_values(":t", s(arn))
        .expression_attribute_values(":m", s("migration#"))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let entries = out.items();
    let applied = entries
        .iter()
        .filter(|e| e["status"].as_s().unwrap() == "applied")
        .count() as u64;
    let running: Vec<_> = entries
        .iter()
        .filter(|e| e["status"].as_s().unwrap() != "applied")
        .collect();
    let pages = running.first().map_or(0, |e| {
        e["scanned"].as_n().unwrap().parse::<u64>().unwrap() / 100
    });
    (2 - applied, pages)
}

on_dynoxide!(
    the_budget_paces_and_a_second_apply_meets_the_lock,
    kill_9_then_resume_reaches_the_uninterrupted_result
);
