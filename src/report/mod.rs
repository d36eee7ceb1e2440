//! Reports: the run's findings and counts, and the renderers that print them. Renderers are the
//! only code that writes to the user.
//!
//! Formats: `text` (compiler style, with snippets), `concise` (one line each), `json`/`jsonl`
//! (spec §7), `sarif` (2.1.0 for GitHub code scanning), `junit`, and `github` (workflow
//! commands). `--statistics` replaces the list of findings with counts per rule in `text`,
//! `concise`, `json` and `jsonl`; `sarif`, `junit` and `github` are read by tools that expect
//! their own format, so they ignore it. `gitlab` is a GitLab Code Quality report, written whole.
//!
//! The audit formats (spec §11): `emf` (CloudWatch Embedded Metric Format lines) and
//! `openmetrics` (for a Prometheus textfile collector) print counts and hold no finding;
//! `html` is one self-contained page; `reglint history` renders a `--history` file.
//!
//! A reader that goes away (`reglint check … | head`) ends the output quietly: a broken pipe is
//! not an error.

pub mod audit;
pub mod baseline;
mod concise;
pub mod diff;
pub mod doctor;
mod emf;
mod escape;
mod generated;
mod github;
mod gitlab;
pub mod history;
mod html;
mod json;
mod junit;
pub mod migrate;
mod openmetrics;
mod progress;
pub mod runs;
mod sarif;
pub mod schema_table;
mod stats;
mod stream;
mod text;

pub use stream::{Spilled, Stream};

pub use emf::is_namespace;
pub use escape::escape_terminal;
pub use generated::{print_document, print_init_summary, Written};
pub use progress::Progress;

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::source::SourceSummary;

/// Output formats of `reglint rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuleFormat {
    Text,
    Json,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Concise,
    Json,
    Jsonl,
    Sarif,
    Junit,
    Github,
    /// CloudWatch Embedded Metric Format: one JSON object per line.
    Emf,
    /// OpenMetrics text for a Prometheus textfile collector.
    Openmetrics,
    /// One self-contained HTML page.
    Html,
    Gitlab,
}

impl OutputFormat {
    /// Whether `--statistics` replaces the list of findings in this format.
    pub fn shows_statistics(self) -> bool {
        matches!(
            self,
            OutputFormat::Text | OutputFormat::Concise | OutputFormat::Json | OutputFormat::Jsonl
        )
    }

    /// Whether the format prints counts only, so the report holds no finding.
    pub fn prints_counts_only(self) -> bool {
        matches!(self, OutputFormat::Emf | OutputFormat::Openmetrics)
    }
}

/// Counts for the summary (spec §7).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    pub items: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings whose fix `--fix` applies with the run's options.
    pub fixable: usize,
    /// Findings whose fix only `--unsafe-fixes` would apply.
    pub unsafe_fixable: usize,
    pub fixed: usize,
    pub skipped_fixes: usize,
    pub unverifiable: usize,
    pub by_rule: BTreeMap<String, usize>,
    /// Findings a baseline accepts (`check --baseline`): not counted above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baselined: Option<usize>,
}

/// What `--diff` shows for one file.
#[derive(Debug, Clone)]
pub struct FileDiff {
    pub path: String,
    pub before: String,
    pub after: String,
}

/// What became of one planned write (spec §7 `writes`).
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRecord {
    /// The source as the report names it.
    pub source: String,
    /// Position of the item in its source.
    pub index: usize,
    /// The item's key as plain JSON.
    pub key: serde_json::Map<String, serde_json::Value>,
    /// `written`, `skipped`, or `planned` (`--diff`).
    pub outcome: &'static str,
    /// Why a write was skipped: `changed`, `deleted`, `key-taken`, `conflict`, `invalid`.
    pub reason: Option<&'static str>,
    /// What a person needs to know about the reason, when there is more to say.
    pub detail: Option<String>,
    /// How many fixes the write carried.
    pub fixes: usize,
    /// The attributes the write touches.
    pub attributes: Vec<String>,
    /// For a skipped write: what the touched attributes hold now (typed JSON; absent ones left
    /// out), when the store said.
    pub current: Option<serde_json::Map<String, serde_json::Value>>,
}

impl WriteRecord {
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("source".into(), self.source.clone().into());
        m.insert("index".into(), self.index.into());
        m.insert("item".into(), serde_json::Value::Object(self.key.clone()));
        m.insert("outcome".into(), self.outcome.into());
        if let Some(reason) = self.reason {
            m.insert("reason".into(), reason.into());
        }
        if let Some(detail) = &self.detail {
            m.insert("detail".into(), detail.clone().into());
        }
        m.insert("fixes".into(), self.fixes.into());
        m.insert("attributes".into(), self.attributes.clone().into());
        if let Some(current) = &self.current {
            m.insert("current".into(), serde_json::Value::Object(current.clone()));
        }
        serde_json::Value::Object(m)
    }
}

/// The findings of one rule, counted as they are added.
#[derive(Debug, Clone, Copy)]
pub struct RuleTally {
    pub name: &'static str,
    pub count: usize,
    pub safe_fixes: usize,
    pub unsafe_fixes: usize,
}

/// Everything a run found and did.
#[derive(Debug, Default)]
pub struct Report {
    pub sources: Vec<SourceSummary>,
    /// The findings, unless the report only counts them ([`Report::counting`]).
    pub diagnostics: Vec<Diagnostic>,
    /// Counts per rule, kept for every report.
    pub tally: BTreeMap<&'static str, RuleTally>,
    /// Keep only the counts: `--statistics` prints no finding, so a run over millions of
    /// items holds none of them.
    pub counts_only: bool,
    /// Findings written as they are found instead of kept ([`Stream`]).
    pub stream: Option<Stream>,
    /// `json`, `sarif` or `gitlab` findings the stream wrote to a temporary file, for the
    /// renderer.
    pub spilled: Option<Spilled>,
    /// With `--output`, the temporary file beside it the findings were streamed to; the
    /// renderer appends the rest, then it is renamed.
    pub output_file: Option<tempfile::NamedTempFile>,
    /// `junit` cases the stream wrote to temporary files, by rule.
    pub junit_spilled: Option<junit::Spill>,
    pub summary: Summary,
    pub diffs: Vec<FileDiff>,
    /// What the run did or could not do, for people (written files, skipped fixes).
    pub notes: Vec<String>,
    /// AWS calls made, by API.
    pub aws_calls: BTreeMap<String, u64>,
    /// Whether the run plans writes (`--fix`, `--diff`): then the report lists [`Report::writes`].
    pub writing: bool,
    /// Every planned write and what became of it.
    pub writes: Vec<WriteRecord>,
    /// Whether `--fix` applies unsafe fixes in this run (for [`Summary::fixable`]).
    pub unsafe_fixes: bool,
    /// Counts by source, rule, severity and account, kept for every report.
    pub audit_counts: audit::AuditCounts,
    /// The run's time, exit status and history, for the audit formats.
    pub audit: audit::AuditRun,
    /// Sees each finding as it is added, before it is counted (a baseline marks it).
    pub marker: Option<Box<dyn Marker>>,
    /// Keep no finding the baseline accepts (text formats without `--show-baselined`).
    pub hide_baselined: bool,
}

/// Something that looks at every finding as it is added to a report: a baseline sets
/// [`Diagnostic::baseline`], or records the finding.
pub trait Marker: std::fmt::Debug + Send {
    fn mark(&mut self, d: &mut Diagnostic);
    /// Findings of its own once the run is over (stale baseline entries), and notes.
    fn finish(&mut self) -> (Vec<Diagnostic>, Vec<String>);
}

impl Report {
    /// A report that keeps only counts when `statistics` replaces the list of findings in
    /// `format` (see [`Report::counts_only`]).
    pub fn counting(format: OutputFormat, statistics: bool) -> Self {
        Report {
            counts_only: statistics && format.shows_statistics() || format.prints_counts_only(),
            ..Report::default()
        }
    }

    /// Adds a diagnostic and counts it.
    pub fn push(&mut self, mut d: Diagnostic) {
        if let (None, Some(marker)) = (d.baseline, self.marker.as_mut()) {
            marker.mark(&mut d);
        }
        if d.baseline == Some(crate::diagnostic::BaselineState::Unchanged) {
            *self.summary.baselined.get_or_insert(0) += 1;
            if !self.hide_baselined && !self.counts_only {
                match self.stream.as_mut() {
                    Some(stream) => stream.push(d),
                    None => self.diagnostics.push(d),
                }
            }
            return;
        }
        match d.severity {
            Severity::Error => self.summary.errors += 1,
            Severity::Warning => self.summary.warnings += 1,
            Severity::Info => self.summary.infos += 1,
        }
        match d.fix.as_ref().map(|f| f.applicability) {
            Some(Applicability::Safe) => self.summary.fixable += 1,
            Some(_) if self.unsafe_fixes => self.summary.fixable += 1,
            Some(_) => self.summary.unsafe_fixable += 1,
            None => {}
        }
        match self.summary.by_rule.get_mut(d.rule) {
            Some(n) => *n += 1,
            None => {
                self.summary.by_rule.insert(d.rule.to_string(), 1);
            }
        }
        let tally = self.tally.entry(d.rule).or_insert(RuleTally {
            name: d.name,
            count: 0,
            safe_fixes: 0,
            unsafe_fixes: 0,
        });
        tally.count += 1;
        match d.fix.as_ref().map(|f| f.applicability) {
            Some(Applicability::Safe) => tally.safe_fixes += 1,
            Some(_) => tally.unsafe_fixes += 1,
            None => {}
        }
        self.audit_counts.count(&d);
        if self.counts_only {
            return;
        }
        match self.stream.as_mut() {
            Some(stream) => stream.push(d),
            None => self.diagnostics.push(d),
        }
    }

    /// Records what became of a planned write, and counts its fixes as fixed or skipped.
    pub fn record_write(&mut self, w: WriteRecord) {
        match w.outcome {
            "written" => self.summary.fixed += w.fixes,
            "skipped" => self.summary.skipped_fixes += w.fixes,
            _ => {}
        }
        self.writes.push(w);
    }

    /// A source that was read, and its items.
    pub fn add_source(&mut self, source: SourceSummary) {
        self.summary.items += source.items;
        self.sources.push(source);
    }

    /// Adds AWS calls to the run's count (a run may read several tables).
    pub fn add_aws_calls(&mut self, calls: impl IntoIterator<Item = (String, u64)>) {
        for (api, n) in calls {
            *self.aws_calls.entry(api).or_default() += n;
        }
    }

    /// A line for people about what the run did or could not do.
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    /// Marks an item unverifiable (RG409, RG410).
    pub fn count_unverifiable(&mut self) {
        self.summary.unverifiable += 1;
    }

    /// Adds the marker's own findings (stale baseline entries) and notes; the marker is done.
    pub fn finish_marking(&mut self) {
        let Some(mut marker) = self.marker.take() else {
            return;
        };
        let (found, notes) = marker.finish();
        for d in found {
            self.push(d);
        }
        self.notes.extend(notes);
    }

    /// Writes the findings a stream still holds; the report then prints only its summary.
    pub fn finish_stream(&mut self) -> io::Result<()> {
        if let Some(stream) = self.stream.take() {
            let finished = stream.finish()?;
            self.spilled = finished.spilled;
            self.junit_spilled = finished.junit;
        }
        Ok(())
    }

    /// The most severe finding.
    pub fn worst(&self) -> Option<Severity> {
        let s = &self.summary;
        [
            (s.errors, Severity::Error),
            (s.warnings, Severity::Warning),
            (s.infos, Severity::Info),
        ]
        .into_iter()
        .find_map(|(n, severity)| (n > 0).then_some(severity))
    }

    /// Orders diagnostics by source, item and position, for stable output.
    pub fn sort(&mut self) {
        self.diagnostics
            .sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    }
}

/// Where a finding goes in a report: by source, item and position.
fn order_key(d: &Diagnostic) -> (usize, usize, (usize, usize), &'static str) {
    (
        d.item.as_ref().map_or(usize::MAX, |i| i.source),
        d.item.as_ref().map_or(usize::MAX, |i| i.index),
        d.location.as_ref().map_or((0, 0), |l| (l.line, l.column)),
        d.rule,
    )
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub color: bool,
    pub statistics: bool,
    /// Print no summary or notes, only findings.
    pub quiet: bool,
    /// Show unsafe fixes as available.
    pub unsafe_fixes: bool,
}

/// Writes the report in the given format. A broken pipe ends the output quietly (`Ok`).
pub fn render(
    report: &Report,
    format: OutputFormat,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    let result = render_unbuffered(report, format, opts, &mut w).and_then(|()| w.flush());
    ignore_broken_pipe(result)
}

/// Writes the report to stdout, buffered; a reader that goes away is not an error.
pub fn render_to_stdout(
    report: &Report,
    format: OutputFormat,
    opts: &RenderOptions,
) -> io::Result<()> {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    render(report, format, opts, &mut lock)?;
    ignore_broken_pipe(lock.flush())
}

fn render_unbuffered(
    report: &Report,
    format: OutputFormat,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if matches!(format, OutputFormat::Text | OutputFormat::Concise) && !report.diffs.is_empty() {
        // `--diff` shows the changes first, then what would remain.
        concise::render_diffs(report, out)?;
    }
    match format {
        OutputFormat::Text | OutputFormat::Concise if opts.statistics => {
            stats::render_text(report, opts, out)
        }
        OutputFormat::Json if opts.statistics => stats::render_json(report, opts, out),
        OutputFormat::Jsonl if opts.statistics => stats::render_lines(report, opts, out),
        OutputFormat::Text => text::render(report, opts, out),
        OutputFormat::Concise => concise::render(report, opts, out),
        OutputFormat::Json => json::render(report, out),
        OutputFormat::Jsonl => json::render_lines(report, out),
        OutputFormat::Sarif => sarif::render(report, out),
        OutputFormat::Junit => junit::render(report, out),
        OutputFormat::Github => github::render(report, opts, out),
        OutputFormat::Emf => emf::render(report, out),
        OutputFormat::Openmetrics => openmetrics::render(report, out),
        OutputFormat::Html => html::render(report, out),
        OutputFormat::Gitlab => gitlab::render(report, out),
    }
}

fn ignore_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Where a finding is, unescaped: `path:line:column` for files; for items without a location
/// (table items) the origin and the item's key; else the origin.
pub fn place(d: &Diagnostic) -> String {
    match (&d.location, &d.item) {
        (Some(l), _) => format!("{}:{}:{}", l.path, l.line, l.column),
        (None, Some(item)) if item.key.is_empty() => {
            format!("{} item {}", origin(d), item.index)
        }
        (None, Some(item)) => format!(
            "{} {}",
            origin(d),
            serde_json::Value::Object(item.key.clone())
        ),
        (None, None) => origin(d).to_string(),
    }
}

/// The source a finding came from (`dynamodb://registry`, a path), never empty.
fn origin(d: &Diagnostic) -> &str {
    match (&d.location, d.origin.as_str()) {
        (Some(l), _) => &l.path,
        (None, "") => "configuration",
        (None, o) => o,
    }
}

/// Whether `--fix` with the current options applies this fix.
fn applies(fix: &Fix, opts: &RenderOptions) -> bool {
    fix.applicability == Applicability::Safe || opts.unsafe_fixes
}

/// The fix's title and how to apply it, unescaped: "Remove a stray '\"' (run with --fix)".
fn fix_help(fix: &Fix) -> String {
    match fix.applicability {
        Applicability::Safe => format!("{} (run with --fix)", fix.title),
        Applicability::Unsafe => format!("{} (unsafe; run with --fix --unsafe-fixes)", fix.title),
    }
}

/// How many findings have a fix that `--fix` applies with the current options, and how many
/// more `--unsafe-fixes` would add.
fn fix_counts(report: &Report, opts: &RenderOptions) -> (usize, usize) {
    let safe: usize = report.tally.values().map(|t| t.safe_fixes).sum();
    let unsafe_: usize = report.tally.values().map(|t| t.unsafe_fixes).sum();
    if opts.unsafe_fixes {
        (safe + unsafe_, 0)
    } else {
        (safe, unsafe_)
    }
}

/// A path as code scanning and workflow commands want it: relative to the working directory
/// (the repository root in CI) when it is under it, with forward slashes, without `./`.
fn repo_path(path: &str, cwd: Option<&str>) -> String {
    let mut p = path.replace('\\', "/");
    if let Some(rest) = cwd.and_then(|c| p.strip_prefix(c)) {
        if let Some(rel) = rest.strip_prefix('/') {
            p = rel.to_string();
        }
    }
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// The working directory with forward slashes, for [`repo_path`].
fn working_dir() -> Option<String> {
    std::env::current_dir()
        .ok()
        .map(|d| d.display().to_string().replace('\\', "/"))
        .map(|d| d.trim_end_matches('/').to_string())
        .filter(|d| !d.is_empty())
}

/// Prints an error that stopped the run, with its help, on stderr.
pub fn print_error(e: &dyn miette::Diagnostic) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = error_text(e, color);
    let _ = writeln!(io::stderr(), "{text}");
}

/// An error as miette renders it, safe for a terminal. Rendered without colour first: when the
/// error's data holds no character that needs escaping, the coloured rendering holds no escape
/// sequence but miette's own; otherwise the plain rendering is printed escaped.
fn error_text(e: &dyn miette::Diagnostic, color: bool) -> String {
    let render = |theme| {
        let handler = miette::GraphicalReportHandler::new_themed(theme);
        let mut text = String::new();
        match handler.render_report(&mut text, e) {
            Ok(()) => text,
            Err(_) => e.to_string(),
        }
    };
    let plain = render(miette::GraphicalTheme::unicode_nocolor());
    let plain = plain.trim_end_matches('\n');
    let clean = plain
        .split('\n')
        .all(|line| !line.chars().any(escape::needs_escape));
    if !clean {
        return plain
            .split('\n')
            .map(escape_terminal)
            .collect::<Vec<_>>()
            .join("\n");
    }
    if color {
        render(miette::GraphicalTheme::unicode())
            .trim_end_matches('\n')
            .to_string()
    } else {
        plain.to_string()
    }
}

/// `reglint rule`: the rules' pages as text, or their metadata and pages as JSON.
pub fn render_rules(
    rules: &[&'static crate::rules::Rule],
    format: RuleFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    ignore_broken_pipe(write_rules(rules, format, out).and_then(|()| out.flush()))
}

fn write_rules(
    rules: &[&'static crate::rules::Rule],
    format: RuleFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        RuleFormat::Text => {
            for (i, r) in rules.iter().enumerate() {
                if i > 0 {
                    writeln!(out, "\n{}\n", "-".repeat(72))?;
                }
                write!(out, "{}", r.doc)?;
            }
            Ok(())
        }
        RuleFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code, "name": r.name, "severity": r.severity,
                        "fix": r.fix, "summary": r.summary, "doc": r.doc,
                    })
                })
                .collect();
            let v = if list.len() == 1 {
                list[0].clone()
            } else {
                serde_json::Value::Array(list)
            };
            serde_json::to_writer_pretty(&mut *out, &v)?;
            writeln!(out)
        }
    }
}

/// Prints a JSON document (policies and other machine-readable output). A reader that goes
/// away is not an error.
pub fn render_json_value(v: &serde_json::Value, out: &mut dyn Write) -> io::Result<()> {
    let result = serde_json::to_writer_pretty(&mut *out, v)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    ignore_broken_pipe(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error, miette::Diagnostic)]
    #[error("cannot read {0}")]
    #[diagnostic(code(reglint::input), help("check the path"))]
    struct Failed(String);

    #[test]
    fn errors_with_hostile_data_are_printed_escaped_and_without_colour() {
        let text = error_text(&Failed("a\u{1b}[31mb\u{7}".into()), true);
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(!text.contains('\u{7}'), "{text:?}");
        assert!(text.contains("cannot read a\\u{1b}[31mb\\u{7}"), "{text:?}");
    }

    #[test]
    fn clean_errors_keep_miette_colours() {
        let text = error_text(&Failed("registry.json".into()), true);
        assert!(text.contains('\u{1b}'), "{text:?}");
        assert!(text.contains("registry.json"), "{text:?}");
        let plain = error_text(&Failed("registry.json".into()), false);
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        assert!(plain.contains("help: check the path"), "{plain:?}");
    }

    #[test]
    fn repo_paths_are_relative_with_forward_slashes() {
        assert_eq!(repo_path("./a/b.json", None), "a/b.json");
        assert_eq!(repo_path("a\\b.json", None), "a/b.json");
        assert_eq!(repo_path("/work/x/a.json", Some("/work/x")), "a.json");
        assert_eq!(
            repo_path("/work/xy/a.json", Some("/work/x")),
            "/work/xy/a.json"
        );
    }
}
