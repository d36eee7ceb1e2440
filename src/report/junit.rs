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
    if let Some(spilled) = &report.junit_spilled {
        return spilled.write_document(out);
    }
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

/// The test cases of a streamed report, serialized as they are found into one temporary file
/// per rule, with the counts each suite's tag needs: the document is then written rule by rule
/// without holding a finding.
#[derive(Debug, Default)]
pub struct Spill {
    rules: std::collections::BTreeMap<&'static str, RuleSpill>,
}

#[derive(Debug)]
struct RuleSpill {
    name: &'static str,
    file: io::BufWriter<std::fs::File>,
    tests: usize,
    failures: usize,
    /// Cases not yet in the file: quick-junit serializes them a batch at a time.
    pending: Vec<TestCase>,
}

/// Cases serialized at once: quick-junit writes a whole report for a batch, so one case at a
/// time would cost a report per case. At most this many cases per rule are held.
const BATCH: usize = 64;

impl RuleSpill {
    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let cases = std::mem::take(&mut self.pending);
        self.file.write_all(&cases_fragment(cases)?)
    }
}

impl Spill {
    /// Takes the findings of one item (or one finding about no item), in report order: one
    /// case per rule, as [`render`] groups them.
    pub(super) fn take(&mut self, diags: &[Diagnostic]) -> io::Result<()> {
        let mut rules: Vec<&'static str> = Vec::new();
        for d in diags {
            if !rules.contains(&d.rule) {
                rules.push(d.rule);
            }
        }
        for rule in rules {
            let case: Vec<&Diagnostic> = diags.iter().filter(|d| d.rule == rule).collect();
            self.add(&case)?;
        }
        Ok(())
    }

    fn add(&mut self, case: &[&Diagnostic]) -> io::Result<()> {
        let first = case[0];
        let spill = match self.rules.entry(first.rule) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(RuleSpill {
                name: first.name,
                file: io::BufWriter::with_capacity(1 << 14, tempfile::tempfile()?),
                tests: 0,
                failures: 0,
                pending: Vec::with_capacity(BATCH),
            }),
        };
        let case = test_case(case);
        spill.tests += 1;
        spill.failures += usize::from(matches!(case.status, TestCaseStatus::NonSuccess { .. }));
        spill.pending.push(case);
        if spill.pending.len() == BATCH {
            spill.write_pending()?;
        }
        Ok(())
    }

    /// The document: quick-junit's own tags with the counts, each suite's cases copied in.
    fn write_document(&self, out: &mut dyn Write) -> io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let mut skeleton = quick_junit::Report::new("reglint");
        for (code, rule) in &self.rules {
            let mut suite = TestSuite::new(format!("{code} {}", rule.name));
            suite.tests = rule.tests;
            suite.failures = rule.failures;
            skeleton.add_test_suite(suite);
        }
        let mut head = Vec::new();
        skeleton
            .serialize(&mut head)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let mut files = self.rules.values().map(|r| r.file.get_ref());
        for line in head.split_inclusive(|b| *b == b'\n') {
            if line.trim_ascii() == b"</testsuite>" {
                if let Some(mut file) = files.next() {
                    file.seek(SeekFrom::Start(0))?;
                    io::copy(&mut file.take(u64::MAX), out)?;
                }
            }
            out.write_all(line)?;
        }
        Ok(())
    }

    /// Writes the cases still held, and what each rule's file holds.
    pub(super) fn flush(&mut self) -> io::Result<()> {
        self.rules.values_mut().try_for_each(|r| {
            r.write_pending()?;
            r.file.flush()
        })
    }
}

/// Cases as quick-junit writes them inside a suite: the lines between the suite's tags of a
/// report that holds only them.
fn cases_fragment(cases: Vec<TestCase>) -> io::Result<Vec<u8>> {
    let mut one = quick_junit::Report::new("reglint");
    let mut suite = TestSuite::new("case");
    suite.add_test_cases(cases);
    one.add_test_suite(suite);
    let mut xml = Vec::new();
    one.serialize(&mut xml)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let lines: Vec<&[u8]> = xml.split_inclusive(|b| *b == b'\n').collect();
    let open = lines
        .iter()
        .position(|l| l.trim_ascii_start().starts_with(b"<testsuite "));
    let close = lines
        .iter()
        .rposition(|l| l.trim_ascii() == b"</testsuite>");
    match (open, close) {
        (Some(open), Some(close)) if open < close => Ok(lines[open + 1..close].concat()),
        _ => Err(io::Error::other("quick-junit wrote an unexpected layout")),
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::report::json::tests::sample;

    /// Findings of two items over two rules (one item with two findings of a rule, one with
    /// only an info), and one finding about no item.
    fn findings() -> Vec<Diagnostic> {
        let item = |index: usize, rule: &'static str, severity: Severity, message: &str| {
            let mut d = sample(true);
            d.rule = rule;
            d.severity = severity;
            d.message = message.into();
            if let Some(i) = d.item.as_mut() {
                i.index = index;
            }
            d
        };
        vec![
            item(1, "RG101", Severity::Error, "first <&>"),
            item(1, "RG101", Severity::Warning, "second \u{1b}"),
            item(1, "RG203", Severity::Info, "untrimmed"),
            item(2, "RG203", Severity::Info, "untrimmed too"),
            sample(false),
        ]
    }

    #[test]
    fn a_document_of_spilled_cases_is_the_document_written_whole() {
        // More cases than a batch: some written as the batches fill, the rest at the end.
        let many: Vec<Diagnostic> = (0..2 * BATCH + 3)
            .flat_map(|i| {
                findings().into_iter().take(4).map(move |mut d| {
                    if let Some(item) = d.item.as_mut() {
                        item.index += 10 + 2 * i;
                    }
                    d
                })
            })
            .collect();
        for findings in [vec![], findings(), many] {
            let whole = Report {
                diagnostics: findings.clone(),
                ..Report::default()
            };
            let mut expected = Vec::new();
            render(&whole, &mut expected).unwrap();

            // As a stream hands them over: one item's findings, or one about no item, at a time.
            let mut spill = Spill::default();
            let mut batch: Vec<Diagnostic> = Vec::new();
            for d in findings {
                let same = batch.last().is_some_and(|b: &Diagnostic| {
                    b.item.is_some()
                        && b.item.as_ref().map(|i| i.index) == d.item.as_ref().map(|i| i.index)
                });
                if !same && !batch.is_empty() {
                    spill.take(&batch).unwrap();
                    batch.clear();
                }
                batch.push(d);
            }
            if !batch.is_empty() {
                spill.take(&batch).unwrap();
            }
            spill.flush().unwrap();
            let spilled = Report {
                junit_spilled: Some(spill),
                ..Report::default()
            };
            let mut written = Vec::new();
            render(&spilled, &mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}
