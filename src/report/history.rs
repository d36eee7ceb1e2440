//! `reglint history FILE`: the trend of past audits as text, JSON (`{"runs": [...]}`) or an
//! HTML page. Lines of the file that are not runs (a torn last line) are listed, not fatal.

use std::io::{self, Write};

use serde_json::json;

use super::escape_terminal;
use crate::report::runs::{rule_trends, Change, History};

/// Formats of `reglint history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum HistoryFormat {
    #[default]
    Text,
    Json,
    Html,
}

/// Writes the history; a reader that goes away is not an error.
pub fn render(h: &History, format: HistoryFormat, out: &mut dyn Write) -> io::Result<()> {
    let mut w = io::BufWriter::new(out);
    let result = match format {
        HistoryFormat::Text => render_text(h, &mut w),
        HistoryFormat::Json => render_json(h, &mut w),
        HistoryFormat::Html => super::html::render_history(h, &mut w),
    }
    .and_then(|()| w.flush());
    super::ignore_broken_pipe(result)
}

/// "errors +2, warnings -1, RG101 +2" or "no change".
pub fn describe_change(c: &Change) -> String {
    let mut parts = Vec::new();
    for (name, d) in [
        ("items", c.items),
        ("errors", c.errors),
        ("warnings", c.warnings),
        ("infos", c.infos),
        ("unverifiable", c.unverifiable),
    ] {
        if d != 0 {
            parts.push(format!("{name} {d:+}"));
        }
    }
    parts.extend(c.by_rule.iter().map(|(r, d)| format!("{r} {d:+}")));
    if parts.is_empty() {
        "no change".into()
    } else {
        parts.join(", ")
    }
}

fn render_text(h: &History, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<24} {:>8} {:>7} {:>8} {:>6} {:>12}  change since the previous run",
        "time", "items", "errors", "warnings", "infos", "unverifiable"
    )?;
    for (i, r) in h.runs.iter().enumerate() {
        let change = match i {
            0 => "first run".to_string(),
            _ => describe_change(&Change::between(&h.runs[i - 1], r)),
        };
        writeln!(
            out,
            "{:<24} {:>8} {:>7} {:>8} {:>6} {:>12}  {}",
            escape_terminal(&r.time),
            r.items,
            r.errors,
            r.warnings,
            r.infos,
            r.unverifiable,
            escape_terminal(&change)
        )?;
    }
    let trends = rule_trends(&h.runs);
    if !trends.is_empty() {
        writeln!(out, "\n{:<8} {:>6} {:>7}", "rule", "first", "latest")?;
        for (rule, t) in &trends {
            writeln!(
                out,
                "{:<8} {:>6} {:>7}",
                escape_terminal(rule),
                t.first,
                t.latest
            )?;
        }
    }
    writeln!(out, "\n{} runs", h.runs.len())?;
    for s in &h.skipped {
        writeln!(
            out,
            "line {} skipped: {}",
            s.line,
            escape_terminal(&s.reason)
        )?;
    }
    Ok(())
}

fn render_json(h: &History, out: &mut dyn Write) -> io::Result<()> {
    let runs: Vec<_> = h
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            let change = (i > 0).then(|| Change::between(&h.runs[i - 1], r));
            if let Some(m) = v.as_object_mut() {
                m.insert("change".into(), json!(change));
            }
            v
        })
        .collect();
    let doc = json!({
        "schema": "reglint-history-report/1",
        "runs": runs,
        "rules": rule_trends(&h.runs),
        "skipped_lines": h.skipped,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
