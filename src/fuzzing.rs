//! Entry points for the fuzz targets in `fuzz/` and for the corpus replay in
//! `tests/fuzz_corpus.rs`: one function per target, each taking arbitrary bytes.
//!
//! Every target runs what `reglint check` runs on a file — read, lint with every rule, turn the
//! findings into diagnostics with locations and snippets, render the report or the error — and
//! none of it may panic. The functions return `Err` when an invariant the product relies on is
//! broken; the fuzz targets turn that into a crash.

use std::fmt;
use std::path::Path;

use crate::config::Config;
use crate::engine::{drive, Checker, FixPlanner, Mode, NoChanges};
use crate::lint::Linter;
use crate::model::{Attr, Item, Node, Span, Value};
use crate::report::{self, OutputFormat, RenderOptions, Report};
use crate::rules::registry::RegistryIndex;
use crate::select::Selection;
use crate::source::{FileReader, InputFormat, TextChunk};
use crate::store::FileStore;

/// An invariant the input broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

type Outcome = Result<(), Failure>;

/// A fuzz target: its name (the `fuzz/fuzz_targets/<name>.rs` file and the corpus directory)
/// and its function.
pub type Target = (&'static str, fn(&[u8]) -> Outcome);

/// Every target, by name.
pub const TARGETS: &[Target] = &[
    ("plain_json", plain_json),
    ("typed_json", typed_json),
    ("json_lines", json_lines),
    ("config_toml", config_toml),
    ("fix_round_trip", fix_round_trip),
];

/// Plain JSON documents (`--input-format plain`).
pub fn plain_json(data: &[u8]) -> Outcome {
    lint_bytes(data, InputFormat::Plain)
}

/// DynamoDB JSON documents (`--input-format dynamodb`): scan output, batch-write files, arrays.
pub fn typed_json(data: &[u8]) -> Outcome {
    lint_bytes(data, InputFormat::Dynamodb)
}

/// Input with the format told apart automatically; JSON Lines when the first line is an object.
pub fn json_lines(data: &[u8]) -> Outcome {
    lint_bytes(data, InputFormat::Auto)
}

/// `reglint.toml` text: parsed, validated, turned into a linter; errors rendered as printed.
pub fn config_toml(data: &[u8]) -> Outcome {
    // The loader reads the file as UTF-8 text; other bytes never reach the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    match Config::parse(Path::new("reglint.toml"), text.to_string()) {
        Ok(config) => {
            let rules = &config.file.rules;
            let codes = |v: &[toml::Spanned<String>]| -> Vec<String> {
                v.iter().map(|s| s.get_ref().clone()).collect()
            };
            let selection = Selection::new(
                rules.select.as_deref().map(codes),
                codes(&rules.extend_select),
                codes(&rules.ignore),
            );
            let linter = Linter::new(&config, &selection, false);
            let mut report = Report::default();
            for d in linter.unused_exceptions() {
                report.push(d);
            }
            render(&report, data.len())
        }
        Err(e) => {
            render_error(&e);
            Ok(())
        }
    }
}

/// Fixes round-trip through the file text, through the engine as `check --fix` runs them:
/// read (format told apart automatically), fix every item with every rule and unsafe fixes,
/// write the fixes into the text at the spans. The new text must read back into exactly the
/// fixed items, and fixing it again must change nothing.
pub fn fix_round_trip(data: &[u8]) -> Outcome {
    let linter = all_rules_linter(true);
    let reader = FileReader {
        format: InputFormat::Auto,
    };
    let mut read = Vec::new();
    if reader
        .read_bytes("fuzz.json", data, &mut |si| read.push(si))
        .is_err()
    {
        return Ok(());
    }
    // An unreadable file is exit 2 before anything is written; a readable one is UTF-8.
    let Ok(before) = std::str::from_utf8(data) else {
        return Err(Failure(
            "the reader accepted bytes that are not UTF-8".into(),
        ));
    };
    for si in &read {
        check_spans(&si.item, &si.chunk)?;
    }
    let (after, fixed_items) = fix_through_engine(&linter, data)?;
    let mut reread = Vec::new();
    reader
        .read_bytes("fuzz.json", after.as_bytes(), &mut |si| reread.push(si))
        .map_err(|e| {
            Failure(format!(
                "the fixed text does not read back: {e}\n--- before\n{before}\n--- after\n{after}"
            ))
        })?;
    if reread.len() != fixed_items.len() {
        return Err(Failure(format!(
            "{} items fixed but {} read back\n--- before\n{before}\n--- after\n{after}",
            fixed_items.len(),
            reread.len()
        )));
    }
    for (fixed, again) in fixed_items.iter().zip(&reread) {
        if fixed.format != again.item.format || !fixed.same_data(&again.item) {
            return Err(Failure(format!(
                "item {} reads back differently from what was fixed\nfixed:   {}\nread:    {}\n--- before\n{before}\n--- after\n{after}",
                again.index,
                typed_text(fixed),
                typed_text(&again.item),
            )));
        }
    }
    let (again, _) = fix_through_engine(&linter, after.as_bytes())?;
    if again != after {
        return Err(Failure(format!(
            "fixing does not converge, a second pass changes the text\n--- after\n{after}\n--- again\n{again}"
        )));
    }
    Ok(())
}

/// `check --fix --unsafe-fixes` on bytes held in memory: the new text (its `--diff` rendered
/// too), and every item as the engine settled it.
fn fix_through_engine(linter: &Linter, data: &[u8]) -> Result<(String, Vec<Item>), Failure> {
    let mut store = FileStore::from_bytes(linter, "fuzz.json", data.to_vec());
    let planner = FixPlanner {
        linter,
        protected: &[],
    };
    let mut report = Report {
        writing: true,
        ..Report::default()
    };
    let mut settled = Vec::new();
    drive(
        &mut store,
        &planner,
        Mode::Diff,
        &mut report,
        &mut |s, _| settled.push(s.read.item),
    )
    .map_err(|e| Failure(format!("the engine refused a readable file: {e}")))?;
    report::render(
        &report,
        OutputFormat::Concise,
        &RenderOptions::default(),
        &mut Vec::new(),
    )
    .map_err(|e| Failure(format!("rendering the diff failed: {e}")))?;
    let mut fixed = Vec::new();
    drive(&mut store, &planner, Mode::Fix, &mut report, &mut |s, _| {
        fixed.push(s.read.item)
    })
    .map_err(|e| Failure(format!("the engine refused a readable file: {e}")))?;
    for (a, b) in settled.iter().zip(&fixed) {
        if !a.same_data(b) {
            return Err(Failure(
                "--diff settles an item differently from --fix".into(),
            ));
        }
    }
    let after = String::from_utf8(store.bytes().unwrap_or_default().to_vec())
        .map_err(|e| Failure(format!("the fixed text is not UTF-8: {e}")))?;
    Ok((after, fixed))
}

fn typed_text(item: &Item) -> String {
    format!("{:?} {}", item.format, item.to_typed_json())
}

fn all_rules_linter(unsafe_fixes: bool) -> Linter {
    Linter::new(
        &Config::default(),
        &Selection::new(None, Vec::new(), Vec::new()),
        unsafe_fixes,
    )
}

/// What `reglint check` does with the items of one file, without writing anything: the
/// engine's loop over a store holding the bytes.
fn lint_bytes(data: &[u8], format: InputFormat) -> Outcome {
    let linter = all_rules_linter(false);
    let mut report = Report::default();
    let mut registry = RegistryIndex::default();
    let mut failure = None;
    let mut checker = Checker {
        linter: &linter,
        registry: &mut registry,
        observe: None,
        protected: &[],
    };
    let mut store = FileStore::from_bytes(&linter, "fuzz.json", data.to_vec()).with_format(format);
    let driven = drive(
        &mut store,
        &NoChanges,
        Mode::Report,
        &mut report,
        &mut |s, r| {
            if failure.is_none() {
                if let Some(chunk) = &s.read.origin.chunk {
                    failure = check_spans(&s.read.item, chunk).err();
                }
            }
            checker.take(&s.read, r);
        },
    );
    match driven {
        Ok(_) => {
            if let Some(f) = failure {
                return Err(f);
            }
            report.sort();
            render(&report, data.len())
        }
        Err(e) => {
            render_error(&e);
            Ok(())
        }
    }
}

/// Renders a report in every output format; `text` also with colour and with statistics.
/// SARIF output carries every rule page (a fixed ~100 KB that costs ten times a small item's
/// linting), so it is rendered for one input in eight, picked by `sample`.
fn render(report: &Report, sample: usize) -> Outcome {
    use clap::ValueEnum;
    let plain = RenderOptions {
        unsafe_fixes: true,
        ..RenderOptions::default()
    };
    let runs = OutputFormat::value_variants()
        .iter()
        .filter(|f| **f != OutputFormat::Sarif || sample.is_multiple_of(8))
        .map(|f| (*f, plain.clone()))
        .chain([
            (
                OutputFormat::Text,
                RenderOptions {
                    color: true,
                    ..plain.clone()
                },
            ),
            (
                OutputFormat::Text,
                RenderOptions {
                    statistics: true,
                    ..plain.clone()
                },
            ),
        ]);
    for (format, opts) in runs {
        let mut out = Vec::new();
        report::render(report, format, &opts, &mut out)
            .map_err(|e| Failure(format!("rendering {format:?} failed: {e}")))?;
    }
    Ok(())
}

/// Renders an error that stops a run, as `reglint` prints it.
fn render_error(e: &dyn miette::Diagnostic) {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let mut text = String::new();
    let _ = handler.render_report(&mut text, e);
}

/// The spans fixes write at: each item span holds an object, each name span the quoted name,
/// each value span one JSON value, all inside the chunk and on character boundaries.
fn check_spans(item: &Item, chunk: &TextChunk) -> Outcome {
    let text = chunk.text.as_str();
    if let Some(span) = item.span {
        let Some(s) = text.get(span.start..span.end) else {
            return Err(Failure(format!(
                "item span {span:?} is not inside the text"
            )));
        };
        if !(s.starts_with('{') && s.ends_with('}')) {
            return Err(Failure(format!(
                "item span {span:?} holds {s:?}, not an object"
            )));
        }
    }
    check_attrs(&item.attrs, text)
}

fn check_attrs(attrs: &[Attr], text: &str) -> Outcome {
    for a in attrs {
        if let Some(span) = a.name_span {
            let s = span_text(text, span)?;
            if serde_json::from_str::<String>(s).ok().as_deref() != Some(a.name.as_ref()) {
                return Err(Failure(format!(
                    "name span {span:?} holds {s:?}, not the name {:?}",
                    a.name
                )));
            }
        }
        check_node(&a.node, text)?;
    }
    Ok(())
}

fn check_node(node: &Node, text: &str) -> Outcome {
    if let Some(span) = node.span {
        let s = span_text(text, span)?;
        if serde_json::from_str::<&serde_json::value::RawValue>(s).is_err() {
            return Err(Failure(format!(
                "value span {span:?} holds {s:?}, not one JSON value"
            )));
        }
    }
    match &node.value {
        Value::M(attrs) => check_attrs(attrs, text),
        Value::L(nodes) | Value::SS(nodes) | Value::NS(nodes) | Value::BS(nodes) => {
            nodes.iter().try_for_each(|n| check_node(n, text))
        }
        _ => Ok(()),
    }
}

fn span_text(text: &str, span: Span) -> Result<&str, Failure> {
    text.get(span.start..span.end)
        .ok_or_else(|| Failure(format!("span {span:?} is not inside the text")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_accept_a_clean_registry() {
        let doc = br#"[{"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M", "name": "billing", "description": "Bills", "agent_type": "bedrock_agent", "enabled": true, "capabilities": ["billing"]}]"#;
        for (name, target) in TARGETS {
            if *name != "config_toml" {
                assert_eq!(target(doc), Ok(()), "{name}");
            }
        }
    }

    #[test]
    fn round_trip_fixes_a_stray_quote() {
        let doc = br#"[{"agent_id": "PEGHWIVI5Y\"", "name": "a"}]"#;
        assert_eq!(fix_round_trip(doc), Ok(()));
    }

    #[test]
    fn a_broken_span_is_reported() {
        let chunk = TextChunk::new("t".into(), r#"{"a": 1}"#.into(), 0, 1);
        let mut item = Item::new(crate::model::Format::Plain);
        item.attrs.push(Attr {
            name: "b".into(),
            name_span: Some(Span::new(1, 4)),
            node: Node::at(Value::N("1".into()), Span::new(6, 7)),
        });
        let err = check_spans(&item, &chunk).unwrap_err();
        assert_eq!(
            err.0,
            "name span Span { start: 1, end: 4 } holds \"\\\"a\\\"\", not the name \"b\""
        );
    }
}
