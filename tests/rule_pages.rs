//! Runs every rule's page: the bad example raises exactly that rule under the whole catalogue,
//! the fixed form raises nothing, and the rule's fix turns the one into the other (in memory
//! and in the file text).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

use reglint::config::Config;
use reglint::diagnostic::Severity;
use reglint::engine::{drive, FixPlanner, Mode};
use reglint::lint::{ItemOrigin, Linter};
use reglint::model::Item;
use reglint::report::Report;
use reglint::rules::registry::RegistryIndex;
use reglint::rules::{Check, FixAvailability, Rule, RULES};
use reglint::select::Selection;
use reglint::source::{FileReader, InputFormat, SourceItem};
use reglint::store::FileStore;

const SECTIONS: [&str; 4] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Fix safety",
];

/// The fenced code blocks of one language in a piece of Markdown.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body
            .find("```")
            .unwrap_or_else(|| panic!("unclosed ```{lang} block"));
        out.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    out
}

/// The text of a `## ` section, up to the next one.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("{heading}\n"))
        .unwrap_or_else(|| panic!("no {heading:?} section"))
        + heading.len();
    let body = &doc[start..];
    &body[..body.find("\n## ").unwrap_or(body.len())]
}

/// One half of an Example section: the JSON and the configuration to lint it with.
struct Case {
    json: String,
    toml: Option<String>,
}

fn case(text: &str, what: &str, code: &str) -> Case {
    let json = blocks(text, "json");
    assert_eq!(
        json.len(),
        1,
        "{code}: {what} needs exactly one ```json block"
    );
    let toml = blocks(text, "toml");
    assert!(
        toml.len() <= 1,
        "{code}: {what} has more than one ```toml block"
    );
    Case {
        json: json[0].clone(),
        toml: toml.first().cloned(),
    }
}

/// The bad example and the fixed form of a rule's page.
fn examples(rule: &Rule) -> (Case, Case) {
    let example = section(rule.doc, "## Example");
    let (bad, fixed) = example
        .split_once("Use instead:")
        .unwrap_or_else(|| panic!("{}: the Example has no \"Use instead:\"", rule.code));
    (
        case(bad, "the bad example", rule.code),
        case(fixed, "the fixed form", rule.code),
    )
}

fn read(json: &str, code: &str) -> Vec<SourceItem> {
    let reader = FileReader {
        format: InputFormat::Auto,
    };
    let mut items = Vec::new();
    reader
        .read_bytes("example.json", json.as_bytes(), &mut |si| items.push(si))
        .unwrap_or_else(|e| panic!("{code}: the example does not read: {e}"));
    assert!(!items.is_empty(), "{code}: the example holds no item");
    items
}

fn linter(toml: Option<&str>, unsafe_fixes: bool) -> Linter {
    let config = match toml {
        Some(text) => Config::parse(Path::new("reglint.toml"), text.to_string())
            .unwrap_or_else(|e| panic!("the page's config does not parse: {e}")),
        None => Config::default(),
    };
    Linter::new(&config, &Selection::new(None, vec![], vec![]), unsafe_fixes)
}

fn origin(linter: &Linter, index: usize, item: &Item) -> ItemOrigin {
    ItemOrigin {
        source: 0,
        label: "example.json".into(),
        index,
        key: linter.file_key(item),
        chunk: None,
        item_span: None,
    }
}

/// `check --fix` on the example's text, held in memory: the text the engine writes.
fn fix_through_engine(linter: &Linter, text: &str) -> String {
    let mut store = FileStore::from_bytes(linter, "example.json", text.as_bytes().to_vec());
    let planner = FixPlanner {
        linter,
        protected: &[],
    };
    let mut report = Report::default();
    drive(&mut store, &planner, Mode::Fix, &mut report, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("the engine refused the example: {e}"));
    String::from_utf8(store.bytes().unwrap().to_vec()).unwrap()
}

/// Every diagnostic of a run over the items with the whole catalogue, as "CODE message".
fn findings(linter: &Linter, items: &[Item]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut registry = RegistryIndex::default();
    for (i, item) in items.iter().enumerate() {
        let origin = origin(linter, i, item);
        let mut found = linter.lint(item);
        let here = origin.describe(item);
        found.extend(
            registry
                .observe(item, linter.settings.local_account.as_deref(), &here)
                .into_iter()
                .filter(|v| linter.is_enabled(v.code)),
        );
        for v in found {
            if let Some(d) = linter.diagnostic(v, &origin) {
                out.push((d.rule.to_string(), d.message));
            }
        }
    }
    for d in linter.unused_exceptions() {
        out.push((d.rule.to_string(), d.message));
    }
    out
}

fn codes(found: &[(String, String)]) -> BTreeSet<&str> {
    found.iter().map(|(c, _)| c.as_str()).collect()
}

/// Rules whose page the offline linter can run.
fn runnable() -> impl Iterator<Item = &'static &'static Rule> {
    RULES
        .iter()
        .filter(|r| matches!(r.check, Check::Item(_) | Check::Registry | Check::Config))
}

fn items_of(source: &[SourceItem]) -> Vec<Item> {
    source.iter().map(|si| si.item.clone()).collect()
}

#[test]
fn every_rule_has_a_complete_page() {
    for rule in RULES {
        let doc = rule.doc;
        let code = rule.code;
        assert_eq!(
            doc.lines().next(),
            Some(format!("# {code} {}", rule.name).as_str()),
            "{code}: title line"
        );
        let meta = doc
            .lines()
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or_default();
        let prefix = format!(
            "**Default severity:** {} · **Fix:** ",
            rule.severity.as_str()
        );
        let fix = meta.strip_prefix(&prefix).unwrap_or_else(|| {
            panic!("{code}: the line after the title must start {prefix:?}: {meta:?}")
        });
        assert_eq!(
            fix == "none",
            rule.fix == FixAvailability::None,
            "{code}: the page says the fix is {fix:?}, the rule says {:?}",
            rule.fix
        );
        let mut last = 0;
        for heading in SECTIONS {
            let at = doc
                .find(&format!("\n{heading}\n"))
                .unwrap_or_else(|| panic!("{code}: no {heading:?} section"));
            assert!(at > last, "{code}: {heading:?} is out of order");
            assert!(
                !section(doc, heading).trim().is_empty(),
                "{code}: {heading:?} is empty"
            );
            last = at;
        }
        examples(rule);
    }
}

#[test]
fn catalogue_is_in_code_order_and_item_rules_have_their_own_file() {
    let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted, "RULES must be in code order without repeats");
    for rule in RULES {
        if let Check::Item(_) = rule.check {
            let file = format!(
                "src/rules/{}_{}.rs",
                rule.code.to_ascii_lowercase(),
                rule.name.replace('-', "_")
            );
            assert!(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(&file).is_file(),
                "{}: expected {file}",
                rule.code
            );
        }
    }
}

#[test]
fn bad_examples_raise_exactly_their_rule_and_fixed_forms_nothing() {
    let mut failures = Vec::new();
    for rule in runnable() {
        let (bad, fixed) = examples(rule);
        let found = findings(
            &linter(bad.toml.as_deref(), false),
            &items_of(&read(&bad.json, rule.code)),
        );
        if codes(&found) != BTreeSet::from([rule.code]) {
            failures.push(format!("{}: the bad example raises {found:?}", rule.code));
        }
        let found = findings(
            &linter(fixed.toml.as_deref(), false),
            &items_of(&read(&fixed.json, rule.code)),
        );
        if !found.is_empty() {
            failures.push(format!("{}: the fixed form raises {found:?}", rule.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixes_turn_the_bad_example_into_the_fixed_form() {
    let mut failures = Vec::new();
    for rule in runnable() {
        let (bad, fixed) = examples(rule);
        let unsafe_fixes = matches!(
            rule.fix,
            FixAvailability::Unsafe | FixAvailability::Sometimes
        );
        let linter = linter(bad.toml.as_deref(), unsafe_fixes);
        let source = read(&bad.json, rule.code);
        let expected = items_of(&read(&fixed.json, rule.code));
        if rule.fix == FixAvailability::None {
            for (i, si) in source.iter().enumerate() {
                let offered: Vec<_> = linter
                    .lint(&si.item)
                    .into_iter()
                    .filter(|v| v.fix.is_some())
                    .collect();
                let (_, applied) = linter.fix_item(&si.item, &origin(&linter, i, &si.item).key);
                if !offered.is_empty() || !applied.is_empty() {
                    failures.push(format!(
                        "{}: no fix is documented, but {offered:?} / {applied:?}",
                        rule.code
                    ));
                }
            }
            continue;
        }
        if source.len() != 1 || expected.len() != 1 {
            failures.push(format!(
                "{}: a fixable rule's example is one item",
                rule.code
            ));
            continue;
        }
        let si = &source[0];
        let (fixed_item, applied) = linter.fix_item(&si.item, &origin(&linter, 0, &si.item).key);
        if applied.is_empty() {
            failures.push(format!("{}: the bad example gets no fix", rule.code));
            continue;
        }
        if !fixed_item.same_data(&expected[0]) {
            failures.push(format!(
                "{}: the fix gives {} instead of the page's {}",
                rule.code,
                fixed_item.to_plain_json(),
                expected[0].to_plain_json()
            ));
        }
        // Written to the file through the engine, as `check --fix` writes it: the text re-reads
        // as the fixed item.
        let rewritten = fix_through_engine(&linter, &si.chunk.text);
        let reread = read(&rewritten, rule.code);
        if !reread[0].item.same_data(&expected[0]) {
            failures.push(format!(
                "{}: the rewritten file reads {} instead of the page's {}\n{rewritten}",
                rule.code,
                reread[0].item.to_plain_json(),
                expected[0].to_plain_json()
            ));
        }
        // A second run has nothing left to fix.
        let (_, again) = linter.fix_item(&fixed_item, &origin(&linter, 0, &fixed_item).key);
        if !again.is_empty() {
            failures.push(format!("{}: fixing again applies {again:?}", rule.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn safe_fixes_on_the_pages_are_applied_without_unsafe_fixes() {
    for rule in runnable().filter(|r| r.fix == FixAvailability::Safe) {
        let (bad, fixed) = examples(rule);
        let linter = linter(bad.toml.as_deref(), false);
        let item = &read(&bad.json, rule.code)[0].item;
        let (fixed_item, _) = linter.fix_item(item, &origin(&linter, 0, item).key);
        assert!(
            fixed_item.same_data(&read(&fixed.json, rule.code)[0].item),
            "{}: the documented safe fix needs --unsafe-fixes",
            rule.code
        );
    }
}

#[test]
fn unsafe_fixes_on_the_pages_wait_for_unsafe_fixes() {
    for rule in runnable().filter(|r| r.fix == FixAvailability::Unsafe) {
        let (bad, _) = examples(rule);
        let linter = linter(bad.toml.as_deref(), false);
        let item = &read(&bad.json, rule.code)[0].item;
        let (_, applied) = linter.fix_item(item, &origin(&linter, 0, item).key);
        assert!(
            applied.is_empty(),
            "{}: an unsafe fix applied as safe",
            rule.code
        );
    }
}

#[test]
fn the_planted_fixture_problems_are_found() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/registry.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let items = items_of(&read(&text, "fixture"));
    let linter = linter(None, false);
    let found: Vec<(String, String)> = findings(&linter, &items);
    let codes: Vec<&str> = found.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        ["RG101", "RG003", "RG105", "RG106", "RG001", "RG006", "RG301", "RG104"],
        "{found:#?}"
    );
    assert_eq!(found[0].1, "alias_id ends with a stray '\"'");
    let errors = found
        .iter()
        .filter(|(c, _)| reglint::rules::rule(c).is_some_and(|r| r.severity == Severity::Error))
        .count();
    assert_eq!(errors, 6);
}
