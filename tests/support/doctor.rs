//! The fixture of the `reglint doctor` and `check --verify` tests: one moto with the world of tests/support/world.rs, a
//! folder with its reglint.toml and registry.json, and the tests run one at a time (they share
//! moto's call counter).
//!
//! Include after `support/moto.rs` and `support/world.rs`:
//!
//! ```ignore
//! #[path = "support/doctor.rs"]
//! mod doctor;
//! ```
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Mutex, MutexGuard, OnceLock};

use super::moto;
use super::world::World;

pub struct Fixture {
    pub moto: moto::Moto,
    pub world: World,
    pub dir: tempfile::TempDir,
}

pub fn fixture() -> Option<(&'static Fixture, MutexGuard<'static, ()>)> {
    static FIXTURE: OnceLock<Result<Fixture, String>> = OnceLock::new();
    static SERIAL: Mutex<()> = Mutex::new(());
    let guard = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let fx = FIXTURE
        .get_or_init(|| {
            let moto = moto::Moto::try_start()?;
            let world = World::build(&moto);
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("reglint.toml"), world.config()).unwrap();
            std::fs::write(
                dir.path().join("registry.json"),
                serde_json::to_string_pretty(&world.registry()).unwrap(),
            )
            .unwrap();
            Ok(Fixture { moto, world, dir })
        })
        .as_ref()
        .or_else(|why| moto::unavailable(why).ok_or(()))
        .ok()?;
    fx.moto.reset_calls();
    Some((fx, guard))
}

impl Fixture {
    /// `reglint doctor` on one entry given by its account, agent and alias, with `extra`.
    pub fn entry(&self, account: &str, agent: &str, alias: &str, extra: &[&str]) -> (i32, String) {
        let mut args = vec![
            "--account",
            account,
            "--agent-id",
            agent,
            "--alias-id",
            alias,
        ];
        args.extend_from_slice(extra);
        self.doctor(&args)
    }

    /// `reglint doctor ARGS` in the fixture's directory (its reglint.toml applies).
    pub fn doctor(&self, args: &[&str]) -> (i32, String) {
        let mut cmd = assert_cmd::Command::cargo_bin("reglint").unwrap();
        cmd.envs(self.moto.env());
        for k in moto::ENV_REMOVE {
            cmd.env_remove(k);
        }
        let out = cmd
            .current_dir(self.dir.path())
            .arg("doctor")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        )
    }
}

pub fn line(out: &str, number: usize) -> &str {
    let prefix = format!("{number:>2}. ");
    out.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no step {number} in:\n{out}"))
}

/// The text under step `number` (its `next:` advice).
pub fn next_of(out: &str, number: usize) -> String {
    let lines: Vec<&str> = out.lines().collect();
    let i = lines.iter().position(|l| *l == line(out, number)).unwrap();
    lines[i + 1].trim().to_string()
}
