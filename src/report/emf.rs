//! `--format emf`: CloudWatch Embedded Metric Format, one JSON object per line, for a scheduled
//! audit in Lambda, ECS or CodeBuild whose output goes to CloudWatch Logs (spec §11).
//!
//! One line per dimension set, because the metric values of a line are its root members and
//! are shared by every dimension set of its directive:
//! - {Source}: `Findings`, `Errors`, `Items`, `Unverifiable`;
//! - {Source, Rule}: `Findings` of the rule, with `Severity` as a property (not a dimension);
//! - {Source, Account}: `Findings` and `Errors` of the items that name the account.
//!
//! Every metric is a `Count`. Each line is checked before it is written against the limits the
//! published schema does not check (see [`check_event`]); dimension values longer than the
//! 1024 characters CloudWatch takes are cut.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::audit::NO_SOURCE;
use super::Report;
use crate::diagnostic::Severity;

/// An event may be at most 1 MB.
pub const MAX_EVENT_BYTES: usize = 1_000_000;
/// At most 100 metrics per directive, 30 keys per dimension set, 1024 characters per value.
pub const MAX_METRICS: usize = 100;
pub const MAX_DIMENSIONS: usize = 30;
pub const MAX_DIMENSION_VALUE: usize = 1024;

/// Whether `s` is a namespace CloudWatch takes: 1 to 255 of `[A-Za-z0-9._#:/-]`, not under
/// `AWS/` (reserved for AWS services).
pub fn is_namespace(s: &str) -> bool {
    (1..=255).contains(&s.len())
        && !s.starts_with("AWS/")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._#:/-".contains(&b))
}

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let timestamp = report.audit.time().timestamp_millis();
    let namespace = report.audit.namespace();
    for event in events(report) {
        let line = finish(event, namespace, timestamp)?;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A line before its `_aws` member: dimension names, metric names, root members.
struct Event {
    dimensions: &'static [&'static str],
    metrics: &'static [&'static str],
    root: Map<String, Value>,
}

fn events(report: &Report) -> Vec<Event> {
    let mut out = source_events(report);
    out.extend(rule_events(report));
    out.extend(account_events(report));
    out
}

/// {Source}: one line per source (and one for the configuration's own findings).
fn source_events(report: &Report) -> Vec<Event> {
    let counts = &report.audit_counts;
    let mut sources: Vec<usize> = (0..report.sources.len()).collect();
    if counts.by_rule.keys().any(|(s, _, _)| *s == NO_SOURCE) {
        sources.push(NO_SOURCE);
    }
    let event = |s: usize| {
        let (findings, errors) = counts.source_totals(s);
        let items = report.sources.get(s).map_or(0, |x| x.items);
        Event {
            dimensions: &["Source"],
            metrics: &["Findings", "Errors", "Items", "Unverifiable"],
            root: root(
                &[("Source", source_label(report, s).as_str())],
                &[
                    ("Findings", findings),
                    ("Errors", errors),
                    ("Items", items),
                    ("Unverifiable", counts.unverifiable_in(s)),
                ],
            ),
        }
    };
    sources.into_iter().map(event).collect()
}

/// {Source, Rule}: one line per rule with findings in a source, whatever their severities
/// (verification can lower some of a rule's findings to warnings); `Severity` is the worst.
fn rule_events(report: &Report) -> Vec<Event> {
    let mut per_rule: BTreeMap<(usize, &str), (usize, Severity)> = BTreeMap::new();
    for ((s, rule, severity), n) in &report.audit_counts.by_rule {
        let e = per_rule.entry((*s, rule)).or_insert((0, *severity));
        e.0 += n;
        e.1 = e.1.max(*severity);
    }
    let event = |((s, rule), (n, severity)): ((usize, &str), (usize, Severity))| {
        let mut root = root(
            &[("Source", source_label(report, s).as_str()), ("Rule", rule)],
            &[("Findings", n)],
        );
        root.insert("Severity".into(), severity.as_str().into());
        Event {
            dimensions: &["Source", "Rule"],
            metrics: &["Findings"],
            root,
        }
    };
    per_rule.into_iter().map(event).collect()
}

/// {Source, Account}: one line per account named by items with findings.
fn account_events(report: &Report) -> Vec<Event> {
    let mut out = Vec::new();
    for (s, accounts) in &report.audit_counts.by_account {
        for (account, c) in accounts {
            out.push(Event {
                dimensions: &["Source", "Account"],
                metrics: &["Findings", "Errors"],
                root: root(
                    &[
                        ("Source", source_label(report, *s).as_str()),
                        ("Account", account.as_str()),
                    ],
                    &[("Findings", c.findings), ("Errors", c.errors)],
                ),
            });
        }
    }
    out
}

fn source_label(report: &Report, source: usize) -> String {
    report
        .sources
        .get(source)
        .map_or_else(|| "configuration".to_string(), |s| s.path.clone())
}

fn root(dimensions: &[(&str, &str)], metrics: &[(&str, usize)]) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in dimensions {
        m.insert((*k).into(), cut(v, MAX_DIMENSION_VALUE).into());
    }
    for (k, v) in metrics {
        m.insert((*k).into(), (*v).into());
    }
    m
}

/// `s` cut to at most `max` characters.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// The event's line: `_aws` first, then the root members; checked before it is returned.
fn finish(event: Event, namespace: &str, timestamp: i64) -> io::Result<String> {
    let metrics: Vec<Value> = event
        .metrics
        .iter()
        .map(|m| json!({"Name": m, "Unit": "Count"}))
        .collect();
    let mut m = Map::new();
    m.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [event.dimensions],
                "Metrics": metrics,
            }],
        }),
    );
    m.extend(event.root);
    let v = Value::Object(m);
    check_event(&v).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let line = serde_json::to_string(&v)?;
    if line.len() > MAX_EVENT_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("an EMF event of {} bytes is over 1 MB", line.len()),
        ));
    }
    Ok(line)
}

/// What CloudWatch requires of an event beyond the published schema: every dimension and
/// metric a directive names is a root member, dimensions are strings of at most 1024
/// characters, metrics are numbers (or arrays of at most 100 numbers), a directive has at most
/// 100 metrics and a dimension set at most 30 keys.
pub fn check_event(v: &Value) -> Result<(), String> {
    let root = v.as_object().ok_or("the event is not an object")?;
    let directives = root
        .get("_aws")
        .and_then(|a| a.get("CloudWatchMetrics"))
        .and_then(Value::as_array)
        .ok_or("no _aws.CloudWatchMetrics array")?;
    for d in directives {
        check_directive(root, d)?;
    }
    Ok(())
}

fn check_directive(root: &Map<String, Value>, d: &Value) -> Result<(), String> {
    let metrics = d["Metrics"].as_array().ok_or("Metrics is not an array")?;
    if metrics.len() > MAX_METRICS {
        return Err(format!("{} metrics (at most {MAX_METRICS})", metrics.len()));
    }
    for name in metrics.iter().map(|m| m["Name"].as_str().unwrap_or("")) {
        match root.get(name) {
            Some(Value::Number(n)) if n.as_f64().is_some_and(f64::is_finite) => {}
            Some(Value::Array(a)) if a.len() <= 100 && a.iter().all(Value::is_number) => {}
            Some(_) => return Err(format!("metric {name:?} is not a number")),
            None => return Err(format!("metric {name:?} is not a root member")),
        }
    }
    let sets = d["Dimensions"]
        .as_array()
        .ok_or("Dimensions is not an array")?;
    for set in sets {
        let keys = set.as_array().ok_or("a dimension set is not an array")?;
        if keys.len() > MAX_DIMENSIONS {
            return Err(format!(
                "{} dimensions (at most {MAX_DIMENSIONS})",
                keys.len()
            ));
        }
        for key in keys.iter().map(|k| k.as_str().unwrap_or("")) {
            match root.get(key).and_then(Value::as_str) {
                Some(s) if s.chars().count() <= MAX_DIMENSION_VALUE => {}
                Some(_) => return Err(format!("dimension {key:?} is over 1024 characters")),
                None => return Err(format!("dimension {key:?} is not a root string member")),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_the_schema_does_not_check_are_checked() {
        let good = json!({"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "R",
            "Dimensions": [["Source"]], "Metrics": [{"Name": "Findings", "Unit": "Count"}]}]},
            "Source": "a.json", "Findings": 3});
        assert_eq!(check_event(&good), Ok(()));
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("Findings");
        assert!(check_event(&missing)
            .unwrap_err()
            .contains("not a root member"));
        let mut text = good.clone();
        text["Findings"] = "3".into();
        assert!(check_event(&text).unwrap_err().contains("not a number"));
        let mut dim = good.clone();
        dim["Source"] = 3.into();
        assert!(check_event(&dim).unwrap_err().contains("not a root string"));
        let mut long = good.clone();
        long["Source"] = "x".repeat(1025).into();
        assert!(check_event(&long).unwrap_err().contains("1024"));
        let mut many = good.clone();
        let names: Vec<Value> = (0..101).map(|i| json!({"Name": format!("M{i}")})).collect();
        for i in 0..101 {
            many[format!("M{i}")] = 1.into();
        }
        many["_aws"]["CloudWatchMetrics"][0]["Metrics"] = names.into();
        assert!(check_event(&many).unwrap_err().contains("101 metrics"));
        let mut wide = good;
        let keys: Vec<Value> = (0..31).map(|i| format!("D{i}").into()).collect();
        for i in 0..31 {
            wide[format!("D{i}")] = "v".into();
        }
        wide["_aws"]["CloudWatchMetrics"][0]["Dimensions"] = json!([keys]);
        assert!(check_event(&wide).unwrap_err().contains("31 dimensions"));
    }

    #[test]
    fn a_rule_with_findings_of_two_severities_is_one_line_with_the_worst() {
        let mut report = Report::default();
        let counts = &mut report.audit_counts.by_rule;
        counts.insert((0, "RG401", Severity::Warning), 1);
        counts.insert((0, "RG401", Severity::Error), 2);
        let rules = rule_events(&report);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].root["Findings"], 3);
        assert_eq!(rules[0].root["Severity"], "error");
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        for line in String::from_utf8(out).unwrap().lines() {
            check_event(&serde_json::from_str(line).unwrap()).unwrap();
        }
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        assert_eq!(cut("héllo", 2), "hé");
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut(&"é".repeat(2000), 1024).chars().count(), 1024);
    }
}
