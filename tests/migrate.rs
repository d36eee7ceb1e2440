#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reglint migrate` on files, from the built binary: new, hash and lint keep reglint.sum and the
//! numbering honest; a wrong migration is exit 2 naming its line and column; plan's counts, samples
//! and lint delta are exact; a migration that introduces errors exits 1.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{json, Value};

const REGISTRY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/migrate/registry.json"
);

fn reglint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("reglint").unwrap();
    c.env_remove("REGLINT_LOG")
        .env("NO_COLOR", "1")
        .current_dir(dir);
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A project: reglint.toml naming the registry copy as its source, and these migrations hashed.
fn project(migrations: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(REGISTRY, dir.path().join("agents.json")).unwrap();
    write(dir.path(), "reglint.toml", "sources = [\"agents.json\"]\n");
    for (name, body) in migrations {
        write(dir.path(), &format!("migrations/{name}"), body);
    }
    reglint(dir.path())
        .args(["migrate", "hash"])
        .assert()
        .success();
    dir
}

const LISTS: &str = "description = \"capabilities is a list; agent types canonical\"\n\n[[op]]\nkind = \"convert\"\nattribute = \"capabilities\"\nfrom = \"S\"\nto = \"L\"\nsplit = \",\"\n\n[[op]]\nkind = \"map_values\"\nattribute = \"agent_type\"\nmap = { \"bedrock-agent\" = \"bedrock_agent\" }\n";
const PROTOCOL: &str = "[[op]]\nkind = \"set\"\nattribute = \"protocol\"\nvalue = { S = \"bedrock\" }\nwhere = { agent_type = \"bedrock_agent\" }\n\n[[op]]\nkind = \"remove\"\nattribute = \"legacy_route\"\n";

fn plan(dir: &Path) -> (i32, Value) {
    let out = reglint(dir)
        .args(["migrate", "plan", "agents.json", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn new_writes_the_next_number_and_lint_checks_the_sum_and_the_numbering() {
    let dir = project(&[]);
    reglint(dir.path())
        .args(["migrate", "new", "add_protocol"])
        .assert()
        .success();
    reglint(dir.path())
        .args(["migrate", "new", "lists"])
        .assert()
        .success();
    let m = dir.path().join("migrations");
    assert!(m.join("0001_add_protocol.toml").is_file() && m.join("0002_lists.toml").is_file());
    let sum = std::fs::read_to_string(m.join("reglint.sum")).unwrap();
    let lines: Vec<&str> = sum.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("0001_add_protocol.toml h1:")
            && lines[1].starts_with("0002_lists.toml h1:")
    );
    assert_ne!(
        lines[0].split(' ').nth(1),
        lines[1].split(' ').nth(1),
        "the second line is chained over the first"
    );
    reglint(dir.path())
        .args(["migrate", "lint"])
        .assert()
        .code(0);

    // Comments and spacing do not count; a changed value does.
    let first = m.join("0001_add_protocol.toml");
    let body = std::fs::read_to_string(&first).unwrap();
    std::fs::write(&first, format!("# reviewed\n{body}\n\n")).unwrap();
    reglint(dir.path())
        .args(["migrate", "lint"])
        .assert()
        .code(0);
    std::fs::write(&first, body.replace("bedrock", "mcp")).unwrap();
    let out = reglint(dir.path())
        .args(["migrate", "lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stdout);
    assert!(
        said.contains("0001_add_protocol.toml: does not match reglint.sum"),
        "{said}"
    );
    assert!(
        said.contains("0002_lists.toml: does not match reglint.sum"),
        "chained: {said}"
    );
    reglint(dir.path())
        .args(["migrate", "hash"])
        .assert()
        .success();
    reglint(dir.path())
        .args(["migrate", "lint"])
        .assert()
        .code(0);

    std::fs::rename(m.join("0002_lists.toml"), m.join("0003_lists.toml")).unwrap();
    reglint(dir.path())
        .args(["migrate", "hash"])
        .assert()
        .success();
    let out = reglint(dir.path())
        .args(["migrate", "lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("0003_lists.toml: numbers must run 1, 2, 3"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_wrong_migration_is_exit_2_naming_every_problem_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reglint.toml", "");
    write(
        dir.path(),
        "migrations/0001_bad.toml",
        "[[op]]\nkind = \"convrt\"\n\n[[op]]\nkind = \"rename\"\nfrom = \"a\"\n\n[[op]]\nkind = \"move\"\nkey = { agent_id = \"{acount_id}#{agent_id}\" }\n",
    );
    let out = reglint(dir.path())
        .args(["migrate", "lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    let path = Path::new("migrations")
        .join("0001_bad.toml")
        .display()
        .to_string();
    assert!(
        err.contains(&dir.path().join(&path).display().to_string()),
        "{err}"
    );
    for needle in [
        format!("{path}:2:8: unknown op kind \"convrt\""),
        format!("{path}:5:8: a `rename` op needs `to`"),
        format!("{path}:10:20: the template names \"acount_id\""),
    ] {
        assert!(err.contains(&needle), "{needle} not in {err}");
    }
    assert!(!dir.path().join("migrations/reglint.sum").exists());
}

#[test]
fn plan_counts_samples_and_lint_delta_are_exact_and_the_file_is_untouched() {
    let dir = project(&[("0001_lists.toml", LISTS), ("0002_protocol.toml", PROTOCOL)]);
    let before = std::fs::read(dir.path().join("agents.json")).unwrap();
    let (code, doc) = plan(dir.path());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["schema"], "reglint-migrate/1");
    let target = &doc["targets"][0];
    assert_eq!(target["target"], "agents.json");
    let m1 = &target["migrations"][0];
    assert_eq!(
        (
            m1["version"].clone(),
            m1["name"].clone(),
            m1["state"].clone()
        ),
        (json!(1), json!("lists"), json!("pending"))
    );
    assert!(m1["checksum"].as_str().unwrap().starts_with("h1:"));
    let matches: Vec<_> = m1["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["kind"].clone(), o["matches"].clone()))
        .collect();
    assert_eq!(
        matches,
        [
            (json!("convert"), json!(1)),
            (json!("map_values"), json!(1))
        ]
    );
    assert_eq!(m1["items_to_write"], 2);
    assert_eq!(
        m1["ops"][0]["samples"][0]["before"]["capabilities"],
        "billing,refunds"
    );
    assert_eq!(
        m1["ops"][0]["samples"][0]["after"]["capabilities"],
        json!(["billing", "refunds"])
    );
    assert_eq!(
        m1["ops"][1]["samples"][0]["after"]["agent_type"],
        "bedrock_agent"
    );
    assert_eq!(m1["lint"]["fixed"], json!({"RG003": 1, "RG106": 1}));
    assert_eq!(m1["lint"]["introduced"], json!({}));

    // 0002 sees 0001's result: the travel agent is a bedrock_agent by then.
    let m2 = &target["migrations"][1];
    assert_eq!(m2["ops"][0]["matches"], 3);
    assert_eq!(m2["ops"][1]["matches"], 1);
    assert_eq!(m2["items_to_write"], 3);
    assert_eq!(m2["ops"][1]["samples"][0]["before"]["legacy_route"], "/hr");
    assert!(m2["ops"][1]["samples"][0]["after"]
        .get("legacy_route")
        .is_none());
    assert_eq!(
        std::fs::read(dir.path().join("agents.json")).unwrap(),
        before,
        "plan writes nothing"
    );

    let out = reglint(dir.path())
        .args(["migrate", "plan", "agents.json"])
        .output()
        .unwrap();
    let said = text(&out.stdout);
    assert!(
        said.contains("0001 lists  pending  2 items to write"),
        "{said}"
    );
    assert!(
        said.contains("lint: fixed RG003 ×1, RG106 ×1; introduced none"),
        "{said}"
    );
}

#[test]
fn a_migration_that_introduces_errors_fails_plan_and_lint() {
    let drop_name =
        "[[op]]\nkind = \"remove\"\nattribute = \"name\"\nwhere = { agent_id = \"PEGHWIVI5Y\" }\n";
    let dir = project(&[("0001_drop_name.toml", drop_name)]);
    let (code, doc) = plan(dir.path());
    assert_eq!(code, 1);
    let m = &doc["targets"][0]["migrations"][0];
    assert_eq!(m["items_to_write"], 1);
    assert_eq!(m["lint"]["introduced"], json!({"RG001": 1}));
    assert_eq!(m["lint"]["introduced_errors"], json!(["RG001"]));
    // `migrate lint` simulates over the config's sources.
    let out = reglint(dir.path())
        .args(["migrate", "lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("would introduce errors: RG001"),
        "{}",
        text(&out.stdout)
    );
}

/// Every op on a file, written as span edits: the file after apply holds exactly the plan's
/// after-images, byte for byte elsewhere; a second apply writes nothing; the rename, copy,
/// move and remove ops each change only their own bytes.
#[test]
fn apply_on_a_file_writes_the_planned_images_and_a_second_apply_nothing() {
    let body = "[\n  {\"agent_id\": \"PEGHWIVI5Y\", \"account_id\": \"123456789012\", \"name\": \"alpha\",\n   \"capabilites\": \"a,b\", \"legacy_route\": \"r1\"},\n  {\"agent_id\": \"QEGHWIVI5Y\", \"account_id\": \"123456789012\", \"name\": \"beta\"}\n]\n";
    let ops = [
        ("0001_rename.toml", "[[op]]\nkind = \"rename\"\nfrom = \"capabilites\"\nto = \"capabilities\"\n"),
        ("0002_lists.toml", "[[op]]\nkind = \"convert\"\nattribute = \"capabilities\"\nfrom = \"S\"\nto = \"L\"\nsplit = \",\"\n"),
        ("0003_copy.toml", "[[op]]\nkind = \"copy\"\nfrom = \"name\"\nto = \"display_name\"\n"),
        ("0004_remove.toml", "[[op]]\nkind = \"remove\"\nattribute = \"legacy_route\"\n"),
        ("0005_move.toml", "[[op]]\nkind = \"move\"\nkey = { agent_id = \"{account_id}#{agent_id}\" }\n"),
    ];
    let dir = project(&ops);
    write(dir.path(), "agents.json", body);
    let apply = |dir: &Path| {
        reglint(dir)
            .args([
                "migrate",
                "apply",
                "agents.json",
                "--format",
                "json",
                "--allow-new-findings",
            ])
            .output()
            .unwrap()
    };
    let out = apply(dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let written: Vec<u64> = doc["targets"][0]["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["written"].as_u64().unwrap())
        .collect();
    assert_eq!(written, [1, 1, 2, 1, 2]);
    let after = std::fs::read_to_string(dir.path().join("agents.json")).unwrap();
    let items: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(
        items,
        json!([
            {"agent_id": "123456789012#PEGHWIVI5Y", "account_id": "123456789012", "name": "alpha",
             "capabilities": ["a", "b"], "display_name": "alpha"},
            {"agent_id": "123456789012#QEGHWIVI5Y", "account_id": "123456789012", "name": "beta",
             "display_name": "beta"}
        ])
    );
    // Span edits: the layout of the untouched text is kept.
    assert!(after.starts_with("[\n  {\"agent_id\": \"123456789012#PEGHWIVI5Y\", \"account_id\": \"123456789012\", \"name\": \"alpha\",\n"), "{after}");
    let out = apply(dir.path());
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["targets"][0]["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["written"] == 0 && m["state"] == "applied"),
        "{doc}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("agents.json")).unwrap(),
        after
    );
    // Files have no journal: undo points at version control.
    let out = reglint(dir.path())
        .args(["migrate", "undo", "agents.json", "--to", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("git checkout"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn apply_refuses_a_plan_that_introduces_errors_and_leaves_the_file() {
    let bad = "[[op]]\nkind = \"set\"\nattribute = \"alias_id\"\nvalue = { S = \"bad'alias\" }\nif_absent = false\n";
    let dir = project(&[("0001_bad.toml", bad)]);
    let before = std::fs::read(dir.path().join("agents.json")).unwrap();
    let out = reglint(dir.path())
        .args(["migrate", "apply"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("introduces errors"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(dir.path().join("agents.json")).unwrap(),
        before
    );
}
