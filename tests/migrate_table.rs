//! `reglint migrate stamp` and `status` on a table in moto: the ledger lives in its own table
//! (created by --create-ledger), stamping is conditional (a second stamp records nothing), and an
//! applied migration edited afterwards shows as `changed` and fails `migrate lint`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use dynamo::{client, create_table, entry, put_items, reglint, unique};
use moto::Moto;
use serde_json::Value;

const REMOVE: &str = "[[op]]\nkind = \"remove\"\nattribute = \"legacy_route\"\n";
const SET: &str = "[[op]]\nkind = \"set\"\nattribute = \"protocol\"\nvalue = { S = \"bedrock\" }\n";

type Run<'a> = &'a dyn Fn(&[&str]) -> (i32, String, String);

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[tokio::test]
async fn stamp_records_applied_once_and_an_edited_migration_shows_as_changed() {
    let Some(moto) = Moto::shared() else { return };
    let db = client(moto).await;
    let table = unique("stamped");
    let ledger = unique("ledger");
    create_table(&db, &table, "agent_id", None).await;
    put_items(&db, &table, &[entry("PEGHWIVI5Y", "IO1GTTHP0M")]).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("reglint.toml"),
        format!("[migrate]\nledger_table = \"{ledger}\"\n"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(dir.path().join("migrations/0001_remove_route.toml"), REMOVE).unwrap();
    std::fs::write(dir.path().join("migrations/0002_protocol.toml"), SET).unwrap();
    let target = format!("dynamodb://{table}");
    let run = |args: &[&str]| {
        let out = reglint(moto, &moto.endpoint, dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            text(&out.stdout),
            text(&out.stderr),
        )
    };
    assert_eq!(run(&["migrate", "hash"]).0, 0);

    let (code, out, err) = run(&["migrate", "stamp", &target, "1", "--create-ledger"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("stamped 1 migrations"), "{out}");
    let (code, out, _) = run(&["migrate", "stamp", &target, "1"]);
    assert_eq!(code, 0);
    assert!(out.contains("stamped 0 migrations"), "conditional: {out}");

    let status = |run: Run| -> Value {
        let (code, out, err) = run(&["migrate", "status", &target, "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let doc = status(&run);
    assert_eq!(doc["schema"], "reglint-migrate/1");
    let t = &doc["targets"][0];
    assert!(
        t["target"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":table/{table}")),
        "{t}"
    );
    let states: Vec<&str> = t["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["applied", "pending"]);

    // The ledger is its own table; the registry holds only its item.
    let tables = db.list_tables().send().await.unwrap();
    assert!(tables.table_names().contains(&ledger));
    assert_eq!(dynamo::all_items(&db, &table, "agent_id").await.len(), 1);

    std::fs::write(
        dir.path().join("migrations/0001_remove_route.toml"),
        REMOVE.replace("legacy_route", "old_route"),
    )
    .unwrap();
    assert_eq!(run(&["migrate", "hash"]).0, 0);
    let doc = status(&run);
    assert_eq!(doc["targets"][0]["migrations"][0]["state"], "changed");
    let (code, out, err) = run(&["migrate", "lint", &target]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("0001_remove_route.toml: applied on arn:"),
        "{out}"
    );
}

#[tokio::test]
async fn the_lock_is_a_lease_a_second_owner_cannot_take_until_it_expires_or_is_broken() {
    use reglint::aws::ledger::{Ledger, LedgerError};
    let Some(moto) = Moto::shared() else { return };
    let ledger = Ledger::new(&moto.sdk_config().await, &unique("lease"));
    ledger.create().await.unwrap();
    let target = "arn:aws:dynamodb:us-east-1:123456789012:table/registry";
    ledger
        .acquire(target, "run-a", 1_000, 60, false)
        .await
        .unwrap();
    match ledger.acquire(target, "run-b", 1_030, 60, false).await {
        Err(LedgerError::LockHeld { owner, expires, .. }) => {
            assert_eq!((owner.as_str(), expires), ("run-a", 1_060))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        ledger.release(target, "run-b").await,
        Err(LedgerError::LockHeld { .. })
    ));
    // Expired: the next run takes it; an abandoned one is taken with --break-lock.
    ledger
        .acquire(target, "run-b", 1_061, 60, false)
        .await
        .unwrap();
    ledger
        .acquire(target, "run-c", 1_062, 60, true)
        .await
        .unwrap();
    ledger.release(target, "run-c").await.unwrap();
    ledger
        .acquire(target, "run-d", 1_063, 60, false)
        .await
        .unwrap();
}
