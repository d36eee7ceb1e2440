//! The options of `reglint migrate` and its subcommands.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::AwsArgs;

#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub command: MigrateCommand,
    /// Configuration file (default: the nearest reglint.toml upward).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum MigrateCommand {
    /// Write migrations/NNNN_NAME.toml (the next number) and update reglint.sum.
    New { name: String },
    /// Rewrite reglint.sum after editing a migration that is not applied yet.
    Hash,
    /// Check every migration: syntax, checksums, numbering, and the simulated result.
    Lint(TargetArgs),
    /// What apply would do, per migration and op; writes nothing.
    Plan(TargetArgs),
    /// Each migration per table target: applied, pending, running, failed, undone, changed.
    Status(StatusArgs),
    /// Record migrations 1..N as applied without running them (adopting an existing table).
    Stamp(StampArgs),
    /// Apply every pending migration to each target, in order.
    Apply(ApplyArgs),
    /// Revert a table's migrations above N from their journals, latest first.
    Undo(MigrateUndoArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Files or directories (default: `[migrate] targets`, else `sources`).
    pub targets: Vec<String>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Write capacity units per second the run may consume.
    #[arg(long, value_name = "N")]
    pub max_wcu: Option<f64>,
    /// Read capacity units per second the run may consume.
    #[arg(long, value_name = "N")]
    pub max_rcu: Option<f64>,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct LedgerArgs {
    /// The ledger table (default: `[migrate] ledger_table`, else reglint-migrations).
    #[arg(long, value_name = "TABLE")]
    pub ledger_table: Option<String>,
    /// Create the ledger table (PAY_PER_REQUEST) when it does not exist.
    #[arg(long)]
    pub create_ledger: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// dynamodb:// targets.
    pub targets: Vec<String>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, Clone, Args)]
pub struct StampArgs {
    /// A dynamodb:// target.
    pub target: String,
    /// Record migrations 1..N as applied.
    #[arg(value_name = "N")]
    pub upto: u32,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// Files, directories or dynamodb:// tables (default: `[migrate] targets`, else `sources`).
    pub targets: Vec<String>,
    /// Apply the migrations up to N only.
    #[arg(long, value_name = "N")]
    pub to: Option<u32>,
    /// Go on with a migration a stopped run left `running` or `failed`.
    #[arg(long)]
    pub resume: bool,
    /// Scan segments read in parallel.
    #[arg(long, value_name = "N")]
    pub segments: Option<u32>,
    /// Items per scan page: the ledger records where each segment stands after every page
    /// (default: DynamoDB's 1 MB pages).
    #[arg(long, value_name = "N")]
    pub page_size: Option<i32>,
    /// Write capacity units per second the run may consume.
    #[arg(long, value_name = "N")]
    pub max_wcu: Option<f64>,
    /// Read capacity units per second the run may consume.
    #[arg(long, value_name = "N")]
    pub max_rcu: Option<f64>,
    /// Apply without asking (CI); needed for a table when stdin is not a terminal.
    #[arg(long)]
    pub yes: bool,
    /// Apply even where the plan introduces error findings.
    #[arg(long)]
    pub allow_new_findings: bool,
    /// Take the target's lock even though another run holds it (a run that died).
    #[arg(long)]
    pub break_lock: bool,
    /// How long the lock lasts without a heartbeat.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub lock_ttl: u64,
    /// Where the journals of the writes go (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub journal_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}

#[derive(Debug, Clone, Args)]
pub struct MigrateUndoArgs {
    /// A dynamodb:// target.
    pub target: String,
    /// Revert every migration above N (0: all of them).
    #[arg(long, value_name = "N")]
    pub to: u32,
    /// Show what would be restored; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Take the target's lock even though another run holds it (a run that died).
    #[arg(long)]
    pub break_lock: bool,
    /// How long the lock lasts without a heartbeat.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub lock_ttl: u64,
    #[command(flatten)]
    pub ledger: LedgerArgs,
}
