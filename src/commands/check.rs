//! `reglint check`: build the linter and the stores from the options, run every source through
//! the engine, add what `--verify` finds, and hand the report to a renderer.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::CheckArgs;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{drive, registry_findings_at, Checker, FixPlanner, Mode, Settled, Store};
use crate::error::RunError;
use crate::lint::{ItemOrigin, Linter};
use crate::model::Item;
#[cfg(not(feature = "aws"))]
use crate::offline::{NoAws, VerifyPlan};
use crate::report::{self, RenderOptions, Report};
use crate::rules::registry::{Claims, RegistryIndex, Seen};
use crate::select::{split_codes, Selection};
use crate::source::parallel::{read_parallel, ItemText};
#[cfg(feature = "aws")]
use crate::source::SourceKind;
use crate::source::{InputFormat, SourceSpec, SourceSummary};
use crate::store::FileStore;
#[cfg(feature = "aws")]
use crate::store::{TableOptions, TableSource};
#[cfg(feature = "aws")]
use crate::verify::Plan as VerifyPlan;

pub use crate::engine::Mode as FixMode;

/// How a file source is read when the run only reports.
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

/// One `check` run over file sources.
pub struct FileRun<'a> {
    pub linter: &'a Linter,
    pub input_format: InputFormat,
    pub mode: Mode,
    /// With `--verify`: collects the items to verify once linting is done.
    pub verify: Option<&'a RefCell<VerifyPlan>>,
}

/// With `--verify`: what records each checked item in the plan.
#[allow(clippy::type_complexity)]
fn observer<'a>(
    plan: Option<&'a RefCell<VerifyPlan>>,
) -> Option<Box<dyn Fn(&Item, &ItemOrigin) + 'a>> {
    plan.map(|p| {
        Box::new(move |item: &Item, origin: &ItemOrigin| {
            p.borrow_mut().observe(item, origin);
        }) as Box<dyn Fn(&Item, &ItemOrigin) + 'a>
    })
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

/// [`check_file_source`] with the pipeline chosen: reports (not fixes) of files and exports are
/// read in parallel.
pub fn check_file_source_with(
    run: &FileRun,
    source_index: usize,
    spec: &SourceSpec,
    report: &mut Report,
    registry: &mut RegistryIndex,
    pipeline: Pipeline,
) -> Result<(), RunError> {
    // `--verify` collects items on this thread as they are read: sequential then.
    if let (Pipeline::Parallel(threads), Mode::Report, SourceSpec::Path(_), None) =
        (pipeline, run.mode, spec, run.verify)
    {
        return check_in_parallel(run, source_index, spec, report, registry, threads);
    }
    let mut store = match run.mode {
        Mode::Report => FileStore::streaming(run.linter, source_index, spec, run.input_format),
        mode => FileStore::in_memory(
            run.linter,
            source_index,
            spec,
            run.input_format,
            mode == Mode::Fix,
        )?,
    };
    let observe = observer(run.verify);
    let mut checker = Checker {
        linter: run.linter,
        registry,
        observe: observe.as_deref(),
        protected: &[],
    };
    let planner = FixPlanner {
        linter: run.linter,
        protected: &[],
    };
    let items = drive(
        &mut store,
        &planner,
        run.mode,
        report,
        &mut |s: Settled, r| checker.take(&s.read, r),
    )?;
    report.add_source(SourceSummary {
        kind: store.kind(),
        path: store.label().to_string(),
        items,
    });
    Ok(())
}

/// The report half of [`check_file_source`] on every core: items are parsed and linted in
/// parallel, then taken in source order for registry rules.
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
        if registry_on && claims != Claims::default() {
            let here = Seen::At {
                label: &label,
                index,
                line: Some(text.line(item)),
            };
            let mut origin = || origin_of(item, text, index);
            registry_findings_at(linter, registry, &claims, item, here, &mut origin, report);
        }
    };
    let kind = read_parallel(run.input_format, spec, threads, work, ordered)?;
    report.add_source(SourceSummary {
        kind,
        path: label,
        items,
    });
    Ok(())
}

/// Lints (and fixes) every item of the table `table` into the report.
#[cfg(feature = "aws")]
fn check_table_source(
    args: &CheckArgs,
    quiet: bool,
    run: &FileRun,
    source_index: usize,
    table: &str,
    report: &mut Report,
    registry: &mut RegistryIndex,
) -> Result<(), RunError> {
    let options = TableOptions {
        segments: args.segments.unwrap_or(1),
        consistent_read: args.consistent_read,
        journal: args.journal.clone(),
        quiet,
        ..TableOptions::default()
    };
    // `dynamodb://TABLE?profile=…&region=…`: the source's own settings over the run's.
    let uri = crate::source::uri::TableUri::parse(table)
        .map_err(|e| RunError::Usage(format!("dynamodb://{}: {}", e.spec, e.message)))?;
    let settings = uri.aws_args(&args.aws.settings());
    let mut store = TableSource::open(&settings, &uri.table, source_index, options)?;
    let keys = store.key_schema().to_vec();
    let observe = observer(run.verify);
    let mut checker = Checker {
        linter: run.linter,
        registry,
        observe: observe.as_deref(),
        protected: &keys,
    };
    let planner = FixPlanner {
        linter: run.linter,
        protected: &keys,
    };
    let driven = drive(
        &mut store,
        &planner,
        run.mode,
        report,
        &mut |s: Settled, r| checker.take(&s.read, r),
    );
    report.add_aws_calls(store.calls());
    let items = driven?;
    report.add_source(SourceSummary {
        kind: SourceKind::Table,
        path: store.label().to_string(),
        items,
    });
    Ok(())
}

/// `reglint check`.
pub fn run(args: &CheckArgs, quiet: bool) -> Result<u8, RunError> {
    let config = crate::config::load_nearest(args.config.as_ref())?;
    let (mut report, code) = check_report(args, quiet, &mut |report, linter| {
        crate::baseline::attach(report, args, linter)
    })?;
    let recorded = audit_facts(&mut report, args, &config, code);
    emit(&mut report, args, quiet)?;
    if let Err(e) = recorded {
        // The report is out; the run's line is not in the history.
        report::print_error(&e);
        return Ok(2);
    }
    Ok(code as u8)
}

/// Prepares a run's report once the linter is built (a baseline marker).
pub type Prepare<'a> = dyn FnMut(&mut Report, &Linter) -> Result<(), RunError> + 'a;

/// Runs `check` and returns its report (sorted) and exit status; nothing is printed but what a
/// streamed report writes as it goes.
pub fn check_report(
    args: &CheckArgs,
    quiet: bool,
    prepare: &mut Prepare,
) -> Result<(Report, i32), RunError> {
    let config = crate::config::load_nearest(args.config.as_ref())?;
    let linter = linter(args, &config)?;
    let sources = sources(args, &config)?;
    let mode = mode_of(args);
    let verify_plan = verify_plan(args, &sources)?;
    let run = FileRun {
        linter: &linter,
        input_format: args
            .input_format
            .or(config.file.registry.input_format)
            .unwrap_or_default(),
        mode,
        verify: verify_plan.as_ref(),
    };
    let mut report = Report::counting(args.format, args.statistics);
    report.writing = mode != Mode::Report;
    report.unsafe_fixes = args.unsafe_fixes;
    prepare(&mut report, &linter)?;
    if mode == Mode::Report && verify_plan.is_none() && !report.counts_only {
        start_stream(args, quiet, &sources, &mut report);
    }
    let mut registry = RegistryIndex::default();
    for (i, spec) in sources.iter().enumerate() {
        match spec {
            #[cfg(feature = "aws")]
            SourceSpec::Table(name) => {
                check_table_source(args, quiet, &run, i, name, &mut report, &mut registry)?
            }
            _ => check_file_source(&run, i, spec, &mut report, &mut registry)?,
        }
    }
    #[cfg(feature = "aws")]
    if let Some(plan) = &verify_plan {
        let plan = plan.borrow();
        let fixing = (mode == Mode::Fix).then_some(run.input_format);
        let options = super::verify_options(&args.verify_args, &args.aws, &config, &linter)?;
        crate::verify::run(
            &plan,
            &args.aws.settings(),
            options,
            &linter,
            &mut report,
            quiet,
            fixing,
        )?;
    }
    for d in linter.unused_exceptions() {
        report.push(d);
    }
    report.finish_marking();
    report.finish_stream().map_err(RunError::stdout)?;
    report.sort();
    let code = exit_code(&report, args.fail_on.threshold(), mode);
    Ok((report, code))
}

/// With `--verify`: the plan that collects the items to verify.
#[cfg(feature = "aws")]
fn verify_plan(
    args: &CheckArgs,
    _sources: &[SourceSpec],
) -> Result<Option<RefCell<VerifyPlan>>, RunError> {
    Ok(args.verify.then(|| RefCell::new(VerifyPlan::default())))
}

/// Without AWS, `--verify` and a table source are refused before anything is read.
#[cfg(not(feature = "aws"))]
fn verify_plan(
    args: &CheckArgs,
    sources: &[SourceSpec],
) -> Result<Option<RefCell<VerifyPlan>>, RunError> {
    let table = sources.iter().find(|s| matches!(s, SourceSpec::Table(_)));
    match (args.verify, table) {
        (true, _) => Err(NoAws::new("--verify").into()),
        (false, Some(t)) => Err(NoAws::new(t.display()).into()),
        (false, None) => Ok(None),
    }
}

fn mode_of(args: &CheckArgs) -> Mode {
    if args.diff {
        Mode::Diff
    } else if args.fix {
        Mode::Fix
    } else {
        Mode::Report
    }
}

/// A report of files goes out as it is found; fixes, tables and verification (which add
/// findings to earlier items) keep the report until the end. With `--output` the report is
/// written to a temporary file beside the output, renamed at the end: the line formats stream
/// their findings into it; json, sarif, gitlab and html spill theirs to another temporary
/// file, and junit its cases to one per rule, to be spliced into the document at the end.
/// Either way memory stays flat. The other audit formats (emf, openmetrics) keep only counts.
fn start_stream(args: &CheckArgs, quiet: bool, sources: &[SourceSpec], report: &mut Report) {
    use report::OutputFormat as F;
    let spills = matches!(
        args.format,
        F::Json | F::Sarif | F::Gitlab | F::Junit | F::Html
    );
    let lines = matches!(args.format, F::Text | F::Concise | F::Jsonl | F::Github);
    let tables = sources.iter().any(|s| matches!(s, SourceSpec::Table(_)));
    if tables || (args.output.is_some() && !spills && !lines) {
        return;
    }
    let out: Box<dyn std::io::Write + Send> = match &args.output {
        Some(path) if lines => {
            // Should the file not be made here, the report is kept and written at the end,
            // where the error is reported.
            let Ok(tmp) = super::temp_beside(path) else {
                return;
            };
            let Ok(file) = tmp.as_file().try_clone() else {
                return;
            };
            report.output_file = Some(tmp);
            Box::new(file)
        }
        // The stream only spills; the document is written by `emit`.
        Some(_) => Box::new(std::io::sink()),
        None => Box::new(std::io::stdout()),
    };
    report.stream = report::Stream::new(args.format, render_options(args, quiet, false), out);
}

/// The run's time, exit status and namespace for the audit formats; with `--history`, its line
/// appended (and the runs read back for the `html` trend chart).
fn audit_facts(
    report: &mut Report,
    args: &CheckArgs,
    config: &Config,
    code: i32,
) -> Result<(), crate::report::runs::HistoryError> {
    report.audit.time = Some(chrono::Utc::now());
    report.audit.exit_code = u8::try_from(code).ok();
    report.audit.namespace = config
        .file
        .audit
        .namespace
        .as_ref()
        .map(|n| n.get_ref().clone());
    if let Some(path) = &args.history {
        let html = args.format == report::OutputFormat::Html;
        crate::report::runs::record(report, path, html)?;
    }
    Ok(())
}

/// The linter the options and the config ask for.
fn linter(args: &CheckArgs, config: &Config) -> Result<Linter, RunError> {
    let file_rules = &config.file.rules;
    let codes =
        |v: &Vec<toml::Spanned<String>>| v.iter().map(|s| s.get_ref().clone()).collect::<Vec<_>>();
    let select = match &args.select {
        Some(s) => Some(split_codes(s)),
        None => file_rules.select.as_ref().map(codes),
    };
    let mut extend = codes(&file_rules.extend_select);
    extend.extend(split_codes(&args.extend_select));
    let mut ignore = codes(&file_rules.ignore);
    ignore.extend(split_codes(&args.ignore));
    for code in select.iter().flatten().chain(&extend).chain(&ignore) {
        if !crate::select::is_selector(code) {
            return Err(RunError::Usage(format!(
                "unknown rule code or prefix {code:?}"
            )));
        }
    }
    let selection = Selection::new(select, extend, ignore);
    let mut linter = Linter::new(config, &selection, args.unsafe_fixes);
    if let Some(acct) = &args.verify_args.local_account {
        linter.settings.local_account = Some(acct.clone());
    }
    Ok(linter)
}

/// The sources to read: the arguments and `--table`, else the config's `sources` (relative to
/// the config file's folder); directories that are not exports expanded into their files.
fn sources(args: &CheckArgs, config: &Config) -> Result<Vec<SourceSpec>, RunError> {
    let mut specs: Vec<SourceSpec> = args.sources.iter().map(|s| SourceSpec::parse(s)).collect();
    if let Some(t) = &args.table {
        specs.push(SourceSpec::Table(t.clone()));
    }
    if specs.is_empty() {
        let base = config
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(PathBuf::from)
            .unwrap_or_default();
        specs = config
            .file
            .sources
            .iter()
            .map(|s| match SourceSpec::parse(s) {
                SourceSpec::Path(p) if p.is_relative() => SourceSpec::Path(base.join(p)),
                other => other,
            })
            .collect();
    }
    if specs.is_empty() {
        return Err(RunError::Usage(
            "nothing to check: name a SOURCE, --table, or `sources` in reglint.toml".into(),
        ));
    }
    let mut expanded = Vec::new();
    for s in specs {
        expanded.extend(s.expand()?);
    }
    Ok(expanded)
}

fn render_options(args: &CheckArgs, quiet: bool, statistics: bool) -> RenderOptions {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    RenderOptions {
        color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        statistics,
        quiet,
        unsafe_fixes: args.unsafe_fixes,
    }
}

fn emit(report: &mut Report, args: &CheckArgs, quiet: bool) -> Result<(), RunError> {
    let opts = render_options(args, quiet, args.statistics);
    match &args.output {
        Some(path) if report.output_file.is_some() => {
            // The findings are in the file already: the summary follows them.
            let streamed = report.output_file.take();
            finish_streamed(report, args.format, &opts, streamed, path)
                .map_err(|e| RunError::write(path, e))?;
        }
        Some(path) => {
            super::write_atomically(path, |out| report::render(report, args.format, &opts, out))
                .map_err(|e| RunError::write(path, e))?;
        }
        None => {
            report::render_to_stdout(report, args.format, &opts).map_err(RunError::stdout)?;
        }
    }
    Ok(())
}

/// Appends the rest of the report to the file its findings were streamed to, and makes it
/// `path`.
fn finish_streamed(
    report: &Report,
    format: report::OutputFormat,
    opts: &report::RenderOptions,
    streamed: Option<tempfile::NamedTempFile>,
    path: &std::path::Path,
) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let Some(mut tmp) = streamed else {
        return Ok(());
    };
    tmp.as_file_mut().seek(SeekFrom::End(0))?;
    report::render(report, format, opts, tmp.as_file_mut())?;
    super::commit_atomically(tmp, path)
}

/// Exit status of a `check` run (spec §1): with `--diff`, 1 also when anything would change.
pub fn exit_code(report: &Report, fail_on: Option<Severity>, mode: Mode) -> i32 {
    let failing = fail_on.is_some_and(|level| report.worst().is_some_and(|w| w >= level));
    let would_change = mode == Mode::Diff && !report.diffs.is_empty();
    if failing || would_change {
        1
    } else if report.summary.skipped_fixes > 0 || report.summary.unverifiable > 0 {
        3
    } else {
        0
    }
}
