//! `gitlab`: a GitLab Code Quality report (`artifacts: reports: codequality:`), a JSON array
//! with one object per finding:
//!
//! ```json
//! [{"description": "RG101 stray-character-in-identifier: alias_id ends with a stray '\"'",
//!   "check_name": "RG101", "fingerprint": "<64 hex digits>", "severity": "major",
//!   "location": {"path": "registry/agents.json", "lines": {"begin": 14}}}]
//! ```
//!
//! - `description` starts with the rule's code and name: GitLab shows no `check_name`.
//! - `severity`: error → `major`, warning → `minor`, info → `info`.
//! - `location.path` is the file relative to `$CI_PROJECT_DIR` (else the working directory);
//!   table items have no file, so their path is `dynamodb/TABLE`, line 1, and the description
//!   names the table and the item's key.
//! - `fingerprint` is the SHA-256 (hex) of the finding's stable fingerprint (rule, source, key,
//!   attribute, offending value): the same finding keeps its entry in the merge request widget
//!   from run to run, whatever the platform. GitLab shows findings that share a fingerprint as
//!   one, so a repeat within the report also hashes its occurrence number.
//!
//! Values are JSON-escaped, and control, bidi or invisible characters become visible escapes.
//! No byte order mark; no summary (the file is read by GitLab, not people).

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::escape::push_escaped;
use super::{place, repo_path, working_dir, Report};
use crate::diagnostic::{Diagnostic, Severity};

#[derive(Debug, Serialize, PartialEq)]
pub(super) struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Debug, Serialize, PartialEq)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Debug, Serialize, PartialEq)]
struct Lines {
    begin: usize,
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if let Some(spilled) = &report.spilled {
        spilled.write_array(b"", out)?;
        return writeln!(out);
    }
    let base = project_dir();
    let issues = issues(&report.diagnostics, base.as_deref());
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

/// A finding as an element of the document's array, as the whole document writes it,
/// separator first; `occurrence` counts the findings with its fingerprint written before.
pub(super) fn write_element(
    d: &Diagnostic,
    base: Option<&str>,
    occurrence: usize,
    first: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    super::stream::write_element(&issue(d, base, occurrence), first, b"  ", out)
}

/// How often each fingerprint was written so far, for a streamed report: 8 bytes of its hash
/// and a count per distinct fingerprint, never the findings.
#[derive(Debug, Default)]
pub(super) struct Occurrences(hashbrown::HashMap<u64, usize>);

impl Occurrences {
    /// The occurrence number of the next finding with `fingerprint` (0 for the first).
    pub(super) fn next(&mut self, fingerprint: &str) -> usize {
        let key = u64::from_le_bytes(
            Sha256::digest(fingerprint.as_bytes())[..8]
                .try_into()
                .unwrap_or_default(),
        );
        let n = self.0.entry(key).or_default();
        *n += 1;
        *n - 1
    }
}

/// The folder paths are made relative to: `$CI_PROJECT_DIR` in a GitLab job, else the working
/// directory.
pub(super) fn project_dir() -> Option<String> {
    match std::env::var("CI_PROJECT_DIR") {
        Ok(dir) if !dir.is_empty() => Some(dir.replace('\\', "/").trim_end_matches('/').into()),
        _ => working_dir(),
    }
}

pub(super) fn issues(diagnostics: &[Diagnostic], base: Option<&str>) -> Vec<Issue> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let n = seen.entry(d.fingerprint.as_str()).or_default();
            let issue = issue(d, base, *n);
            *n += 1;
            issue
        })
        .collect()
}

fn issue(d: &Diagnostic, base: Option<&str>, occurrence: usize) -> Issue {
    let mut description = format!("{} {}: ", d.rule, d.name);
    let location = match &d.location {
        Some(l) => IssueLocation {
            path: repo_path(&l.path, base),
            lines: Lines { begin: l.line },
        },
        None => {
            escape_into(&mut description, &place(d));
            description.push_str(": ");
            IssueLocation {
                path: table_path(&d.origin),
                lines: Lines { begin: 1 },
            }
        }
    };
    escape_into(&mut description, &d.message);
    Issue {
        description,
        check_name: d.rule,
        fingerprint: fingerprint(&d.fingerprint, occurrence),
        severity: severity(d.severity),
        location,
    }
}

/// `dynamodb://registry?region=eu-west-1` → `dynamodb/registry`; any other origin as it is.
fn table_path(origin: &str) -> String {
    match origin.strip_prefix("dynamodb://") {
        Some(rest) => {
            let table = rest.split('?').next().unwrap_or(rest);
            format!("dynamodb/{table}")
        }
        None if origin.is_empty() => "reglint.toml".to_string(),
        None => repo_path(origin, None),
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// SHA-256 of the finding's fingerprint, and of its occurrence number after the first.
fn fingerprint(finding: &str, occurrence: usize) -> String {
    let mut h = Sha256::new();
    h.update(b"reglint-gitlab/1\0");
    h.update(finding.as_bytes());
    if occurrence > 0 {
        h.update(format!("\0{occurrence}").as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        push_escaped(out, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::tests::sample;

    #[test]
    fn a_document_with_spilled_issues_is_the_document_written_whole() {
        let base = project_dir();
        let seen = std::cell::RefCell::new(Occurrences::default());
        let write = |d: &Diagnostic, first: bool, out: &mut dyn Write| {
            if first {
                *seen.borrow_mut() = Occurrences::default();
            }
            let n = seen.borrow_mut().next(&d.fingerprint);
            write_element(d, base.as_deref(), n, first, out)
        };
        crate::report::stream::testing::assert_spilled_is_whole(Report::default, write, render);

        // A repeated finding hashes its occurrence number, streamed as written whole.
        let twice = vec![sample(true), sample(true)];
        let whole = issues(&twice, base.as_deref());
        let mut occurrences = Occurrences::default();
        for (d, issue) in twice.iter().zip(&whole) {
            let mut one = Vec::new();
            write_element(
                d,
                base.as_deref(),
                occurrences.next(&d.fingerprint),
                true,
                &mut one,
            )
            .unwrap();
            assert!(String::from_utf8(one).unwrap().contains(&issue.fingerprint));
        }
        assert_ne!(whole[0].fingerprint, whole[1].fingerprint);
    }

    #[test]
    fn a_file_finding_and_a_table_finding_are_exactly_these_objects() {
        let file = sample(true);
        let mut table = sample(true);
        table.location = None;
        table.severity = Severity::Warning;
        table.message = "two\nlines \u{202e}".into();
        let mut info = sample(false);
        info.severity = Severity::Info;
        info.fingerprint = "other".into();
        let doc = serde_json::to_value(issues(&[file, table, info], Some("/repo"))).unwrap();
        let hash = |s: &str| {
            let d = Sha256::digest(s.as_bytes());
            d.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let expected = serde_json::json!([
            {
                "description": "RG101 stray-character-in-identifier: alias_id has a stray '\"'",
                "check_name": "RG101",
                "fingerprint": hash("reglint-gitlab/1\0abc"),
                "severity": "major",
                "location": {"path": "a.json", "lines": {"begin": 14}}
            },
            {
                "description": "RG101 stray-character-in-identifier: dynamodb://registry \
                                {\"agent_id\":\"PEGHWIVI5Y\"}: two\\nlines \\u{202e}",
                "check_name": "RG101",
                "fingerprint": hash("reglint-gitlab/1\0abc\u{0}1"),
                "severity": "minor",
                "location": {"path": "dynamodb/registry", "lines": {"begin": 1}}
            },
            {
                "description": "RG101 stray-character-in-identifier: dynamodb://registry: \
                                alias_id has a stray '\"'",
                "check_name": "RG101",
                "fingerprint": hash("reglint-gitlab/1\0other"),
                "severity": "info",
                "location": {"path": "dynamodb/registry", "lines": {"begin": 1}}
            }
        ]);
        assert_eq!(doc, expected);
    }

    #[test]
    fn fingerprints_are_sha256_hex_and_differ_per_occurrence() {
        let a = fingerprint("abc", 0);
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(a, fingerprint("abc", 0));
        assert_ne!(a, fingerprint("abc", 1));
        assert_ne!(a, fingerprint("abd", 0));
    }

    #[test]
    fn table_paths_drop_the_scheme_and_parameters() {
        assert_eq!(table_path("dynamodb://registry"), "dynamodb/registry");
        assert_eq!(
            table_path("dynamodb://registry?profile=prod&region=eu-west-1"),
            "dynamodb/registry"
        );
        assert_eq!(table_path(""), "reglint.toml");
    }

    #[test]
    fn an_empty_report_is_an_empty_array_without_a_byte_order_mark() {
        let mut out = Vec::new();
        render(&Report::default(), &mut out).unwrap();
        assert_eq!(out, b"[]\n");
    }
}
