//! `--format openmetrics`: the OpenMetrics 1.0 text format, for node_exporter's textfile
//! collector (spec §11). Every family is a gauge of the last run:
//! `reglint_findings{source,rule,severity}`, `reglint_items{source}`,
//! `reglint_unverifiable{source}` and `reglint_last_run_timestamp_seconds`.
//!
//! No sample carries a timestamp (the textfile collector skips a whole file that has one);
//! label values escape `\`, `"` and line breaks; the exposition ends with `# EOF`. With
//! `--output` the file is written whole and renamed into place, as the collector requires.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::audit::NO_SOURCE;
use super::Report;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::new();
    write_findings(report, &mut s);
    write_per_source(report, &mut s);
    let time = report.audit.time();
    family(
        &mut s,
        "reglint_last_run_timestamp_seconds",
        Some("seconds"),
        "When the last reglint run ended, in seconds since the epoch.",
    );
    let seconds = time.timestamp_millis() as f64 / 1000.0;
    let _ = writeln!(s, "reglint_last_run_timestamp_seconds {seconds:.3}");
    s.push_str("# EOF\n");
    out.write_all(s.as_bytes())
}

fn write_findings(report: &Report, s: &mut String) {
    family(
        s,
        "reglint_findings",
        None,
        "Findings of the last run, by source, rule and severity.",
    );
    for ((source, rule, severity), n) in &report.audit_counts.by_rule {
        let _ = writeln!(
            s,
            "reglint_findings{{source=\"{}\",rule=\"{}\",severity=\"{}\"}} {n}",
            label_value(&source_label(report, *source)),
            label_value(rule),
            severity.as_str()
        );
    }
}

fn write_per_source(report: &Report, s: &mut String) {
    family(
        s,
        "reglint_items",
        None,
        "Items read by the last run, by source.",
    );
    for src in &report.sources {
        let _ = writeln!(
            s,
            "reglint_items{{source=\"{}\"}} {}",
            label_value(&src.path),
            src.items
        );
    }
    family(
        s,
        "reglint_unverifiable",
        None,
        "Items the last run could not verify, by source.",
    );
    for (i, src) in report.sources.iter().enumerate() {
        let _ = writeln!(
            s,
            "reglint_unverifiable{{source=\"{}\"}} {}",
            label_value(&src.path),
            report.audit_counts.unverifiable_in(i)
        );
    }
}

/// `# TYPE`, `# UNIT` and `# HELP` of a gauge family, in the order OpenMetrics requires.
fn family(s: &mut String, name: &str, unit: Option<&str>, help: &str) {
    let _ = writeln!(s, "# TYPE {name} gauge");
    if let Some(unit) = unit {
        let _ = writeln!(s, "# UNIT {name} {unit}");
    }
    let _ = writeln!(s, "# HELP {name} {}", escape(help, false));
}

fn source_label(report: &Report, source: usize) -> String {
    match report.sources.get(source) {
        Some(s) => s.path.clone(),
        None if source == NO_SOURCE => "configuration".into(),
        None => format!("source {source}"),
    }
}

/// A label value: `\`, `"` and line feeds escaped; carriage returns (which OpenMetrics does
/// not allow anywhere) written as `\r` text.
fn label_value(v: &str) -> String {
    escape(v, true)
}

fn escape(v: &str, quote: bool) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if quote => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\\\r"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c\nd\re"), "a\\\"b\\\\c\\nd\\\\re");
        assert_eq!(escape("say \"hi\"\n", false), "say \"hi\"\\n");
    }

    #[test]
    fn an_empty_report_has_every_family_and_ends_in_eof() {
        let mut out = Vec::new();
        render(&Report::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        for family in [
            "reglint_findings",
            "reglint_items",
            "reglint_unverifiable",
            "reglint_last_run_timestamp_seconds",
        ] {
            assert!(text.contains(&format!("# TYPE {family} gauge\n")), "{text}");
        }
        assert!(text.ends_with("\n# EOF\n"), "{text}");
    }
}
