//! The lock of a table target while `apply` or `undo` runs (spec §8.2): a lease in the ledger,
//! renewed by a heartbeat thread every third of its time to live, given back at the end. A
//! run that dies leaves a lease that expires by itself; `--break-lock` takes it at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::aws::ledger::{Ledger, LedgerError};

use super::MigrateError;

/// A lease held by this run.
pub struct Lock {
    pub owner: String,
    target: String,
    ledger: Arc<Ledger>,
    stop: Option<mpsc::Sender<()>>,
    heartbeat: Option<JoinHandle<()>>,
    lost: Arc<AtomicBool>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Who holds a lock, as `status` and the next run see it: user, host, process and run.
pub fn owner_name(run: &str) -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown-host".into());
    format!("{user}@{host} pid {} run {run}", std::process::id())
}

impl Lock {
    /// Takes the target's lease (or, with `break_lock`, whoever's) and starts the heartbeat.
    /// The heartbeat has its own client (`config`): it runs on its own thread and runtime.
    pub fn take(
        runtime: &tokio::runtime::Runtime,
        ledger: Arc<Ledger>,
        config: &aws_config::SdkConfig,
        target: &str,
        owner: String,
        ttl: u64,
        break_lock: bool,
    ) -> Result<Lock, MigrateError> {
        let ttl = ttl.max(3) as i64;
        runtime.block_on(ledger.acquire(target, &owner, now(), ttl, break_lock))?;
        let (tx, rx) = mpsc::channel::<()>();
        let lost = Arc::new(AtomicBool::new(false));
        let beat = Heartbeat {
            ledger: Ledger::new(config, &ledger.table),
            target: target.to_string(),
            owner: owner.clone(),
            ttl,
            lost: lost.clone(),
        };
        let heartbeat = std::thread::Builder::new()
            .name("reglint-lock-heartbeat".into())
            .spawn(move || beat.run(&rx))
            .map_err(|e| MigrateError::io(std::path::Path::new("heartbeat thread"), e))?;
        Ok(Lock {
            owner,
            target: target.to_string(),
            ledger,
            stop: Some(tx),
            heartbeat: Some(heartbeat),
            lost,
        })
    }

    /// Whether another run took the lease meanwhile (the heartbeat could not renew it).
    pub fn lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// Stops the heartbeat and gives the lease back.
    pub fn release(mut self, runtime: &tokio::runtime::Runtime) -> Result<(), MigrateError> {
        self.stop_heartbeat();
        runtime.block_on(self.ledger.release(&self.target, &self.owner))?;
        Ok(())
    }

    fn stop_heartbeat(&mut self) {
        drop(self.stop.take());
        if let Some(h) = self.heartbeat.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // A run that stops on an error leaves the lease to expire; the heartbeat stops now.
        self.stop_heartbeat();
    }
}

struct Heartbeat {
    ledger: Ledger,
    target: String,
    owner: String,
    ttl: i64,
    lost: Arc<AtomicBool>,
}

impl Heartbeat {
    fn run(self, stop: &mpsc::Receiver<()>) {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            self.lost.store(true, Ordering::SeqCst);
            return;
        };
        let every = Duration::from_secs((self.ttl / 3).max(1) as u64);
        while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(every) {
            let renewed =
                runtime.block_on(
                    self.ledger
                        .renew(&self.target, &self.owner, now(), self.ttl),
                );
            match renewed {
                Ok(()) => {}
                Err(e @ LedgerError::LockHeld { .. }) => {
                    tracing::warn!("the lock of {} was taken: {e}", self.target);
                    self.lost.store(true, Ordering::SeqCst);
                    return;
                }
                // Tried again at the next beat; the lease lasts three beats.
                Err(e) => tracing::warn!("the lock of {} was not renewed: {e}", self.target),
            }
        }
    }
}
