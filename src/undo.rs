//! `reglint undo JOURNAL [--dry-run]`: put back what a `--fix` run on a table changed.
//!
//! Entries are undone latest first. An item that still holds the after-image gets its
//! before-image back, on the mirror condition (it still holds the after-image); an item that
//! already holds the before-image needs nothing; anything else changed since the fix and is
//! left alone (exit 3).

use std::io::{self, Write};

use crate::aws::convert::{item_from_sdk, same_item, SdkItem};
use crate::aws::journal::{read_journal, Entry, Journal, JournalError, Operation, Outcome};
use crate::aws::table::{
    conditional_move, conditional_update, key_of, TableError, TableStore, WriteResult,
};
use crate::cli::UndoArgs;
use crate::error::RunError;
use crate::model::{Item, Value};
use crate::report::escape_terminal;

/// What undo did, or would do, with one journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoKind {
    Restored,
    WouldRestore,
    /// The item holds its before-image: the write never happened or was undone.
    AlreadyBefore,
    /// The run recorded that this write was skipped.
    NotWritten,
    /// The item holds neither image: left alone.
    ChangedSince,
}

/// One line of the undo report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoLine {
    pub kind: UndoKind,
    /// `dynamodb://table {"agent_id":"…"}`
    pub item: String,
    pub detail: String,
}

/// Everything an undo run did.
#[derive(Debug, Default)]
pub struct UndoReport {
    pub lines: Vec<UndoLine>,
    pub notes: Vec<String>,
    pub dry_run: bool,
}

impl UndoReport {
    fn count(&self, kind: UndoKind) -> usize {
        self.lines.iter().filter(|l| l.kind == kind).count()
    }

    /// Exit status: 3 when an item changed since the fix and was left alone.
    pub fn exit_code(&self) -> u8 {
        if self.count(UndoKind::ChangedSince) > 0 {
            3
        } else {
            0
        }
    }
}

/// Prints an undo report (every piece of data escaped).
pub fn render_undo(report: &UndoReport, quiet: bool, out: &mut dyn Write) -> io::Result<()> {
    for note in &report.notes {
        if !quiet {
            writeln!(out, "note: {}", escape_terminal(note))?;
        }
    }
    for line in &report.lines {
        let verb = match line.kind {
            UndoKind::Restored => "restored",
            UndoKind::WouldRestore => "would restore",
            UndoKind::AlreadyBefore => "already as before",
            UndoKind::NotWritten => "not written",
            UndoKind::ChangedSince => "changed since the fix, left alone",
        };
        writeln!(
            out,
            "{verb}: {}: {}",
            escape_terminal(&line.item),
            escape_terminal(&line.detail)
        )?;
    }
    if !quiet {
        let first = if report.dry_run {
            format!(
                "{} would be restored (dry run: nothing written)",
                report.count(UndoKind::WouldRestore)
            )
        } else {
            format!("{} restored", report.count(UndoKind::Restored))
        };
        writeln!(
            out,
            "undo: {first}, {} already as before, {} not written, {} changed since (left alone)",
            report.count(UndoKind::AlreadyBefore),
            report.count(UndoKind::NotWritten),
            report.count(UndoKind::ChangedSince),
        )?;
    }
    Ok(())
}

/// An undo that stopped part-way: what it did before, and why it stopped.
#[derive(Debug)]
pub struct Stopped {
    pub report: UndoReport,
    pub error: RunError,
}

impl From<RunError> for Stopped {
    fn from(error: RunError) -> Self {
        Stopped {
            report: UndoReport::default(),
            error,
        }
    }
}

/// Runs `reglint undo`. When it stops part-way, the entries it already restored are in the
/// [`Stopped`] report, so that they can be shown with the error.
pub fn run_undo(args: &UndoArgs) -> Result<UndoReport, Stopped> {
    let journal = match read_journal(&args.journal) {
        Ok(j) => j,
        Err(e @ JournalError::HeaderOnly { .. }) => {
            return Ok(UndoReport {
                lines: Vec::new(),
                notes: vec![e.to_string()],
                dry_run: args.dry_run,
            })
        }
        Err(e) => return Err(RunError::Usage(e.to_string()).into()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Aws(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(undo(args, journal))
}

async fn undo(args: &UndoArgs, journal: Journal) -> Result<UndoReport, Stopped> {
    let header = &journal.header;
    // The journal knows where the table is (its ARN names the region); an endpoint given now,
    // by option or environment, still wins, and the ARN is checked below either way.
    let mut aws = args.aws.clone();
    if aws.region.is_none() {
        aws.region = Some(header.region.clone());
    }
    let endpoint_in_env = ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|e| !e.is_empty()));
    if aws.endpoint_url.is_none() && !endpoint_in_env {
        aws.endpoint_url = header.endpoint.clone();
    }
    let store = TableStore::connect(&aws.settings(), &header.table)
        .await
        .map_err(aws_error)?;
    let info = store.describe().await.map_err(aws_error)?;
    if info.arn != header.table_arn || info.key_schema != header.key_schema {
        return Err(Stopped::from(RunError::Aws(format!(
            "the journal {} is for table {} (key {:?}), but {} here is {} (key {:?}): check --region, --profile and --endpoint-url",
            args.journal.display(),
            header.table_arn,
            header.key_schema,
            header.table,
            info.arn,
            info.key_schema
        ))));
    }
    let mut report = UndoReport {
        dry_run: args.dry_run,
        ..UndoReport::default()
    };
    if let Some(line) = journal.truncated_line {
        report.notes.push(format!(
            "line {line} of {} is incomplete (the run was stopped while writing it) and is ignored: \
             no write is sent before its journal line is complete",
            args.journal.display()
        ));
    }
    let label = format!("dynamodb://{}", header.table);
    for entry in journal.entries.iter().rev() {
        let skipped = journal.outcomes.get(&entry.seq) == Some(&Outcome::Skipped);
        let line = undo_entry(
            &store,
            &header.key_schema,
            entry,
            skipped,
            args.dry_run,
            &label,
        )
        .await;
        match line {
            Ok(line) => report.lines.push(line),
            Err(e) => {
                let restored = report.count(UndoKind::Restored);
                report.notes.push(format!(
                    "undo stopped at entry {} of {}: {restored} entries were restored before it (listed above); run `reglint undo {}` again once the cause is fixed: restored items are recognised and left as they are",
                    entry.seq,
                    args.journal.display(),
                    args.journal.display()
                ));
                return Err(Stopped {
                    report,
                    error: aws_error(e),
                });
            }
        }
    }
    Ok(report)
}

fn aws_error(e: TableError) -> RunError {
    RunError::Aws(e.0)
}

fn show_key(label: &str, keys: &[String], item: &SdkItem) -> String {
    let item = item_from_sdk(item);
    let key: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .filter_map(|k| item.value(k).map(|v| (k.clone(), v.to_plain_json())))
        .collect();
    format!("{label} {}", serde_json::Value::Object(key))
}

fn show(item: &Item, attr: &str) -> String {
    item.value(attr)
        .map_or_else(|| "absent".to_string(), Value::describe)
}

/// `attr "now" -> "then"` for every attribute that differs between two images.
fn differences(from: &SdkItem, to: &SdkItem) -> String {
    differences_with(from, to, " -> ")
}

fn differences_with(from: &SdkItem, to: &SdkItem, arrow: &str) -> String {
    let (a, b) = (item_from_sdk(from), item_from_sdk(to));
    let mut names: Vec<&String> = from.keys().chain(to.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| match (a.value(n), b.value(n)) {
            (Some(x), Some(y)) => !x.same_data(y),
            (None, None) => false,
            _ => true,
        })
        .map(|n| format!("{n} {}{arrow}{}", show(&a, n), show(&b, n)))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn undo_entry(
    store: &TableStore,
    keys: &[String],
    entry: &Entry,
    skipped: bool,
    dry_run: bool,
    label: &str,
) -> Result<UndoLine, TableError> {
    let before = entry.before_item().map_err(TableError)?;
    let after = entry.after_item().map_err(TableError)?;
    let item = show_key(label, keys, &before);
    let line = |kind, detail: String| UndoLine {
        kind,
        item: item.clone(),
        detail,
    };
    if skipped {
        return Ok(line(
            UndoKind::NotWritten,
            "the fix was skipped when it ran; nothing to undo".into(),
        ));
    }
    let at_new = store.get(&key_of(keys, &after)).await?;
    let holds_after = at_new.as_ref().is_some_and(|c| same_item(c, &after));
    let (restorable, already, current) = match entry.op {
        Operation::Update => {
            let already = at_new.as_ref().is_some_and(|c| same_item(c, &before));
            (holds_after, already, at_new)
        }
        Operation::KeyChange => {
            let at_old = store.get(&key_of(keys, &before)).await?;
            let old_holds_before = at_old.as_ref().is_some_and(|c| same_item(c, &before));
            (
                holds_after && at_old.is_none(),
                at_new.is_none() && old_holds_before,
                if holds_after { at_old } else { at_new },
            )
        }
    };
    let what = match entry.op {
        Operation::Update => differences(&after, &before),
        Operation::KeyChange => format!(
            "move back from {} to its old key ({})",
            show_key(label, keys, &after),
            differences(&after, &before)
        ),
    };
    if already {
        return Ok(line(
            UndoKind::AlreadyBefore,
            "the item holds what it held before the fix (the write never happened, or was undone)"
                .into(),
        ));
    }
    if !restorable {
        return Ok(line(
            UndoKind::ChangedSince,
            changed_since(current.as_ref(), &after, keys, label),
        ));
    }
    if dry_run {
        return Ok(line(UndoKind::WouldRestore, what));
    }
    let result = match entry.op {
        Operation::Update => match conditional_update(keys, &after, &before) {
            Some(u) => store.update(&u).await?,
            None => WriteResult::Written,
        },
        Operation::KeyChange => {
            store
                .move_item(&conditional_move(keys, &after, &before))
                .await?
        }
    };
    let (kind, detail) = restore_outcome(result, what, &after, keys, label);
    Ok(line(kind, detail))
}

/// What a restoring write's result means for the undo report.
fn restore_outcome(
    result: WriteResult,
    what: String,
    after: &SdkItem,
    keys: &[String],
    label: &str,
) -> (UndoKind, String) {
    match result {
        WriteResult::Written => (UndoKind::Restored, what),
        WriteResult::Changed { current } => (
            UndoKind::ChangedSince,
            changed_since(current.as_ref(), after, keys, label),
        ),
        WriteResult::Conflict { .. } => (
            UndoKind::ChangedSince,
            "the write kept colliding with other writers (transaction conflict); run undo again"
                .to_string(),
        ),
        WriteResult::KeyTaken { existing } => (
            UndoKind::ChangedSince,
            format!(
                "its old key is used again{}",
                existing
                    .as_ref()
                    .map(|e| format!(" (by an item holding {})", item_from_sdk(e).to_plain_json()))
                    .unwrap_or_default()
            ),
        ),
    }
}

fn changed_since(
    current: Option<&SdkItem>,
    after: &SdkItem,
    keys: &[String],
    label: &str,
) -> String {
    match current {
        None => format!("{} no longer exists", show_key(label, keys, after)),
        Some(c) => format!(
            "it no longer holds what the fix wrote ({})",
            differences_with(after, c, " is now ")
        ),
    }
}
