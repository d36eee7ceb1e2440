//! Reports: the run's findings and counts, and the renderers that print them. Renderers are the
//! only code that writes to the user.

mod concise;
mod escape;
mod json;

pub use escape::escape_terminal;

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceSummary;

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
}

/// Counts for the summary (spec §7).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    pub items: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
    pub fixed: usize,
    pub skipped_fixes: usize,
    pub unverifiable: usize,
    pub by_rule: BTreeMap<String, usize>,
}

/// What `--diff` shows for one file.
#[derive(Debug, Clone)]
pub struct FileDiff {
    pub path: String,
    pub before: String,
    pub after: String,
}

/// Everything a run found and did.
#[derive(Debug, Default)]
pub struct Report {
    pub sources: Vec<SourceSummary>,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    pub diffs: Vec<FileDiff>,
    /// What the run did or could not do, for people (written files, skipped fixes).
    pub notes: Vec<String>,
    /// AWS calls made, by API.
    pub aws_calls: BTreeMap<String, u64>,
}

impl Report {
    /// Adds a diagnostic and counts it.
    pub fn push(&mut self, d: Diagnostic) {
        match d.severity {
            Severity::Error => self.summary.errors += 1,
            Severity::Warning => self.summary.warnings += 1,
            Severity::Info => self.summary.infos += 1,
        }
        if d.fix.is_some() {
            self.summary.fixable += 1;
        }
        *self.summary.by_rule.entry(d.rule.to_string()).or_default() += 1;
        self.diagnostics.push(d);
    }

    /// The most severe finding.
    pub fn worst(&self) -> Option<Severity> {
        self.diagnostics.iter().map(|d| d.severity).max()
    }

    /// Orders diagnostics by source, item and position, for stable output.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                (
                    d.item.as_ref().map_or(usize::MAX, |i| i.source),
                    d.item.as_ref().map_or(usize::MAX, |i| i.index),
                    d.location.as_ref().map_or((0, 0), |l| (l.line, l.column)),
                    d.rule,
                )
            };
            key(a).cmp(&key(b))
        });
    }
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

/// Writes the report in the given format.
pub fn render(
    report: &Report,
    format: OutputFormat,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    if !report.diffs.is_empty() || opts.statistics {
        // `--diff` and `--statistics` replace the list of findings.
    }
    if !report.diffs.is_empty() {
        return concise::render_diffs(report, out);
    }
    match format {
        OutputFormat::Json => json::render(report, out),
        OutputFormat::Jsonl => json::render_lines(report, out),
        OutputFormat::Text
        | OutputFormat::Concise
        | OutputFormat::Sarif
        | OutputFormat::Junit
        | OutputFormat::Github => {
            if opts.statistics {
                concise::render_statistics(report, out)
            } else {
                concise::render(report, opts, out)
            }
        }
    }
}

/// Prints an error that stopped the run, with its help, on stderr.
pub fn print_error(e: &dyn miette::Diagnostic) {
    let handler = miette::GraphicalReportHandler::new_themed(
        if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        },
    );
    let mut text = String::new();
    if handler.render_report(&mut text, e).is_err() {
        text = e.to_string();
    }
    let _ = writeln!(io::stderr(), "{}", escape_terminal_keep_newlines(&text));
}

fn escape_terminal_keep_newlines(text: &str) -> String {
    text.split('\n')
        .map(escape_terminal_styled)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes a line that may hold the renderer's own colour codes: SGR sequences stay, anything
/// else is escaped.
fn escape_terminal_styled(line: &str) -> String {
    static SGR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        #[allow(clippy::expect_used)]
        regex::Regex::new("\x1b\\[[0-9;]*m").expect("valid pattern")
    });
    let mut out = String::new();
    let mut pos = 0;
    for m in SGR.find_iter(line) {
        out.push_str(&escape_terminal(&line[pos..m.start()]));
        out.push_str(m.as_str());
        pos = m.end();
    }
    out.push_str(&escape_terminal(&line[pos..]));
    out
}

/// `reglint rule`: the rules' pages as text, or their metadata and pages as JSON.
pub fn render_rules(
    rules: &[&'static crate::rules::Rule],
    format: crate::cli::RuleFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        crate::cli::RuleFormat::Text => {
            for (i, r) in rules.iter().enumerate() {
                if i > 0 {
                    writeln!(out, "\n{}\n", "-".repeat(72))?;
                }
                write!(out, "{}", r.doc)?;
            }
            Ok(())
        }
        crate::cli::RuleFormat::Json => {
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

/// Prints a JSON document (policies and other machine-readable output).
pub fn render_json_value(v: &serde_json::Value, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}
