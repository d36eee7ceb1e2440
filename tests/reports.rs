//! The report renderers: exact output of every format for a small report, hostile data, and
//! the release binary end to end on the fixture.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::Arc;

use reglint::config::Config;
use reglint::diagnostic::{Diagnostic, Edit, Fix, ItemRef, Location, Severity, Snippet};
use reglint::lint::{ItemOrigin, Linter};
use reglint::model::Value;
use reglint::report::{render, OutputFormat, RenderOptions, Report};
use reglint::rules::registry::RegistryIndex;
use reglint::select::Selection;
use reglint::source::{FileReader, InputFormat, SourceKind, SourceSummary, TextChunk};

// ---------------------------------------------------------------------------------------------
// Building reports

fn key(agent_id: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    m.insert("agent_id".into(), agent_id.into());
    m
}

fn bare(rule: &'static str, name: &'static str, severity: Severity, message: &str) -> Diagnostic {
    Diagnostic {
        rule,
        name,
        severity,
        message: message.into(),
        item: None,
        origin: String::new(),
        attribute: None,
        location: None,
        snippet: None,
        fingerprint: format!("fp-{rule}"),
        fix: None,
        help: None,
        account: None,
        baseline: None,
    }
}

/// A diagnostic on the value `needle` (the n-th occurrence in the chunk), at its real line.
fn on_value(
    mut d: Diagnostic,
    chunk: &Arc<TextChunk>,
    needle: &str,
    attribute: &str,
) -> Diagnostic {
    let start = chunk
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in chunk"));
    let (line, column) = chunk.line_col(start);
    d.location = Some(Location {
        path: chunk.path.to_string(),
        line,
        column,
    });
    d.snippet = Some(Snippet {
        chunk: chunk.clone(),
        start,
        end: start + needle.len(),
    });
    d.attribute = Some(attribute.into());
    d.origin = chunk.path.to_string();
    d
}

const AGENTS_JSON: &str = r#"[
  {
    "agent_id": "PEGHWIVI5Y",
    "alias_id": "IO1GTTHP0M\"",
    "account_id": "843074507558",
    "runtime_arn": "arn:aws:bedrock-agentcore:us-east-1:152864141302:runtime/billing-Ab3De5Gh7J"
  }
]
"#;

/// A small report covering every kind of finding: a file document, a JSON Lines line that is
/// line 7 of its file, a table item, a config location without snippet; safe, unsafe and no
/// fixes; every severity; fixed, skipped and unverifiable counts and a note.
fn small_report() -> Report {
    let doc = Arc::new(TextChunk::new(
        "registry/agents.json".into(),
        AGENTS_JSON.into(),
        0,
        1,
    ));
    let line7 =
        r#"{"agent_id": "QJ7XK2M9ZT", "alias_id": " R4ND0MAL1S", "name": "support-triage"}"#;
    let jsonl = Arc::new(TextChunk::new(
        "registry/more.jsonl".into(),
        line7.into(),
        412,
        7,
    ));
    let mut report = Report::default();

    let mut d = on_value(
        bare(
            "RG101",
            "stray-character-in-identifier",
            Severity::Error,
            "alias_id has a stray '\"'",
        ),
        &doc,
        r#""IO1GTTHP0M\"""#,
        "alias_id",
    );
    d.item = Some(ItemRef {
        source: 0,
        index: 0,
        key: key("PEGHWIVI5Y"),
    });
    d.fix = Some(Fix::safe(
        "Remove a stray '\"'",
        vec![Edit::set("alias_id", Value::S("IO1GTTHP0M".into()))],
    ));
    report.push(d);

    let mut d = on_value(
        bare(
            "RG108",
            "account-mismatch",
            Severity::Error,
            "account_id 843074507558 differs from the account in runtime_arn (152864141302)",
        ),
        &doc,
        r#""843074507558""#,
        "account_id",
    );
    d.item = Some(ItemRef {
        source: 0,
        index: 0,
        key: key("PEGHWIVI5Y"),
    });
    d.fix = Some(Fix::unsafe_(
        "Take the account from the ARN: \"152864141302\"",
        vec![Edit::set("account_id", Value::S("152864141302".into()))],
    ));
    d.help = Some("the hub assumes a role in account_id, then calls the runtime".into());
    report.push(d);

    let mut d = on_value(
        bare(
            "RG101",
            "stray-character-in-identifier",
            Severity::Warning,
            "alias_id has a stray U+0020",
        ),
        &jsonl,
        r#"" R4ND0MAL1S""#,
        "alias_id",
    );
    d.item = Some(ItemRef {
        source: 1,
        index: 0,
        key: key("QJ7XK2M9ZT"),
    });
    d.fix = Some(Fix::safe(
        "Remove a stray U+0020",
        vec![Edit::set("alias_id", Value::S("R4ND0MAL1S".into()))],
    ));
    report.push(d);

    let mut d = bare(
        "RG302",
        "duplicate-name",
        Severity::Warning,
        "the name \"billing-agent\" is already used by item 0 of dynamodb://registry",
    );
    d.origin = "dynamodb://registry".into();
    d.item = Some(ItemRef {
        source: 2,
        index: 3,
        key: key("PEGHWIVI5Y"),
    });
    d.attribute = Some("name".into());
    d.help = Some("give each enabled agent a distinct name".into());
    report.push(d);

    let mut d = bare(
        "RG900",
        "unused-exception",
        Severity::Info,
        "the exception for {\"agent_id\":\"OLD0000001\"} (staging) matched nothing",
    );
    d.location = Some(Location {
        path: "reglint.toml".into(),
        line: 12,
        column: 1,
    });
    d.origin = "reglint.toml".into();
    d.help = Some("remove the exception: the problem it excused is gone".into());
    report.push(d);

    report.sources = vec![
        SourceSummary {
            kind: SourceKind::File,
            path: "registry/agents.json".into(),
            items: 1,
        },
        SourceSummary {
            kind: SourceKind::File,
            path: "registry/more.jsonl".into(),
            items: 1,
        },
        SourceSummary {
            kind: SourceKind::Table,
            path: "dynamodb://registry".into(),
            items: 4,
        },
    ];
    report.summary.items = 6;
    report.summary.fixed = 2;
    report.summary.skipped_fixes = 1;
    report.summary.unverifiable = 1;
    report
        .notes
        .push("fixed 2 problems in registry/agents.json".into());
    report
}

fn rendered(report: &Report, format: OutputFormat, opts: &RenderOptions) -> String {
    let mut out = Vec::new();
    render(report, format, opts, &mut out).unwrap_or_else(|e| panic!("render failed: {e}"));
    String::from_utf8(out).unwrap_or_else(|e| panic!("not UTF-8: {e}"))
}

fn plain() -> RenderOptions {
    RenderOptions::default()
}

/// Lints a file's bytes as `check` does (every rule, default config).
fn lint_bytes(name: &str, bytes: &[u8]) -> Report {
    let config = Config::default();
    let linter = Linter::new(&config, &Selection::new(None, vec![], vec![]), false);
    let mut report = Report::default();
    let mut registry = RegistryIndex::default();
    let mut items = 0;
    FileReader {
        format: InputFormat::Auto,
    }
    .read_bytes(name, bytes, &mut |si| {
        items += 1;
        let origin = ItemOrigin {
            source: 0,
            label: name.to_string(),
            index: si.index,
            key: linter.file_key(&si.item),
            chunk: Some(si.chunk.clone()),
            item_span: si.item.span,
        };
        let mut found = linter.lint(&si.item);
        found.extend(registry.observe(&si.item, None, &origin.describe(&si.item)));
        for v in found {
            if let Some(d) = linter.diagnostic(v, &origin) {
                report.push(d);
            }
        }
    })
    .unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
    report.summary.items = items;
    report.sources.push(SourceSummary {
        kind: SourceKind::File,
        path: name.into(),
        items,
    });
    report.sort();
    report
}

// ---------------------------------------------------------------------------------------------
// Exact output of each format

#[test]
fn text_shows_each_finding_with_snippet_fix_and_help_then_the_summary() {
    insta::assert_snapshot!(
        "text",
        rendered(&small_report(), OutputFormat::Text, &plain())
    );
}

#[test]
fn text_shows_the_real_line_numbers_of_json_lines() {
    let text = rendered(&small_report(), OutputFormat::Text, &plain());
    assert!(
        text.contains("registry/more.jsonl:7:40: warning: alias_id has a stray U+0020"),
        "{text}"
    );
    assert!(
        text.contains("\n7 | {\"agent_id\": \"QJ7XK2M9ZT\", \"alias_id\": \" R4ND0MAL1S\","),
        "{text}"
    );
}

#[test]
fn text_with_unsafe_fixes_counts_them_as_fixable() {
    let opts = RenderOptions {
        unsafe_fixes: true,
        quiet: false,
        ..plain()
    };
    let text = rendered(&small_report(), OutputFormat::Text, &opts);
    assert!(
        text.contains("[*] 3 fixable with --fix --unsafe-fixes\n"),
        "{text}"
    );
    let default = rendered(&small_report(), OutputFormat::Text, &plain());
    assert!(
        default.contains("[*] 2 fixable with --fix (1 more with --fix --unsafe-fixes)\n"),
        "{default}"
    );
}

#[test]
fn quiet_text_has_no_summary() {
    let opts = RenderOptions {
        quiet: true,
        ..plain()
    };
    let text = rendered(&small_report(), OutputFormat::Text, &opts);
    assert!(!text.contains("Checked"), "{text}");
    assert!(!text.contains("note:"), "{text}");
    assert!(
        text.ends_with("= help: remove the exception: the problem it excused is gone\n\n"),
        "{text}"
    );
}

#[test]
fn coloured_text_is_the_plain_text_with_styles() {
    let opts = RenderOptions {
        color: true,
        ..plain()
    };
    let coloured = rendered(&small_report(), OutputFormat::Text, &opts);
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[31merror\u{1b}[0m"),
        "{coloured:?}"
    );
    assert_eq!(
        strip_sgr(&coloured),
        rendered(&small_report(), OutputFormat::Text, &plain())
    );
}

#[test]
fn concise_marks_only_fixes_the_options_apply() {
    let text = rendered(&small_report(), OutputFormat::Concise, &plain());
    insta::assert_snapshot!("concise", text);
    let with_unsafe = rendered(
        &small_report(),
        OutputFormat::Concise,
        &RenderOptions {
            unsafe_fixes: true,
            quiet: true,
            ..plain()
        },
    );
    assert_eq!(
        with_unsafe.lines().nth(1),
        Some("registry/agents.json:5:19: RG108 error [*] account_id 843074507558 differs from the account in runtime_arn (152864141302)")
    );
}

#[test]
fn json_keeps_the_report_shape() {
    let json = rendered(&small_report(), OutputFormat::Json, &plain());
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    insta::assert_snapshot!("json", json.replace(&version, "\"version\": \"[version]\""));
}

#[test]
fn jsonl_is_one_diagnostic_per_line_then_the_summary() {
    let text = rendered(&small_report(), OutputFormat::Jsonl, &plain());
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["rule"], "RG101");
    assert_eq!(
        lines[0]["location"],
        serde_json::json!({"path": "registry/agents.json", "line": 4, "column": 17})
    );
    assert_eq!(
        lines[3]["item"],
        serde_json::json!({"source": 2, "index": 3, "key": {"agent_id": "PEGHWIVI5Y"}})
    );
    assert_eq!(lines[5]["schema"], "reglint-report/1");
    // Two safe fixes; the third needs --unsafe-fixes, as the text summary counts them.
    assert_eq!(lines[5]["summary"]["fixable"], 2);
    assert_eq!(lines[5]["summary"]["unsafe_fixable"], 1);
}

#[test]
fn github_prints_workflow_commands() {
    insta::assert_snapshot!(
        "github",
        rendered(&small_report(), OutputFormat::Github, &plain())
    );
}

#[test]
fn junit_has_a_suite_per_rule_and_a_case_per_item() {
    let xml = rendered(&small_report(), OutputFormat::Junit, &plain());
    insta::assert_snapshot!("junit", xml);
}

#[test]
fn sarif_has_what_code_scanning_requires() {
    let text = rendered(&small_report(), OutputFormat::Sarif, &plain());
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(
        v["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let run = &v["runs"][0];
    assert_eq!(v["runs"].as_array().map(Vec::len), Some(1));
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "reglint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://")));
    let ids: Vec<&str> = driver["rules"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["id"].as_str()).collect())
        .unwrap_or_default();
    let codes: Vec<&str> = reglint::rules::RULES.iter().map(|r| r.code).collect();
    assert_eq!(ids, codes);
    let rg101 = &driver["rules"][codes
        .iter()
        .position(|c| *c == "RG101")
        .unwrap_or(usize::MAX)];
    assert_eq!(rg101["name"], "stray-character-in-identifier");
    assert_eq!(rg101["defaultConfiguration"]["level"], "error");
    assert!(rg101["shortDescription"]["text"].is_string());
    assert!(rg101["fullDescription"]["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("Flags quotes")));
    assert!(rg101["help"]["markdown"]
        .as_str()
        .is_some_and(|t| t.starts_with("# RG101")));
    assert!(rg101["help"]["text"].is_string());

    // ruleIndex points into the catalogue, which grows; it is checked, then left out of the
    // snapshot.
    let mut results = run["results"].clone();
    for r in results.as_array_mut().into_iter().flatten() {
        let index = r.as_object_mut().and_then(|o| o.remove("ruleIndex"));
        match index.and_then(|i| i.as_u64()) {
            Some(i) => assert_eq!(driver["rules"][i as usize]["id"], r["ruleId"]),
            None => assert!(!codes.contains(&r["ruleId"].as_str().unwrap_or(""))),
        }
    }
    insta::assert_json_snapshot!("sarif_results", results);
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
        "fixed 2 problems in registry/agents.json"
    );
}

#[test]
fn statistics_count_findings_and_fixes_per_rule() {
    let opts = RenderOptions {
        statistics: true,
        ..plain()
    };
    insta::assert_snapshot!(
        "statistics",
        rendered(&small_report(), OutputFormat::Text, &opts)
    );
    let json = rendered(&small_report(), OutputFormat::Json, &opts);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["schema"], "reglint-statistics/1");
    assert_eq!(
        v["rules"],
        serde_json::json!([
            {"code": "RG101", "name": "stray-character-in-identifier", "count": 2, "fixable": 2, "unsafe_fixable": 0},
            {"code": "RG108", "name": "account-mismatch", "count": 1, "fixable": 0, "unsafe_fixable": 1},
            {"code": "RG302", "name": "duplicate-name", "count": 1, "fixable": 0, "unsafe_fixable": 0},
            {"code": "RG900", "name": "unused-exception", "count": 1, "fixable": 0, "unsafe_fixable": 0},
        ])
    );
    assert_eq!(v["summary"]["errors"], 2);
    let opts = RenderOptions {
        statistics: true,
        unsafe_fixes: true,
        ..plain()
    };
    let json = rendered(&small_report(), OutputFormat::Json, &opts);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["rules"][1]["fixable"], 1);
}

#[test]
fn an_empty_report_says_so() {
    let mut report = Report::default();
    report.summary.items = 3;
    assert_eq!(
        rendered(&report, OutputFormat::Text, &plain()),
        "Checked 3 items: 0 errors, 0 warnings, 0 infos\n"
    );
    let xml = rendered(&report, OutputFormat::Junit, &plain());
    assert!(
        xml.contains("<testsuites name=\"reglint\" tests=\"0\" failures=\"0\" errors=\"0\""),
        "{xml}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&rendered(&report, OutputFormat::Sarif, &plain())).unwrap_or_default();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    struct Failing;
    impl std::io::Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    struct Closed;
    impl std::io::Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }
    // Large enough that the writes fail inside the renderers, not only at the final flush.
    let mut big = small_report();
    for _ in 0..200 {
        for d in small_report().diagnostics {
            big.push(d);
        }
    }
    for format in [
        OutputFormat::Text,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::Jsonl,
        OutputFormat::Sarif,
        OutputFormat::Junit,
        OutputFormat::Github,
    ] {
        assert!(
            render(&big, format, &plain(), &mut Closed).is_ok(),
            "{format:?}"
        );
        let mut failing = Failing;
        assert!(
            render(&big, format, &plain(), &mut failing).is_err(),
            "{format:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile data

const HOSTILE: [&str; 9] = [
    "\u{1b}[31m",
    "\u{1b}]8;;https://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\",
    "\u{1b}]52;c;aGVsbG8=\u{7}",
    "\u{202e}",
    "\u{0}",
    "\u{7}",
    "\u{9b}2J",
    "\u{2066}",
    "\u{200b}",
];

fn hostile_text() -> String {
    HOSTILE.concat()
}

/// A report of real findings on a file full of terminal escapes, plus a hand-made finding with
/// escapes in every field a renderer prints.
fn hostile_report() -> Report {
    let list: Vec<String> = (0..10_000).map(|i| format!("\"cap{i}\"")).collect();
    let esc_json = serde_json::to_string(&hostile_text()).unwrap_or_default();
    let line1 = format!(
        r#"{{"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M\" \u001b[31m", "name": {esc_json}, "description": "\u001b]52;c;aGVsbG8=\u0007", "agent_type": "bedrock_agent", "account_id": 12345678901234567890123456789012345678, "enabled": true, "capabilities": [{}]}}"#,
        list.join(", ")
    );
    let line2 = format!(
        "{{\"agent_id\": \"PEGHWIVI5Y\", \"alias_id\": \"IO1GTTHP0M \\u001b[31m\", \"name\": {esc_json}, \"description\": \"d\u{202e}\", \"agent_type\": \"bedrock_agent\", \"account_id\": 12345678901234567890123456789012345678, \"enabled\": true, \"capabilities\": []}}"
    );
    let text = format!("{line1}\n{line2}\n");
    let mut report = lint_bytes(&format!("reg{}.jsonl", "\u{1b}[31m"), text.as_bytes());
    assert!(report.diagnostics.len() >= 4, "{:#?}", report.diagnostics);

    let h = hostile_text();
    let chunk_text = format!("  \"name\": \"{h}\",\n  \"alias_id\": \"x{h}\"\n");
    let chunk = Arc::new(TextChunk::new(
        format!("dir{h}/a.json").into(),
        chunk_text,
        0,
        1,
    ));
    let mut d = bare(
        "RG101",
        "stray-character-in-identifier",
        Severity::Error,
        &format!("msg {h}\nline"),
    );
    let start = chunk.text.find("\"x").unwrap_or(0);
    d.snippet = Some(Snippet {
        chunk: chunk.clone(),
        start,
        end: chunk.text.len() - 1,
    });
    d.location = Some(Location {
        path: format!("dir{h}/a.json"),
        line: 2,
        column: 15,
    });
    d.attribute = Some(format!("alias{h}"));
    d.fix = Some(Fix::unsafe_(
        format!("Remove {h}"),
        vec![Edit::set("alias_id", Value::S(h.clone()))],
    ));
    d.help = Some(format!("help {h}"));
    d.item = Some(ItemRef {
        source: 1,
        index: 0,
        key: key(&h),
    });
    report.push(d);
    let mut t = bare(
        "RG302",
        "duplicate-name",
        Severity::Info,
        &format!("table {h}"),
    );
    t.origin = format!("dynamodb://reg{h}");
    t.item = Some(ItemRef {
        source: 2,
        index: 1,
        key: key(&h),
    });
    report.push(t);
    report.notes.push(format!("note {h}"));
    report
}

/// Characters that must never reach a terminal raw.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}')
}

fn strip_sgr(s: &str) -> String {
    let re = regex::Regex::new("\u{1b}\\[[0-9;]*m").unwrap_or_else(|e| panic!("{e}"));
    re.replace_all(s, "").into_owned()
}

#[test]
fn hostile_data_never_reaches_the_terminal_raw() {
    let report = hostile_report();
    for format in [
        OutputFormat::Text,
        OutputFormat::Concise,
        OutputFormat::Github,
    ] {
        for statistics in [false, true] {
            let opts = RenderOptions {
                statistics,
                ..plain()
            };
            let out = rendered(&report, format, &opts);
            let bad: Vec<char> = out.chars().filter(|c| forbidden(*c)).collect();
            assert!(bad.is_empty(), "{format:?}: raw {bad:?} in output");
            assert!(out.contains("\\u{1b}[31m"), "{format:?}: escape not shown");
        }
    }
    let text = rendered(&report, OutputFormat::Text, &plain());
    assert!(text.contains("\\u{202e}"), "{text}");
    assert!(text.contains("\\u{9b}2J"), "{text}");
    // The 10,000-element list is on the same line as the findings: the snippet is clipped.
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 600, "a line of {longest} characters");
    assert!(text.contains('…'));
    assert!(
        text.contains("12345678901234567890123456789012345678"),
        "{text}"
    );
}

#[test]
fn hostile_data_in_colour_gets_only_our_styles() {
    let report = hostile_report();
    let coloured = rendered(
        &report,
        OutputFormat::Text,
        &RenderOptions {
            color: true,
            ..plain()
        },
    );
    let plain_text = rendered(&report, OutputFormat::Text, &plain());
    assert_eq!(strip_sgr(&coloured), plain_text);
}

#[test]
fn hostile_data_keeps_json_and_sarif_valid() {
    let report = hostile_report();
    let json = rendered(&report, OutputFormat::Json, &plain());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    let messages: Vec<&str> = v["diagnostics"]
        .as_array()
        .map(|ds| ds.iter().filter_map(|d| d["message"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        messages.contains(&format!("msg {}\nline", hostile_text()).as_str()),
        "data kept exactly"
    );
    assert!(json.contains("12345678901234567890123456789012345678"));
    for line in rendered(&report, OutputFormat::Jsonl, &plain()).lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }

    let sarif = rendered(&report, OutputFormat::Sarif, &plain());
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), report.diagnostics.len());
    for r in &results {
        assert!(r["ruleId"].is_string(), "{r}");
        assert!(
            r["partialFingerprints"]["reglintFingerprint/v1"].is_string(),
            "{r}"
        );
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or("");
        assert!(
            !uri.is_empty() && uri.chars().all(|c| c.is_ascii_graphic()),
            "{uri:?}"
        );
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64(),
            "{r}"
        );
    }
    let table = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .is_some_and(|m| m.contains(": table "))
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        table["locations"][0]["logicalLocations"][0]["name"],
        serde_json::Value::Object(key(&hostile_text())).to_string()
    );
}

#[test]
fn hostile_data_keeps_junit_valid_xml() {
    let xml = rendered(&hostile_report(), OutputFormat::Junit, &plain());
    let bad: Vec<char> = xml
        .chars()
        .filter(|c| {
            (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
                || matches!(c, '\u{fffe}' | '\u{ffff}')
        })
        .collect();
    assert!(
        bad.is_empty(),
        "characters XML 1.0 forbids or terminals misread: {bad:?}"
    );
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut cases = 0;
    let mut failures = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|err| panic!("bad attribute: {err}"));
                    a.unescape_value()
                        .unwrap_or_else(|err| panic!("bad attribute value: {err}"));
                }
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            Ok(quick_xml::events::Event::Text(t)) => {
                t.unescape().unwrap_or_else(|err| panic!("bad text: {err}"));
            }
            Ok(_) => {}
            Err(e) => panic!("invalid XML at {}: {e}", reader.buffer_position()),
        }
    }
    assert!(
        cases >= 4 && failures >= 3,
        "{cases} cases, {failures} failures"
    );
}

// ---------------------------------------------------------------------------------------------
// The release binary on the fixture

fn reglint() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("reglint");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn binary_prints_github_annotations_for_the_fixture() {
    let assert = reglint()
        .args(["check", "fixtures/registry.json", "--format", "github"])
        .assert()
        .code(1);
    let out = assert.get_output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(&"::error file=fixtures/registry.json,line=4,col=17,title=RG101 stray-character-in-identifier::alias_id ends with a stray '\"'%0Ahelp: Remove the stray '\"' (run with --fix)"),
        "{stdout}"
    );
    let quiet = reglint()
        .args([
            "-q",
            "check",
            "fixtures/registry.json",
            "--format",
            "github",
        ])
        .assert()
        .code(1);
    let quiet = String::from_utf8_lossy(&quiet.get_output().stdout);
    // -q: nothing but workflow commands.
    assert!(
        quiet
            .lines()
            .all(|l| ["::error ", "::warning ", "::notice "]
                .iter()
                .any(|c| l.starts_with(c))),
        "{quiet}"
    );
    assert_eq!(
        quiet.lines().count(),
        stdout.lines().filter(|l| l.starts_with("::")).count()
    );
}

#[test]
fn binary_writes_sarif_for_the_fixture() {
    let assert = reglint()
        .args(["check", "fixtures/registry.json", "--format", "sarif"])
        .assert()
        .code(1)
        .stderr("");
    let out = assert.get_output();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let rg101 = results
        .iter()
        .find(|r| r["ruleId"] == "RG101")
        .unwrap_or_else(|| panic!("no RG101 in {results:?}"));
    assert_eq!(rg101["level"], "error");
    assert_eq!(
        rg101["locations"][0]["physicalLocation"],
        serde_json::json!({
            "artifactLocation": {"uri": "fixtures/registry.json"},
            "region": {"startLine": 4, "startColumn": 17}
        })
    );
    assert_eq!(
        rg101["message"]["text"],
        "alias_id ends with a stray '\"'\nhelp: Remove the stray '\"' (run with --fix)"
    );
    let index = rg101["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][index]["id"],
        "RG101"
    );
    let fp = rg101["partialFingerprints"]["reglintFingerprint/v1"]
        .as_str()
        .unwrap_or("");
    assert_eq!(fp.len(), 32);

    // The fingerprint is the one the JSON report gives the same finding.
    let json = reglint()
        .args(["check", "fixtures/registry.json", "--format", "json"])
        .assert()
        .code(1);
    let j: serde_json::Value =
        serde_json::from_slice(&json.get_output().stdout).unwrap_or_else(|e| panic!("{e}"));
    let same = j["diagnostics"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["rule"] == "RG101"))
        .map(|d| d["fingerprint"].clone());
    assert_eq!(same, Some(serde_json::Value::from(fp)));
}

#[test]
fn binary_text_points_at_the_fixture_line() {
    let assert = reglint()
        .args(["check", "fixtures/registry.json"])
        .assert()
        .code(1);
    let out = assert.get_output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = "fixtures/registry.json:4:17: error: alias_id ends with a stray '\"' [RG101 stray-character-in-identifier]
  |
3 |     \"agent_id\": \"PEGHWIVI5Y\",
4 |     \"alias_id\": \"IO1GTTHP0M\\\"\",
  |                 ^^^^^^^^^^^^^^ alias_id
5 |     \"name\": \"billing-agent\",
  |
  = help: Remove the stray '\"' (run with --fix)
";
    assert!(stdout.contains(expected), "{stdout}");
    assert!(stdout.contains("\nChecked 16 items: "), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "NO_COLOR and a pipe: no colour");
}

#[test]
fn binary_ends_quietly_when_the_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("many.jsonl");
    let line = r#"{"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M\"", "name": "n", "description": "d", "agent_type": "bedrock_agent", "account_id": 12345678901, "enabled": true, "capabilities": ["x"]}"#;
    let body: String = (0..3000).map(|_| format!("{line}\n")).collect();
    std::fs::write(&path, body).unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("reglint"))
        .env("NO_COLOR", "1")
        .args(["check"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut first = [0u8; 64];
    stdout
        .read_exact(&mut first)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(stdout);
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_string(&mut stderr)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        status.code(),
        Some(1),
        "findings, not a write error; stderr: {stderr}"
    );
    assert_eq!(stderr, "");
}
