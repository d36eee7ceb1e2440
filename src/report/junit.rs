//! `junit`: one test suite per rule with findings, one test case per (rule, item).
//!
//! A case fails when any of its findings is an error or a warning; a case with only infos
//! passes and carries them as system-out. Rules without findings get no suite: the report does
//! not know which rules were selected, and a suite of passing cases for every item would make
//! the file grow with the registry rather than with its problems.
//!
//! The data is escaped as for a terminal before it is written (control characters become
//! visible `\u{..}` escapes), so the XML is valid 1.0 whatever an item holds; quick-junit
//! escapes markup.

use std::collections::hash_map::{Entry, HashMap};
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::{escape_terminal as esc, fix_help, origin, place, Report};
use crate::diagnostic::{Diagnostic, Severity};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut junit = quick_junit::Report::new("reglint");
    for (code, name, cases) in group(report) {
        let mut suite = TestSuite::new(format!("{code} {name}"));
        for diags in cases {
            suite.add_test_case(test_case(&diags));
        }
        junit.add_test_suite(suite);
    }
    // Serialized in memory first: quick-junit's error would hide the kind of a write error
    // (a reader that went away is not a failure).
    let mut buf = Vec::new();
    junit
        .serialize(&mut buf)
        .map_err(|e| io::Error::other(e.to_string()))?;
    out.write_all(&buf)
}

/// The findings by rule (code order, which is the catalogue's) and, within a rule, by item (report order).
fn group(report: &Report) -> Vec<(&'static str, &'static str, Vec<Vec<&Diagnostic>>)> {
    let mut by_rule: Vec<(&'static str, &'static str, Vec<Vec<&Diagnostic>>)> = Vec::new();
    let mut rule_pos: HashMap<&'static str, usize> = HashMap::new();
    let mut case_pos: HashMap<(&'static str, usize, usize), usize> = HashMap::new();
    for d in &report.diagnostics {
        let r = *rule_pos.entry(d.rule).or_insert_with(|| {
            by_rule.push((d.rule, d.name, Vec::new()));
            by_rule.len() - 1
        });
        let cases = &mut by_rule[r].2;
        let Some(item) = &d.item else {
            cases.push(vec![d]);
            continue;
        };
        match case_pos.entry((d.rule, item.source, item.index)) {
            Entry::Occupied(e) => cases[*e.get()].push(d),
            Entry::Vacant(e) => {
                e.insert(cases.len());
                cases.push(vec![d]);
            }
        }
    }
    by_rule.sort_by_key(|(code, _, _)| *code);
    by_rule
}

/// The case's name: the item (its index and key) or, for findings about no item, the place.
fn case_name(d: &Diagnostic) -> String {
    match &d.item {
        Some(item) if item.key.is_empty() => format!("item {}", item.index),
        Some(item) => format!(
            "item {} {}",
            item.index,
            serde_json::Value::Object(item.key.clone())
        ),
        None => place(d),
    }
}

fn test_case(diags: &[&Diagnostic]) -> TestCase {
    let first = diags[0];
    let failing = diags.iter().any(|d| d.severity >= Severity::Warning);
    let details: Vec<String> = diags.iter().map(|d| detail(d)).collect();
    let status = if failing {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let messages: Vec<String> = diags.iter().map(|d| esc(&d.message).into_owned()).collect();
        status
            .set_message(messages.join("; "))
            .set_type(
                diags
                    .iter()
                    .map(|d| d.severity)
                    .max()
                    .unwrap_or(first.severity)
                    .as_str(),
            )
            .set_description(details.join("\n"));
        status
    } else {
        TestCaseStatus::success()
    };
    let mut case = TestCase::new(esc(&case_name(first)), status);
    case.set_classname(esc(origin(first)));
    if !failing {
        case.set_system_out(details.join("\n"));
    }
    case
}

/// One finding for the failure text: place, severity, message, rule, fix, help.
fn detail(d: &Diagnostic) -> String {
    let mut s = format!(
        "{}: {}: {} [{} {}]",
        esc(&place(d)),
        d.severity.as_str(),
        esc(&d.message),
        d.rule,
        d.name
    );
    if let Some(fix) = &d.fix {
        s.push_str("\n  help: ");
        s.push_str(&esc(&fix_help(fix)));
    }
    if let Some(help) = &d.help {
        s.push_str("\n  help: ");
        s.push_str(&esc(help));
    }
    s
}
