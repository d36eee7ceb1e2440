//! `json` and `jsonl` reports (spec §7).
//!
//! Diagnostics are serialized as they are written, without building a `serde_json::Value` for
//! each: the shape is exactly [`Diagnostic::to_json`]'s (a test holds the two together), at a
//! fraction of the cost for large reports.

use std::io::{self, Write};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::Report;
use crate::diagnostic::Diagnostic;

pub(super) fn summary(report: &Report) -> serde_json::Value {
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

/// The run's writes (spec §7), when it plans any.
pub(super) fn writes(report: &Report) -> Option<Vec<serde_json::Value>> {
    report.writing.then(|| {
        report
            .writes
            .iter()
            .map(super::WriteRecord::to_json)
            .collect()
    })
}

/// A diagnostic in its report form, serialized in place.
struct JsonDiagnostic<'a>(&'a Diagnostic);

impl Serialize for JsonDiagnostic<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("rule", d.rule)?;
        m.serialize_entry("name", d.name)?;
        m.serialize_entry("severity", d.severity.as_str())?;
        m.serialize_entry("message", &d.message)?;
        m.serialize_entry("item", &d.item)?;
        m.serialize_entry("attribute", &d.attribute)?;
        if let Some(loc) = &d.location {
            m.serialize_entry("location", loc)?;
        }
        m.serialize_entry("fingerprint", &d.fingerprint)?;
        if let Some(state) = d.baseline {
            m.serialize_entry("baseline", state.as_str())?;
        }
        if let Some(help) = &d.help {
            m.serialize_entry("help", help)?;
        }
        m.serialize_entry("fix", &d.fix.as_ref().map(crate::diagnostic::Fix::to_json))?;
        m.end()
    }
}

/// The report's diagnostics as a JSON array.
struct Diagnostics<'a>(&'a [Diagnostic]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(JsonDiagnostic))
    }
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

const TOOL: Tool = Tool {
    name: "reglint",
    version: env!("CARGO_PKG_VERSION"),
};

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    sources: &'a [crate::source::SourceSummary],
    summary: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    writes: Option<Vec<serde_json::Value>>,
    diagnostics: Diagnostics<'a>,
}

/// The document without its findings, for the findings a stream wrote to a file.
#[derive(Serialize)]
struct Head<'a> {
    schema: &'static str,
    tool: Tool,
    sources: &'a [crate::source::SourceSummary],
    summary: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    writes: Option<Vec<serde_json::Value>>,
}

/// One finding as an element of the document's `diagnostics` array, exactly as the pretty
/// document writes it, separator first.
pub(super) fn write_element(d: &Diagnostic, first: bool, out: &mut dyn Write) -> io::Result<()> {
    super::stream::write_element(&JsonDiagnostic(d), first, b"    ", out)
}

/// The document with the findings a stream wrote to a file.
fn render_spilled(
    report: &Report,
    spilled: &super::Spilled,
    out: &mut dyn Write,
) -> io::Result<()> {
    let head = Head {
        schema: "reglint-report/1",
        tool: TOOL,
        sources: &report.sources,
        summary: summary(report),
        writes: writes(report),
    };
    let head = serde_json::to_vec_pretty(&head)?;
    let open = head.strip_suffix(b"\n}").unwrap_or(&head);
    out.write_all(open)?;
    out.write_all(b",\n  \"diagnostics\": ")?;
    spilled.write_array(b"  ", out)?;
    out.write_all(b"\n}\n")
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if let Some(spilled) = &report.spilled {
        return render_spilled(report, spilled, out);
    }
    let doc = Document {
        schema: "reglint-report/1",
        tool: TOOL,
        sources: &report.sources,
        summary: summary(report),
        writes: writes(report),
        diagnostics: Diagnostics(&report.diagnostics),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub fn render_lines(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        write_line(d, out)?;
    }
    let mut tail = serde_json::json!({
        "schema": "reglint-report/1",
        "sources": report.sources,
        "summary": summary(report),
    });
    if let (Some(w), Some(m)) = (writes(report), tail.as_object_mut()) {
        m.insert("writes".into(), w.into());
    }
    serde_json::to_writer(&mut *out, &tail)?;
    writeln!(out)
}

/// One finding as a JSON line.
pub(super) fn write_line(d: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonDiagnostic(d))?;
    writeln!(out)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::diagnostic::{Fix, ItemRef, Location, Severity};
    use crate::model::Value;

    pub(in crate::report) fn sample(full: bool) -> Diagnostic {
        Diagnostic {
            rule: "RG101",
            name: "stray-character-in-identifier",
            severity: Severity::Error,
            message: "alias_id has a stray '\"'".into(),
            item: full.then(|| ItemRef {
                source: 0,
                index: 3,
                key: serde_json::json!({"agent_id": "PEGHWIVI5Y"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            }),
            origin: "dynamodb://registry".into(),
            attribute: full.then(|| "alias_id".to_string()),
            location: full.then(|| Location {
                path: "a.json".into(),
                line: 14,
                column: 17,
            }),
            snippet: None,
            fingerprint: "abc".into(),
            fix: full.then(|| {
                Fix::safe(
                    "Remove the stray '\"'",
                    vec![crate::diagnostic::Edit::set(
                        "alias_id",
                        Value::S("IO1GTTHP0M".into()),
                    )],
                )
            }),
            help: full.then(|| "see RG101".to_string()),
            account: full.then(|| "843074507558".to_string()),
            baseline: full.then_some(crate::diagnostic::BaselineState::Updated),
        }
    }

    #[test]
    fn a_document_with_spilled_findings_is_the_document_written_whole() {
        let make = || {
            let mut r = Report::default();
            r.summary.items = 7;
            r.aws_calls.insert("GetAgent".into(), 2);
            r
        };
        crate::report::stream::testing::assert_spilled_is_whole(make, write_element, render);
    }

    #[test]
    fn streamed_diagnostics_have_the_shape_of_to_json() {
        for full in [true, false] {
            let d = sample(full);
            let streamed = serde_json::to_string(&JsonDiagnostic(&d)).unwrap_or_default();
            let built = serde_json::to_string(&d.to_json()).unwrap_or_default();
            assert_eq!(streamed, built);
        }
    }
}
