//! `sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! One run; the driver lists every rule of the catalogue (so `ruleIndex` is the rule's place in
//! [`crate::rules::RULES`]); each finding is a result with a physical location (file path
//! relative to the working directory, line, column in code points). Findings without a file
//! location (table items) use the source label (`dynamodb://registry`) as the artifact URI,
//! line 1, and name the table and item key in a logical location. `partialFingerprints`
//! carries the finding's stable fingerprint, so alerts follow a finding across runs. With
//! `--baseline`, every result carries `baselineState` (`absent` for stale entries, RG901).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_sarif::sarif;

use super::{origin, repo_path, working_dir, Report};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Rule, RULES};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where the rules are documented, when Cargo.toml names no repository.
const FALLBACK_URI: &str = "https://github.com/reglint/reglint";
const INFORMATION_URI: &str = if env!("CARGO_PKG_REPOSITORY").is_empty() {
    FALLBACK_URI
} else {
    env!("CARGO_PKG_REPOSITORY")
};
const FINGERPRINT_KEY: &str = "reglintFingerprint/v1";
/// The key GitHub code scanning reads first. reglint gives its own stable fingerprint there:
/// findings may point at table items, which GitHub cannot hash by their line.
const LINE_HASH_KEY: &str = "primaryLocationLineHash";

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if let Some(spilled) = &report.spilled {
        return render_spilled(report, spilled, out);
    }
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    writeln!(out)
}

/// Where the run's results are in the pretty document: the key of the one run's array, at its
/// depth (a line break inside a string is escaped, so this cannot occur in a value).
const RESULTS: &[u8] = b"\n      \"results\": []";

/// One finding as an element of the run's `results`, exactly as the pretty document writes it,
/// separator first.
pub(super) fn write_element(
    d: &Diagnostic,
    cwd: Option<&str>,
    first: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    super::stream::write_element(&result(d, cwd), first, b"        ", out)
}

/// The document with the results a stream wrote to a file.
fn render_spilled(
    report: &Report,
    spilled: &super::Spilled,
    out: &mut dyn Write,
) -> io::Result<()> {
    let doc = serde_json::to_vec_pretty(&document(report))?;
    let at = memchr::memmem::find(&doc, RESULTS)
        .ok_or_else(|| io::Error::other("the SARIF document has no results array"))?;
    out.write_all(&doc[..at])?;
    out.write_all(b"\n      \"results\": ")?;
    spilled.write_array(b"      ", out)?;
    out.write_all(&doc[at + RESULTS.len()..])?;
    writeln!(out)
}

fn document(report: &Report) -> sarif::Sarif {
    let cwd = working_dir();
    let results: Vec<sarif::Result> = report
        .diagnostics
        .iter()
        .map(|d| result(d, cwd.as_deref()))
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("reglint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(RULES.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    if let Some(writes) = super::json::writes(report) {
        let bag = BTreeMap::from([("writes".to_string(), serde_json::Value::from(writes))]);
        run.properties = Some(
            sarif::PropertyBag::builder()
                .additional_properties(bag)
                .build(),
        );
    }
    if !report.notes.is_empty() {
        let notes: Vec<sarif::Notification> = report
            .notes
            .iter()
            .map(|n| {
                sarif::Notification::builder()
                    .message(sarif::Message::builder().text(n.as_str()).build())
                    .level(serde_json::json!("note"))
                    .build()
            })
            .collect();
        run.invocations = Some(vec![sarif::Invocation::builder()
            .execution_successful(true)
            .tool_execution_notifications(notes)
            .build()]);
    }
    sarif::Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn text(s: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(s.to_string())
        .build()
}

/// A rule as SARIF describes it; its page is the help.
fn descriptor(r: &Rule) -> sarif::ReportingDescriptor {
    sarif::ReportingDescriptor::builder()
        .id(r.code)
        .name(r.name)
        .short_description(text(r.summary))
        .full_description(text(&what_it_does(r)))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(r.doc)
                .markdown(r.doc)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(level(r.severity)))
                .build(),
        )
        .build()
}

/// The "What it does" section of a rule's page as one paragraph, or its summary.
fn what_it_does(r: &Rule) -> String {
    let Some((_, rest)) = r.doc.split_once("## What it does") else {
        return r.summary.to_string();
    };
    let section = rest.split("\n#").next().unwrap_or("");
    let words: Vec<&str> = section.split_whitespace().collect();
    if words.is_empty() {
        r.summary.to_string()
    } else {
        words.join(" ")
    }
}

fn result(d: &Diagnostic, cwd: Option<&str>) -> sarif::Result {
    let mut message = match d.location {
        Some(_) => String::new(),
        None => format!("{}: ", super::place(d)),
    };
    message.push_str(&d.message);
    if let Some(fix) = &d.fix {
        message.push_str("\nhelp: ");
        message.push_str(&super::fix_help(fix));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let region = match &d.location {
        Some(l) => sarif::Region::builder()
            .start_line(l.line as i64)
            .start_column(l.column as i64)
            .build(),
        None => sarif::Region::builder().start_line(1).build(),
    };
    let uri = match &d.location {
        Some(l) => uri_encode(&repo_path(&l.path, cwd)),
        None => uri_encode(origin(d)),
    };
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(sarif::ArtifactLocation::builder().uri(uri).build())
        .region(region)
        .build();
    let mut location = sarif::Location::builder()
        .physical_location(physical)
        .build();
    if let (None, Some(item)) = (&d.location, &d.item) {
        let key = serde_json::Value::Object(item.key.clone()).to_string();
        location.logical_locations = Some(vec![sarif::LogicalLocation::builder()
            .name(key.clone())
            .fully_qualified_name(format!("{} {key}", origin(d)))
            .kind("object")
            .build()]);
    }
    let mut result = sarif::Result::builder()
        .rule_id(d.rule)
        .level(match d.severity {
            Severity::Error => sarif::ResultLevel::Error,
            Severity::Warning => sarif::ResultLevel::Warning,
            Severity::Info => sarif::ResultLevel::Note,
        })
        .message(sarif::Message::builder().text(message).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([
            (FINGERPRINT_KEY.to_string(), d.fingerprint.clone()),
            (LINE_HASH_KEY.to_string(), d.fingerprint.clone()),
        ]))
        .build();
    result.baseline_state = d.baseline.map(|s| serde_json::json!(s.as_str()));
    result.rule_index = RULES
        .iter()
        .position(|r| r.code == d.rule)
        .map(|i| i as i64);
    result
}

/// What a relative URI reference may hold as it is: RFC 3986's unreserved and path characters
/// (`/` and `:` included); everything else is percent-encoded (UTF-8).
const URI_ENCODED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// A path as a relative URI reference.
fn uri_encode(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, URI_ENCODED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_with_spilled_results_is_the_document_written_whole() {
        let cwd = working_dir();
        let make = || {
            let mut r = Report::default();
            r.notes.push("wrote 1 file".into());
            r
        };
        crate::report::stream::testing::assert_spilled_is_whole(
            make,
            |d, first, out| write_element(d, cwd.as_deref(), first, out),
            render,
        );
    }

    #[test]
    fn uris_encode_spaces_percent_and_controls() {
        assert_eq!(uri_encode("a dir/r%1.json"), "a%20dir/r%251.json");
        assert_eq!(uri_encode("dynamodb://registry"), "dynamodb://registry");
        assert_eq!(uri_encode("é\u{1b}#"), "%C3%A9%1B%23");
    }

    #[test]
    fn full_description_is_the_what_it_does_section() {
        let r = crate::rules::rule("RG101")
            .map(what_it_does)
            .unwrap_or_default();
        assert!(r.starts_with("Flags quotes"), "{r}");
        assert!(!r.contains('\n'));
    }
}
