//! Crash safety: `--fix` killed with SIGKILL at random moments (after a random delay, or
//! while the proxy holds the write after a random number of writes). After every kill each
//! item holds its before- or its after-image and every after-image is journaled; re-running
//! `--fix` converges to exactly what an uninterrupted run gives (a reference table, compared
//! item by item); `undo` of both journals, newest first, gives back the original table.
//!
//! `CRASH_TRIALS` and `CRASH_ITEMS` (default 3 trials of 300 items) and `CRASH_SEED` make
//! the run longer (`scripts/crash-trials.sh`: 20 trials of 1,000 items).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dynamo::{
    all_items, by_key, client, create_table, fixable_items, fixed_image, journal_lines, mix,
    put_items, reglint, reglint_process, sort_sets, sorted_sets, unique, Action, Gate, Item, Proxy,
};
use moto::Moto;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().unwrap())
        .unwrap_or(default)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const FIX: &[&str] = &["--fix", "--select", "RG101,RG105", "--format", "json"];

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > limit {
            eprintln!("gave up waiting for {what}");
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// Each item is whole (before or after), and journaled when it holds its after-image.
fn assert_whole_and_journaled(original: &[Item], now: &HashMap<String, Item>, journal: &Path) {
    let (entries, _) = journal_lines(journal);
    let journaled: Vec<&str> = entries
        .iter()
        .map(|e| e["key"]["agent_id"]["S"].as_str().unwrap())
        .collect();
    assert_eq!(now.len(), original.len(), "no item lost or added");
    for item in original {
        let key = item["agent_id"].as_s().unwrap();
        let (mut before, mut after) = (item.clone(), fixed_image(item));
        sort_sets(&mut before);
        sort_sets(&mut after);
        let got = &now[key];
        if *got == after {
            assert!(
                journaled.contains(&key.as_str()),
                "{key} written without a journal entry"
            );
        } else {
            assert_eq!(*got, before, "{key} is neither before nor after");
        }
    }
}

#[tokio::test]
async fn kill_9_at_random_moments_then_rerun_converges_and_undo_restores() {
    let Some(moto) = Moto::shared() else { return };
    let db = client(moto).await;
    let trials = env_or("CRASH_TRIALS", 3);
    let count = env_or("CRASH_ITEMS", 300) as usize;
    let seed = env_or("CRASH_SEED", 11);
    let items = fixable_items(count);
    let original = by_key(&items);

    // The reference: the same table fixed without interruption.
    let reference_table = unique("crashref");
    create_table(&db, &reference_table, "agent_id", None).await;
    put_items(&db, &reference_table, &items).await;
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = reglint(moto, &moto.endpoint, dir.path())
        .args(["check", "--table", &reference_table])
        .args(FIX)
        .args(["--journal", "ref.jsonl"])
        .output()
        .unwrap();
    let full_run = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let reference = sorted_sets(all_items(&db, &reference_table, "agent_id").await);
    assert_eq!(
        reference,
        by_key(&items.iter().map(fixed_image).collect::<Vec<_>>())
    );

    let mut killed_mid_run = 0;
    for trial in 0..trials {
        let r = mix(seed ^ mix(trial));
        let table = unique("crash");
        create_table(&db, &table, "agent_id", None).await;
        put_items(&db, &table, &items).await;
        let dir = tempfile::tempdir().unwrap();
        // Half the trials stop after a random number of writes (the proxy holds the next
        // ones), half after a random delay within the length of a full run.
        let by_writes = trial % 2 == 1;
        let writes = (mix(r) % count as u64) as u32;
        let delay = Duration::from_millis(mix(r + 1) % (full_run.as_millis() as u64).max(1));
        let gate = Gate::new(if by_writes { writes } else { u32::MAX });
        let g = gate.clone();
        let proxy = Proxy::with_hook(
            moto,
            Arc::new(move |req| {
                if req.operation == "UpdateItem" {
                    g.pass()
                } else {
                    Action::Forward
                }
            }),
        );
        let mut child = reglint_process(moto, &proxy.endpoint, dir.path())
            .args(["-q", "check", "--table", &table])
            .args(FIX)
            .args(["--journal", "j1.jsonl"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let how = if by_writes {
            wait_for("a held write", Duration::from_secs(120), || {
                gate.held() >= 1
            });
            // Let a few more writes pile up on the gate, sometimes.
            std::thread::sleep(Duration::from_millis(mix(r + 2) % 50));
            format!("after {writes} writes")
        } else {
            std::thread::sleep(delay);
            format!("after {delay:?}")
        };
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        gate.release();
        let killed = status.code().is_none();
        killed_mid_run += usize::from(killed);
        let now = sorted_sets(all_items(&db, &table, "agent_id").await);
        let journal = dir.path().join("j1.jsonl");
        let (entries, _) = journal_lines(&journal);
        let changed = now.iter().filter(|(k, v)| original[*k] != **v).count();
        eprintln!(
            "trial {trial}: killed {how} (by signal: {killed}); {} journal entries, {changed} items changed",
            entries.len()
        );
        assert_whole_and_journaled(&items, &now, &journal);

        // Re-run: the same result as the uninterrupted run, item for item.
        let out = reglint(moto, &moto.endpoint, dir.path())
            .args(["check", "--table", &table])
            .args(FIX)
            .args(["--journal", "j2.jsonl"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let rerun = sorted_sets(all_items(&db, &table, "agent_id").await);
        assert_eq!(
            rerun, reference,
            "trial {trial}: converged to the reference"
        );

        // Undo the re-run, then the killed run: the original table.
        for j in ["j2.jsonl", "j1.jsonl"] {
            if !dir.path().join(j).exists() {
                continue;
            }
            let out = reglint(moto, &moto.endpoint, dir.path())
                .args(["undo", j])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "undo {j}: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
        assert_eq!(
            sorted_sets(all_items(&db, &table, "agent_id").await),
            original,
            "trial {trial}: undo restored the original"
        );
    }
    eprintln!("crash trials: {trials}, killed mid-run: {killed_mid_run}, failures: 0");
}
