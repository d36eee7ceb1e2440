//! The README's migration tutorial, run as written: every `$ reglint …` line of its section, in
//! order, in a project made of the section's `reglint.toml` and migration file and the seed
//! registry. The two environments of the tutorial are AWS profiles: `stage` points at dynoxide,
//! `prod` at moto, each holding an `agent-registry` table with the seed file's items.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::path::Path;

use aws_sdk_dynamodb::types::AttributeValue;
use dynamo::{all_items, client, create_table, put_items, Item, Server};
use serde_json::Value;

const SECTION: &str = "## Migrations: `reglint migrate`";
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/migrate/registry.json"
);

/// The section's fenced blocks of one language, in order.
fn blocks(section: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = section;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_string());
        rest = &body[end..];
    }
    out
}

/// A console line's words, as a shell splits them (single quotes; `#` starts a comment).
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            '#' if !quoted && !any => break,
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

fn attribute(v: &Value) -> AttributeValue {
    match v {
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::Array(a) => AttributeValue::L(a.iter().map(attribute).collect()),
        Value::Object(m) => {
            AttributeValue::M(m.iter().map(|(k, v)| (k.clone(), attribute(v))).collect())
        }
        Value::Null => AttributeValue::Null(true),
    }
}

fn seed_items() -> Vec<Item> {
    let seed: Value = serde_json::from_str(&std::fs::read_to_string(SEED).unwrap()).unwrap();
    seed.as_array()
        .unwrap()
        .iter()
        .map(|o| {
            o.as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), attribute(v)))
                .collect::<HashMap<_, _>>()
        })
        .collect()
}

/// AWS config and credentials files with the tutorial's two profiles.
fn profiles(dir: &Path, stage: &str, prod: &str) {
    std::fs::write(
        dir.join("config"),
        format!(
            "[profile stage]\nregion = us-east-1\nendpoint_url = {stage}\n\n[profile prod]\nregion = us-east-1\nendpoint_url = {prod}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("credentials"),
        "[stage]\naws_access_key_id = testing\naws_secret_access_key = testing\n\n[prod]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .unwrap();
}

#[tokio::test]
async fn the_readme_migration_tutorial_runs_as_written() {
    let Some(moto) = moto::Moto::shared() else {
        return;
    };
    let stage_server = dynoxide::Dynoxide::shared();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find(SECTION)
        .expect("the README has the migration tutorial");
    let section = &readme[start..];
    let section = &section[..section[SECTION.len()..].find("\n## ").unwrap() + SECTION.len()];
    let tomls = blocks(section, "toml");
    let (config, migration) = (&tomls[0], &tomls[1]);
    let commands: Vec<String> = blocks(section, "console")
        .iter()
        .flat_map(|b| b.lines().map(str::to_string).collect::<Vec<_>>())
        .filter(|l| l.starts_with("$ "))
        .collect();
    assert!(commands.len() >= 9, "{commands:?}");

    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(dir.join("reglint.toml"), config).unwrap();
    std::fs::create_dir(dir.join("registry")).unwrap();
    std::fs::copy(SEED, dir.join("registry/agents.json")).unwrap();
    let aws = tempfile::tempdir().unwrap();
    profiles(aws.path(), stage_server.endpoint(), moto.endpoint());
    let items = seed_items();
    let stage_db = client(stage_server).await;
    let prod_db = client(moto).await;
    for db in [&stage_db, &prod_db] {
        create_table(db, "agent-registry", "agent_id", None).await;
        put_items(db, "agent-registry", &items).await;
    }
    let stage_before = all_items(&stage_db, "agent-registry", "agent_id").await;
    let prod_before = all_items(&prod_db, "agent-registry", "agent_id").await;

    for line in &commands {
        let argv = words(&line[2..]);
        if argv[0] == "$EDITOR" {
            // The person writes the migration the README shows.
            std::fs::write(dir.join(&argv[1]), migration).unwrap();
            continue;
        }
        assert_eq!(argv[0], "reglint", "{line}");
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_reglint"));
        for key in moto::ENV_REMOVE {
            cmd.env_remove(key);
        }
        for key in [
            "AWS_ENDPOINT_URL",
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_PROFILE",
        ] {
            cmd.env_remove(key);
        }
        let out = cmd
            .args(&argv[1..])
            .current_dir(dir)
            .env("AWS_CONFIG_FILE", aws.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                aws.path().join("credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("REGLINT_LOG")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{line}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The seed file and prod hold the new shape; stage was undone to what it held.
    let seed: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("registry/agents.json")).unwrap())
            .unwrap();
    for item in seed.as_array().unwrap() {
        assert!(item["capabilities"].is_array(), "{item}");
    }
    assert_eq!(
        all_items(&stage_db, "agent-registry", "agent_id").await,
        stage_before
    );
    let prod = all_items(&prod_db, "agent-registry", "agent_id").await;
    assert_ne!(prod, prod_before);
    for (id, item) in &prod {
        assert!(
            matches!(item["capabilities"], AttributeValue::L(_)),
            "{id}: {item:?}"
        );
        if item["agent_type"].as_s().unwrap() == "bedrock_agent" {
            assert_eq!(item["protocol"].as_s().unwrap(), "bedrock", "{id}");
        }
    }
}
