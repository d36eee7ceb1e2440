//! A live DynamoDB table as a store: a paginated (optionally segmented) scan, and one
//! compare-and-swap write per changed item — `UpdateItem` over exactly the attributes that
//! change, or one `TransactWriteItems` when the key changes — each recorded in the journal
//! before it is sent.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::aws::budget::Budget;
use crate::aws::config::AwsSettings;
use crate::aws::convert::{compare_values, item_from_sdk, item_to_sdk, same_item, SdkItem};
use crate::aws::journal::{self, Header, JournalWriter, Operation};
use crate::aws::table::{
    conditional_move, conditional_update, key_changes, key_of, ConditionalMove, ConditionalUpdate,
    Cursor, TableError, TableInfo, TableStore, WriteResult,
};
use crate::engine::{Change, Outcome, Read, SkipReason, Store};
use crate::error::RunError;
use crate::lint::ItemOrigin;
use crate::model::{Item, Value};
use crate::report::{FileDiff, Progress, Report};

/// How many writes are in flight at once.
pub const WRITE_CONCURRENCY: usize = 16;
/// How often a write that collides with other writers (a transaction conflict) is tried.
const CONFLICT_ATTEMPTS: u32 = 3;

/// How a table is read and written.
#[derive(Debug, Clone, Default)]
pub struct TableOptions {
    pub segments: u32,
    pub consistent_read: bool,
    /// Where `--fix` records its writes (default: a new file named after the table and time).
    pub journal: Option<PathBuf>,
    pub quiet: bool,
    /// The capacity the run may consume.
    pub budget: Option<Arc<Budget>>,
    /// What the writes are, for the line said before them (default "fix").
    pub action: Option<&'static str>,
    /// Items per scan page (default: DynamoDB's 1 MB pages).
    pub page_size: Option<i32>,
}

/// A table source.
pub struct TableSource {
    runtime: tokio::runtime::Runtime,
    store: TableStore,
    info: TableInfo,
    source_index: usize,
    label: String,
    options: TableOptions,
    progress: Progress,
    /// The journal the writes go to, once opened, and the sequence number of its last entry.
    journal: Option<(Arc<JournalWriter>, u64)>,
    /// In paged mode, each segment's place: every `read` reads the next page of each.
    cursors: Option<Vec<Cursor>>,
    /// Items read so far (their positions in the store's reads).
    read_so_far: usize,
}

fn aws(e: TableError) -> RunError {
    RunError::Aws(e.0)
}

/// An item's key as plain JSON.
pub fn plain_key(key_schema: &[String], item: &Item) -> serde_json::Map<String, serde_json::Value> {
    key_schema
        .iter()
        .filter_map(|k| item.value(k).map(|v| (k.clone(), v.to_plain_json())))
        .collect()
}

fn show_key(label: &str, key: &serde_json::Map<String, serde_json::Value>) -> String {
    format!("{label} {}", serde_json::Value::Object(key.clone()))
}

impl TableSource {
    /// Connects to `table` and reads its key schema.
    pub fn open(
        settings: &AwsSettings,
        table: &str,
        source_index: usize,
        options: TableOptions,
    ) -> Result<TableSource, RunError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| RunError::Aws(format!("cannot start the async runtime: {e}")))?;
        let budget = options.budget.clone().unwrap_or_default();
        let (store, info) = runtime.block_on(async {
            let store = TableStore::connect(settings, table)
                .await
                .map_err(aws)?
                .with_budget(budget);
            let info = store.describe().await.map_err(aws)?;
            Ok::<_, RunError>((store, info))
        })?;
        tracing::debug!(arn = %info.arn, keys = ?info.key_schema, status = %info.status, "table described");
        let progress = Progress::new(options.quiet);
        Ok(TableSource {
            runtime,
            store,
            info,
            source_index,
            label: format!("dynamodb://{table}"),
            options,
            progress,
            journal: None,
            cursors: None,
            read_so_far: 0,
        })
    }

    pub fn key_schema(&self) -> &[String] {
        &self.info.key_schema
    }

    /// The table's ARN, account and region.
    pub fn info(&self) -> (&str, &str, &str) {
        (&self.info.arn, self.info.account(), &self.store.region)
    }

    /// Where the next writes are journalled (a new journal, opened at the first write).
    pub fn set_journal(&mut self, path: PathBuf) {
        self.options.journal = Some(path);
        self.journal = None;
    }

    /// Paged mode from these places (one per segment): each `read` then reads the next page
    /// of every unfinished segment, so that a caller can record where it stands after each.
    pub fn start_paging(&mut self, cursors: Vec<Cursor>) {
        self.cursors = Some(cursors);
        self.read_so_far = 0;
    }

    /// Back to reading the whole table at each `read`.
    pub fn stop_paging(&mut self) {
        self.cursors = None;
    }

    /// Each segment's place in paged mode.
    pub fn cursors(&self) -> Option<&[Cursor]> {
        self.cursors.as_deref()
    }

    /// Whether paged mode has read every page.
    pub fn exhausted(&self) -> bool {
        self.cursors
            .as_ref()
            .is_none_or(|c| c.iter().all(|c| *c == Cursor::Done))
    }

    fn next_pages(&mut self) -> Result<Vec<Item>, RunError> {
        let Some(cursors) = &self.cursors else {
            return self.scan();
        };
        let (items, next) = self
            .runtime
            .block_on(self.store.scan_pages(
                cursors,
                self.options.consistent_read,
                self.options.page_size,
            ))
            .map_err(aws)?;
        self.cursors = Some(next);
        let mut rows: Vec<Item> = items.iter().map(item_from_sdk).collect();
        let keys = &self.info.key_schema;
        rows.sort_by(|a, b| compare_keys(keys, a, b));
        Ok(rows)
    }

    /// The journal of this store's writes: opened at the first write, kept for the next.
    fn journal_for(&mut self, writes: usize) -> Result<(Arc<JournalWriter>, u64), RunError> {
        if let Some((j, seq)) = &self.journal {
            return Ok((j.clone(), *seq));
        }
        let j = Arc::new(self.open_journal(writes)?);
        self.journal = Some((j.clone(), 0));
        Ok((j, 0))
    }

    /// Waits until the capacity consumed so far is within the budget.
    pub fn drain_budget(&self) {
        self.runtime.block_on(self.store.drain_budget());
    }

    /// The calls made so far, by API.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.store.calls()
    }

    fn scan(&self) -> Result<Vec<Item>, RunError> {
        self.progress.spinner(format!("scanning {}", self.label));
        let segments = self.options.segments.max(1);
        let mut rows = Vec::new();
        let scanned = self.runtime.block_on(self.store.scan(
            segments,
            self.options.consistent_read,
            self.options.page_size,
            |item| {
                rows.push(item_from_sdk(&item));
                self.progress.inc();
            },
        ));
        self.progress.finish();
        scanned.map_err(aws)?;
        // Deterministic order whatever the segments and pages: by key.
        let keys = &self.info.key_schema;
        rows.sort_by(|a, b| compare_keys(keys, a, b));
        Ok(rows)
    }

    fn journal_header(&self) -> Header {
        Header {
            journal: journal::FORMAT.into(),
            run: uuid::Uuid::new_v4().to_string(),
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            table: self.store.name.clone(),
            table_arn: self.info.arn.clone(),
            region: self.store.region.clone(),
            endpoint: self.store.endpoint.clone(),
            key_schema: self.info.key_schema.clone(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
        }
    }

    fn open_journal(&self, writes: usize) -> Result<JournalWriter, RunError> {
        let path = self
            .options
            .journal
            .clone()
            .unwrap_or_else(|| journal::default_path(&self.store.name));
        // Said before the first write, where a person can still stop the run; the report's
        // note at the end says what was done.
        self.progress.line(&format!(
            "about to {} {} in {} (account {}, region {}{}); journal: {}",
            self.options.action.unwrap_or("fix"),
            if self.cursors.is_some() {
                "items page by page".to_string()
            } else {
                items(writes)
            },
            self.info.arn,
            self.info.account(),
            self.store.region,
            self.store
                .endpoint
                .as_ref()
                .map(|e| format!(", endpoint {e}"))
                .unwrap_or_default(),
            path.display()
        ));
        JournalWriter::create(&path, &self.journal_header()).map_err(|e| RunError::write(&path, e))
    }
}

fn compare_keys(keys: &[String], a: &Item, b: &Item) -> std::cmp::Ordering {
    for k in keys {
        let ord = match (a.value(k), b.value(k)) {
            (Some(x), Some(y)) => compare_values(x, y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    std::cmp::Ordering::Equal
}

fn items(n: usize) -> String {
    if n == 1 {
        "1 item".into()
    } else {
        format!("{n} items")
    }
}

/// A change as the table write it needs.
#[derive(Clone)]
struct Planned {
    /// Position in the changes.
    change: usize,
    before: SdkItem,
    after: SdkItem,
    write: PlannedWrite,
}

#[derive(Clone)]
enum PlannedWrite {
    Update(ConditionalUpdate),
    Move(ConditionalMove),
}

/// The write for a changed item: `Ok(None)` when nothing differs, `Err` when it cannot be
/// written.
fn plan_write(
    keys: &[String],
    item: &Item,
    fixed: &Item,
) -> Result<Option<(SdkItem, SdkItem, PlannedWrite)>, String> {
    for k in keys {
        let kind = |i: &Item| i.value(k).map(Value::type_name);
        if kind(fixed) != kind(item) {
            return Err(format!(
                "it would remove key attribute {k} or change its type"
            ));
        }
    }
    let before = item_to_sdk(item).map_err(|e| e.to_string())?;
    let after = item_to_sdk(fixed).map_err(|e| e.to_string())?;
    let write = if key_changes(keys, &before, &after) {
        PlannedWrite::Move(conditional_move(keys, &before, &after))
    } else {
        match conditional_update(keys, &before, &after) {
            Some(u) => PlannedWrite::Update(u),
            None => return Ok(None),
        }
    };
    Ok(Some((before, after, write)))
}

/// What became of one write.
enum Done {
    Result(WriteResult),
    /// Not sent: the run stopped first.
    NotSent,
}

impl Store for TableSource {
    fn label(&self) -> &str {
        &self.label
    }

    fn read(&mut self, each: &mut dyn FnMut(Read)) -> Result<(), RunError> {
        let keys = self.info.key_schema.clone();
        let first = if self.cursors.is_some() {
            self.read_so_far
        } else {
            0
        };
        let rows = self.next_pages()?;
        self.read_so_far = first + rows.len();
        for (n, item) in rows.into_iter().enumerate() {
            let origin = ItemOrigin {
                source: self.source_index,
                label: self.label.clone(),
                index: first + n,
                key: plain_key(&keys, &item),
                chunk: None,
                item_span: None,
            };
            each(Read { item, origin });
        }
        Ok(())
    }

    fn write(
        &mut self,
        reads: &[Read],
        changes: &[Change],
        report: &mut Report,
    ) -> Result<Vec<Outcome>, RunError> {
        let keys = self.info.key_schema.clone();
        let mut outcomes: Vec<Option<Outcome>> = vec![None; changes.len()];
        let mut planned = Vec::new();
        for (i, c) in changes.iter().enumerate() {
            let read = &reads[c.read];
            match plan_write(&keys, &read.item, &c.after) {
                Ok(Some((before, after, write))) => planned.push(Planned {
                    change: i,
                    before,
                    after,
                    write,
                }),
                Ok(None) => outcomes[i] = Some(Outcome::Written),
                Err(why) => {
                    report.note(format!(
                        "{}: the fix was not applied: {why}",
                        show_key(&self.label, &read.origin.key)
                    ));
                    outcomes[i] = Some(Outcome::Skipped {
                        reason: SkipReason::Invalid(why),
                        current: Some(read.item.clone()),
                    });
                }
            }
        }
        if !planned.is_empty() {
            let (journal, last_seq) = self.journal_for(planned.len())?;
            self.progress
                .bar(format!("writing {}", self.label), planned.len() as u64);
            let results = self.runtime.block_on(write_all(
                Arc::new(self.store.clone()),
                journal.clone(),
                keys.clone(),
                (&planned, last_seq),
                &self.progress,
            ));
            if let Some((_, seq)) = &mut self.journal {
                *seq = last_seq + planned.len() as u64;
            }
            self.progress.finish();
            let (done, error) = results;
            let mut written = 0;
            for (p, d) in planned.iter().zip(done) {
                let read = &reads[changes[p.change].read];
                let outcome = self.settle(&keys, p, d, read, &changes[p.change], report);
                written += usize::from(matches!(outcome, Some(Outcome::Written)));
                outcomes[p.change] = outcome;
            }
            if let Some(e) = error {
                return Err(stopped(e, written, journal.path()));
            }
            report.note(format!(
                "wrote fixes to {written} of {} items in {}; journal: {}",
                planned.len(),
                self.info.arn,
                journal.path().display()
            ));
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Outcome::Written))
            .collect())
    }

    fn diff(&self, reads: &[Read], changes: &[Change]) -> Result<Vec<FileDiff>, RunError> {
        Ok(changes
            .iter()
            .map(|c| {
                let read = &reads[c.read];
                FileDiff {
                    path: show_key(&self.label, &read.origin.key),
                    before: pretty(&read.item),
                    after: pretty(&c.after),
                }
            })
            .collect())
    }

    fn reread(&mut self) -> Option<Result<Vec<Read>, RunError>> {
        None
    }
}

impl TableSource {
    /// The outcome of one sent write, with the line a person reads when it was skipped.
    fn settle(
        &self,
        keys: &[String],
        p: &Planned,
        done: Done,
        read: &Read,
        change: &Change,
        report: &mut Report,
    ) -> Option<Outcome> {
        let result = match done {
            Done::NotSent => return None,
            Done::Result(r) => r,
        };
        let who = match &result {
            WriteResult::KeyTaken { existing } => existing
                .as_ref()
                .map(item_from_sdk)
                .and_then(|e| e.value(crate::schema::NAME).map(Value::describe))
                .map(|n| format!(" (named {n})"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let outcome = match result {
            WriteResult::Written => Outcome::Written,
            WriteResult::Changed { current: Some(now) } => Outcome::Skipped {
                reason: SkipReason::Changed,
                current: Some(item_from_sdk(&now)),
            },
            WriteResult::Changed { current: None } => Outcome::Skipped {
                reason: SkipReason::Deleted,
                current: None,
            },
            WriteResult::KeyTaken { .. } => Outcome::Skipped {
                reason: SkipReason::KeyTaken,
                current: Some(read.item.clone()),
            },
            WriteResult::Conflict { current } => Outcome::Skipped {
                reason: SkipReason::Conflict,
                current: current
                    .as_ref()
                    .map(item_from_sdk)
                    .or(Some(read.item.clone())),
            },
        };
        let place = Place {
            keys,
            label: &self.label,
            read,
            change,
        };
        if let Some(line) = skipped_line(&place, p, &outcome, &who) {
            report.note(line);
        }
        Some(outcome)
    }
}

fn stopped(e: TableError, written: usize, journal: &std::path::Path) -> RunError {
    let tail = if written == 0 {
        format!("nothing was written; the journal is {}", journal.display())
    } else {
        format!(
            "{written} fixes were written before the run stopped; `reglint undo {}` puts them back",
            journal.display()
        )
    };
    RunError::Aws(format!("{}\n{tail}", e.0))
}

/// Writes every planned change, at most [`WRITE_CONCURRENCY`] at a time, each recorded in the
/// journal first. The first error other than a failed condition stops the run; the results are
/// in the order of `planned`.
async fn write_all(
    store: Arc<TableStore>,
    journal: Arc<JournalWriter>,
    keys: Vec<String>,
    (planned, last_seq): (&[Planned], u64),
    progress: &Progress,
) -> (Vec<Done>, Option<TableError>) {
    let limit = Arc::new(tokio::sync::Semaphore::new(WRITE_CONCURRENCY));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = tokio::task::JoinSet::new();
    for (n, p) in planned.iter().enumerate() {
        let task = WriteTask {
            seq: last_seq + n as u64 + 1,
            store: store.clone(),
            journal: journal.clone(),
            keys: keys.clone(),
            planned: p.clone(),
            stop: stop.clone(),
        };
        let limit = limit.clone();
        tasks.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return (n, Done::NotSent, None);
            };
            let (done, error) = task.run().await;
            (n, done, error)
        });
    }
    let mut done: Vec<Done> = planned.iter().map(|_| Done::NotSent).collect();
    let mut first_error: Option<TableError> = None;
    while let Some(joined) = tasks.join_next().await {
        progress.inc();
        match joined {
            Ok((n, d, error)) => {
                done[n] = d;
                if let Some(e) = error {
                    first_error.get_or_insert(e);
                }
            }
            Err(e) => {
                first_error.get_or_insert(TableError(format!("a write task stopped: {e}")));
            }
        }
    }
    (done, first_error)
}

/// One journalled write.
struct WriteTask {
    seq: u64,
    store: Arc<TableStore>,
    journal: Arc<JournalWriter>,
    keys: Vec<String>,
    planned: Planned,
    stop: Arc<AtomicBool>,
}

impl WriteTask {
    async fn run(self) -> (Done, Option<TableError>) {
        if self.stop.load(Ordering::SeqCst) {
            return (Done::NotSent, None);
        }
        if let Err(e) = self.record().await {
            self.stop.store(true, Ordering::SeqCst);
            return (Done::NotSent, Some(e));
        }
        let result = self.send().await;
        let outcome = match &result {
            Ok(WriteResult::Written) => journal::Outcome::Written,
            Ok(_) => journal::Outcome::Skipped,
            Err(_) => journal::Outcome::Failed,
        };
        let (j, seq) = (self.journal.clone(), self.seq);
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || j.outcome(seq, outcome)).await {
            tracing::warn!("cannot record the outcome of write {seq} in the journal: {e}");
        }
        match result {
            Ok(r) => (Done::Result(r), None),
            Err(e) => {
                self.stop.store(true, Ordering::SeqCst);
                (Done::NotSent, Some(e))
            }
        }
    }

    async fn record(&self) -> Result<(), TableError> {
        let op = match self.planned.write {
            PlannedWrite::Update(_) => Operation::Update,
            PlannedWrite::Move(_) => Operation::KeyChange,
        };
        let (j, seq) = (self.journal.clone(), self.seq);
        let key = key_of(&self.keys, &self.planned.before);
        let (before, after) = (self.planned.before.clone(), self.planned.after.clone());
        match tokio::task::spawn_blocking(move || j.record(seq, op, &key, &before, &after)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(TableError(format!(
                "cannot append to the journal {}: {e}; stopped before this write",
                self.journal.path().display()
            ))),
            Err(e) => Err(TableError(format!("journal writer stopped: {e}"))),
        }
    }

    /// Sends the write; a transaction that collides with other writers is tried again.
    async fn send(&self) -> Result<WriteResult, TableError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = match &self.planned.write {
                PlannedWrite::Update(u) => self.store.update(u).await?,
                PlannedWrite::Move(m) => self.send_move(m).await?,
            };
            match result {
                WriteResult::Conflict { .. } if attempt < CONFLICT_ATTEMPTS => {
                    let pause = 50u64 << attempt;
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
                WriteResult::Conflict { .. } => {
                    let now = self
                        .store
                        .get(&key_of(&self.keys, &self.planned.before))
                        .await?;
                    return Ok(WriteResult::Conflict { current: now });
                }
                other => return Ok(other),
            }
        }
    }

    /// A key change deletes the old item on condition that it holds every attribute that was
    /// read; DynamoDB cannot also require that no attribute was added, so the old item is read
    /// again (strongly consistent) just before, and an item that gained an attribute is left.
    async fn send_move(&self, m: &ConditionalMove) -> Result<WriteResult, TableError> {
        let now = self.store.get(&m.delete_key).await?;
        match now {
            Some(now) if same_item(&now, &self.planned.before) => self.store.move_item(m).await,
            Some(now) => Ok(WriteResult::Changed { current: Some(now) }),
            None => self.store.move_item(m).await,
        }
    }
}

/// The item a skipped write was for.
struct Place<'a> {
    keys: &'a [String],
    label: &'a str,
    read: &'a Read,
    change: &'a Change,
}

/// What a person reads about a write that was not made; `who` names the item that holds a
/// taken key.
fn skipped_line(place: &Place, p: &Planned, outcome: &Outcome, who: &str) -> Option<String> {
    let Outcome::Skipped { reason, current } = outcome else {
        return None;
    };
    let Place {
        keys,
        label,
        read,
        change,
    } = *place;
    let key = show_key(label, &read.origin.key);
    let touched: Vec<String> = match &p.write {
        PlannedWrite::Update(u) => u.touched.clone(),
        PlannedWrite::Move(_) => crate::engine::touched_attributes(&read.item, &change.after),
    };
    let show = |item: &Item, a: &str| {
        item.value(a)
            .map_or_else(|| "absent".to_string(), Value::describe)
    };
    Some(match (reason, current) {
        (SkipReason::Changed, Some(now)) => {
            let changes: Vec<String> = touched
                .iter()
                .filter(|a| match (now.value(a), read.item.value(a)) {
                    (Some(x), Some(y)) => !x.same_data(y),
                    (None, None) => false,
                    _ => true,
                })
                .map(|a| format!("{a} is now {} (read {})", show(now, a), show(&read.item, a)))
                .collect();
            let what = if changes.is_empty() {
                "it changed".to_string()
            } else {
                changes.join(", ")
            };
            format!("skipped the fix of {key}: the item changed after it was read: {what}; nothing was overwritten")
        }
        (SkipReason::Deleted, _) | (SkipReason::Changed, None) => format!(
            "skipped the fix of {key}: the item was deleted after it was read; nothing was written"
        ),
        (SkipReason::KeyTaken, _) => {
            let new_key = show_key(label, &plain_key(keys, &change.after));
            format!("skipped the key change of {key} to {new_key}: that key is already used by another item{who}; nothing was overwritten")
        }
        (SkipReason::Conflict, _) => format!(
            "skipped the fix of {key}: the write kept colliding with other writers (transaction conflict); nothing was overwritten, run --fix again"
        ),
        (SkipReason::Invalid(why), _) => format!("skipped the fix of {key}: {why}"),
    })
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
                serde_json::Value::String(a.name.to_string()),
                a.node.value.to_typed_json()
            )
        })
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}
