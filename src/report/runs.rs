//! The audit history (spec §11): `check --history FILE` appends one JSON line per run;
//! `reglint history FILE` reads them back and shows the trend.
//!
//! **Appending.** The whole line (and a line break before it when the file's last line was
//! left without one) is written by one `write(2)` on a file opened with `O_APPEND`. The kernel
//! moves to the end and writes under the file's lock for each such call, so lines of runs that
//! append at the same moment never interleave, and a run killed at any point has written its
//! line whole or not at all: a signal is handled between system calls, never inside a write to
//! a regular file. No lock file is needed, so a crashed run cannot leave one behind. A write
//! the kernel cuts short (the disk is full) is reported as an error; the line it left is what a
//! power loss can also leave, and the reader skips it and says so.
//!
//! **Reading.** Every line that parses is a run; a line that does not (a torn last line, a line
//! edited by hand) is reported with its number and skipped, never fatal.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::Report;

pub const SCHEMA: &str = "reglint-history/1";

/// One run as its history line holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub schema: String,
    /// When the run ended (RFC 3339, UTC).
    pub time: String,
    pub tool: Tool,
    pub sources: Vec<RunSource>,
    pub items: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub unverifiable: usize,
    #[serde(default)]
    pub exit_code: Option<u8>,
    #[serde(default)]
    pub by_rule: BTreeMap<String, usize>,
    #[serde(default)]
    pub by_account: BTreeMap<String, usize>,
    #[serde(default)]
    pub by_severity: BTreeMap<String, usize>,
    #[serde(default)]
    pub aws_calls: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSource {
    pub kind: String,
    pub path: String,
    pub items: usize,
}

impl Run {
    /// The history line of a finished run.
    pub fn of(report: &Report) -> Run {
        let s = &report.summary;
        let by_severity = [
            ("error", s.errors),
            ("warning", s.warnings),
            ("info", s.infos),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Run {
            schema: SCHEMA.into(),
            time: report
                .audit
                .time()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            tool: Tool {
                name: "reglint".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            sources: report.sources.iter().map(run_source).collect(),
            items: s.items,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
            unverifiable: s.unverifiable,
            exit_code: report.audit.exit_code,
            by_rule: s.by_rule.clone(),
            by_account: report
                .audit_counts
                .accounts()
                .into_iter()
                .map(|(a, c)| (a.to_string(), c.findings))
                .collect(),
            by_severity,
            aws_calls: report.aws_calls.clone(),
        }
    }
}

fn run_source(s: &crate::source::SourceSummary) -> RunSource {
    let kind = serde_json::to_value(s.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    RunSource {
        kind,
        path: s.path.clone(),
        items: s.items,
    }
}

/// A history file that cannot be written or read: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HistoryError {
    #[error("cannot append to the history file {}: {source}", path.display())]
    #[diagnostic(
        code(reglint::history),
        help("the run's report was still written; check that the directory is writable and has space")
    )]
    Append { path: PathBuf, source: io::Error },
    #[error("cannot read the history file {}: {source}", path.display())]
    #[diagnostic(
        code(reglint::history),
        help("`check --history FILE` writes it, one line per run")
    )]
    Read { path: PathBuf, source: io::Error },
}

/// Appends `run` as one line, in one write (see the module's doc).
pub fn append(path: &Path, run: &Run) -> Result<(), HistoryError> {
    let err = |source| HistoryError::Append {
        path: path.to_path_buf(),
        source,
    };
    let mut line = serde_json::to_vec(run).map_err(|e| err(e.into()))?;
    line.push(b'\n');
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)
        .map_err(err)?;
    if !ends_with_newline(&mut file).map_err(err)? {
        line.insert(0, b'\n');
    }
    let written = file.write(&line).map_err(err)?;
    if written != line.len() {
        return Err(err(io::Error::new(
            io::ErrorKind::WriteZero,
            format!("only {written} of {} bytes were written", line.len()),
        )));
    }
    file.sync_data().map_err(err)
}

/// Whether the file is empty or ends with a line break (a run torn before its end did not).
fn ends_with_newline(file: &mut std::fs::File) -> io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// A line that is not a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedLine {
    /// 1-based.
    pub line: usize,
    pub reason: String,
}

/// The runs of a history file, and the lines that were not runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub runs: Vec<Run>,
    pub skipped: Vec<SkippedLine>,
}

/// Reads a history file. A missing file is an error; lines that are not runs are skipped.
pub fn read(path: &Path) -> Result<History, HistoryError> {
    let bytes = std::fs::read(path).map_err(|source| HistoryError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(parse(&bytes))
}

/// The runs in the text of a history file.
pub fn parse(bytes: &[u8]) -> History {
    let mut h = History::default();
    let last = bytes.split(|b| *b == b'\n').count();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Run>(line) {
            Ok(run) => h.runs.push(run),
            Err(e) => h.skipped.push(SkippedLine {
                line: i + 1,
                reason: if i + 1 == last {
                    format!("an incomplete last line (a run stopped while writing it?): {e}")
                } else {
                    format!("not a run: {e}")
                },
            }),
        }
    }
    h
}

/// What changed from one run to the next.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Change {
    pub items: i64,
    pub errors: i64,
    pub warnings: i64,
    pub infos: i64,
    pub unverifiable: i64,
    /// Rules whose count changed, by how much (a rule that went away has its count negated).
    pub by_rule: BTreeMap<String, i64>,
}

impl Change {
    pub fn between(before: &Run, after: &Run) -> Change {
        let d = |a: usize, b: usize| b as i64 - a as i64;
        let mut by_rule = BTreeMap::new();
        for rule in before.by_rule.keys().chain(after.by_rule.keys()) {
            let a = before.by_rule.get(rule).copied().unwrap_or(0);
            let b = after.by_rule.get(rule).copied().unwrap_or(0);
            if a != b {
                by_rule.insert(rule.clone(), d(a, b));
            }
        }
        Change {
            items: d(before.items, after.items),
            errors: d(before.errors, after.errors),
            warnings: d(before.warnings, after.warnings),
            infos: d(before.infos, after.infos),
            unverifiable: d(before.unverifiable, after.unverifiable),
            by_rule,
        }
    }
}

/// A rule's count in the first run and in the latest (0 where it had no finding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleTrend {
    pub first: usize,
    pub latest: usize,
}

/// Every rule that had findings in any run, with its first and latest count.
pub fn rule_trends(runs: &[Run]) -> BTreeMap<String, RuleTrend> {
    let (Some(first), Some(latest)) = (runs.first(), runs.last()) else {
        return BTreeMap::new();
    };
    runs.iter()
        .flat_map(|r| r.by_rule.keys())
        .map(|rule| {
            let count = |r: &Run| r.by_rule.get(rule).copied().unwrap_or(0);
            (
                rule.clone(),
                RuleTrend {
                    first: count(first),
                    latest: count(latest),
                },
            )
        })
        .collect()
}

/// `check --history FILE`: appends this run, and gives an `html` report the runs to chart.
pub fn record(report: &mut Report, path: &Path, html: bool) -> Result<(), HistoryError> {
    append(path, &Run::of(report))?;
    if html {
        report.audit.history = read(path)?.runs;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(errors: usize, rules: &[(&str, usize)]) -> Run {
        let mut report = Report::default();
        report.summary.errors = errors;
        report.summary.by_rule = rules.iter().map(|(r, n)| (r.to_string(), *n)).collect();
        Run::of(&report)
    }

    #[test]
    fn a_torn_last_line_is_reported_and_the_runs_before_it_are_read() {
        let mut text = serde_json::to_vec(&run(1, &[])).unwrap();
        text.push(b'\n');
        let second = serde_json::to_vec(&run(2, &[])).unwrap();
        text.extend_from_slice(&second[..second.len() / 2]);
        let h = parse(&text);
        assert_eq!(h.runs.len(), 1);
        assert_eq!(h.skipped.len(), 1);
        assert_eq!(h.skipped[0].line, 2);
        assert!(
            h.skipped[0].reason.contains("incomplete last line"),
            "{:?}",
            h.skipped
        );
    }

    #[test]
    fn appending_after_a_torn_line_starts_a_new_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.jsonl");
        std::fs::write(&path, b"{\"schema\":\"reglint-hist").unwrap();
        append(&path, &run(3, &[])).unwrap();
        let h = read(&path).unwrap();
        assert_eq!(h.runs.len(), 1);
        assert_eq!(h.runs[0].errors, 3);
        assert_eq!(h.skipped.len(), 1);
        assert_eq!(h.skipped[0].line, 1);
        assert!(
            h.skipped[0].reason.starts_with("not a run"),
            "{:?}",
            h.skipped
        );
    }

    #[test]
    fn changes_and_trends_cover_rules_that_came_and_went() {
        let a = run(2, &[("RG101", 2)]);
        let b = run(1, &[("RG102", 1)]);
        let c = Change::between(&a, &b);
        assert_eq!(c.errors, -1);
        assert_eq!(c.by_rule.get("RG101"), Some(&-2));
        assert_eq!(c.by_rule.get("RG102"), Some(&1));
        let t = rule_trends(&[a, b]);
        assert_eq!(
            t["RG101"],
            RuleTrend {
                first: 2,
                latest: 0
            }
        );
        assert_eq!(
            t["RG102"],
            RuleTrend {
                first: 0,
                latest: 1
            }
        );
    }
}
