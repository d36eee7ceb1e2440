//! `--format html`: one self-contained page for a person to open after a nightly audit (spec
//! §11), and the page of `reglint history --format html`.
//!
//! Nothing is loaded from outside: the style, the script and the SVG trend chart are inline,
//! and the page's own Content-Security-Policy (`default-src 'none'`) forbids every request.
//!
//! Data never becomes markup. What the server writes as HTML (the header, the chart, the
//! history tables) goes through [`escape`]. The findings are embedded as JSON in a
//! `<script type="application/json">` element, with `<`, `>` and `&` written as `\u003c`,
//! `\u003e` and `\u0026` so that no text in them can close the element; the script reads them
//! with `JSON.parse` and builds the list with `createElement` and `textContent` only, never
//! `innerHTML`.
//!
//! A page for 100,000 findings stays usable: findings are grouped (by rule or by account, the
//! reader chooses) into collapsed groups showing their count; a group's rows are built only
//! when it is opened, 100 at a time ("Show 100 more"). Groups open by themselves when no more
//! than 200 findings are shown. The filter box matches any text of a finding.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{json, Value};

use super::Report;
use crate::diagnostic::{Applicability, Diagnostic};
use crate::report::runs::{Change, History, Run};

const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/findings.js");

/// The Content-Security-Policy of every page: no request of any kind, inline style and script.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

/// The page of a `check` run.
pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let time = report
        .audit
        .time()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut page = String::with_capacity(64 * 1024);
    head(&mut page, &format!("reglint audit {time}"));
    header(&mut page, report, &time);
    if !report.audit.history.is_empty() {
        page.push_str("<section id=\"trend\"><h2>Trend</h2>");
        chart(&mut page, &report.audit.history);
        page.push_str("</section>\n");
    }
    page.push_str(FINDINGS_SECTION);
    out.write_all(page.as_bytes())?;
    out.write_all(b"<script type=\"application/json\" id=\"reglint-data\">")?;
    write_data(report, out)?;
    write!(
        out,
        "</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
}

const FINDINGS_SECTION: &str = "<section id=\"findings\"><h2>Findings</h2>\n\
<div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter: rule, item, account, message, fix\" aria-label=\"Filter findings\">\n\
<label><input type=\"radio\" name=\"group\" value=\"rule\" checked> by rule</label>\n\
<label><input type=\"radio\" name=\"group\" value=\"account\"> by account</label>\n\
<span id=\"shown\"></span></div>\n<div id=\"groups\"></div>\n\
<noscript><p>The list of findings needs JavaScript; the counts above do not.</p></noscript>\n</section>\n";

/// Text safe in HTML content and in quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn head(page: &mut String, title: &str) {
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
}

fn header(page: &mut String, report: &Report, time: &str) {
    let s = &report.summary;
    let (class, status) = exit_status(report.audit.exit_code);
    let _ = write!(
        page,
        "<header><h1>reglint audit</h1>\n<p class=\"status {class}\" id=\"status\">{}</p>\n\
         <p class=\"time\">Run ended <time>{}</time></p>\n<div class=\"counts\">",
        escape(&status),
        escape(time)
    );
    for (label, n, cls) in [
        ("items", s.items, "items"),
        ("errors", s.errors, "error"),
        ("warnings", s.warnings, "warning"),
        ("infos", s.infos, "info"),
        ("unverifiable", s.unverifiable, "unverifiable"),
        ("fixable", s.fixable, "fixable"),
    ] {
        let _ = write!(
            page,
            "<div class=\"count {cls}\"><span class=\"n\">{n}</span> {label}</div>"
        );
    }
    page.push_str("</div>\n<h2>Sources</h2>\n<ul class=\"sources\">");
    for src in &report.sources {
        let _ = write!(
            page,
            "<li><code>{}</code> ({} items)</li>",
            escape(&src.path),
            src.items
        );
    }
    page.push_str("</ul>\n");
    for note in &report.notes {
        let _ = writeln!(page, "<p class=\"note\">{}</p>", escape(note));
    }
    page.push_str("</header>\n");
}

/// A class and a sentence for the run's exit status (spec §1).
fn exit_status(code: Option<u8>) -> (&'static str, String) {
    match code {
        Some(0) => ("ok", "Exit status 0: nothing at or above --fail-on".into()),
        Some(1) => (
            "fail",
            "Exit status 1: findings at or above --fail-on".into(),
        ),
        Some(3) => (
            "incomplete",
            "Exit status 3: incomplete (items not verified or fixes skipped)".into(),
        ),
        Some(n) => ("fail", format!("Exit status {n}")),
        None => ("incomplete", "Exit status unknown".into()),
    }
}

/// The findings and the documentation of their rules, as JSON safe inside a script element.
fn write_data(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let sources: Vec<&str> = report.sources.iter().map(|s| s.path.as_str()).collect();
    let mut rules = serde_json::Map::new();
    for code in report.tally.keys() {
        if let Some(r) = crate::rules::rule(code) {
            rules.insert(
                (*code).into(),
                json!({"name": r.name, "summary": r.summary, "doc": r.doc}),
            );
        }
    }
    out.write_all(b"{\"sources\":")?;
    write_safe_json(&json!(sources), out)?;
    out.write_all(b",\"rules\":")?;
    write_safe_json(&Value::Object(rules), out)?;
    out.write_all(b",\"findings\":[")?;
    let spilled = match &report.spilled {
        Some(spilled) => spilled.copy_to(out)?,
        None => 0,
    };
    for (i, d) in report.diagnostics.iter().enumerate() {
        write_element(d, spilled + i == 0, out)?;
    }
    out.write_all(b"]}")
}

/// One finding as an element of the page's array of findings, separator first: what a stream
/// spills as findings are found, and what the page written whole holds.
pub(super) fn write_element(d: &Diagnostic, first: bool, out: &mut dyn Write) -> io::Result<()> {
    if !first {
        out.write_all(b",")?;
    }
    write_safe_json(&finding(d), out)
}

/// One finding: [rule, severity, source, account, key, attribute, message, fix, place], where
/// place is `[line, column]` in the finding's source file, or a text (`path:line:column` of
/// another file, or the origin and key of a table item).
fn finding(d: &Diagnostic) -> Value {
    let key = d
        .item
        .as_ref()
        .map(|i| Value::Object(i.key.clone()).to_string())
        .unwrap_or_default();
    let fix = d.fix.as_ref().map(|f| match f.applicability {
        Applicability::Safe => format!("{} (safe: --fix)", f.title),
        Applicability::Unsafe => format!("{} (unsafe: --fix --unsafe-fixes)", f.title),
    });
    json!([
        d.rule,
        d.severity.as_str(),
        d.item.as_ref().map(|i| i.source),
        d.account,
        key,
        d.attribute,
        d.message,
        fix,
        place(d),
    ])
}

/// `[line, column]` when the finding is in its item's own source file (whose path is the
/// finding's origin), else the place as text.
fn place(d: &Diagnostic) -> Value {
    match &d.location {
        Some(l) if d.item.is_some() && d.origin == l.path => json!([l.line, l.column]),
        _ => super::place(d).into(),
    }
}

/// JSON with `<`, `>` and `&` escaped, so that it cannot end the script element it is in.
fn write_safe_json(v: &Value, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string(v)?;
    let mut from = 0;
    for (i, b) in text.bytes().enumerate() {
        let esc: &[u8] = match b {
            b'<' => b"\\u003c",
            b'>' => b"\\u003e",
            b'&' => b"\\u0026",
            _ => continue,
        };
        out.write_all(&text.as_bytes()[from..i])?;
        out.write_all(esc)?;
        from = i + 1;
    }
    out.write_all(&text.as_bytes()[from..])
}

/// The SVG chart of errors and warnings per run.
fn chart(page: &mut String, runs: &[Run]) {
    const W: f64 = 760.0;
    const H: f64 = 240.0;
    const PAD: f64 = 40.0;
    let max = runs
        .iter()
        .map(|r| r.errors.max(r.warnings))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |i: usize| match runs.len() {
        1 => W / 2.0,
        n => PAD + (W - 2.0 * PAD) * i as f64 / (n - 1) as f64,
    };
    let y = |v: usize| H - PAD - (H - 2.0 * PAD) * v as f64 / max;
    let _ = write!(
        page,
        "<svg id=\"trend-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" \
         width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"Errors and warnings per run\">\
         <rect x=\"0\" y=\"0\" width=\"{W}\" height=\"{H}\" fill=\"#fff\"/>\
         <line x1=\"{PAD}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#999\"/>\
         <line x1=\"{PAD}\" y1=\"{PAD}\" x2=\"{PAD}\" y2=\"{b}\" stroke=\"#999\"/>\
         <text x=\"4\" y=\"{t}\" class=\"axis\">{max}</text><text x=\"4\" y=\"{b}\" class=\"axis\">0</text>",
        b = H - PAD,
        r = W - PAD,
        t = PAD + 4.0,
    );
    for (name, colour, pick) in [
        (
            "errors",
            "#c62828",
            (|r: &Run| r.errors) as fn(&Run) -> usize,
        ),
        ("warnings", "#ef8f00", |r: &Run| r.warnings),
    ] {
        let points: Vec<String> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(pick(r))))
            .collect();
        let _ = write!(
            page,
            "<polyline class=\"{name}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        );
        for (i, r) in runs.iter().enumerate() {
            let _ = write!(
                page,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{}: {} {name}</title></circle>",
                x(i),
                y(pick(r)),
                escape(&r.time),
                pick(r)
            );
        }
    }
    chart_labels(page, runs, W, H, PAD);
    page.push_str("</svg>\n");
}

fn chart_labels(page: &mut String, runs: &[Run], w: f64, h: f64, pad: f64) {
    if let (Some(first), Some(last)) = (runs.first(), runs.last()) {
        let _ = write!(
            page,
            "<text x=\"{pad}\" y=\"{y}\" class=\"axis\">{}</text>\
             <text x=\"{r}\" y=\"{y}\" class=\"axis\" text-anchor=\"end\">{}</text>",
            escape(&first.time),
            escape(&last.time),
            y = h - pad + 18.0,
            r = w - pad,
        );
    }
    let _ = write!(
        page,
        "<text x=\"{x}\" y=\"20\" class=\"legend errors\" fill=\"#c62828\">errors</text>\
         <text x=\"{x2}\" y=\"20\" class=\"legend warnings\" fill=\"#ef8f00\">warnings</text>",
        x = w - 170.0,
        x2 = w - 100.0,
    );
}

/// The page of `reglint history --format html`: the chart, every run with its change, and per
/// rule the first and latest count.
pub(super) fn render_history(h: &History, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::with_capacity(16 * 1024);
    head(&mut page, "reglint audit history");
    let _ = writeln!(
        page,
        "<header><h1>reglint audit history</h1><p>{} runs</p></header>",
        h.runs.len()
    );
    if !h.runs.is_empty() {
        page.push_str("<section id=\"trend\"><h2>Trend</h2>");
        chart(&mut page, &h.runs);
        page.push_str("</section>\n");
    }
    runs_table(&mut page, &h.runs);
    rules_table(&mut page, &h.runs);
    for s in &h.skipped {
        let _ = writeln!(
            page,
            "<p class=\"note skipped\">Line {}: {}</p>",
            s.line,
            escape(&s.reason)
        );
    }
    page.push_str("</body>\n</html>\n");
    out.write_all(page.as_bytes())
}

fn runs_table(page: &mut String, runs: &[Run]) {
    page.push_str(
        "<section id=\"runs\"><h2>Runs</h2><table><thead><tr><th>Time</th><th>Items</th>\
         <th>Errors</th><th>Warnings</th><th>Infos</th><th>Unverifiable</th><th>Exit</th>\
         <th>Change since the previous run</th></tr></thead><tbody>",
    );
    for (i, r) in runs.iter().enumerate() {
        let change = match i {
            0 => "first run".to_string(),
            _ => super::history::describe_change(&Change::between(&runs[i - 1], r)),
        };
        let exit = r.exit_code.map_or_else(String::new, |c| c.to_string());
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{exit}</td><td>{}</td></tr>",
            escape(&r.time),
            r.items,
            r.errors,
            r.warnings,
            r.infos,
            r.unverifiable,
            escape(&change)
        );
    }
    page.push_str("</tbody></table></section>\n");
}

fn rules_table(page: &mut String, runs: &[Run]) {
    page.push_str(
        "<section id=\"rules\"><h2>Rules</h2><table><thead><tr><th>Rule</th><th>First run</th>\
         <th>Latest run</th></tr></thead><tbody>",
    );
    for (rule, t) in crate::report::runs::rule_trends(runs) {
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&rule),
            t.first,
            t.latest
        );
    }
    page.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_data_is_escaped() {
        assert_eq!(
            escape("<img src=x onerror='a(\"b\")'>&"),
            "&lt;img src=x onerror=&#39;a(&quot;b&quot;)&#39;&gt;&amp;"
        );
    }

    #[test]
    fn embedded_json_cannot_close_its_script_element() {
        let mut out = Vec::new();
        write_safe_json(&json!(["</script><img src=x>", "a&b"]), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains('<') && !text.contains('>') && !text.contains('&'),
            "{text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, json!(["</script><img src=x>", "a&b"]));
    }

    #[test]
    fn a_finding_in_its_own_source_file_has_its_line_and_column() {
        let mut d = crate::report::json::tests::sample(true);
        d.origin = "a.json".into();
        assert_eq!(place(&d), json!([14, 17]));
        // In another file than its source (a data file of an export): the place as text.
        d.origin = "export/".into();
        assert_eq!(place(&d), json!("a.json:14:17"));
        // A finding about no item (a stale baseline entry) names its place in full too.
        d.origin = "a.json".into();
        d.item = None;
        assert_eq!(place(&d), json!("a.json:14:17"));
        let table = crate::report::json::tests::sample(false);
        assert_eq!(place(&table), json!("dynamodb://registry"));
    }

    #[test]
    fn a_page_with_spilled_findings_is_the_page_written_whole() {
        let make = || {
            let mut r = Report::default();
            r.summary.items = 7;
            r.audit.time = chrono::DateTime::from_timestamp(1_800_000_000, 0);
            r.audit.exit_code = Some(1);
            r
        };
        crate::report::stream::testing::assert_spilled_is_whole(make, write_element, render);
    }
}
