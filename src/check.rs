//! `reglint check`: read the sources, lint every item, fix what may be fixed, and build the
//! report. Printing is left to the renderers.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{apply_text_edits, text_edits, write_atomically, TextEdit};
use crate::lint::{ItemOrigin, Linter};
use crate::model::Item;
use crate::report::{FileDiff, Report};
use crate::rules::registry::{Claims, RegistryIndex, Seen};
use crate::source::parallel::{read_parallel, ItemText};
use crate::source::{
    FileReader, InputFormat, SourceError, SourceItem, SourceKind, SourceSpec, SourceSummary,
};

/// Why a run could not be carried out: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<crate::config::ConfigError>),
    #[error("{0}")]
    #[diagnostic(code(reglint::usage))]
    Usage(String),
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(reglint::io))]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    #[diagnostic(code(reglint::aws))]
    Aws(String),
}

impl From<crate::config::ConfigError> for RunError {
    fn from(e: crate::config::ConfigError) -> Self {
        RunError::Config(Box::new(e))
    }
}

/// What `check` does besides linting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FixMode {
    #[default]
    Report,
    /// Apply fixes and write them.
    Fix,
    /// Compute fixes and show them as a diff; write nothing.
    Diff,
}

/// One `check` run over file sources (tables go through [`crate::aws`]).
pub struct FileRun<'a> {
    pub linter: &'a Linter,
    pub input_format: InputFormat,
    pub mode: FixMode,
    /// With `--verify`: collects the items to verify once linting is done.
    pub verify: Option<&'a std::cell::RefCell<crate::verify::Plan>>,
}

/// How a file source is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pipeline {
    /// One item after the other on this thread.
    Sequential,
    /// Files and exports read, parsed and linted by this many threads; same report.
    Parallel(usize),
}

impl Default for Pipeline {
    fn default() -> Self {
        Pipeline::Parallel(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// Lints every item of one file source into the report, and fixes the file when asked.
pub fn check_file_source(
    run: &FileRun,
    source_index: usize,
    spec: &SourceSpec,
    report: &mut Report,
    registry: &mut RegistryIndex,
) -> Result<(), RunError> {
    check_file_source_with(
        run,
        source_index,
        spec,
        report,
        registry,
        Pipeline::default(),
    )
}

/// [`check_file_source`] with the pipeline chosen: reports (not fixes) of files and exports
/// are read in parallel.
pub fn check_file_source_with(
    run: &FileRun,
    source_index: usize,
    spec: &SourceSpec,
    report: &mut Report,
    registry: &mut RegistryIndex,
    pipeline: Pipeline,
) -> Result<(), RunError> {
    let label = spec.display();
    // `--verify` collects items on this thread as they are read: sequential then.
    if let (Pipeline::Parallel(threads), FixMode::Report, SourceSpec::Path(_), None) =
        (pipeline, run.mode, spec, run.verify)
    {
        return check_in_parallel(run, source_index, spec, report, registry, threads);
    }
    let reader = FileReader {
        format: run.input_format,
    };
    let fixing = run.mode != FixMode::Report;
    let writable = match spec {
        SourceSpec::Path(p) => p.is_file() && p.extension().is_none_or(|e| e != "gz"),
        _ => false,
    };
    if run.mode == FixMode::Fix && !writable {
        return Err(RunError::Usage(format!(
            "--fix cannot rewrite {label}: stdin, gzip files and exports are read-only (use --diff to see the changes)"
        )));
    }
    // A file that will be rewritten is read once into memory, so that the bytes written back
    // are the bytes linted; a concurrent change is detected before the rename.
    let original = match (fixing && writable, spec) {
        (true, SourceSpec::Path(p)) => Some(std::fs::read(p).map_err(|e| SourceError::io(p, e))?),
        _ => None,
    };
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut fixes_here = 0usize;
    let mut items = 0usize;
    let linter = run.linter;
    let mut each = |si: SourceItem| {
        items += 1;
        let mut origin = ItemOrigin {
            source: source_index,
            label: label.clone(),
            index: si.index,
            key: linter.file_key(&si.item),
            chunk: Some(si.chunk.clone()),
            item_span: si.item.span,
        };
        let item = if fixing {
            let (fixed, applied) = linter.fix_item(&si.item, &origin.key);
            if !applied.is_empty() {
                edits.extend(text_edits(&si.item, &fixed, &si.chunk));
                fixes_here += applied.len();
                origin.key = linter.file_key(&fixed);
            }
            fixed
        } else {
            si.item
        };
        for v in linter.lint(&item) {
            if let Some(d) = linter.diagnostic(v, &origin) {
                report.push(d);
            }
        }
        if let Some(plan) = run.verify {
            plan.borrow_mut().observe(&item, &origin);
        }
        if linter.registry_rules_enabled() {
            let local = linter.settings.local_account.as_deref();
            let line = item.span.map(|s| si.chunk.line_col(s.start).0);
            let here = Seen::At {
                label: &label,
                index: si.index,
                line,
            };
            for v in registry.observe_claims(&Claims::of(&item, local), &item, local, here) {
                if linter.is_enabled(v.code) {
                    if let Some(d) = linter.diagnostic(v, &origin) {
                        report.push(d);
                    }
                }
            }
        }
    };
    let kind = match (&original, spec) {
        (Some(bytes), SourceSpec::Path(p)) => {
            reader.read_bytes(&p.display().to_string(), bytes, &mut each)?;
            SourceKind::File
        }
        _ => reader.read(spec, &mut each)?,
    };
    report.summary.items += items;
    report.sources.push(SourceSummary {
        kind,
        path: label.clone(),
        items,
    });
    let (Some(original), SourceSpec::Path(path)) = (original, spec) else {
        return Ok(());
    };
    if edits.is_empty() {
        return Ok(());
    }
    let before = String::from_utf8(original).map_err(|e| RunError::Usage(e.to_string()))?;
    let after = apply_text_edits(&before, &mut edits);
    match run.mode {
        FixMode::Diff => {
            report.diffs.push(FileDiff {
                path: label,
                before,
                after,
            });
        }
        FixMode::Fix => {
            write_fixed(path, &before, &after, fixes_here, report)?;
        }
        FixMode::Report => {}
    }
    Ok(())
}

/// The report half of [`check_file_source`] on every core: items are parsed and linted in
/// parallel, then taken in source order for indexes and registry rules.
fn check_in_parallel(
    run: &FileRun,
    source_index: usize,
    spec: &SourceSpec,
    report: &mut Report,
    registry: &mut RegistryIndex,
    threads: usize,
) -> Result<(), RunError> {
    let label = spec.display();
    let linter = run.linter;
    let local = linter.settings.local_account.as_deref();
    let registry_on = linter.registry_rules_enabled();
    let origin_of = |item: &Item, text: &mut ItemText, index: usize| ItemOrigin {
        source: source_index,
        label: label.clone(),
        index,
        key: linter.file_key(item),
        chunk: Some(text.chunk()),
        item_span: item.span,
    };
    let work = |item: &Item, text: &mut ItemText| {
        let violations = linter.lint(item);
        let mut diagnostics = Vec::new();
        if !violations.is_empty() {
            let origin = origin_of(item, text, 0);
            diagnostics.extend(
                violations
                    .into_iter()
                    .filter_map(|v| linter.diagnostic(v, &origin)),
            );
        }
        let claims = if registry_on {
            Claims::of(item, local)
        } else {
            Claims::default()
        };
        (diagnostics, claims)
    };
    let mut items = 0usize;
    let ordered = |index: usize,
                   item: &Item,
                   (diagnostics, claims): (Vec<Diagnostic>, Claims),
                   text: &mut ItemText| {
        items += 1;
        for mut d in diagnostics {
            if let Some(r) = d.item.as_mut() {
                r.index = index;
            }
            report.push(d);
        }
        if registry_on {
            let here = Seen::At {
                label: &label,
                index,
                line: Some(text.line(item)),
            };
            let found = registry.observe_claims(&claims, item, local, here);
            if !found.is_empty() {
                let origin = origin_of(item, text, index);
                for v in found.into_iter().filter(|v| linter.is_enabled(v.code)) {
                    if let Some(d) = linter.diagnostic(v, &origin) {
                        report.push(d);
                    }
                }
            }
        }
    };
    let kind = read_parallel(run.input_format, spec, threads, work, ordered)?;
    report.summary.items += items;
    report.sources.push(SourceSummary {
        kind,
        path: label,
        items,
    });
    Ok(())
}

fn write_fixed(
    path: &Path,
    before: &str,
    after: &str,
    fixes: usize,
    report: &mut Report,
) -> Result<(), RunError> {
    let now = std::fs::read(path).map_err(|e| RunError::Write {
        path: path.display().to_string(),
        source: e,
    })?;
    if now != before.as_bytes() {
        report.summary.skipped_fixes += fixes;
        report.notes.push(format!(
            "{} changed while it was being checked; its {fixes} fixes were not written",
            path.display()
        ));
        return Ok(());
    }
    write_atomically(path, after).map_err(|e| RunError::Write {
        path: path.display().to_string(),
        source: e,
    })?;
    report.summary.fixed += fixes;
    report
        .notes
        .push(format!("fixed {fixes} problems in {}", path.display()));
    Ok(())
}

/// Exit status of a `check` run (spec §1).
pub fn exit_code(report: &Report, fail_on: Option<Severity>, mode: FixMode) -> i32 {
    if mode == FixMode::Diff {
        return i32::from(!report.diffs.is_empty());
    }
    let failing = fail_on.is_some_and(|level| report.worst().is_some_and(|w| w >= level));
    if failing {
        1
    } else if report.summary.skipped_fixes > 0 || report.summary.unverifiable > 0 {
        3
    } else {
        0
    }
}
