//! `reglint diff` reports: text for people, and the `reglint-diff/1` JSON document (spec §10).

use std::io::{self, Write};

use super::escape_terminal;
use crate::diff::DiffReport;

pub fn render_to_stdout(report: &DiffReport, json: bool) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = if json {
        render_json(report, &mut out)
    } else {
        render_text(report, &mut out)
    };
    super::ignore_broken_pipe(result.and_then(|()| out.flush()))
}

pub fn document(report: &DiffReport) -> serde_json::Value {
    serde_json::json!({
        "schema": "reglint-diff/1",
        "a": report.a,
        "b": report.b,
        "only_in_a": report.only_in_a,
        "only_in_b": report.only_in_b,
        "changed": report.changed,
        "summary": {
            "a_items": report.a_items,
            "b_items": report.b_items,
            "only_in_a": report.only_in_a.len(),
            "only_in_b": report.only_in_b.len(),
            "changed": report.changed.len(),
        },
    })
}

pub fn render_json(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    writeln!(out)
}

fn shown(v: &Option<serde_json::Value>) -> String {
    match v {
        Some(v) => escape_terminal(&v.to_string()).into_owned(),
        None => "(absent)".to_string(),
    }
}

fn key(k: &serde_json::Map<String, serde_json::Value>) -> String {
    escape_terminal(&serde_json::Value::Object(k.clone()).to_string()).into_owned()
}

pub fn render_text(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let (a, b) = (escape_terminal(&report.a), escape_terminal(&report.b));
    writeln!(out, "A: {a} ({} items)", report.a_items)?;
    writeln!(out, "B: {b} ({} items)", report.b_items)?;
    for k in &report.only_in_a {
        writeln!(out, "only in A: {}", key(k))?;
    }
    for k in &report.only_in_b {
        writeln!(out, "only in B: {}", key(k))?;
    }
    for c in &report.changed {
        writeln!(out, "changed {}:", key(&c.key))?;
        for attr in &c.attributes {
            writeln!(
                out,
                "  {}: {} -> {}",
                escape_terminal(&attr.name),
                shown(&attr.a),
                shown(&attr.b)
            )?;
        }
    }
    if report.same() {
        writeln!(out, "A and B hold the same registry")
    } else {
        writeln!(
            out,
            "{} only in A, {} only in B, {} changed",
            report.only_in_a.len(),
            report.only_in_b.len(),
            report.changed.len()
        )
    }
}
