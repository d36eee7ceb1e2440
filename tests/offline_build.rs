#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The offline build (`cargo install --no-default-features`): built here as a user builds it,
//! into a target directory of its own, and run beside the full build. On seed files it answers
//! byte for byte as the full build does; whatever needs AWS stops with one clear error, exit 2;
//! and its dependency tree holds no AWS crate.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use assert_cmd::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn cargo() -> std::process::Command {
    let mut c =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(ROOT);
    c
}

/// The target directory this test was built in (`…/target`), from the test binary's path
/// (`…/target/release/deps/offline_build-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// The offline binary, built once per run with `--no-default-features --locked` into
/// `target/offline` (so the full build in `target/release` is left alone).
fn offline_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let dir = target_dir().join("offline");
        let out = cargo()
            .args([
                "build",
                "--release",
                "--locked",
                "--no-default-features",
                "--bin",
                "reglint",
            ])
            .arg("--target-dir")
            .arg(&dir)
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the offline build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let binary = dir
            .join("release")
            .join(format!("reglint{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.is_file(), "no binary at {}", binary.display());
        binary
    })
}

fn offline() -> Command {
    let mut c = Command::new(offline_binary());
    c.current_dir(ROOT)
        .env("NO_COLOR", "1")
        .env_remove("REGLINT_LOG");
    c
}

fn full() -> Command {
    let mut c = Command::cargo_bin("reglint").unwrap();
    c.current_dir(ROOT)
        .env("NO_COLOR", "1")
        .env_remove("REGLINT_LOG");
    c
}

fn run(mut c: Command, args: &[&str]) -> Output {
    c.args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_fixture_gives_the_same_report_and_exit_code_as_the_full_build() {
    for format in ["text", "json", "sarif"] {
        let args = ["check", "fixtures/registry.json", "--format", format];
        let (a, b) = (run(offline(), &args), run(full(), &args));
        assert_eq!(b.status.code(), Some(1), "{format}: {}", text(&b.stderr));
        assert_eq!(
            a.status.code(),
            b.status.code(),
            "{format}: {}",
            text(&a.stderr)
        );
        assert!(
            !b.stdout.is_empty(),
            "{format}: the full build printed nothing"
        );
        assert!(
            a.stdout == b.stdout,
            "{format}: the reports differ:\n{}\n---\n{}",
            text(&a.stdout),
            text(&b.stdout)
        );
        assert_eq!(text(&a.stderr), text(&b.stderr), "{format}");
    }
}

#[test]
fn fix_repairs_a_copy_of_the_fixture_as_the_full_build_does() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::fs::read(Path::new(ROOT).join("fixtures/registry.json")).unwrap();
    let mut fixed = Vec::new();
    for (name, binary) in [("offline.json", offline()), ("full.json", full())] {
        let path = dir.path().join(name);
        std::fs::write(&path, &fixture).unwrap();
        let out = run(
            binary,
            &[
                "check",
                path.to_str().unwrap(),
                "--fix",
                "--format",
                "concise",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stderr));
        fixed.push(std::fs::read(&path).unwrap());
    }
    assert_ne!(fixed[0], fixture, "--fix changed nothing");
    assert!(
        !text(&fixed[0]).contains("\"IO1GTTHP0M\\\"\""),
        "the stray quote of RG101 is still there"
    );
    assert!(
        fixed[0] == fixed[1],
        "the two builds fixed the file differently"
    );
    // A second run finds nothing left to fix.
    let again = dir.path().join("offline.json");
    let out = run(offline(), &["check", again.to_str().unwrap(), "--diff"]);
    assert!(!text(&out.stdout).contains("@@"), "{}", text(&out.stdout));
}

#[test]
fn what_needs_aws_stops_with_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    std::fs::write(&journal, "").unwrap();
    let journal = journal.to_str().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let cases: [&[&str]; 9] = [
        &["check", "dynamodb://t"],
        &["check", "--table", "t"],
        &["check", "fixtures/registry.json", "--verify"],
        &[
            "doctor",
            "--source",
            "fixtures/registry.json",
            "--agent-id",
            "PEGHWIVI5Y",
        ],
        &["undo", journal],
        &["diff", "fixtures/registry.json", "dynamodb://t"],
        &["baseline", "write", "dynamodb://t", "--output", baseline],
        &["migrate", "status", "dynamodb://t"],
        &["migrate", "plan", "dynamodb://t"],
    ];
    for args in cases {
        let out = run(offline(), args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("this reglint was built without AWS support"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("cargo install --locked --path ."),
            "{args:?}: {err}"
        );
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed: {}",
            text(&out.stdout)
        );
    }
    // `init` writes into the current directory: a table source writes nothing there.
    let out = offline()
        .current_dir(dir.path())
        .args(["init", "dynamodb://t"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("this reglint was built without AWS support"));
    assert!(!dir.path().join("reglint.toml").exists());
    assert!(!Path::new(baseline).exists());
    // The same command lines in the full build go on to AWS (and fail there otherwise).
    let out = run(
        full(),
        &[
            "check",
            "dynamodb://t",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            "us-east-1",
        ],
    );
    assert!(
        !text(&out.stderr).contains("without AWS support"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn init_from_a_seed_file_needs_no_aws() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(ROOT).join("fixtures/registry.json");
    let out = offline()
        .current_dir(dir.path())
        .arg("init")
        .arg(&fixture)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let config = std::fs::read_to_string(dir.path().join("reglint.toml")).unwrap();
    assert!(config.contains("key = [\"agent_id\"]"), "{config}");
    // No credentials to ask: the hub's account is a placeholder that says why.
    assert!(config.contains("built without AWS support"), "{config}");
    assert!(config.contains("# local_account_id = "), "{config}");
}

#[test]
fn every_command_parses_as_in_the_full_build() {
    for args in [
        &["completions", "bash"][..],
        &["man"],
        &["man", "check"],
        &["--help"],
        &["migrate", "apply", "--help"],
        &["config-schema"],
    ] {
        let (a, b) = (run(offline(), args), run(full(), args));
        assert_eq!(b.status.code(), Some(0), "{args:?}: {}", text(&b.stderr));
        assert_eq!(a.status.code(), Some(0), "{args:?}: {}", text(&a.stderr));
        assert!(a.stdout == b.stdout, "{args:?}: the output differs");
    }
}

#[test]
fn the_offline_dependency_tree_has_no_aws_crate() {
    let tree = |features: &[&str]| {
        let out = cargo()
            .args(["tree", "--locked", "-e", "normal", "--prefix", "none"])
            .args(features)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let offline = tree(&["--no-default-features"]);
    assert!(
        offline.lines().any(|l| l.starts_with("clap v")),
        "{offline}"
    );
    let aws: Vec<&str> = offline
        .lines()
        .filter(|l| l.to_lowercase().contains("aws"))
        .collect();
    assert!(aws.is_empty(), "AWS crates in the offline build: {aws:?}");
    assert!(
        !offline.lines().any(|l| l.starts_with("tokio v")),
        "tokio in the offline build"
    );
    // The full build has them: the check above can fail.
    let full = tree(&[]);
    assert!(
        full.lines().any(|l| l.starts_with("aws-sdk-dynamodb v")),
        "{full}"
    );
}
