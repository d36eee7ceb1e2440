//! The one loop every writer uses: read the items of a store, plan their changes, write them
//! through the store, settle what each item holds now (re-read on any skip), and hand each
//! settled item to the caller, which lints it and fills the report. `check --fix` on files and
//! tables, the fixes of `--verify`, the rule-page tests and the fuzz targets all go through
//! [`drive`].

use crate::diagnostic::Fix;
use crate::error::RunError;
use crate::lint::ItemOrigin;
use crate::model::Item;
use crate::report::{FileDiff, Report, WriteRecord};

/// What a run does besides linting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Report,
    /// Plan changes and write them.
    Fix,
    /// Plan changes and show them; write nothing.
    Diff,
}

/// An item as a store read it, with where it came from.
#[derive(Debug, Clone)]
pub struct Read {
    pub item: Item,
    pub origin: ItemOrigin,
}

/// A planned change of one read item.
#[derive(Debug, Clone)]
pub struct Change {
    /// Position of the item in the store's reads.
    pub read: usize,
    pub after: Item,
    pub fixes: Vec<Fix>,
}

/// Why a planned write was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The item no longer holds what was read.
    Changed,
    /// The item was deleted after it was read.
    Deleted,
    /// A key change whose new key is taken by another item.
    KeyTaken,
    /// The write kept colliding with other writers (transaction conflicts, throttling).
    Conflict,
    /// The change cannot be written (for example it would remove a key attribute).
    Invalid(String),
}

impl SkipReason {
    /// The reason as reports name it.
    pub fn as_str(&self) -> &'static str {
        match self {
            SkipReason::Changed => "changed",
            SkipReason::Deleted => "deleted",
            SkipReason::KeyTaken => "key-taken",
            SkipReason::Conflict => "conflict",
            SkipReason::Invalid(_) => "invalid",
        }
    }
}

/// What became of a planned change.
#[derive(Debug, Clone)]
pub enum Outcome {
    Written,
    /// Not written; `current` is the item as the store holds it now (`None`: gone or unknown).
    Skipped {
        reason: SkipReason,
        current: Option<Item>,
    },
    /// `--diff`: would be written.
    Planned,
}

/// A store of items: a file (span edits, compare-then-rename) or a table (compare-and-swap
/// writes, journal first).
pub trait Store {
    /// The source as reports name it.
    fn label(&self) -> &str;
    /// Reads every item, in the store's order.
    fn read(&mut self, each: &mut dyn FnMut(Read)) -> Result<(), RunError>;
    /// Writes the changes; one outcome per change, in order. Adds its notes to the report.
    fn write(
        &mut self,
        reads: &[Read],
        changes: &[Change],
        report: &mut Report,
    ) -> Result<Vec<Outcome>, RunError>;
    /// What the changes would look like, for `--diff`.
    fn diff(&self, reads: &[Read], changes: &[Change]) -> Result<Vec<FileDiff>, RunError>;
    /// After a skip: every item as the store holds it now, when the store is written whole
    /// (a file). `None` for stores whose skips are per item (tables).
    fn reread(&mut self) -> Option<Result<Vec<Read>, RunError>>;
}

/// Plans the change of one item: the new image and the fixes that make it, or `None`.
pub trait Planner {
    fn plan(&self, read: &Read) -> Option<(Item, Vec<Fix>)>;
}

/// One item after the run: what it holds now, and what was planned and done to it.
pub struct Settled<'a> {
    pub read: Read,
    pub change: Option<&'a Change>,
    pub outcome: Option<&'a Outcome>,
}

/// The one loop. In [`Mode::Report`] items stream from the store to `each` without being held.
pub fn drive(
    store: &mut dyn Store,
    planner: &dyn Planner,
    mode: Mode,
    report: &mut Report,
    each: &mut dyn FnMut(Settled, &mut Report),
) -> Result<usize, RunError> {
    if mode == Mode::Report {
        let mut count = 0;
        store.read(&mut |read| {
            count += 1;
            each(
                Settled {
                    read,
                    change: None,
                    outcome: None,
                },
                report,
            );
        })?;
        return Ok(count);
    }
    let mut reads = Vec::new();
    store.read(&mut |r| reads.push(r))?;
    let count = reads.len();
    let changes = plan_all(planner, &reads);
    let outcomes = match mode {
        Mode::Fix if !changes.is_empty() => store.write(&reads, &changes, report)?,
        Mode::Diff => {
            report.diffs.extend(store.diff(&reads, &changes)?);
            vec![Outcome::Planned; changes.len()]
        }
        _ => Vec::new(),
    };
    for (change, outcome) in changes.iter().zip(&outcomes) {
        report.record_write(write_record(&reads[change.read], change, outcome));
    }
    let skipped = outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Skipped { .. }));
    if skipped {
        if let Some(current) = store.reread() {
            // A store written whole was not written at all: what it holds now is checked.
            for read in current? {
                each(
                    Settled {
                        read,
                        change: None,
                        outcome: None,
                    },
                    report,
                );
            }
            return Ok(count);
        }
    }
    settle(reads, &changes, &outcomes, report, each);
    Ok(count)
}

fn plan_all(planner: &dyn Planner, reads: &[Read]) -> Vec<Change> {
    reads
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            planner.plan(r).map(|(after, fixes)| Change {
                read: i,
                after,
                fixes,
            })
        })
        .collect()
}

/// Hands every item to `each` as it is now: the new image when written (or, with `--diff`,
/// planned), the current item when a write was skipped, the read item otherwise.
fn settle(
    reads: Vec<Read>,
    changes: &[Change],
    outcomes: &[Outcome],
    report: &mut Report,
    each: &mut dyn FnMut(Settled, &mut Report),
) {
    let mut planned: Vec<Option<(&Change, Option<&Outcome>)>> = vec![None; reads.len()];
    for (i, c) in changes.iter().enumerate() {
        planned[c.read] = Some((c, outcomes.get(i)));
    }
    for (read, plan) in reads.into_iter().zip(planned) {
        let Some((change, outcome)) = plan else {
            each(
                Settled {
                    read,
                    change: None,
                    outcome: None,
                },
                report,
            );
            continue;
        };
        let now = match outcome {
            Some(Outcome::Written | Outcome::Planned) => Some(change.after.clone()),
            Some(Outcome::Skipped { current, .. }) => current.clone(),
            None => Some(read.item.clone()),
        };
        let Some(item) = now else { continue };
        let read = Read {
            item,
            origin: read.origin,
        };
        each(
            Settled {
                read,
                change: Some(change),
                outcome,
            },
            report,
        );
    }
}

fn write_record(read: &Read, change: &Change, outcome: &Outcome) -> WriteRecord {
    let (outcome_name, reason, current) = match outcome {
        Outcome::Written => ("written", None, None),
        Outcome::Planned => ("planned", None, None),
        Outcome::Skipped { reason, current } => ("skipped", Some(reason.clone()), current.as_ref()),
    };
    let touched = touched_attributes(&read.item, &change.after);
    let current = current.map(|item| {
        touched
            .iter()
            .filter_map(|a| item.value(a).map(|v| (a.clone(), v.to_typed_json())))
            .collect()
    });
    let detail = match &reason {
        Some(SkipReason::Invalid(why)) => Some(why.clone()),
        _ => None,
    };
    WriteRecord {
        source: read.origin.label.clone(),
        index: read.origin.index,
        key: read.origin.key.clone(),
        outcome: outcome_name,
        reason: reason.as_ref().map(SkipReason::as_str),
        detail,
        fixes: change.fixes.len(),
        attributes: touched,
        current,
    }
}

/// The attributes two images of an item differ in, sorted.
pub fn touched_attributes(before: &Item, after: &Item) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for a in &after.attrs {
        match before.value(&a.name) {
            Some(v) if v.same_data(&a.node.value) => {}
            _ => names.push(a.name.to_string()),
        }
    }
    for a in &before.attrs {
        if after.value(&a.name).is_none() {
            names.push(a.name.to_string());
        }
    }
    names.sort();
    names.dedup();
    names
}
