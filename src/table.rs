//! `reglint check dynamodb://TABLE`: scan the live table, lint every item with the same
//! [`Linter`] as files, and with `--fix` write compare-and-swap fixes, each recorded in the
//! journal before it is sent. Printing is left to the renderers; the one live line on stderr
//! (the table about to be changed, before the first write) goes through [`Progress`].

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::aws::convert::{compare_values, item_from_sdk, item_to_sdk, SdkItem};
use crate::aws::journal::{self, Header, JournalWriter, Operation, Outcome};
use crate::aws::table::{
    conditional_move, conditional_update, key_changes, key_of, ConditionalMove, ConditionalUpdate,
    TableError, TableInfo, TableStore, WriteResult,
};
use crate::check::{FixMode, RunError};
use crate::cli::CheckArgs;
use crate::diagnostic::{Applicability, Fix};
use crate::lint::{ItemOrigin, Linter};
use crate::model::{Item, Value};
use crate::report::{escape_terminal, FileDiff, Report};
use crate::rules::registry::RegistryIndex;
use crate::source::{SourceKind, SourceSummary};

/// How many writes are in flight at once.
pub const WRITE_CONCURRENCY: usize = 16;

/// One `check` run over a table.
pub struct TableRun<'a> {
    pub linter: &'a Linter,
    pub mode: FixMode,
    pub args: &'a CheckArgs,
    pub quiet: bool,
    /// With `--verify`: collects the items to verify once linting is done.
    pub verify: Option<&'a std::cell::RefCell<crate::verify::Plan>>,
}

/// Live feedback on stderr: a progress bar when stderr is a terminal, and lines a person needs
/// to see while the run goes on. Nothing with `-q`.
pub struct Progress {
    bar: std::sync::Mutex<ProgressBar>,
    visible: bool,
    quiet: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress {
            bar: std::sync::Mutex::new(ProgressBar::hidden()),
            visible: !quiet && std::io::stderr().is_terminal(),
            quiet,
        }
    }

    fn current(&self) -> ProgressBar {
        self.bar
            .lock()
            .map(|b| b.clone())
            .unwrap_or_else(|_| ProgressBar::hidden())
    }

    fn replace(&self, bar: ProgressBar) {
        if let Ok(mut current) = self.bar.lock() {
            current.finish_and_clear();
            *current = bar;
        }
    }

    fn target(&self) -> ProgressDrawTarget {
        if self.visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        }
    }

    /// A spinner counting items.
    fn spinner(&self, message: String) {
        let style = ProgressStyle::with_template("{spinner} {msg}: {pos} items")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressBar::with_draw_target(None, self.target())
            .with_style(style)
            .with_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        self.replace(bar);
    }

    /// A bar to `len`.
    fn bar(&self, message: String, len: u64) {
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = ProgressBar::with_draw_target(Some(len), self.target())
            .with_style(style)
            .with_message(message);
        self.replace(bar);
    }

    fn inc(&self) {
        self.current().inc(1);
    }

    fn finish(&self) {
        self.current().finish_and_clear();
    }

    /// A line on stderr (escaped), above the bar.
    pub fn line(&self, text: &str) {
        if self.quiet {
            return;
        }
        let text = escape_terminal(text);
        self.current().suspend(|| {
            let _ = writeln!(std::io::stderr(), "{text}");
        });
    }
}

/// An item of the table, as read.
struct Row {
    item: Item,
}

/// A fix to write.
struct Planned {
    index: usize,
    before: SdkItem,
    after: SdkItem,
    fixed: Item,
    fixes: Vec<Fix>,
    write: PlannedWrite,
}

#[derive(Clone)]
enum PlannedWrite {
    Update(ConditionalUpdate),
    Move(ConditionalMove),
}

/// What became of a planned fix.
#[derive(Debug)]
enum Done {
    Written,
    Changed(Option<SdkItem>),
    KeyTaken(Option<SdkItem>),
    /// Not sent (the run stopped first).
    NotSent,
}

fn plain_key(key_schema: &[String], item: &Item) -> serde_json::Map<String, serde_json::Value> {
    key_schema
        .iter()
        .filter_map(|k| item.value(k).map(|v| (k.clone(), v.to_plain_json())))
        .collect()
}

fn show_key(label: &str, key: &serde_json::Map<String, serde_json::Value>) -> String {
    format!("{label} {}", serde_json::Value::Object(key.clone()))
}

fn aws(e: TableError) -> RunError {
    RunError::Aws(e.0)
}

/// Lints (and fixes) every item of the table `table` into the report.
pub fn check_table_source(
    run: &TableRun,
    source_index: usize,
    table: &str,
    report: &mut Report,
    registry: &mut RegistryIndex,
) -> Result<(), RunError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Aws(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(check_table(run, source_index, table, report, registry))
}

async fn check_table(
    run: &TableRun<'_>,
    source_index: usize,
    table: &str,
    report: &mut Report,
    registry: &mut RegistryIndex,
) -> Result<(), RunError> {
    let label = format!("dynamodb://{table}");
    let progress = Progress::new(run.quiet);
    let store = TableStore::connect(&run.args.aws, table)
        .await
        .map_err(aws)?;
    let info = store.describe().await.map_err(aws)?;
    tracing::debug!(arn = %info.arn, keys = ?info.key_schema, status = %info.status, "table described");

    let rows = scan_rows(&store, &info, run, &progress, &label).await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            progress.finish();
            return Err(aws(e));
        }
    };
    let linter = run.linter;
    let keys = &info.key_schema;
    let fixing = run.mode != FixMode::Report;

    let mut planned = Vec::new();
    if fixing {
        for (index, row) in rows.iter().enumerate() {
            let key = plain_key(keys, &row.item);
            let (fixed, fixes) = linter.fix_item_protecting(&row.item, &key, keys);
            if fixes.is_empty() {
                continue;
            }
            match plan(index, &row.item, fixed, fixes, keys) {
                Ok(Some(p)) => planned.push(p),
                Ok(None) => {}
                Err(why) => report.notes.push(format!(
                    "{}: the fix was not applied: {why}",
                    show_key(&label, &key)
                )),
            }
        }
    }

    let mut done: HashMap<usize, Done> = HashMap::new();
    match run.mode {
        FixMode::Diff => {
            for p in &planned {
                let key = plain_key(keys, &rows[p.index].item);
                report.diffs.push(FileDiff {
                    path: show_key(&label, &key),
                    before: pretty(&rows[p.index].item),
                    after: pretty(&p.fixed),
                });
            }
        }
        FixMode::Fix if !planned.is_empty() => {
            let outcome =
                write_fixes(&store, &info, run, &planned, &progress, &label, report).await;
            progress.finish();
            match outcome {
                Ok(d) => done = d,
                Err(e) => {
                    report.aws_calls.extend(store.calls());
                    return Err(e);
                }
            }
        }
        _ => {}
    }

    let plans: HashMap<usize, &Planned> = planned.iter().map(|p| (p.index, p)).collect();
    let count = rows.len();
    for (index, row) in rows.into_iter().enumerate() {
        let plan = plans.get(&index);
        let now: Option<Item> = match (plan, done.get(&index), run.mode) {
            (Some(p), Some(Done::Written), _) => {
                report.summary.fixed += p.fixes.len();
                Some(p.fixed.clone())
            }
            (Some(p), Some(Done::Changed(current)), _) => {
                report.summary.skipped_fixes += p.fixes.len();
                current.as_ref().map(item_from_sdk)
            }
            (Some(p), Some(Done::KeyTaken(_)), _) => {
                report.summary.skipped_fixes += p.fixes.len();
                Some(row.item)
            }
            (Some(p), None, FixMode::Diff) => Some(p.fixed.clone()),
            _ => Some(row.item),
        };
        let Some(item) = now else { continue };
        let origin = ItemOrigin {
            source: source_index,
            label: label.clone(),
            index,
            key: plain_key(keys, &item),
            chunk: None,
            item_span: None,
        };
        for v in linter.lint(&item) {
            if let Some(mut d) = linter.diagnostic(v, &origin) {
                mark_key_fixes_unsafe(d.fix.as_mut(), keys);
                report.push(d);
            }
        }
        if let Some(plan) = run.verify {
            plan.borrow_mut().observe(&item, &origin);
        }
        if linter.registry_rules_enabled() {
            let here = origin.describe(&item);
            for v in registry.observe(&item, linter.settings.local_account.as_deref(), &here) {
                if linter.is_enabled(v.code) {
                    if let Some(d) = linter.diagnostic(v, &origin) {
                        report.push(d);
                    }
                }
            }
        }
    }
    report.summary.items += count;
    report.sources.push(SourceSummary {
        kind: SourceKind::Table,
        path: label,
        items: count,
    });
    report.aws_calls.extend(store.calls());
    Ok(())
}

/// A fix that changes a key attribute is a delete and a put: never safe.
fn mark_key_fixes_unsafe(fix: Option<&mut Fix>, keys: &[String]) {
    if let Some(fix) = fix {
        if fix
            .edits
            .iter()
            .flat_map(|e| e.attributes())
            .any(|a| keys.iter().any(|k| k == a))
        {
            fix.applicability = Applicability::Unsafe;
        }
    }
}

/// An item for `--diff`: DynamoDB JSON, one attribute per line, sorted by name.
fn pretty(item: &Item) -> String {
    let mut attrs: Vec<_> = item.attrs.iter().collect();
    attrs.sort_by(|a, b| a.name.cmp(&b.name));
    let lines: Vec<String> = attrs
        .iter()
        .map(|a| {
            format!(
                "  {}: {}",
                serde_json::Value::String(a.name.clone()),
                a.node.value.to_typed_json()
            )
        })
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

fn items(n: usize) -> String {
    if n == 1 {
        "1 item".into()
    } else {
        format!("{n} items")
    }
}

async fn scan_rows(
    store: &TableStore,
    info: &TableInfo,
    run: &TableRun<'_>,
    progress: &Progress,
    label: &str,
) -> Result<Vec<Row>, TableError> {
    progress.spinner(format!("scanning {label}"));
    let segments = run.args.segments.unwrap_or(1);
    let mut rows = Vec::new();
    store
        .scan(segments, run.args.consistent_read, |item| {
            rows.push(Row {
                item: item_from_sdk(&item),
            });
            progress.inc();
        })
        .await?;
    progress.finish();
    // Deterministic order whatever the segments and pages: by key.
    let keys = &info.key_schema;
    rows.sort_by(|a, b| {
        for k in keys {
            let ord = match (a.item.value(k), b.item.value(k)) {
                (Some(x), Some(y)) => compare_values(x, y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        std::cmp::Ordering::Equal
    });
    Ok(rows)
}

/// The write for a fixed item, or why it cannot be written.
fn plan(
    index: usize,
    item: &Item,
    fixed: Item,
    fixes: Vec<Fix>,
    keys: &[String],
) -> Result<Option<Planned>, String> {
    for k in keys {
        let kind = |i: &Item| i.value(k).map(Value::type_name);
        if kind(&fixed) != kind(item) {
            return Err(format!(
                "it would remove key attribute {k} or change its type"
            ));
        }
    }
    let before = item_to_sdk(item).map_err(|e| e.to_string())?;
    let after = item_to_sdk(&fixed).map_err(|e| e.to_string())?;
    let write = if key_changes(keys, &before, &after) {
        PlannedWrite::Move(conditional_move(keys, &before, &after))
    } else {
        match conditional_update(keys, &before, &after) {
            Some(u) => PlannedWrite::Update(u),
            None => return Ok(None),
        }
    };
    Ok(Some(Planned {
        index,
        before,
        after,
        fixed,
        fixes,
        write,
    }))
}

/// Writes every planned fix, at most [`WRITE_CONCURRENCY`] at a time, each recorded in the
/// journal first. The first error other than a failed condition stops the run.
async fn write_fixes(
    store: &TableStore,
    info: &TableInfo,
    run: &TableRun<'_>,
    planned: &[Planned],
    progress: &Progress,
    label: &str,
    report: &mut Report,
) -> Result<HashMap<usize, Done>, RunError> {
    let journal_path = run
        .args
        .journal
        .clone()
        .unwrap_or_else(|| journal::default_path(&store.name));
    let notice = format!(
        "about to fix {} in {} (account {}, region {}{}); journal: {}",
        items(planned.len()),
        info.arn,
        info.account(),
        store.region,
        store
            .endpoint
            .as_ref()
            .map(|e| format!(", endpoint {e}"))
            .unwrap_or_default(),
        journal_path.display()
    );
    // Said before the first write, where a person can still stop the run; the report's note
    // at the end says what was done.
    progress.line(&notice);
    let header = Header {
        journal: journal::FORMAT.into(),
        run: uuid::Uuid::new_v4().to_string(),
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        table: store.name.clone(),
        table_arn: info.arn.clone(),
        region: store.region.clone(),
        endpoint: store.endpoint.clone(),
        key_schema: info.key_schema.clone(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
    };
    let journal =
        JournalWriter::create(&journal_path, &header).map_err(|source| RunError::Write {
            path: journal_path.display().to_string(),
            source,
        })?;
    let journal = Arc::new(journal);
    let store = Arc::new(store.clone());
    let limit = Arc::new(tokio::sync::Semaphore::new(WRITE_CONCURRENCY));
    let stop = Arc::new(AtomicBool::new(false));
    progress.bar(format!("fixing {label}"), planned.len() as u64);

    let mut tasks = tokio::task::JoinSet::new();
    for (n, p) in planned.iter().enumerate() {
        let seq = n as u64 + 1;
        let index = p.index;
        let (store, journal, limit, stop) =
            (store.clone(), journal.clone(), limit.clone(), stop.clone());
        let keys = info.key_schema.clone();
        let (before, after) = (p.before.clone(), p.after.clone());
        let write = p.write.clone();
        tasks.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return (index, Done::NotSent, None);
            };
            if stop.load(Ordering::SeqCst) {
                return (index, Done::NotSent, None);
            }
            let op = match write {
                PlannedWrite::Update(_) => Operation::Update,
                PlannedWrite::Move(_) => Operation::KeyChange,
            };
            let j = journal.clone();
            let recorded = tokio::task::spawn_blocking(move || {
                j.record(seq, op, &key_of(&keys, &before), &before, &after)
            })
            .await;
            match recorded {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    stop.store(true, Ordering::SeqCst);
                    let msg = format!(
                        "cannot append to the journal {}: {e}; stopped before this write",
                        journal.path().display()
                    );
                    return (index, Done::NotSent, Some(TableError(msg)));
                }
                Err(e) => {
                    stop.store(true, Ordering::SeqCst);
                    return (
                        index,
                        Done::NotSent,
                        Some(TableError(format!("journal writer stopped: {e}"))),
                    );
                }
            }
            let result = match &write {
                PlannedWrite::Update(u) => store.update(u).await,
                PlannedWrite::Move(m) => store.move_item(m).await,
            };
            let (done, outcome, error) = match result {
                Ok(WriteResult::Written) => (Done::Written, Outcome::Written, None),
                Ok(WriteResult::Changed { current }) => {
                    (Done::Changed(current), Outcome::Skipped, None)
                }
                Ok(WriteResult::KeyTaken { existing }) => {
                    (Done::KeyTaken(existing), Outcome::Skipped, None)
                }
                Err(e) => {
                    stop.store(true, Ordering::SeqCst);
                    (Done::NotSent, Outcome::Failed, Some(e))
                }
            };
            let j = journal.clone();
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || j.outcome(seq, outcome)).await {
                tracing::warn!("cannot record the outcome of write {seq} in the journal: {e}");
            }
            (index, done, error)
        });
    }

    let by_index: HashMap<usize, &Planned> = planned.iter().map(|p| (p.index, p)).collect();
    let mut done = HashMap::new();
    let mut first_error: Option<TableError> = None;
    let mut written = 0usize;
    while let Some(joined) = tasks.join_next().await {
        let (index, outcome, error) = match joined {
            Ok(t) => t,
            Err(e) => {
                first_error.get_or_insert(TableError(format!("a write task stopped: {e}")));
                continue;
            }
        };
        progress.inc();
        if let Some(e) = error {
            first_error.get_or_insert(e);
        }
        if let Some(p) = by_index.get(&index) {
            if let Some(line) = skipped_line(p, &outcome, &info.key_schema, label) {
                report.notes.push(line);
            }
        }
        if matches!(outcome, Done::Written) {
            written += 1;
        }
        done.insert(index, outcome);
    }
    if let Some(e) = first_error {
        let tail = if written == 0 {
            format!(
                "nothing was written; the journal is {}",
                journal.path().display()
            )
        } else {
            format!(
                "{written} fixes were written before the run stopped; `reglint undo {}` puts them back",
                journal.path().display()
            )
        };
        return Err(RunError::Aws(format!("{}\n{tail}", e.0)));
    }
    let summary = format!(
        "wrote fixes to {written} of {} items in {}; journal: {}",
        planned.len(),
        info.arn,
        journal.path().display()
    );
    report.notes.push(summary);
    Ok(done)
}

/// What a person reads about a fix that was not written.
fn skipped_line(p: &Planned, outcome: &Done, keys: &[String], label: &str) -> Option<String> {
    let read = item_from_sdk(&p.before);
    let key = show_key(label, &plain_key(keys, &read));
    let touched: Vec<&String> = match &p.write {
        PlannedWrite::Update(u) => u.touched.iter().collect(),
        PlannedWrite::Move(_) => {
            let mut all: Vec<&String> = p.before.keys().chain(p.after.keys()).collect();
            all.sort();
            all.dedup();
            all
        }
    };
    let show = |item: &Item, a: &str| {
        item.value(a)
            .map_or_else(|| "absent".to_string(), Value::describe)
    };
    match outcome {
        Done::Changed(Some(current)) => {
            let now = item_from_sdk(current);
            let changes: Vec<String> = touched
                .iter()
                .filter(|a| match (now.value(a), read.value(a)) {
                    (Some(x), Some(y)) => !x.same_data(y),
                    (None, None) => false,
                    _ => true,
                })
                .map(|a| format!("{a} is now {} (read {})", show(&now, a), show(&read, a)))
                .collect();
            let what = if changes.is_empty() {
                "it changed".to_string()
            } else {
                changes.join(", ")
            };
            Some(format!(
                "skipped the fix of {key}: the item changed after it was read: {what}; nothing was overwritten"
            ))
        }
        Done::Changed(None) => Some(format!(
            "skipped the fix of {key}: the item was deleted after it was read; nothing was written"
        )),
        Done::KeyTaken(existing) => {
            let new_key = show_key(label, &plain_key(keys, &p.fixed));
            let who = existing
                .as_ref()
                .map(item_from_sdk)
                .and_then(|e| e.value(crate::schema::NAME).map(Value::describe))
                .map(|n| format!(" (named {n})"))
                .unwrap_or_default();
            Some(format!(
                "skipped the key change of {key} to {new_key}: that key is already used by another item{who}; nothing was overwritten"
            ))
        }
        Done::Written | Done::NotSent => None,
    }
}
