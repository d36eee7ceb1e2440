//! Measures `reglint migrate apply` on a table: items per second of a 10,000-item apply with 1
//! and 4 segments, and the writes a no-op re-apply sends. The table is served by dynoxide
//! inside this process (SQLite-backed; a measure of reglint's pipeline against a fast local
//! server, not of DynamoDB). Run from the repository root:
//!
//!     cargo bench --bench migrate_apply [-- ITEMS]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/moto.rs"]
mod moto;

#[path = "../tests/support/dynoxide.rs"]
mod dynoxide;

#[path = "../tests/support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::time::Instant;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo::{client, create_table, put_items, s, Item, Proxy, Server};

const MIGRATION: &str = "[[op]]\nkind = \"convert\"\nattribute = \"capabilities\"\nfrom = \"S\"\nto = \"L\"\nsplit = \",\"\n\n[[op]]\nkind = \"set\"\nattribute = \"protocol\"\nvalue = { S = \"bedrock\" }\n";

fn item(i: usize) -> Item {
    HashMap::from([
        ("agent_id".to_string(), s(&format!("A{i:09}"))),
        ("alias_id".to_string(), s("IO1GTTHP0M")),
        ("account_id".to_string(), s("123456789012")),
        ("name".to_string(), s(&format!("agent {i}"))),
        ("description".to_string(), s(&"routes requests ".repeat(12))),
        ("agent_type".to_string(), s("bedrock_agent")),
        ("enabled".to_string(), AttributeValue::Bool(true)),
        ("capabilities".to_string(), s("search,summarise,triage")),
    ])
}

fn apply(
    server: &impl Server,
    endpoint: &str,
    dir: &std::path::Path,
    table: &str,
    segments: &str,
) -> f64 {
    let start = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reglint"))
        .args([
            "migrate",
            "apply",
            &format!("dynamodb://{table}"),
            "--yes",
            "--create-ledger",
            "--segments",
            segments,
            "--format",
            "json",
        ])
        .arg("--config")
        .arg(dir.join("reglint.toml"))
        .arg("--journal-dir")
        .arg(dir)
        .envs(moto::client_env(server.endpoint()))
        .env("AWS_ENDPOINT_URL", endpoint)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let server = dynoxide::Dynoxide::start();
    let db = client(&server).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("reglint.toml"),
        "[migrate]\nledger_table = \"ledger\"\ndir = \"migrations\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(dir.path().join("migrations/0001_lists.toml"), MIGRATION).unwrap();
    let hashed = std::process::Command::new(env!("CARGO_BIN_EXE_reglint"))
        .args(["migrate", "hash", "--config"])
        .arg(dir.path().join("reglint.toml"))
        .status()
        .unwrap();
    assert!(hashed.success());
    let items: Vec<Item> = (0..count).map(item).collect();
    println!("{count} items of about 400 bytes; one migration (convert + set) writing every item");
    for segments in ["1", "4"] {
        let table = format!("measure-{segments}");
        create_table(&db, &table, "agent_id", None).await;
        put_items(&db, &table, &items).await;
        let proxy = Proxy::start(&server);
        let secs = apply(&server, &proxy.endpoint, dir.path(), &table, segments);
        let writes = proxy.count("UpdateItem");
        println!(
            "apply, {segments} segment(s): {secs:.2} s, {:.0} items/s, {writes} UpdateItem",
            count as f64 / secs
        );
        let before = proxy.count("UpdateItem") + proxy.count("TransactWriteItems");
        let secs = apply(&server, &proxy.endpoint, dir.path(), &table, segments);
        let after = proxy.count("UpdateItem") + proxy.count("TransactWriteItems");
        println!(
            "re-apply (nothing pending), {segments} segment(s): {secs:.2} s, {} writes",
            after - before
        );
    }
}
