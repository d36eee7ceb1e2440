#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every file of the committed fuzz corpus (`fuzz/corpus/<target>/`) fed to its target, on the
//! stable toolchain: the seeds and every input a fuzzer ever crashed on stay regressions.

use std::path::{Path, PathBuf};

use reglint::config::Config;
use reglint::fix::{apply_text_edits, text_edits};
use reglint::fuzzing::{self, TARGETS};
use reglint::lint::Linter;
use reglint::model::Value;
use reglint::select::Selection;
use reglint::source::{FileReader, InputFormat};

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

fn corpus_files(target: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let (_, run) = TARGETS.iter().find(|(name, _)| *name == target).unwrap();
    let files = corpus_files(target);
    assert!(
        files.len() >= 20,
        "{target}: only {} corpus files",
        files.len()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|p| {
            let data = std::fs::read(p).unwrap();
            run(&data).err().map(|e| format!("{}: {e}", p.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_target_has_a_corpus_and_a_fuzz_target() {
    for (name, _) in TARGETS {
        assert!(corpus_dir(name).is_dir(), "{name}");
        let target = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/fuzz_targets")
            .join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&target).unwrap();
        assert!(
            text.contains(&format!("reglint::fuzzing::{name}(data)")),
            "{name}"
        );
    }
}

#[test]
fn corpus_plain_json() {
    replay("plain_json");
}

#[test]
fn corpus_typed_json() {
    replay("typed_json");
}

#[test]
fn corpus_json_lines() {
    replay("json_lines");
}

#[test]
fn corpus_config_toml() {
    replay("config_toml");
}

#[test]
fn corpus_fix_round_trip() {
    replay("fix_round_trip");
}

/// The error a reader gives for `bytes`, as `path:line:column: message`.
fn read_error(format: InputFormat, bytes: &[u8]) -> String {
    let reader = FileReader { format };
    let mut items = 0;
    match reader.read_bytes("f.json", bytes, &mut |_| items += 1) {
        Ok(()) => format!("read {items} items"),
        Err(e) => e.to_string(),
    }
}

/// fix_round_trip found it: an item with a key written twice was linted and fixed on the first
/// value, while serializers keep the last one, and the fixed file no longer read back as the
/// fixed item. A key written twice is now an input error.
#[test]
fn regression_duplicate_key_is_an_input_error() {
    let doc = br#"[{"agent_id": "PEGHWIVI5Y\"", "agent_id": "QJ7XK2M9ZT\""}]"#;
    assert_eq!(
        read_error(InputFormat::Auto, doc),
        r#"f.json:1:2: the key "agent_id" appears twice in one object"#
    );
    let nested = b"{\"a\": {\"S\": \"x\"},\n \"m\": {\"M\": {\"k\": {\"N\": \"1\"}, \"k\": {\"N\": \"2\"}}}}\n";
    assert_eq!(
        read_error(InputFormat::Dynamodb, nested),
        r#"f.json:1:1: the key "k" appears twice in one object"#
    );
    assert_eq!(fuzzing::fix_round_trip(doc), Ok(()));
    let file = corpus_dir("fix_round_trip").join("regression-duplicate-key.json");
    assert_eq!(std::fs::read(file).unwrap(), doc);
}

/// What `reglint check --fix --unsafe-fixes` writes for `doc` (every rule enabled).
fn fixed_text(doc: &str) -> String {
    let linter = Linter::new(
        &Config::default(),
        &Selection::new(None, Vec::new(), Vec::new()),
        true,
    );
    let reader = FileReader {
        format: InputFormat::Auto,
    };
    let mut edits = Vec::new();
    reader
        .read_bytes("f.json", doc.as_bytes(), &mut |si| {
            let (fixed, _) = linter.fix_item(&si.item, &linter.file_key(&si.item));
            edits.extend(text_edits(&si.item, &fixed, &si.chunk));
        })
        .unwrap();
    apply_text_edits(doc, &mut edits).unwrap()
}

/// The text after removing the attributes `gone` from the item `doc` and adding `added`.
fn edited(doc: &str, gone: &[&str], added: &[(&str, Value)]) -> String {
    let reader = FileReader {
        format: InputFormat::Plain,
    };
    let mut edits = Vec::new();
    reader
        .read_bytes("f.json", doc.as_bytes(), &mut |si| {
            let mut fixed = si.item.clone();
            for name in gone {
                fixed.remove(name);
            }
            for (name, value) in added {
                fixed.set(name, value.clone());
            }
            edits.extend(text_edits(&si.item, &fixed, &si.chunk));
        })
        .unwrap();
    apply_text_edits(doc, &mut edits).unwrap()
}

/// fix_round_trip found it: two neighbouring attributes removed by fixes (RG002 removes a null
/// `agent_id`, RG006 renames `gent_id` to `agent_id`, which RG002 then removes) gave two
/// overlapping deletions, the second was dropped, and `gent_id` stayed in the file.
#[test]
fn regression_adjacent_removals_are_one_edit() {
    let doc = "[\n  {\n    \"agent_id\": null,\n    \"gent_id\": null\n  }\n]\n";
    assert_eq!(fixed_text(doc), "[\n  {\n    \n  }\n]\n");
    assert_eq!(fuzzing::fix_round_trip(doc.as_bytes()), Ok(()));
    let file = corpus_dir("fix_round_trip").join("regression-adjacent-removals.json");
    assert_eq!(std::fs::read_to_string(file).unwrap(), doc);

    let doc = r#"{"a": 1, "b": 2, "c": 3, "d": 4}"#;
    assert_eq!(edited(doc, &["b", "c"], &[]), r#"{"a": 1, "d": 4}"#);
    assert_eq!(edited(doc, &["c", "d"], &[]), r#"{"a": 1, "b": 2}"#);
    assert_eq!(edited(doc, &["a", "b"], &[]), r#"{"c": 3, "d": 4}"#);
    assert_eq!(edited(doc, &["a", "c"], &[]), r#"{"b": 2, "d": 4}"#);
    assert_eq!(edited(doc, &["a", "b", "c", "d"], &[]), "{}");
}

/// Attributes added where the last ones were removed follow the last attribute that stays;
/// with none left, they open the object without a leading comma.
#[test]
fn additions_after_removals_stay_valid_json() {
    let doc = r#"{"a": 1, "b": 2, "c": 3}"#;
    let x = [("x", Value::S("y".into()))];
    assert_eq!(edited(doc, &["c"], &x), r#"{"a": 1, "b": 2, "x": "y"}"#);
    assert_eq!(edited(doc, &["b", "c"], &x), r#"{"a": 1, "x": "y"}"#);
    assert_eq!(edited(doc, &["a", "b", "c"], &x), r#"{"x": "y"}"#);
}
