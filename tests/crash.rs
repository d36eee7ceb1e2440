//! Crash safety: `--fix` killed with SIGKILL at random moments (after a random delay, or
//! while the proxy holds the write after a random number of writes). After every kill each
//! item holds its before- or its after-image and every after-image is journaled; re-running
//! `--fix` converges to exactly what an uninterrupted run gives (a reference table, compared
//! item by item); `undo` of both journals, newest first, gives back the original table.
//!
//! A trial counts only when its kill landed mid-run: the process was still running, and some
//! writes were journaled, not all. The delays are drawn from the window in which the writes
//! of an uninterrupted run, measured first in the same test on this machine, reached the
//! server; a delay that misses moves within that window and the trial is tried again.
//!
//! `CRASH_TRIALS` and `CRASH_ITEMS` (default 3 trials of 300 items) and `CRASH_SEED` make
//! the run longer (`scripts/crash-trials.sh`: 20 trials of 1,000 items). Runs on dynoxide.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/moto.rs"]
mod moto;

#[path = "support/dynoxide.rs"]
mod dynoxide;

#[path = "support/dynamo.rs"]
mod dynamo;

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dynamo::{
    all_items, by_key, client, create_table, fixable_items, fixed_image, journal_lines, mix,
    put_items, reglint, reglint_process, sort_sets, sorted_sets, unique, Action, Gate, Item, Proxy,
    Server,
};

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

/// When the writes of an uninterrupted run reached the server, counted from the start of
/// the process.
#[derive(Debug, Clone, Copy)]
struct WriteWindow {
    first: Duration,
    last: Duration,
}

/// The uninterrupted run: `--fix` of `table` through a proxy (as in the trials) that notes
/// when each UpdateItem arrives. Asserts that it wrote every item once.
fn measured_run(server: &impl Server, table: &str, count: usize) -> WriteWindow {
    let arrivals: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let a = arrivals.clone();
    let proxy = Proxy::with_hook(
        server,
        Arc::new(move |req| {
            if req.operation == "UpdateItem" {
                a.lock().unwrap().push(Instant::now());
            }
            Action::Forward
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = reglint(server, &proxy.endpoint, dir.path())
        .args(["-q", "check", "--table", table])
        .args(FIX)
        .args(["--journal", "ref.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let arrivals = arrivals.lock().unwrap();
    assert_eq!(arrivals.len(), count, "one write per item");
    WriteWindow {
        first: arrivals[0] - started,
        last: arrivals[count - 1] - started,
    }
}

/// How a trial stops the run.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// The proxy lets this many writes through and holds the next ones.
    AfterWrites(u32),
    /// SIGKILL this long after the start.
    AfterDelay(Duration),
}

/// Starts `--fix` of `table` (journal `j1.jsonl` in `dir`), stops it as `stop` says with
/// SIGKILL, and returns whether it was still running when killed.
fn killed_run(server: &impl Server, table: &str, dir: &Path, stop: Stop) -> bool {
    let gate = Gate::new(match stop {
        Stop::AfterWrites(n) => n,
        Stop::AfterDelay(_) => u32::MAX,
    });
    let g = gate.clone();
    let proxy = Proxy::with_hook(
        server,
        Arc::new(move |req| {
            if req.operation == "UpdateItem" {
                g.pass()
            } else {
                Action::Forward
            }
        }),
    );
    let mut child = reglint_process(server, &proxy.endpoint, dir)
        .args(["-q", "check", "--table", table])
        .args(FIX)
        .args(["--journal", "j1.jsonl"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    match stop {
        Stop::AfterWrites(_) => {
            wait_for("a held write", Duration::from_secs(120), || {
                gate.held() >= 1
            });
        }
        Stop::AfterDelay(delay) => std::thread::sleep(delay),
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    gate.release();
    status.code().is_none()
}

/// A trial counts only when the kill landed mid-run: the process was still running, and
/// some writes were journaled, not all. A delay that missed (the machine was faster or
/// slower than in the measured run) is moved into the part of the window not yet tried: a
/// kill before the first journal entry moves it later, one after the last moves it earlier.
/// A missed attempt is checked like any other and undone before the next one.
async fn kill_9_at_random_moments_then_rerun_converges_and_undo_restores(server: &impl Server) {
    let db = client(server).await;
    let trials = env_or("CRASH_TRIALS", 3);
    let count = env_or("CRASH_ITEMS", 300) as usize;
    let seed = env_or("CRASH_SEED", 11);
    let items = fixable_items(count);
    let original = by_key(&items);

    // The reference: the same table fixed without interruption, its writes timed.
    let reference_table = unique("crashref");
    create_table(&db, &reference_table, "agent_id", None).await;
    put_items(&db, &reference_table, &items).await;
    let window = measured_run(server, &reference_table, count);
    eprintln!(
        "{}: uninterrupted run: writes from {:?} to {:?}",
        server.name(),
        window.first,
        window.last
    );
    assert!(window.last > window.first, "{window:?}");
    let reference = sorted_sets(all_items(&db, &reference_table, "agent_id").await);
    assert_eq!(
        reference,
        by_key(&items.iter().map(fixed_image).collect::<Vec<_>>())
    );

    for trial in 0..trials {
        let r = mix(seed ^ mix(trial));
        let table = unique("crash");
        create_table(&db, &table, "agent_id", None).await;
        put_items(&db, &table, &items).await;
        // Half the trials stop after a random number of writes (the proxy holds the next
        // ones, so some are journaled and the held ones are not written), half after a random
        // delay inside the measured run's window of writes.
        let by_writes = trial % 2 == 1;
        // At most WRITE_CONCURRENCY (16) writes beyond the gate are journaled while held.
        let writes = 1 + (mix(r) % (count as u64 - 17)) as u32;
        let (mut lo, mut hi) = (window.first, window.last);
        let mut delay = lo + (hi - lo).mul_f64((mix(r + 1) % 1000) as f64 / 1000.0);
        let mut attempts = 0;
        let (dir, how, entries) = loop {
            attempts += 1;
            assert!(
                attempts <= 8,
                "trial {trial}: no kill landed mid-run in 8 attempts (window {window:?}, last delay {delay:?})"
            );
            let dir = tempfile::tempdir().unwrap();
            let stop = if by_writes {
                Stop::AfterWrites(writes)
            } else {
                Stop::AfterDelay(delay)
            };
            let running = killed_run(server, &table, dir.path(), stop);
            let journal = dir.path().join("j1.jsonl");
            let entries = journal_lines(&journal).0.len();
            let now = sorted_sets(all_items(&db, &table, "agent_id").await);
            assert_whole_and_journaled(&items, &now, &journal);
            let how = format!("{stop:?}");
            if running && entries > 0 && entries < count {
                break (dir, how, entries);
            }
            eprintln!("trial {trial}: kill {how} missed (still running: {running}, {entries} of {count} journaled)");
            assert!(
                !by_writes,
                "a kill with a write held lands mid-run: {how}, {entries} journaled"
            );
            if entries == 0 {
                lo = delay;
            } else {
                hi = delay;
                undo(server, dir.path(), "j1.jsonl");
                assert_eq!(
                    sorted_sets(all_items(&db, &table, "agent_id").await),
                    original
                );
            }
            delay = lo + (hi - lo) / 2;
        };
        let journal = dir.path().join("j1.jsonl");
        let now = sorted_sets(all_items(&db, &table, "agent_id").await);
        let changed = now.iter().filter(|(k, v)| original[*k] != **v).count();
        eprintln!(
            "trial {trial}: killed mid-run {how} (attempt {attempts}); {entries} of {count} writes journaled, {changed} items changed"
        );
        assert_whole_and_journaled(&items, &now, &journal);

        // Re-run: the same result as the uninterrupted run, item for item.
        let out = reglint(server, server.endpoint(), dir.path())
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
            if dir.path().join(j).exists() {
                undo(server, dir.path(), j);
            }
        }
        assert_eq!(
            sorted_sets(all_items(&db, &table, "agent_id").await),
            original,
            "trial {trial}: undo restored the original"
        );
    }
    eprintln!(
        "crash trials on {}: {trials}, each killed mid-run, failures: 0",
        server.name()
    );
}

fn undo(server: &impl Server, dir: &Path, journal: &str) {
    let out = reglint(server, server.endpoint(), dir)
        .args(["undo", journal])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "undo {journal}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

// DynamoDB only, and about three times faster on dynoxide than on moto.
dynamo::on_dynoxide!(kill_9_at_random_moments_then_rerun_converges_and_undo_restores);
