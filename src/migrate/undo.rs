//! `reglint migrate undo TARGET --to N` (spec §8.3): the migrations above N reverted from their
//! journals, latest first, with the mirror conditions of `reglint undo`; each one reverted in
//! full is marked `undone` in the ledger. Files have no journals: git holds their history.

use std::sync::Arc;

use super::command::Project;
use super::ledger_command::{connect, runtime};
use super::lock::{owner_name, Lock};
use super::MigrateError;
use crate::aws::ledger::Entry;
pub use crate::cli::migrate::MigrateUndoArgs as UndoArgs;
use crate::cli::AwsArgs;
use crate::source::SourceSpec;
use crate::undo::UndoReport;

/// What undo did per migration, latest first, and the exit status (3: an item changed since
/// the migration and was left alone; the run stopped there).
pub struct Undone {
    pub target: String,
    pub migrations: Vec<(u32, UndoReport)>,
    pub code: u8,
}

/// Runs `migrate undo`.
pub fn run(project: &Project, args: &UndoArgs) -> Result<Undone, MigrateError> {
    if !matches!(SourceSpec::parse(&args.target), SourceSpec::Table(_)) {
        return Err(MigrateError::refused(
            format!("{}: a file has no journal to undo from", args.target),
            "files live in version control: `git checkout` the file as it was before the migration",
        ));
    }
    let rt = runtime()?;
    let default = project.config.file.migrate.ledger_table.clone();
    let conn = rt.block_on(connect(&args.target, &args.ledger, default.as_deref()))?;
    let ledger = Arc::new(conn.ledger);
    let run = uuid::Uuid::new_v4().to_string();
    let lock = Lock::take(
        &rt,
        ledger.clone(),
        &conn.config,
        &conn.arn,
        owner_name(&run),
        args.lock_ttl,
        args.break_lock,
    )?;
    let mut entries: Vec<Entry> = rt
        .block_on(ledger.entries(&conn.arn))?
        .into_iter()
        .filter(|e| e.version > args.to && e.status != "undone")
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.version));
    let aws = AwsArgs {
        profile: conn.settings.profile.clone(),
        region: conn.settings.region.clone(),
        endpoint_url: conn.settings.endpoint_url.clone(),
    };
    let mut done = Undone {
        target: conn.arn.clone(),
        migrations: Vec::new(),
        code: 0,
    };
    for mut entry in entries {
        let (report, complete) = revert(&entry, args, &aws)?;
        done.migrations.push((entry.version, report));
        if !complete {
            done.code = 3;
            break;
        }
        if !args.dry_run {
            entry.status = "undone".into();
            entry.run = run.clone();
            entry.ended = chrono::Utc::now().to_rfc3339();
            rt.block_on(ledger.undone(&conn.arn, &entry))?;
        }
    }
    lock.release(&rt)?;
    Ok(done)
}

/// Reverts one migration's journals, the last pass first; whether every item came back.
fn revert(
    entry: &Entry,
    args: &UndoArgs,
    aws: &AwsArgs,
) -> Result<(UndoReport, bool), MigrateError> {
    let mut all = UndoReport {
        dry_run: args.dry_run,
        ..UndoReport::default()
    };
    for journal in super::apply::split_paths(&entry.journal).into_iter().rev() {
        let undo = crate::cli::UndoArgs {
            journal,
            dry_run: args.dry_run,
            aws: aws.clone(),
        };
        let report = match crate::undo::run_undo(&undo) {
            Ok(r) => r,
            Err(stopped) => {
                all.lines.extend(stopped.report.lines);
                all.notes.extend(stopped.report.notes);
                return Err(stopped.error.into());
            }
        };
        let complete = report.exit_code() == 0;
        all.lines.extend(report.lines);
        all.notes.extend(report.notes);
        if !complete {
            return Ok((all, false));
        }
    }
    Ok((all, true))
}
