//! `--statistics`: counts per rule instead of each finding.
//!
//! For each rule with findings: its code, name, the number of findings, how many of them
//! `--fix` fixes with the current options (`fixable`), and how many more `--unsafe-fixes`
//! would add (`unsafe_fixable`). As text a table followed by the summary (unless `-q`); as JSON
//! one object `{"schema": "reglint-statistics/1", "tool", "rules": [...], "summary"}`; as JSON
//! Lines one object per rule, then the summary line.

use std::io::{self, Write};

use super::text::{write_summary, Palette};
use super::{RenderOptions, Report};

/// The counts of one rule.
#[derive(Debug, serde::Serialize)]
struct RuleCount {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: usize,
    unsafe_fixable: usize,
}

fn collect(report: &Report, opts: &RenderOptions) -> Vec<RuleCount> {
    report
        .tally
        .iter()
        .map(|(&code, t)| RuleCount {
            code,
            name: t.name,
            count: t.count,
            fixable: t.safe_fixes + if opts.unsafe_fixes { t.unsafe_fixes } else { 0 },
            unsafe_fixable: if opts.unsafe_fixes { 0 } else { t.unsafe_fixes },
        })
        .collect()
}

pub fn render_text(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let rules = collect(report, opts);
    let name_width = rules.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let mut buf = String::new();
    if !rules.is_empty() {
        buf.push_str(&format!(
            "{:>6}  {:<5}  {:<name_width$}  fixable\n",
            "count", "code", "name"
        ));
    }
    for r in &rules {
        let fixable = if r.unsafe_fixable > 0 {
            format!("{} (+{} unsafe)", r.fixable, r.unsafe_fixable)
        } else {
            r.fixable.to_string()
        };
        buf.push_str(&format!(
            "{:>6}  {:<5}  {:<name_width$}  {fixable}\n",
            r.count, r.code, r.name
        ));
    }
    out.write_all(buf.as_bytes())?;
    if !opts.quiet {
        write_summary(report, opts, &Palette::new(opts.color), out)?;
    }
    Ok(())
}

pub fn render_json(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let doc = serde_json::json!({
        "schema": "reglint-statistics/1",
        "tool": {"name": "reglint", "version": env!("CARGO_PKG_VERSION")},
        "rules": collect(report, opts),
        "summary": super::json::summary(report),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub fn render_lines(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    for r in collect(report, opts) {
        serde_json::to_writer(&mut *out, &r)?;
        writeln!(out)?;
    }
    let tail = serde_json::json!({
        "schema": "reglint-statistics/1",
        "summary": super::json::summary(report),
    });
    serde_json::to_writer(&mut *out, &tail)?;
    writeln!(out)
}
