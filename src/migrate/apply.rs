//! `reglint migrate apply` (spec §8.3): every pending migration, in order, through the one
//! engine loop ([`crate::engine::drive`]) — span edits on files, compare-and-swap writes on
//! tables, journalled first. On a table the run holds the target's lock, records each
//! migration in the ledger (`running`, then `applied` or `failed`), and keeps to the budget.

#[cfg(feature = "aws")]
use std::path::Path;
use std::path::PathBuf;
#[cfg(feature = "aws")]
use std::sync::Arc;

#[cfg(feature = "aws")]
use super::command::PlanFormat;
use super::command::Project;
use super::file::Migration;
#[cfg(feature = "aws")]
use super::ledger_command::{connect, runtime, Connected};
#[cfg(feature = "aws")]
use super::lock::{owner_name, Lock};
use super::plan::{self, Budget, MigrationPlan};
use super::{ops, sum, MigrateError};
#[cfg(feature = "aws")]
use crate::aws::budget::Budget as Pace;
use crate::aws::ledger::Counts;
#[cfg(feature = "aws")]
use crate::aws::ledger::Entry;
#[cfg(feature = "aws")]
use crate::aws::table::Cursor;
pub use crate::cli::migrate::ApplyArgs;
use crate::diagnostic::Fix;
use crate::engine::{self, Mode, Planner, Read, Store};
use crate::lint::Linter;
use crate::model::Item;
use crate::report::Report;
use crate::source::SourceSpec;
use crate::store::FileStore;
#[cfg(feature = "aws")]
use crate::store::{TableOptions, TableSource};

/// A migration's changes: the image after its ops, or nothing when the item is not in the old shape.
pub struct MigrationPlanner<'a> {
    pub migration: &'a Migration,
}

impl Planner for MigrationPlanner<'_> {
    fn plan(&self, read: &Read) -> Option<(Item, Vec<Fix>)> {
        let after = ops::apply_all(&self.migration.ops, &read.item)?;
        let title = format!("{:04}_{}", self.migration.version, self.migration.name);
        Some((after, vec![Fix::safe(title, Vec::new())]))
    }
}

/// What one migration did to one target.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub version: u32,
    pub name: String,
    pub checksum: String,
    /// `applied`, `failed`, `running` (conflicts left), `pending` (not reached).
    pub state: &'static str,
    pub counts: Counts,
    pub invalid: u64,
    /// The journals of the writes, one per pass that wrote.
    pub journals: Vec<PathBuf>,
    pub notes: Vec<String>,
    /// The plan the run checked before writing (ops, samples, lint delta, estimate); absent for
    /// migrations applied earlier and for directories of several files.
    pub plan: Option<MigrationPlan>,
}

/// One target's run: its name (path or table ARN) and each migration's result.
pub struct TargetRun {
    pub target: String,
    pub migrations: Vec<Applied>,
}

/// Runs `apply` over every target; the document of what was done and the exit status.
pub fn run(project: &Project, args: &ApplyArgs) -> Result<(Vec<TargetRun>, u8), MigrateError> {
    let migrations: Vec<Migration> = project
        .migrations()?
        .into_iter()
        .filter(|m| args.to.is_none_or(|to| m.version <= to))
        .collect();
    let problems = sum::problems(&migrations, &sum::read(&project.dir)?);
    if let Some(first) = problems.first() {
        return Err(MigrateError::refused(
            format!("the migrations do not match reglint.sum: {first}"),
            "run `reglint migrate lint` for every problem; `migrate hash` after editing a migration that is not applied anywhere",
        ));
    }
    let linter = project.linter()?;
    let mut runs = Vec::new();
    let mut code = 0;
    for (name, spec) in project.targets(&args.targets, false)? {
        let ctx = Ctx {
            project,
            args,
            migrations: &migrations,
            linter: &linter,
        };
        let (run, c) = match &spec {
            SourceSpec::Table(_) => ctx.table(&name)?,
            _ => ctx.files(&spec)?,
        };
        code = code.max(c);
        runs.push(run);
        if code == 2 {
            break;
        }
    }
    Ok((runs, code))
}

struct Ctx<'a> {
    project: &'a Project,
    args: &'a ApplyArgs,
    migrations: &'a [Migration],
    linter: &'a Linter,
}

/// Counts of one pass of the engine over a store.
#[derive(Default)]
struct Pass {
    scanned: u64,
    written: u64,
    conflicts: u64,
    invalid: u64,
    notes: Vec<String>,
}

impl Pass {
    fn absorb(&mut self, p: Pass) {
        self.scanned += p.scanned;
        self.written += p.written;
        self.conflicts += p.conflicts;
        self.invalid += p.invalid;
        self.notes.extend(p.notes);
    }

    fn counts(&self) -> Counts {
        Counts {
            scanned: self.scanned,
            written: self.written,
            unchanged: self
                .scanned
                .saturating_sub(self.written + self.conflicts + self.invalid),
            conflicts: self.conflicts,
        }
    }
}

/// A store a migration is applied to; a table journals each pass in a file of its own.
trait Target: Store {
    /// Called before each pass; returns the journal the pass writes, if any.
    fn journal_for(&mut self, _version: u32, _pass: u32) -> Option<PathBuf> {
        None
    }
    /// Whether each read gives one page (a table) rather than everything (a file).
    fn paged(&self) -> bool {
        false
    }
    fn begin_pages(&mut self) {}
    fn end_pages(&mut self) {}
    /// Whether pages are left to read.
    fn more(&self) -> bool {
        false
    }
    /// Where the reads stand, as the ledger records it.
    fn checkpoint(&self) -> Option<String> {
        None
    }
}

impl Target for FileStore<'_> {}

/// A table, where its journals go, and where the next migration's reads start.
#[cfg(feature = "aws")]
struct TableTarget {
    source: TableSource,
    table: String,
    dir: Option<PathBuf>,
    start: Vec<Cursor>,
}

#[cfg(feature = "aws")]
impl Target for TableTarget {
    fn journal_for(&mut self, version: u32, pass: u32) -> Option<PathBuf> {
        let path = journal_path(self.dir.as_deref(), &self.table, version, pass);
        self.source.set_journal(path.clone());
        Some(path)
    }
    fn paged(&self) -> bool {
        self.source.cursors().is_some()
    }
    fn begin_pages(&mut self) {
        self.source.start_paging(std::mem::take(&mut self.start));
    }
    fn end_pages(&mut self) {
        self.source.stop_paging();
    }
    fn more(&self) -> bool {
        !self.source.exhausted()
    }
    fn checkpoint(&self) -> Option<String> {
        self.source.cursors().map(encode_cursors)
    }
}

/// Cursors as the ledger keeps them: a JSON array of `null`, `"done"` or a typed start key.
#[cfg(feature = "aws")]
fn encode_cursors(cursors: &[Cursor]) -> String {
    let values: Vec<serde_json::Value> = cursors
        .iter()
        .map(|c| match c {
            Cursor::Start => serde_json::Value::Null,
            Cursor::Done => serde_json::Value::from("done"),
            Cursor::After(key) => crate::aws::convert::item_to_json(key),
        })
        .collect();
    serde_json::Value::from(values).to_string()
}

#[cfg(feature = "aws")]
fn decode_cursors(text: &str) -> Option<Vec<Cursor>> {
    let values: Vec<serde_json::Value> = serde_json::from_str(text).ok()?;
    values
        .iter()
        .map(|v| match v {
            serde_json::Value::Null => Some(Cursor::Start),
            serde_json::Value::String(s) if s == "done" => Some(Cursor::Done),
            key => crate::aws::convert::item_from_json(key)
                .ok()
                .map(Cursor::After),
        })
        .collect()
}

#[cfg(feature = "aws")]
impl Store for TableTarget {
    fn label(&self) -> &str {
        self.source.label()
    }
    fn read(&mut self, each: &mut dyn FnMut(Read)) -> Result<(), crate::error::RunError> {
        self.source.read(each)
    }
    fn write(
        &mut self,
        reads: &[Read],
        changes: &[engine::Change],
        report: &mut Report,
    ) -> Result<Vec<engine::Outcome>, crate::error::RunError> {
        self.source.write(reads, changes, report)
    }
    fn diff(
        &self,
        reads: &[Read],
        changes: &[engine::Change],
    ) -> Result<Vec<crate::report::FileDiff>, crate::error::RunError> {
        self.source.diff(reads, changes)
    }
    fn reread(&mut self) -> Option<Result<Vec<Read>, crate::error::RunError>> {
        self.source.reread()
    }
}

/// One pass: read, plan with the migration's ops, write, settle.
fn pass(store: &mut dyn Store, m: &Migration) -> Result<Pass, MigrateError> {
    let mut report = Report::default();
    let planner = MigrationPlanner { migration: m };
    let scanned = engine::drive(store, &planner, Mode::Fix, &mut report, &mut |_, _| {})?;
    let mut p = Pass {
        scanned: scanned as u64,
        ..Pass::default()
    };
    for w in &report.writes {
        match (w.outcome, w.reason) {
            ("written", _) => p.written += 1,
            (_, Some("key-taken" | "invalid")) => p.invalid += 1,
            _ => p.conflicts += 1,
        }
    }
    p.notes = report
        .notes
        .iter()
        .filter(|n| n.starts_with("skipped"))
        .cloned()
        .collect();
    Ok(p)
}

/// Where a paged apply stands: the store's checkpoint and the counts so far.
type Checkpoint<'a> = &'a mut dyn FnMut(Option<String>, Counts) -> Result<(), MigrateError>;

/// A migration applied to a store, page by page where the store reads in pages (each page's
/// checkpoint recorded once every write of it is acknowledged); a second pass re-reads and
/// re-plans the items in conflict.
fn apply_migration(
    store: &mut dyn Target,
    m: &Migration,
    checksum: &str,
    checkpoint: Checkpoint,
) -> Result<Applied, MigrateError> {
    let mut journals = Vec::new();
    journals.extend(store.journal_for(m.version, 1));
    store.begin_pages();
    let mut total = Pass::default();
    loop {
        total.absorb(pass(store, m)?);
        if total.invalid > 0 || !store.paged() {
            break;
        }
        checkpoint(store.checkpoint(), total.counts())?;
        if !store.more() {
            break;
        }
    }
    store.end_pages();
    let mut applied = Applied {
        version: m.version,
        name: m.name.clone(),
        checksum: checksum.to_string(),
        counts: total.counts(),
        invalid: total.invalid,
        notes: std::mem::take(&mut total.notes),
        ..Applied::default()
    };
    if total.conflicts > 0 && total.invalid == 0 {
        journals.extend(store.journal_for(m.version, 2));
        let again = pass(store, m)?;
        applied.counts.written += again.written;
        applied.counts.conflicts = again.conflicts;
        applied.invalid += again.invalid;
        applied.notes = again.notes;
    }
    // A journal exists only where the pass wrote something.
    applied.journals = journals.into_iter().filter(|j| j.exists()).collect();
    applied.state = if applied.invalid > 0 {
        "failed"
    } else if applied.counts.conflicts > 0 {
        "running"
    } else {
        "applied"
    };
    Ok(applied)
}

/// Exit status of a target's migrations: 2 failed, 3 conflicts left, else 0.
fn exit_of(applied: &[Applied]) -> u8 {
    if applied.iter().any(|a| a.state == "failed") {
        2
    } else if applied.iter().any(|a| a.state == "running") {
        3
    } else {
        0
    }
}

fn pending_rows(migrations: &[Migration], checksums: &[String]) -> Vec<Applied> {
    migrations
        .iter()
        .zip(checksums)
        .map(|(m, sum)| Applied {
            version: m.version,
            name: m.name.clone(),
            checksum: sum.clone(),
            state: "pending",
            ..Applied::default()
        })
        .collect()
}

impl Ctx<'_> {
    fn budget(&self) -> Budget {
        let file = &self.project.config.file.migrate;
        Budget {
            max_rcu: self.args.max_rcu.or(file.max_rcu),
            max_wcu: self.args.max_wcu.or(file.max_wcu),
        }
    }

    /// The plan of `migrations` over what `store` holds now; refused when it introduces errors.
    fn check_plan(
        &self,
        store: &mut dyn Store,
        target: &str,
        migrations: &[Migration],
        checksums: &[String],
    ) -> Result<Vec<MigrationPlan>, MigrateError> {
        let mut items = Vec::new();
        store.read(&mut |r| items.push(r.item))?;
        let plans = plan::plan(migrations, checksums, items, self.linter, self.budget());
        let introducing: Vec<String> = plans
            .iter()
            .filter(|p| !p.introduced_errors.is_empty())
            .map(|p| {
                format!(
                    "{:04}_{} ({})",
                    p.version,
                    p.name,
                    p.introduced_errors.join(", ")
                )
            })
            .collect();
        if !introducing.is_empty() && !self.args.allow_new_findings {
            return Err(MigrateError::IntroducesErrors {
                message: format!(
                    "{target}: the plan introduces errors: {}; nothing was written",
                    introducing.join("; ")
                ),
            });
        }
        Ok(plans)
    }

    /// Every file of a file or directory target, each migration in turn.
    fn files(&self, spec: &SourceSpec) -> Result<(TargetRun, u8), MigrateError> {
        let checksums = sum::checksums(self.migrations);
        let format = self
            .project
            .config
            .file
            .registry
            .input_format
            .unwrap_or_default();
        let mut out = Vec::new();
        for file in files_of(spec)? {
            let file_spec = SourceSpec::Path(file.clone());
            let mut store = FileStore::in_memory(self.linter, 0, &file_spec, format, true)?;
            let plans = self.check_plan(
                &mut store,
                &file.display().to_string(),
                self.migrations,
                &checksums,
            )?;
            let mut rows = Vec::new();
            for ((m, sum), p) in self.migrations.iter().zip(&checksums).zip(&plans) {
                if p.items_to_write == 0 {
                    rows.push(Applied {
                        state: "applied",
                        counts: Counts {
                            scanned: p.items as u64,
                            unchanged: p.items as u64,
                            ..Counts::default()
                        },
                        ..pending_rows(std::slice::from_ref(m), std::slice::from_ref(sum)).remove(0)
                    });
                    continue;
                }
                let mut done = apply_migration(&mut store, m, sum, &mut |_, _| Ok(()))?;
                done.plan = Some(p.clone());
                let stop = done.state != "applied";
                rows.push(done);
                if stop {
                    break;
                }
            }
            out.extend(rows.into_iter().map(|a| (file.display().to_string(), a)));
        }
        let label = spec.display();
        let migrations: Vec<Applied> = merge_files(out);
        let code = exit_of(&migrations);
        Ok((
            TargetRun {
                target: label,
                migrations,
            },
            code,
        ))
    }

    /// A table target needs AWS.
    #[cfg(not(feature = "aws"))]
    fn table(&self, target: &str) -> Result<(TargetRun, u8), MigrateError> {
        Err(crate::error::RunError::from(crate::offline::NoAws::new(target)).into())
    }

    /// A table target: lock, ledger, then each pending migration through the engine.
    #[cfg(feature = "aws")]
    fn table(&self, target: &str) -> Result<(TargetRun, u8), MigrateError> {
        let rt = runtime()?;
        let default_ledger = self.project.config.file.migrate.ledger_table.clone();
        let conn = rt.block_on(connect(
            target,
            &self.args.ledger,
            default_ledger.as_deref(),
        ))?;
        let Connected {
            arn,
            ledger,
            table,
            settings,
            config,
        } = conn;
        let ledger = Arc::new(ledger);
        let run_id = uuid::Uuid::new_v4().to_string();
        let lock = Lock::take(
            &rt,
            ledger.clone(),
            &config,
            &arn,
            owner_name(&run_id),
            self.args.lock_ttl,
            self.args.break_lock,
        )?;
        let run = TableRun {
            ctx: self,
            rt: &rt,
            arn: &arn,
            table: &table,
            settings: &settings,
            ledger: &ledger,
            run_id: &run_id,
            lock: &lock,
        };
        let result = run.go();
        // The lease is given back either way, so the next run need not wait; the ledger says
        // where a stopped run stopped.
        let released = lock.release(&rt);
        let done = result?;
        released?;
        Ok(done)
    }
}

/// An apply on one table while this run holds its lock.
#[cfg(feature = "aws")]
struct TableRun<'a> {
    ctx: &'a Ctx<'a>,
    rt: &'a tokio::runtime::Runtime,
    arn: &'a str,
    table: &'a str,
    settings: &'a crate::aws::config::AwsSettings,
    ledger: &'a crate::aws::ledger::Ledger,
    run_id: &'a str,
    lock: &'a Lock,
}

#[cfg(feature = "aws")]
impl TableRun<'_> {
    fn go(&self) -> Result<(TargetRun, u8), MigrateError> {
        let migrations = self.ctx.migrations;
        let checksums = sum::checksums(migrations);
        let entries = self.rt.block_on(self.ledger.entries(self.arn))?;
        let mut rows = Vec::new();
        let mut pending = Vec::new();
        for (m, sum) in migrations.iter().zip(&checksums) {
            let entry = entries.iter().find(|e| e.version == m.version);
            match self.admit(m, sum, entry)? {
                true => pending.push((m.clone(), sum.clone())),
                false => rows.extend(applied_row(m, sum, entry)),
            }
        }
        if pending.is_empty() {
            return Ok((self.result(rows), 0));
        }
        let mut store = self.open()?;
        let (todo, sums): (Vec<Migration>, Vec<String>) = pending.into_iter().unzip();
        let plans = self.ctx.check_plan(&mut store, self.arn, &todo, &sums)?;
        self.confirm(&store, &plans)?;
        for ((m, sum), plan) in todo.iter().zip(&sums).zip(&plans) {
            if self.lock.lost() {
                return Err(MigrateError::refused(
                    format!("{}: another run took the lock; stopped before {:04}_{}", self.arn, m.version, m.name),
                    "`reglint migrate status` shows what is applied; run apply again when the other run is done",
                ));
            }
            let previous = entries.iter().find(|e| e.version == m.version);
            let mut done = self.one(&mut store, m, sum, previous)?;
            done.plan = Some(plan.clone());
            let stop = done.state != "applied";
            rows.push(done);
            if stop {
                break;
            }
        }
        let rest: Vec<Applied> = pending_rows(migrations, &checksums)
            .into_iter()
            .filter(|p| !rows.iter().any(|r| r.version == p.version))
            .collect();
        rows.extend(rest);
        rows.sort_by_key(|r| r.version);
        let code = exit_of(&rows);
        Ok((self.result(rows), code))
    }

    fn result(&self, migrations: Vec<Applied>) -> TargetRun {
        TargetRun {
            target: self.arn.to_string(),
            migrations,
        }
    }

    /// Whether a migration is to be applied now; refuses what the ledger says must not be.
    fn admit(&self, m: &Migration, sum: &str, entry: Option<&Entry>) -> Result<bool, MigrateError> {
        let Some(e) = entry else { return Ok(true) };
        let file = format!("{:04}_{}.toml", m.version, m.name);
        match e.status.as_str() {
            "applied" if e.checksum != sum => Err(MigrateError::refused(
                format!("{file} was applied to {} with checksum {}, but reads {sum} now", self.arn, e.checksum),
                "an applied migration must not change: put the edit in a new migration (restore the file from git)",
            )),
            "applied" => Ok(false),
            "running" | "failed" if !self.ctx.args.resume => Err(MigrateError::refused(
                format!("{file} is `{}` on {}: run {} started it at {} and did not finish{}", e.status, self.arn, e.run, e.started,
                    if e.message.is_empty() { String::new() } else { format!(" ({})", e.message) }),
                "`reglint migrate apply --resume` goes on from where it stopped (writes are preconditioned: nothing is done twice); add --break-lock if the stopped run's lock has not expired",
            )),
            "running" if e.checksum != sum => Err(MigrateError::refused(
                format!("{file} changed since the stopped run began it (checksum {} then, {sum} now)", e.checksum),
                "restore the file the run began with, or `reglint migrate undo` what it wrote",
            )),
            _ => Ok(true),
        }
    }

    fn open(&self) -> Result<TableTarget, MigrateError> {
        let budget = self.ctx.budget();
        let options = TableOptions {
            segments: self.ctx.args.segments.unwrap_or(1),
            page_size: self.ctx.args.page_size,
            quiet: self.ctx.args.format == PlanFormat::Json,
            budget: Some(Arc::new(Pace::new(budget.max_rcu, budget.max_wcu))),
            action: Some("migrate"),
            ..TableOptions::default()
        };
        let source = TableSource::open(self.settings, self.table, 0, options)?;
        Ok(TableTarget {
            source,
            table: self.table.to_string(),
            dir: self.ctx.args.journal_dir.clone(),
            start: Vec::new(),
        })
    }

    /// Asks on a terminal; without one, `--yes` is needed.
    fn confirm(&self, store: &TableTarget, plans: &[MigrationPlan]) -> Result<(), MigrateError> {
        if self.ctx.args.yes {
            return Ok(());
        }
        let (arn, account, region) = store.source.info();
        let writes: usize = plans.iter().map(|p| p.items_to_write).sum();
        let question = format!(
            "apply {} migrations ({} item writes) to {arn} (account {account}, region {region})?",
            plans.len(),
            writes
        );
        if crate::report::migrate::ask(&question)
            .map_err(|e| MigrateError::io(Path::new("stdin"), e))?
        {
            return Ok(());
        }
        Err(MigrateError::refused(
            format!("{arn}: not confirmed; nothing was written"),
            "answer y on a terminal, or pass --yes (CI)",
        ))
    }

    /// One migration: `running` in the ledger, the engine's passes, then how it ended.
    /// Where a migration's reads start: at each segment's first page, or, resuming a run
    /// that recorded checkpoints for this checksum, where it stood (with the same segments).
    fn start_of(&self, sum: &str, previous: Option<&Entry>) -> Result<Resumed, MigrateError> {
        let segments = self.ctx.args.segments.unwrap_or(1).max(1);
        let fresh = Resumed {
            cursors: vec![Cursor::Start; segments as usize],
            counts: Counts::default(),
            journals: Vec::new(),
        };
        let Some(prev) = previous.filter(|p| p.checksum == sum && p.status != "undone") else {
            return Ok(fresh);
        };
        let Some(cursors) = decode_cursors(&prev.checkpoints) else {
            return Ok(Resumed {
                journals: split_paths(&prev.journal),
                ..fresh
            });
        };
        if prev.segments != segments {
            return Err(MigrateError::refused(
                format!(
                    "{:04}: the stopped run scanned in {} segments, this one in {segments}",
                    prev.version, prev.segments
                ),
                format!(
                    "resume with --segments {} (its checkpoints are per segment)",
                    prev.segments
                ),
            ));
        }
        Ok(Resumed {
            cursors,
            counts: prev.counts,
            journals: split_paths(&prev.journal),
        })
    }

    /// One migration: `running` in the ledger, the engine's passes page by page (each page's
    /// checkpoint recorded), then how it ended.
    fn one(
        &self,
        store: &mut TableTarget,
        m: &Migration,
        sum: &str,
        previous: Option<&Entry>,
    ) -> Result<Applied, MigrateError> {
        let resumed = self.start_of(sum, previous)?;
        let mut entry = Entry {
            version: m.version,
            checksum: sum.to_string(),
            status: "running".into(),
            caller: self.lock.owner.clone(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            started: now(),
            ended: String::new(),
            run: self.run_id.to_string(),
            journal: join_paths(&resumed.journals),
            counts: resumed.counts,
            message: String::new(),
            segments: resumed.cursors.len() as u32,
            checkpoints: encode_cursors(&resumed.cursors),
        };
        self.rt.block_on(self.ledger.begin(self.arn, &entry))?;
        store.start = resumed.cursors.clone();
        let base = resumed.counts;
        let mut journals = resumed.journals.clone();
        let result = {
            let entry = &mut entry;
            let mut record = |checkpoint: Option<String>, counts: Counts| {
                entry.checkpoints = checkpoint.unwrap_or_default();
                entry.counts = add(base, counts);
                self.rt.block_on(self.ledger.finish(self.arn, entry))?;
                Ok(())
            };
            apply_migration(store, m, sum, &mut record)
        };
        store.source.drain_budget();
        entry.ended = now();
        match &result {
            Ok(done) => {
                journals.extend(done.journals.iter().cloned());
                entry.status = done.state.into();
                entry.counts = add(base, done.counts);
                if done.invalid > 0 {
                    entry.message = format!("{} items could not be written", done.invalid);
                }
            }
            Err(e) => {
                journals.extend(existing_journals(store, m.version));
                entry.status = "failed".into();
                entry.message = e.to_string();
            }
        }
        journals.dedup();
        entry.journal = join_paths(&journals);
        self.rt.block_on(self.ledger.finish(self.arn, &entry))?;
        result.map(|mut done| {
            done.counts = entry.counts;
            done.journals = journals;
            done
        })
    }
}

/// Where a migration's reads start, and what a stopped run of it did before.
#[cfg(feature = "aws")]
struct Resumed {
    cursors: Vec<Cursor>,
    counts: Counts,
    journals: Vec<PathBuf>,
}

#[cfg(feature = "aws")]
fn add(a: Counts, b: Counts) -> Counts {
    Counts {
        scanned: a.scanned + b.scanned,
        written: a.written + b.written,
        unchanged: a.unchanged + b.unchanged,
        conflicts: b.conflicts,
    }
}

/// The row of a migration the ledger says is applied.
#[cfg(feature = "aws")]
fn applied_row(m: &Migration, sum: &str, entry: Option<&Entry>) -> Option<Applied> {
    let e = entry?;
    Some(Applied {
        version: m.version,
        name: m.name.clone(),
        checksum: sum.to_string(),
        state: "applied",
        counts: Counts::default(),
        journals: split_paths(&e.journal),
        ..Applied::default()
    })
}

/// The journals a failed migration left, by their names.
#[cfg(feature = "aws")]
fn existing_journals(store: &TableTarget, version: u32) -> Vec<PathBuf> {
    let prefix = format!("reglint-journal-{}-migration-{version:04}-", store.table);
    let dir = store.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .filter_map(|p| std::path::absolute(p).ok())
        .collect();
    found.sort();
    found
}

/// Journal paths as the ledger keeps them: one a line.
pub fn join_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn split_paths(text: &str) -> Vec<PathBuf> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(PathBuf::from)
        .collect()
}

/// Files of a target: a file, or the registry files (`.json`, `.jsonl`) directly in a directory.
fn files_of(spec: &SourceSpec) -> Result<Vec<PathBuf>, MigrateError> {
    let SourceSpec::Path(path) = spec else {
        return Err(MigrateError::Usage(
            "stdin cannot be migrated: name the file".into(),
        ));
    };
    if !path.is_dir() {
        return Ok(vec![path.clone()]);
    }
    if path.join("manifest-summary.json").exists() {
        return Err(MigrateError::Usage(format!(
            "{}: a DynamoDB export is read-only; migrate the table, or the files it is made from",
            path.display()
        )));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| MigrateError::io(path, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json" || x == "jsonl"))
        .collect();
    files.sort();
    Ok(files)
}

/// One row per migration over the files of a target: counts added, the worst state kept.
fn merge_files(rows: Vec<(String, Applied)>) -> Vec<Applied> {
    let rank = |s: &str| match s {
        "failed" => 3,
        "running" => 2,
        "pending" => 1,
        _ => 0,
    };
    let mut out: Vec<Applied> = Vec::new();
    for (file, a) in rows {
        let notes = a.notes.iter().map(|n| format!("{file}: {n}"));
        match out.iter_mut().find(|o| o.version == a.version) {
            Some(o) => {
                o.counts.scanned += a.counts.scanned;
                o.counts.written += a.counts.written;
                o.counts.unchanged += a.counts.unchanged;
                o.counts.conflicts += a.counts.conflicts;
                o.invalid += a.invalid;
                o.notes.extend(notes);
                o.plan = None;
                if rank(a.state) > rank(o.state) {
                    o.state = a.state;
                }
            }
            None => {
                let mut a = a.clone();
                a.notes = notes.collect();
                out.push(a);
            }
        }
    }
    out.sort_by_key(|a| a.version);
    out
}

/// The journal of one migration's writes on a table.
#[cfg(feature = "aws")]
fn journal_path(dir: Option<&Path>, table: &str, version: u32, pass: u32) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let name = format!("reglint-journal-{table}-migration-{version:04}-{stamp}-{pass}.jsonl");
    let dir = dir.map(PathBuf::from).unwrap_or_default();
    std::path::absolute(dir.join(&name)).unwrap_or_else(|_| dir.join(name))
}

#[cfg(feature = "aws")]
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
