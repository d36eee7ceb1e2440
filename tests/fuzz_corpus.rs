//! Every file of the committed fuzz corpus (`fuzz/corpus/<target>/`) fed to its target, on the
//! stable toolchain: the seeds and every input a fuzzer ever crashed on stay regressions.

use std::path::{Path, PathBuf};

use reglint::fuzzing::{self, TARGETS};
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
