//! reglint where teams already work (spec §12, §7 `gitlab`): the GitLab Code Quality report,
//! shell completions and the man page, the JSON Schema of reglint.toml, `reglint init`, the
//! pre-commit manifest and the CI recipes in docs/ci/ — each run as a user runs it: the built
//! binary, real bash and man, the published CI schemas (check-jsonschema), moto for tables.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with no AWS settings from the environment: no credentials, no profile, nothing
/// reachable (every endpoint is a closed local port).
fn reglint(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_reglint"));
    for key in moto::ENV_REMOVE {
        cmd.env_remove(key);
    }
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("REGLINT_LOG")
        .env_remove("CI_PROJECT_DIR")
        .env("NO_COLOR", "1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/reglint-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/reglint-test/credentials",
        )
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", dynamo::closed_port()),
        )
        .current_dir(dir);
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn run(cmd: &mut assert_cmd::Command) -> Output {
    cmd.output().unwrap()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A folder holding the fixture registry at registry/agents.json.
fn project_with_registry() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("registry")).unwrap();
    std::fs::copy(
        root().join("fixtures/registry.json"),
        dir.path().join("registry/agents.json"),
    )
    .unwrap();
    dir
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft7::new(schema).unwrap_or_else(|e| panic!("not a draft-07 schema: {e}"))
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance).map(|e| e.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// --format gitlab

/// Every member GitLab reads (format-facts §2), as a schema: a JSON array of issues with a
/// description, check name, SHA-256 fingerprint, a Code Quality severity, a relative path and a
/// first line; nothing else.
fn code_quality_schema() -> Value {
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["description", "check_name", "fingerprint", "severity", "location"],
            "properties": {
                "description": {"type": "string", "pattern": "^RG[0-9]{3} [a-z-]+: ."},
                "check_name": {"type": "string", "pattern": "^RG[0-9]{3}$"},
                "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
                "location": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["path", "lines"],
                    "properties": {
                        "path": {"type": "string", "minLength": 1, "not": {"pattern": "^(/|\\./)"}},
                        "lines": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["begin"],
                            "properties": {"begin": {"type": "integer", "minimum": 1}}
                        }
                    }
                }
            }
        }
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn gitlab_severity(s: &str) -> &'static str {
    match s {
        "error" => "major",
        "warning" => "minor",
        "info" => "info",
        other => panic!("severity {other}"),
    }
}

#[test]
fn gitlab_report_of_files_has_every_member_gitlab_reads() {
    let dir = project_with_registry();
    let out =
        run(reglint(dir.path()).args(["check", "registry/agents.json", "--format", "gitlab"]));
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(
        out.stdout.first(),
        Some(&b'['),
        "no byte order mark, nothing before the array"
    );
    let issues: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errs = errors(&validator(&code_quality_schema()), &issues);
    assert!(errs.is_empty(), "{errs:#?}\n{}", show(&out));

    let json = run(reglint(dir.path()).args(["check", "registry/agents.json", "--format", "json"]));
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let issues = issues.as_array().unwrap();
    assert!(issues.len() >= 5, "{}", show(&out));
    assert_eq!(issues.len(), diagnostics.len());
    let mut fingerprints = std::collections::HashSet::new();
    for (issue, d) in issues.iter().zip(diagnostics) {
        let rule = d["rule"].as_str().unwrap();
        assert_eq!(issue["check_name"], rule);
        let description = issue["description"].as_str().unwrap();
        let head = format!("{rule} {}: ", d["name"].as_str().unwrap());
        assert!(description.starts_with(&head), "{description}");
        assert!(
            description.ends_with(d["message"].as_str().unwrap()),
            "{description}"
        );
        assert_eq!(
            issue["severity"],
            gitlab_severity(d["severity"].as_str().unwrap())
        );
        assert_eq!(issue["location"]["path"], "registry/agents.json");
        assert_eq!(issue["location"]["lines"]["begin"], d["location"]["line"]);
        fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string());
    }
    assert_eq!(
        fingerprints.len(),
        issues.len(),
        "fingerprints are unique in a report"
    );
    // The first finding with a fingerprint of its own: SHA-256 of the finding's fingerprint.
    let first = diagnostics[0]["fingerprint"].as_str().unwrap();
    let expected = sha256_hex(format!("reglint-gitlab/1\0{first}").as_bytes());
    assert_eq!(issues[0]["fingerprint"], expected.as_str());
}

#[test]
fn gitlab_paths_are_relative_to_the_project_and_fingerprints_do_not_move() {
    let dir = project_with_registry();
    let args = ["check", "registry/agents.json", "--format", "gitlab"];
    let here = run(reglint(dir.path()).args(args));
    let again = run(reglint(dir.path()).args(args));
    assert_eq!(here.stdout, again.stdout, "the same run, the same report");
    // A job whose working directory is elsewhere, given an absolute path.
    let file = dir.path().join("registry/agents.json");
    let there = run(reglint(root()).env("CI_PROJECT_DIR", dir.path()).args([
        "check",
        file.to_str().unwrap(),
        "--format",
        "gitlab",
    ]));
    let paths = |out: &Output| -> Vec<Value> {
        let issues: Value = serde_json::from_slice(&out.stdout).unwrap();
        issues
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["location"].clone())
            .collect()
    };
    let (a, b) = (paths(&here), paths(&there));
    assert!(a.len() >= 5, "{}", show(&here));
    assert_eq!(a, b, "{}\n{}", show(&here), show(&there));
}

#[test]
fn gitlab_report_without_findings_is_an_empty_array() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.json"), "[]").unwrap();
    let out = run(reglint(dir.path()).args(["check", "empty.json", "--format", "gitlab"]));
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(text(&out.stdout), "[]\n");
}

// ---------------------------------------------------------------------------------------------
// Completions and the man page

const COMMANDS: [&str; 9] = [
    "check",
    "rule",
    "undo",
    "doctor",
    "iam-policy",
    "init",
    "completions",
    "man",
    "config-schema",
];

fn completions(shell: &str) -> String {
    let out = run(reglint(root()).args(["completions", shell]));
    assert!(out.status.success(), "{}", show(&out));
    text(&out.stdout)
}

#[test]
fn bash_completion_registers_reglint_and_completes_its_commands() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("reglint.bash");
    std::fs::write(&script, completions("bash")).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(
            r#"set -e; source "$1"; complete -p reglint
               COMP_WORDS=(reglint con); COMP_CWORD=1; _reglint reglint con reglint
               echo "commands: ${COMPREPLY[*]}"
               COMP_WORDS=(reglint check --fo); COMP_CWORD=2; _reglint reglint --fo check
               echo "options: ${COMPREPLY[*]}""#,
        )
        .arg("_")
        .arg(&script)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", show(&out));
    let registered = stdout.lines().next().unwrap_or("");
    assert!(
        registered.starts_with("complete ") && registered.ends_with(" reglint"),
        "{stdout}"
    );
    assert!(stdout.contains("commands: config-schema"), "{stdout}");
    assert!(stdout.contains("options: --format"), "{stdout}");
}

#[test]
fn other_shells_get_their_own_completion_scripts() {
    for (shell, marker) in [
        ("zsh", "#compdef reglint"),
        ("fish", "complete -c reglint"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = completions(shell);
        assert!(script.contains(marker), "{shell}: {script}");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    let out = run(reglint(root()).args(["completions", "tcsh"]));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
}

fn man_page(args: &[&str]) -> String {
    let out = run(reglint(root()).arg("man").args(args));
    assert!(out.status.success(), "{}", show(&out));
    text(&out.stdout)
}

/// The page as `man -l` shows it, with groff's warnings (none expected).
fn rendered(page: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reglint.1");
    std::fs::write(&file, page).unwrap();
    let out = std::process::Command::new("man")
        .args(["-P", "cat", "-l"])
        .arg(&file)
        .env("MANWIDTH", "100")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap_or_else(|e| panic!("man (Debian's man-db) is needed: {e}"));
    assert!(out.status.success(), "{}", show(&out));
    (text(&out.stdout), text(&out.stderr))
}

#[test]
fn man_page_renders_with_man_and_lists_every_command() {
    let page = man_page(&[]);
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        page.lines()
            .any(|l| l.starts_with(".TH reglint 1 ") && l.contains(version)),
        "{page}"
    );
    let (shown, warnings) = rendered(&page);
    assert!(warnings.trim().is_empty(), "groff: {warnings}");
    assert!(
        shown.contains("reglint - Lint, verify and repair"),
        "{shown}"
    );
    for command in COMMANDS {
        let listed = format!("reglint-{command}(1)");
        assert!(shown.contains(&listed), "{command} is not listed:\n{shown}");
    }
}

#[test]
fn each_command_has_its_own_man_page() {
    let page = man_page(&["check"]);
    assert!(
        page.lines().any(|l| l.starts_with(".TH reglint-check 1 ")),
        "{page}"
    );
    let (shown, warnings) = rendered(&page);
    assert!(warnings.trim().is_empty(), "groff: {warnings}");
    for option in ["--fail-on", "--format", "gitlab", "--fix"] {
        assert!(shown.contains(option), "{option}:\n{shown}");
    }
    let out = run(reglint(root()).args(["man", "chekc"]));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("config-schema"),
        "{}",
        show(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// The JSON Schema of reglint.toml

fn printed_schema() -> String {
    let out = run(reglint(root()).arg("config-schema"));
    assert!(out.status.success(), "{}", show(&out));
    text(&out.stdout)
}

fn config_schema() -> Value {
    serde_json::from_str(&printed_schema()).unwrap()
}

#[test]
fn committed_schema_is_the_one_the_command_prints() {
    let committed =
        std::fs::read_to_string(root().join("docs/reglint.schema.json")).unwrap_or_default();
    assert!(
        committed == printed_schema(),
        "docs/reglint.schema.json is out of date; regenerate it with\n  \
         cargo run -q -- config-schema > docs/reglint.schema.json"
    );
}

/// Every object schema with properties, with its JSON pointer.
fn object_schemas<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("properties") {
                out.push((at.clone(), v));
            }
            for (k, child) in m {
                object_schemas(child, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                object_schemas(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_table_of_the_schema_rejects_unknown_keys() {
    let schema = config_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    let mut tables = Vec::new();
    object_schemas(&schema, String::new(), &mut tables);
    // The file, [registry], [rules], [[rules.exceptions]], [verify], [verify.accounts.ID].
    assert!(tables.len() >= 6, "{tables:#?}");
    for (at, table) in tables {
        assert_eq!(table["additionalProperties"], false, "{at}: {table:#}");
    }
}

/// The ```toml blocks of a Markdown file, each with the heading it is under.
fn toml_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let (mut heading, mut current): (String, Option<String>) = (String::new(), None);
    for line in markdown.lines() {
        match current.as_mut() {
            Some(block) if line.trim_start().starts_with("```") => {
                blocks.push((heading.clone(), std::mem::take(block)));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None if line.trim_start().starts_with("```toml") => current = Some(String::new()),
            None if line.starts_with('#') => heading = line.to_string(),
            None => {}
        }
    }
    blocks
}

/// Migration files among the examples: skipped by heading, each exactly once.
const SKIPPED: [(&str, &str); 2] = [
    // A migration file (spec §8.1), not a reglint.toml.
    ("spec.md", "### 8.1 A migration file"),
    // The README's migration tutorial shows a migration file too.
    ("README.md", "## Migrations: `reglint migrate`"),
];

fn documents() -> Vec<(&'static str, String)> {
    let spec = root().join("../shared/spec.md");
    let spec = std::fs::read_to_string(&spec)
        .unwrap_or_else(|e| panic!("the contract {} is missing: {e}", spec.display()));
    let mut docs = vec![("spec.md", spec)];
    // The README's tour and the references it links to.
    for doc in ["README.md", "docs/config.md", "docs/verify.md"] {
        docs.push((doc, std::fs::read_to_string(root().join(doc)).unwrap()));
    }
    docs
}

fn toml_to_json(text: &str) -> Value {
    let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    serde_json::to_value(table).unwrap()
}

#[test]
fn every_config_example_in_the_readme_and_the_spec_is_valid() {
    let schema = validator(&config_schema());
    let mut checked = 0;
    let mut skipped = Vec::new();
    for (doc, markdown) in documents() {
        for (heading, block) in toml_blocks(&markdown) {
            // A migration file (its ops) under a skipped heading; a reglint.toml there is checked.
            if SKIPPED.contains(&(doc, heading.as_str())) && block.contains("[[op]]") {
                skipped.push((doc, heading));
                continue;
            }
            let errs = errors(&schema, &toml_to_json(&block));
            assert!(errs.is_empty(), "{doc} {heading}: {errs:#?}\n{block}");
            // The loader agrees with the schema.
            reglint::config::Config::parse(Path::new("reglint.toml"), block.clone())
                .unwrap_or_else(|e| panic!("{doc} {heading}: the loader refused it: {e}"));
            checked += 1;
        }
    }
    // Two in the README, two in docs/config.md, one in docs/verify.md and the spec's §6.
    assert!(checked >= 6, "only {checked} examples found");
    let mut expected: Vec<_> = SKIPPED.iter().map(|(d, h)| (*d, h.to_string())).collect();
    expected.sort();
    skipped.sort();
    assert_eq!(skipped, expected, "each skipped example is there, once");
}

#[test]
fn a_typo_in_any_table_is_rejected_by_the_schema_and_by_the_loader() {
    let schema = validator(&config_schema());
    for (typo, key) in [
        ("sorces = [\"a.json\"]\n", "sorces"),
        ("[registry]\nkye = [\"agent_id\"]\n", "kye"),
        ("[rules]\nignroe = [\"RG302\"]\n", "ignroe"),
        (
            "[[rules.exceptions]]\nkey = { agent_id = \"X\" }\nresaon = \"r\"\nreason = \"r\"\n",
            "resaon",
        ),
        ("[verify]\nrole = \"arn\"\n", "role"),
        (
            "[verify.accounts.\"152864141302\"]\nrole = \"arn\"\n",
            "role",
        ),
    ] {
        let errs = errors(&schema, &toml_to_json(typo));
        assert!(
            errs.iter().any(|e| e.contains(key)),
            "the schema accepted {typo:?}: {errs:?}"
        );
        let loaded = reglint::config::Config::parse(Path::new("reglint.toml"), typo.into());
        assert!(loaded.is_err(), "the loader accepted {typo:?}");
    }
    // Wrong types and values too.
    for bad in [
        "[registry]\nlocal_account_id = \"84307455\"\n",
        "[rules]\nseverity = { RG104 = \"fatal\" }\n",
        "[verify]\nconcurrency = \"eight\"\n",
        "[[rules.exceptions]]\nkey = { agent_id = \"X\" }\n",
    ] {
        let errs = errors(&schema, &toml_to_json(bad));
        assert!(!errs.is_empty(), "the schema accepted {bad:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// reglint init

/// A folder with the init fixture at registry/agents.jsonl.
fn project_for_init() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("registry")).unwrap();
    std::fs::copy(
        root().join("fixtures/init/agents.jsonl"),
        dir.path().join("registry/agents.jsonl"),
    )
    .unwrap();
    dir
}

const DECLARABLE: [&str; 7] = ["S", "N", "BOOL", "L", "M", "SS", "NS"];

/// The shape spec §3.1 gives `[schema.attributes.NAME]`: a known type, `items` only on lists;
/// and the rest of the file a valid configuration today.
fn assert_declarations_follow_the_spec(written: &str) -> toml::Table {
    let table: toml::Table = toml::from_str(written).unwrap();
    let attributes = table["schema"]["attributes"].as_table().unwrap();
    for (name, entry) in attributes {
        let entry = entry.as_table().unwrap();
        let ty = entry["type"].as_str().unwrap();
        assert!(DECLARABLE.contains(&ty), "{name}: type {ty}");
        for key in entry.keys() {
            assert!(["type", "items"].contains(&key.as_str()), "{name}: {key}");
        }
        if let Some(items) = entry.get("items") {
            assert_eq!((ty, items.as_str()), ("L", Some("S")), "{name}");
        }
        assert!(
            !reglint::schema::KNOWN_ATTRIBUTES.contains(&name.as_str()),
            "{name} is built in"
        );
    }
    let mut rest = serde_json::to_value(&table).unwrap();
    rest.as_object_mut().unwrap().remove("schema");
    let errs = errors(&validator(&config_schema()), &rest);
    assert!(errs.is_empty(), "{errs:?}\n{written}");
    table
}

#[test]
fn init_on_a_registry_file_writes_the_expected_configuration() {
    let dir = project_for_init();
    let out = run(reglint(dir.path()).args(["init", "registry/agents.jsonl"]));
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        text(&out.stdout).contains("Wrote reglint.toml: 3 items read, 8 attributes declared"),
        "{}",
        show(&out)
    );
    let written = std::fs::read_to_string(dir.path().join("reglint.toml")).unwrap();
    let expected = std::fs::read_to_string(root().join("fixtures/init/reglint.toml")).unwrap();
    assert_eq!(written, expected);
    let table = assert_declarations_follow_the_spec(&written);
    assert_eq!(
        table["sources"],
        toml::Value::Array(vec!["registry/agents.jsonl".into()])
    );
}

#[test]
fn after_init_check_reports_no_unknown_attribute() {
    let dir = project_for_init();
    let before =
        run(reglint(dir.path()).args(["check", "registry/agents.jsonl", "--format", "json"]));
    let doc: Value = serde_json::from_slice(&before.stdout).unwrap();
    assert!(
        doc["summary"]["by_rule"]["RG006"].as_u64().unwrap_or(0) > 0,
        "the fixture has attributes beyond the built-in schema: {}",
        doc["summary"]
    );
    let out = run(reglint(dir.path()).args(["init", "registry/agents.jsonl"]));
    assert!(out.status.success(), "{}", show(&out));
    let after = run(reglint(dir.path()).args(["check", "--format", "json"]));
    let doc: Value =
        serde_json::from_slice(&after.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(&after)));
    assert!(
        doc["summary"]["by_rule"].get("RG006").is_none(),
        "{}",
        doc["summary"]
    );
    assert_eq!(doc["summary"]["items"], 3);
}

#[test]
fn init_takes_the_local_account_from_the_command_line() {
    let dir = project_for_init();
    let out = run(reglint(dir.path()).args([
        "init",
        "registry/agents.jsonl",
        "--local-account",
        "843074507558",
    ]));
    assert!(out.status.success(), "{}", show(&out));
    let written = std::fs::read_to_string(dir.path().join("reglint.toml")).unwrap();
    let table = assert_declarations_follow_the_spec(&written);
    assert_eq!(
        table["registry"]["local_account_id"].as_str(),
        Some("843074507558")
    );

    let other = tempfile::tempdir().unwrap();
    let out = run(reglint(other.path()).args(["init", "--local-account", "8430745"]));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(!other.path().join("reglint.toml").exists());
}

#[test]
fn init_never_overwrites_a_configuration() {
    let dir = project_for_init();
    let first = run(reglint(dir.path()).args(["init", "registry/agents.jsonl"]));
    assert!(first.status.success(), "{}", show(&first));
    let path = dir.path().join("reglint.toml");
    let before = std::fs::read(&path).unwrap();
    let again = run(reglint(dir.path()).args(["init", "registry/agents.jsonl"]));
    assert_eq!(again.status.code(), Some(2), "{}", show(&again));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        show(&again)
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);

    std::fs::write(&path, "# ours\n").unwrap();
    let third = run(reglint(dir.path()).arg("init"));
    assert_eq!(third.status.code(), Some(2), "{}", show(&third));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# ours\n");
}

#[test]
fn init_of_an_unreadable_source_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.json"), "[{\"agent_id\": ").unwrap();
    let out = run(reglint(dir.path()).args(["init", "broken.json"]));
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains("broken.json"), "{}", show(&out));
    assert!(!dir.path().join("reglint.toml").exists());
}

// ---------------------------------------------------------------------------------------------
// Live tables (moto)

fn moto_reglint(moto: &moto::Moto, dir: &Path) -> assert_cmd::Command {
    let mut cmd = dynamo::reglint(moto, &moto.endpoint, dir);
    cmd.env("NO_COLOR", "1").env_remove("CI_PROJECT_DIR");
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn init_on_a_table_takes_its_key_schema_and_the_callers_account() {
    let Some(moto) = moto::Moto::shared() else {
        return;
    };
    let client = dynamo::client(moto).await;
    let table = dynamo::unique("init");
    dynamo::create_table(&client, &table, "account_id", Some("agent_id")).await;
    let mut a = dynamo::entry("PEGHWIVI5Y", "IO1GTTHP0M");
    a.insert("account_id".into(), dynamo::s("843074507558"));
    a.insert("owner".into(), dynamo::s("team-billing"));
    a.insert("labels".into(), dynamo::list(&["finance"]));
    let mut b = dynamo::entry("QJ7XK2M9ZT", "R4ND0MAL1S");
    b.insert("account_id".into(), dynamo::s("152864141302"));
    b.insert("owner".into(), dynamo::s("team-support"));
    dynamo::put_items(&client, &table, &[a, b]).await;

    let dir = tempfile::tempdir().unwrap();
    let source = format!("dynamodb://{table}");
    let out = moto_reglint(moto, dir.path())
        .args(["init", &source])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    let written = std::fs::read_to_string(dir.path().join("reglint.toml")).unwrap();
    let parsed = assert_declarations_follow_the_spec(&written);
    assert_eq!(
        parsed["sources"],
        toml::Value::Array(vec![source.clone().into()])
    );
    assert_eq!(
        parsed["registry"]["key"],
        toml::Value::Array(vec!["account_id".into(), "agent_id".into()]),
        "{written}"
    );
    assert_eq!(
        parsed["registry"]["local_account_id"].as_str(),
        Some(moto::BASE_ACCOUNT),
        "{written}"
    );
    let attributes = parsed["schema"]["attributes"].as_table().unwrap();
    assert_eq!(attributes.keys().collect::<Vec<_>>(), ["labels", "owner"]);
    assert_eq!(attributes["owner"]["type"].as_str(), Some("S"));
    assert_eq!(attributes["labels"]["type"].as_str(), Some("L"));
    assert_eq!(attributes["labels"]["items"].as_str(), Some("S"));
    assert!(
        written.contains("# in 2 of 2 items\n[schema.attributes.owner]"),
        "{written}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gitlab_report_of_a_table_points_at_the_table() {
    let Some(moto) = moto::Moto::shared() else {
        return;
    };
    let client = dynamo::client(moto).await;
    let table = dynamo::unique("gitlab");
    dynamo::create_table(&client, &table, "agent_id", None).await;
    dynamo::put_items(
        &client,
        &table,
        &[dynamo::entry("PEGHWIVI5Y", "IO1GTTHP0M\"")],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let out = moto_reglint(moto, dir.path())
        .args([
            "check",
            &format!("dynamodb://{table}"),
            "--format",
            "gitlab",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let issues: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errs = errors(&validator(&code_quality_schema()), &issues);
    assert!(errs.is_empty(), "{errs:#?}");
    let issue = &issues[0];
    assert_eq!(issue["check_name"], "RG101");
    assert_eq!(issue["location"]["path"], format!("dynamodb/{table}"));
    assert_eq!(issue["location"]["lines"]["begin"], 1);
    let description = issue["description"].as_str().unwrap();
    assert!(
        description.contains(&format!(
            "dynamodb://{table} {{\"agent_id\":\"PEGHWIVI5Y\"}}"
        )),
        "{description}"
    );
}

// ---------------------------------------------------------------------------------------------
// CI recipes and the pre-commit manifest

fn venv_tool(name: &str) -> PathBuf {
    let tool = root().join(".venv/bin").join(name);
    assert!(
        tool.is_file(),
        "{} is missing: run scripts/setup-ci-tools.sh (scripts/test.sh does)",
        tool.display()
    );
    tool
}

fn check_jsonschema(schema: &str, file: &Path) -> Output {
    std::process::Command::new(venv_tool("check-jsonschema"))
        .args(["--builtin-schema", schema])
        .arg(file)
        .output()
        .unwrap()
}

const RECIPES: [(&str, &str); 2] = [
    ("docs/ci/github-actions.yml", "vendor.github-workflows"),
    ("docs/ci/gitlab-ci.yml", "vendor.gitlab-ci"),
];

#[test]
fn ci_recipes_are_valid_against_the_published_schemas() {
    for (file, schema) in RECIPES {
        let out = check_jsonschema(schema, &root().join(file));
        assert!(out.status.success(), "{file}: {}", show(&out));
        assert!(
            text(&out.stdout).contains("ok -- validation done"),
            "{}",
            show(&out)
        );
    }
}

#[test]
fn the_schema_check_catches_a_broken_recipe() {
    let dir = tempfile::tempdir().unwrap();
    for ((file, schema), (from, to)) in RECIPES.into_iter().zip([
        (
            "runs-on: ubuntu-latest",
            "runs-on: [ubuntu-latest]\n    timeout-minutes: soon",
        ),
        ("\n    when: always", "\n    when: sometimes"),
    ]) {
        let original = std::fs::read_to_string(root().join(file)).unwrap();
        assert!(original.contains(from), "{file} has no {from:?}");
        let broken = dir.path().join(Path::new(file).file_name().unwrap());
        std::fs::write(&broken, original.replacen(from, to, 1)).unwrap();
        let out = check_jsonschema(schema, &broken);
        assert!(!out.status.success(), "{file}: {}", show(&out));
    }
}

#[test]
fn ci_recipes_run_what_spec_section_12_asks_for() {
    let github = std::fs::read_to_string(root().join("docs/ci/github-actions.yml")).unwrap();
    for needle in [
        "pull_request:",
        "schedule:",
        "security-events: write",
        "--format sarif",
        "github/codeql-action/upload-sarif@",
        "id-token: write",
        "aws-actions/configure-aws-credentials@",
        "--verify --format emf",
        "--format html",
        "--history reglint-history.jsonl",
        "actions/upload-artifact@",
        "reglint-audit.html",
        // The pull-request gate lints files: the offline build, without the AWS SDK.
        "cargo install --locked --no-default-features",
    ] {
        assert!(
            github.contains(needle),
            "github-actions.yml lacks {needle:?}"
        );
    }
    let gitlab = std::fs::read_to_string(root().join("docs/ci/gitlab-ci.yml")).unwrap();
    for needle in [
        "reglint check --format gitlab --output gl-code-quality-report.json",
        "codequality: gl-code-quality-report.json",
        "when: always",
        "cargo install --locked --no-default-features",
    ] {
        assert!(gitlab.contains(needle), "gitlab-ci.yml lacks {needle:?}");
    }
}

#[test]
fn pre_commit_hook_runs_reglint_check_on_registry_files() {
    // ruamel.yaml comes with check-jsonschema; pre-commit reads the manifest with Python's `re`.
    let script = r#"
import json, re, sys
from ruamel.yaml import YAML
hooks = YAML(typ="safe").load(open(sys.argv[1]))
out = []
for h in hooks:
    files = re.compile(h["files"])
    out.append({k: h.get(k) for k in ["id", "name", "entry", "language", "pass_filenames"]}
               | {"matches": [p for p in sys.argv[2:] if files.search(p)]})
print(json.dumps(out))
"#;
    let out = std::process::Command::new(venv_tool("python"))
        .args(["-c", script])
        .arg(root().join(".pre-commit-hooks.yaml"))
        .args([
            "registry/agents.json",
            "seed/agents.jsonl",
            "export/data/part-0.json.gz",
            "README.md",
            "reglint.toml",
            "src/main.rs",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", show(&out));
    let hooks: Value = serde_json::from_slice(&out.stdout).unwrap();
    let matched = json!([
        "registry/agents.json",
        "seed/agents.jsonl",
        "export/data/part-0.json.gz"
    ]);
    assert_eq!(
        hooks[0],
        json!({"id": "reglint", "name": "reglint", "entry": "reglint check",
               "language": "rust", "pass_filenames": true, "matches": matched})
    );
    assert_eq!(hooks[1]["language"], "system");
    assert_eq!(hooks[1]["entry"], "reglint check");
}
