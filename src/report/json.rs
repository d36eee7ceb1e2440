//! `json` and `jsonl` reports (spec §7).

use std::io::{self, Write};

use super::Report;

fn summary(report: &Report) -> serde_json::Value {
    let mut s = serde_json::to_value(&report.summary).unwrap_or_default();
    if !report.aws_calls.is_empty() {
        if let Some(m) = s.as_object_mut() {
            m.insert(
                "aws_calls".into(),
                serde_json::to_value(&report.aws_calls).unwrap_or_default(),
            );
        }
    }
    s
}

fn document(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "schema": "reglint-report/1",
        "tool": {"name": "reglint", "version": env!("CARGO_PKG_VERSION")},
        "sources": report.sources,
        "summary": summary(report),
        "diagnostics": report.diagnostics.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
    })
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    writeln!(out)
}

pub fn render_lines(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        serde_json::to_writer(&mut *out, &d.to_json())?;
        writeln!(out)?;
    }
    let tail = serde_json::json!({
        "schema": "reglint-report/1",
        "sources": report.sources,
        "summary": summary(report),
    });
    serde_json::to_writer(&mut *out, &tail)?;
    writeln!(out)
}
