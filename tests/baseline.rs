#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Baselines (spec §9) with the built binary, as a team adopting reglint runs it: fingerprints
//! that do not depend on how a path is spelled or where reglint runs, `baseline write`,
//! `check --baseline` (new, unchanged, updated, RG901), `baseline prune`, and SARIF.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn reglint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("reglint").unwrap();
    c.env_remove("REGLINT_LOG")
        .env("NO_COLOR", "1")
        .current_dir(dir);
    c
}

fn agent(id: &str, alias: &str) -> Value {
    serde_json::json!({
        "agent_id": id, "alias_id": alias, "name": format!("agent {id}"),
        "description": "routes requests", "agent_type": "bedrock_agent", "enabled": true,
        "capabilities": ["search"]
    })
}

/// An agentcore entry without `agent_id` (no key value) and without `description` (RG001).
fn keyless(name: &str) -> Value {
    let runtime = name.replace(' ', "_");
    serde_json::json!({
        "name": name, "agent_type": "agentcore", "enabled": true, "capabilities": ["search"],
        "runtime_arn": format!("arn:aws:bedrock-agentcore:us-east-1:843074507558:runtime/{runtime}-Ab12Cd34Ef")
    })
}

/// Three items with findings (a stray quote, a draft alias, a keyless entry) and two clean ones.
fn registry() -> Vec<Value> {
    vec![
        agent("PEGHWIVI5Y", "IO1GTTHP0M\""),
        agent("LK9QW3ER7T", "IO1GTTHP0M"),
        agent("ZX8CV7BN6M", "TSTALIASID"),
        agent("QW1ER2TY3U", "IO1GTTHP0M"),
        keyless("runtime one"),
    ]
}

fn write_items(path: &Path, items: &[Value]) {
    std::fs::write(path, serde_json::to_string_pretty(items).unwrap()).unwrap();
}

/// A project folder: reglint.toml (sources = registry/agents.json) and the registry.
fn project(items: &[Value]) -> (tempfile::TempDir, PathBuf) {
    project_with(items, "")
}

fn project_with(items: &[Value], toml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("registry")).unwrap();
    std::fs::write(
        dir.path().join("reglint.toml"),
        format!("sources = [\"registry/agents.json\"]\n{toml}"),
    )
    .unwrap();
    let file = dir.path().join("registry/agents.json");
    write_items(&file, items);
    (dir, file)
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

fn diagnostics(report: &Value) -> Vec<Value> {
    report["diagnostics"].as_array().unwrap().clone()
}

/// (rule, fingerprint) of every finding, sorted.
fn fingerprints(report: &Value) -> Vec<(String, String)> {
    let mut v: Vec<_> = diagnostics(report)
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn check_json(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = reglint(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), json_of(&out))
}

fn write_baseline(dir: &Path, extra: &[&str]) -> std::process::Output {
    reglint(dir)
        .args(["baseline", "write"])
        .args(extra)
        .output()
        .unwrap()
}

fn entries(path: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(v["schema"], "reglint-baseline/1");
    v["entries"].as_array().unwrap().clone()
}

#[test]
fn fingerprints_do_not_depend_on_path_spelling_or_working_directory() {
    let (dir, file) = project(&registry());
    let root = dir.path();
    let sub = root.join("elsewhere");
    std::fs::create_dir_all(&sub).unwrap();
    let absolute = file.display().to_string();
    let (_, plain) = check_json(root, &["registry/agents.json"]);
    let expected = fingerprints(&plain);
    assert!(expected.len() >= 3, "{plain}");
    for (cwd, arg) in [
        (root.to_path_buf(), Some("./registry/agents.json")),
        (root.to_path_buf(), Some(absolute.as_str())),
        (root.to_path_buf(), Some("registry/../registry/agents.json")),
        (root.to_path_buf(), None),
        (sub.clone(), Some("../registry/agents.json")),
        (sub.clone(), Some(absolute.as_str())),
        (sub.clone(), None),
    ] {
        let (_, report) = check_json(&cwd, arg.as_slice());
        assert_eq!(
            fingerprints(&report),
            expected,
            "from {} with {arg:?}",
            cwd.display()
        );
    }
}

#[test]
fn two_keyless_items_with_the_same_finding_have_distinct_fingerprints() {
    let (dir, _) = project(&[keyless("runtime one"), keyless("runtime two")]);
    let (_, report) = check_json(dir.path(), &[]);
    let rg001: Vec<_> = fingerprints(&report)
        .into_iter()
        .filter(|(rule, _)| rule == "RG001")
        .collect();
    assert_eq!(rg001.len(), 2, "{report}");
    assert_ne!(rg001[0].1, rg001[1].1);
    // Reordering the items keeps each its fingerprint.
    let (dir2, _) = project(&[keyless("runtime two"), keyless("runtime one")]);
    let (_, again) = check_json(dir2.path(), &[]);
    assert_eq!(fingerprints(&again), fingerprints(&report));
}

#[test]
fn a_written_baseline_passes_from_anywhere_and_in_any_item_order() {
    let (dir, file) = project(&registry());
    let root = dir.path();
    let out = write_baseline(root, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let baseline = root.join("reglint-baseline.json");
    let text = std::fs::read_to_string(&baseline).unwrap();
    let listed = entries(&baseline);
    assert_eq!(listed.len(), 3, "{text}");
    // One entry per line, sorted, with the readable parts beside the fingerprint.
    assert_eq!(text.lines().count(), listed.len() + 5, "{text}");
    let first = &listed[0];
    for part in [
        "fingerprint",
        "rule",
        "source",
        "key",
        "value_hash",
        "count",
    ] {
        assert!(first.get(part).is_some(), "{part} missing in {first}");
    }
    assert!(listed.iter().all(|e| e["source"] == "registry/agents.json"));

    // Clean pass: nothing shown, exit 0, the summary counts what the baseline accepts.
    let out = reglint(root)
        .args(["check", "--baseline", "reglint-baseline.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text_out = String::from_utf8_lossy(&out.stdout);
    assert!(!text_out.contains("RG101"), "{text_out}");
    assert!(text_out.contains("--show-baselined"), "{text_out}");
    let (code, report) = check_json(root, &["--baseline", "reglint-baseline.json"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["summary"]["baselined"], 3, "{report}");
    assert_eq!(report["summary"]["errors"], 0, "{report}");
    assert!(diagnostics(&report)
        .iter()
        .all(|d| d["baseline"] == "unchanged"));
    let shown = reglint(root)
        .args([
            "check",
            "--baseline",
            "reglint-baseline.json",
            "--show-baselined",
        ])
        .output()
        .unwrap();
    assert_eq!(shown.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&shown.stdout).contains("RG101"));

    // From another folder, with absolute paths.
    let other = tempfile::tempdir().unwrap();
    let (code, report) = check_json(
        other.path(),
        &[
            "--config",
            &root.join("reglint.toml").display().to_string(),
            "--baseline",
            &baseline.display().to_string(),
            &file.display().to_string(),
        ],
    );
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["summary"]["baselined"], 3, "{report}");

    // After shuffling the items.
    let mut shuffled = registry();
    shuffled.reverse();
    shuffled.swap(0, 2);
    write_items(&file, &shuffled);
    let (code, report) = check_json(root, &["--baseline", "reglint-baseline.json"]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["summary"]["baselined"], 3);
    assert_eq!(report["summary"]["warnings"], 0, "no RG901: {report}");
}

fn states(report: &Value) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in diagnostics(report) {
        m.entry(d["baseline"].as_str().unwrap_or("none").to_string())
            .or_default()
            .push(d["rule"].as_str().unwrap().to_string());
    }
    m
}

#[test]
fn new_updated_and_stale_findings_against_the_baseline() {
    let (dir, file) = project(&registry());
    let root = dir.path();
    assert_eq!(write_baseline(root, &[]).status.code(), Some(0));
    let check = || check_json(root, &["--baseline", "reglint-baseline.json"]);

    // A new defect fails the run, and only it is new.
    let mut items = registry();
    items[1] = agent("LK9QW3ER7T", "IO1GTTHP0M\"");
    write_items(&file, &items);
    let (code, report) = check();
    assert_eq!(code, Some(1), "{report}");
    let s = states(&report);
    assert_eq!(s.get("new").map(Vec::len), Some(1), "{s:?}");
    assert_eq!(s.get("unchanged").map(Vec::len), Some(3), "{s:?}");
    assert_eq!(s.get("updated"), None);

    // A changed offending value on the same item and attribute is updated, and fails.
    let mut items = registry();
    items[0] = agent("PEGHWIVI5Y", "IO1GTTHP0M'");
    write_items(&file, &items);
    let (code, report) = check();
    assert_eq!(code, Some(1), "{report}");
    let s = states(&report);
    assert_eq!(
        s.get("updated").cloned(),
        Some(vec!["RG101".to_string()]),
        "{s:?}"
    );
    assert_eq!(s.get("new"), None, "{s:?}");
    assert_eq!(
        s.get("absent"),
        None,
        "the updated entry is not stale: {s:?}"
    );

    // A fixed one yields exactly one RG901, a warning: the run passes.
    let mut items = registry();
    items[0] = agent("PEGHWIVI5Y", "IO1GTTHP0M");
    write_items(&file, &items);
    let (code, report) = check();
    assert_eq!(code, Some(0), "{report}");
    let stale: Vec<_> = diagnostics(&report)
        .into_iter()
        .filter(|d| d["rule"] == "RG901")
        .collect();
    assert_eq!(stale.len(), 1, "{report}");
    assert_eq!(stale[0]["severity"], "warning");
    assert_eq!(stale[0]["baseline"], "absent");
    assert_eq!(stale[0]["location"]["path"], "reglint-baseline.json");
    assert!(
        stale[0]["message"].as_str().unwrap().contains("PEGHWIVI5Y"),
        "{}",
        stale[0]
    );

    // prune removes it; the next check has no RG901.
    let out = reglint(root).args(["baseline", "prune"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let left = entries(&root.join("reglint-baseline.json"));
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|e| e["key"]["agent_id"] != "PEGHWIVI5Y"));
    let (code, report) = check();
    assert_eq!(code, Some(0));
    assert_eq!(report["summary"]["warnings"], 0, "{report}");
    assert_eq!(report["summary"]["baselined"], 2);
}

#[test]
fn write_only_shrinks_unless_new_findings_are_accepted_with_a_reason() {
    let (dir, file) = project(&registry());
    let root = dir.path();
    assert_eq!(write_baseline(root, &[]).status.code(), Some(0));
    let baseline = root.join("reglint-baseline.json");
    let before = std::fs::read_to_string(&baseline).unwrap();

    let mut items = registry();
    items.push(agent("NE1WAG2ENT", "IO1GTTHP0M\""));
    write_items(&file, &items);
    let out = write_baseline(root, &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--accept-new"), "{err}");
    assert_eq!(std::fs::read_to_string(&baseline).unwrap(), before);
    // --accept-new alone is refused by the command line.
    assert_eq!(
        write_baseline(root, &["--accept-new"]).status.code(),
        Some(2)
    );

    let out = write_baseline(
        root,
        &["--accept-new", "--reason", "migrated from the old hub"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let listed = entries(&baseline);
    assert_eq!(listed.len(), 4);
    let added: Vec<_> = listed
        .iter()
        .filter(|e| e.get("accepted").is_some())
        .collect();
    assert_eq!(added.len(), 1, "{listed:?}");
    assert_eq!(added[0]["key"]["agent_id"], "NE1WAG2ENT");
    assert_eq!(added[0]["accepted"]["reason"], "migrated from the old hub");
    assert_eq!(added[0]["accepted"]["date"].as_str().unwrap().len(), 10);

    // Removing is always allowed, and keeps the records of what stays.
    write_items(&file, &items[1..]);
    let out = write_baseline(root, &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let listed = entries(&baseline);
    assert_eq!(listed.len(), 3);
    assert_eq!(
        listed
            .iter()
            .filter(|e| e.get("accepted").is_some())
            .count(),
        1
    );
}

#[test]
fn identical_findings_are_counted_not_collapsed() {
    let twins = vec![
        keyless("twin"),
        keyless("twin"),
        agent("LK9QW3ER7T", "IO1GTTHP0M"),
    ];
    // Identical entries also register the same runtime and name twice (RG301, RG302); that is
    // not the point here.
    let (dir, file) = project_with(&twins, "[rules]\nignore = [\"RG301\", \"RG302\"]\n");
    let root = dir.path();
    assert_eq!(write_baseline(root, &[]).status.code(), Some(0));
    let listed = entries(&root.join("reglint-baseline.json"));
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["count"], 2);
    // A third twin is one new finding beside two unchanged ones.
    let mut three = twins.clone();
    three.push(keyless("twin"));
    write_items(&file, &three);
    let (code, report) = check_json(root, &["--baseline", "reglint-baseline.json"]);
    assert_eq!(code, Some(1));
    let s = states(&report);
    assert_eq!(s.get("unchanged").map(Vec::len), Some(2), "{s:?}");
    assert_eq!(s.get("new").map(Vec::len), Some(1), "{s:?}");
    // One twin fewer: one RG901 for the entry, saying one of its two is gone.
    write_items(&file, &twins[1..]);
    let (_, report) = check_json(root, &["--baseline", "reglint-baseline.json"]);
    let stale: Vec<_> = diagnostics(&report)
        .into_iter()
        .filter(|d| d["rule"] == "RG901")
        .collect();
    assert_eq!(stale.len(), 1, "{report}");
    assert!(stale[0]["message"].as_str().unwrap().contains("1 of its 2"));
}

/// The SARIF 2.1.0 schema as the `serde-sarif` package ships it, from Cargo's registry.
fn sarif_schema() -> Value {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap();
    let src = home.join("registry/src");
    for index in std::fs::read_dir(&src).unwrap().flatten() {
        for pkg in std::fs::read_dir(index.path()).unwrap().flatten() {
            let name = pkg.file_name().to_string_lossy().to_string();
            let schema = pkg.path().join("src/schema.json");
            if name.starts_with("serde-sarif-") && schema.is_file() {
                // The published schema's own patterns for `language` (of a run and of a tool
                // component) have an unescaped `]` that the validator's meta-schema check
                // rejects as a regex; escape it (reglint writes no `language`).
                let text = std::fs::read_to_string(schema).unwrap();
                let text = text.replace(r#"{2}]?$""#, r#"{2}\\]?$""#);
                return serde_json::from_str(&text).unwrap();
            }
        }
    }
    panic!(
        "serde-sarif's src/schema.json not found under {}",
        src.display()
    );
}

#[test]
fn sarif_results_carry_baseline_state_and_the_document_is_valid() {
    let (dir, file) = project(&registry());
    let root = dir.path();
    assert_eq!(write_baseline(root, &[]).status.code(), Some(0));
    let mut items = registry();
    items[0] = agent("PEGHWIVI5Y", "IO1GTTHP0M'"); // updated
    items[1] = agent("LK9QW3ER7T", "IO1GTTHP0M\""); // new
    items.remove(4); // the keyless entry is gone: absent
    write_items(&file, &items);
    let out = reglint(root)
        .args([
            "check",
            "--format",
            "sarif",
            "--baseline",
            "reglint-baseline.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for r in results {
        let state = r["baselineState"]
            .as_str()
            .unwrap_or_else(|| panic!("no baselineState: {r}"));
        *seen.entry(state.to_string()).or_default() += 1;
        let hash = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert_eq!(hash.len(), 32);
    }
    assert_eq!(
        seen,
        BTreeMap::from([
            ("absent".to_string(), 1),
            ("new".to_string(), 1),
            ("unchanged".to_string(), 1),
            ("updated".to_string(), 1),
        ]),
        "{doc}"
    );
    let schema = sarif_schema();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The RG901 page: its registry, after a baseline that accepted a stray quote, raises exactly
/// RG901; after `baseline prune` (the page's fix), the same registry raises nothing.
#[test]
fn the_rg901_page_runs() {
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/RG901.md"))
            .unwrap();
    let (bad, fixed) = page.split_once("Use instead:").unwrap();
    let json_block = |text: &str| -> Vec<Value> {
        let start = text.find("```json\n").unwrap() + "```json\n".len();
        let end = start + text[start..].find("```").unwrap();
        serde_json::from_str(&text[start..end]).unwrap()
    };
    let (bad, fixed) = (json_block(bad), json_block(fixed));
    let mut before = bad.clone();
    before[0]["alias_id"] = Value::String("IO1GTTHP0M\"".into());
    let (dir, file) = project(&before);
    let root = dir.path();
    assert_eq!(write_baseline(root, &[]).status.code(), Some(0));
    write_items(&file, &bad);
    let (code, report) = check_json(root, &["--baseline", "reglint-baseline.json"]);
    assert_eq!(code, Some(0), "{report}");
    let rules: Vec<_> = diagnostics(&report)
        .iter()
        .map(|d| d["rule"].clone())
        .collect();
    assert_eq!(rules, vec![Value::from("RG901")], "{report}");
    let out = reglint(root).args(["baseline", "prune"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    write_items(&file, &fixed);
    let (code, report) = check_json(root, &["--baseline", "reglint-baseline.json"]);
    assert_eq!(code, Some(0));
    assert!(diagnostics(&report).is_empty(), "{report}");
}
