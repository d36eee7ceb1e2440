//! The catalogue's contract with the strict schema (spec §3) and the fix loop (spec §5), checked
//! on generated items: valid entries and entries broken in the ways registries break.
//!
//! - no diagnostic ⇒ `RegistryEntry::from_item` accepts the item (no silent pass);
//! - `from_item` rejects the item ⇒ at least one diagnostic;
//! - fixing converges: a second fix run applies nothing and leaves nothing fixable;
//! - a fix never touches an attribute it was not about;
//! - written to the file, the fixed item reads back as fixed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use proptest::prelude::*;

use reglint::config::Config;
use reglint::fix::{apply_text_edits, text_edits};
use reglint::lint::Linter;
use reglint::model::{Format, Item, Node, Value};
use reglint::schema::{DeclaredValue, RegistryEntry};
use reglint::select::Selection;
use reglint::source::{FileReader, InputFormat, SourceItem};

const KNOWN: [&str; 13] = [
    "agent_id",
    "alias_id",
    "runtime_arn",
    "qualifier",
    "name",
    "description",
    "agent_type",
    "account_id",
    "region",
    "enabled",
    "capabilities",
    "domains",
    "example_queries",
];
const IDENTIFIERS: [&str; 4] = ["agent_id", "alias_id", "account_id", "runtime_arn"];
const TEXTS: [&str; 4] = ["name", "description", "qualifier", "region"];
const LISTS: [&str; 3] = ["capabilities", "domains", "example_queries"];
const REGIONS: [&str; 5] = [
    "us-east-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "us-gov-west-1",
];

fn s(v: impl Into<String>) -> Value {
    Value::S(v.into())
}

prop_compose! {
    fn words()(w in proptest::collection::vec("[a-z]{1,8}( [a-z]{1,8})?", 0..4)) -> Vec<String> { w }
}

prop_compose! {
    fn bedrock()(
        agent in "[0-9A-Z]{10}",
        alias in prop_oneof![1 => Just("TSTALIASID".to_string()), 4 => "[0-9A-Za-z]{10}"],
        account in proptest::option::of("[0-9]{12}"),
    ) -> Vec<(&'static str, Value)> {
        let mut attrs = vec![
            ("agent_id", s(agent)),
            ("alias_id", s(alias)),
            ("agent_type", s("bedrock_agent")),
        ];
        if let Some(a) = account {
            attrs.push(("account_id", s(a)));
        }
        attrs
    }
}

prop_compose! {
    fn agentcore()(
        key in proptest::option::of("[a-z][a-z0-9-]{0,20}[a-z0-9]"),
        region in proptest::sample::select(&REGIONS[..]),
        account in "[0-9]{12}",
        runtime in "[a-zA-Z][a-zA-Z0-9_]{0,12}",
        suffix in "[a-zA-Z0-9]{10}",
        with_account in any::<bool>(),
        qualifier in proptest::option::of("[A-Za-z][A-Za-z0-9_]{0,10}"),
    ) -> Vec<(&'static str, Value)> {
        let arn = format!("arn:aws:bedrock-agentcore:{region}:{account}:runtime/{runtime}-{suffix}");
        let mut attrs = vec![("runtime_arn", s(arn)), ("agent_type", s("agentcore"))];
        if let Some(k) = key {
            attrs.push(("agent_id", s(k)));
        }
        if with_account {
            attrs.push(("account_id", s(account)));
        }
        if let Some(q) = qualifier {
            attrs.push(("qualifier", s(q)));
        }
        attrs
    }
}

prop_compose! {
    /// A valid registry entry of either type, in either format.
    fn valid_item()(
        target in prop_oneof![bedrock(), agentcore()],
        name in "[a-z][a-z0-9-]{0,15}",
        description in "[A-Z][a-z]{0,10}( [a-z]{1,10}){0,4}",
        region in proptest::option::of(proptest::sample::select(&REGIONS[..])),
        enabled in any::<bool>(),
        capabilities in words(),
        domains in proptest::option::of(words()),
        queries in proptest::option::of(words()),
        typed in any::<bool>(),
    ) -> Item {
        let mut item = Item::new(if typed { Format::Dynamodb } else { Format::Plain });
        for (k, v) in target {
            item.set(k, v);
        }
        item.set("name", s(name));
        item.set("description", s(description));
        if let Some(r) = region {
            item.set("region", s(r));
        }
        item.set("enabled", Value::Bool(enabled));
        item.set("capabilities", Value::list_of_strings(capabilities));
        if let Some(d) = domains {
            item.set("domains", Value::list_of_strings(d));
        }
        if let Some(q) = queries {
            item.set("example_queries", Value::list_of_strings(q));
        }
        item
    }
}

/// A character that breaks things when it gets into registry data.
fn nasty_char() -> impl Strategy<Value = char> {
    proptest::sample::select(vec![
        '"', '\'', '`', '\u{201C}', '\u{201D}', ' ', '\t', '\n', '\u{A0}', '\u{200B}', '\u{200D}',
        '\u{202E}', '\u{FEFF}', '\u{7}', ',', ';', '|', '.', '-', '_', 'x', 'X', '0',
    ])
}

/// Any value, with a bias towards the ones registries get wrong.
fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        "[ a-zA-Z0-9\"',;|\n\u{200B}_-]{0,14}".prop_map(Value::S),
        "(0|[1-9][0-9]{0,12})".prop_map(Value::N),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        Just(Value::S(String::new())),
        Just(Value::S("  ".into())),
        Just(Value::S("true".into())),
        Just(Value::S("[\"a\", \"b\"]".into())),
        Just(Value::B("AAEC".into())),
        Just(Value::Invalid("expected a string for S, found 5".into())),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| Value::L(v.into_iter().map(Node::new).collect())),
            proptest::collection::vec(("[a-z]{1,5}", inner), 0..3).prop_map(|v| {
                let mut m = Item::new(Format::Plain);
                for (k, val) in v {
                    m.set(&k, val);
                }
                Value::M(m.attrs)
            }),
            proptest::collection::vec("[a-z ]{0,6}", 0..4)
                .prop_map(|v| Value::SS(v.into_iter().map(|x| Node::new(Value::S(x))).collect())),
            proptest::collection::vec("[0-9]{1,3}", 1..3)
                .prop_map(|v| Value::NS(v.into_iter().map(|x| Node::new(Value::N(x))).collect())),
        ]
    })
}

/// One way an entry goes wrong.
#[derive(Debug, Clone)]
enum Mutation {
    /// Any value in any known attribute.
    SetValue(usize, Value),
    /// A character inserted into a string attribute: at the start, the end, or inside.
    Insert(usize, char, u8),
    /// A character inserted into an element of a list attribute.
    InsertInElement(usize, usize, char, u8),
    Remove(usize),
    /// A list attribute turned into a string set, or into text joined by a separator.
    ListAsSet(usize),
    ListAsText(usize, &'static str),
    /// An element appended to a list: blank, padded, a repeat, a case variant, a number.
    Append(usize, Value),
    RepeatElement(usize, bool),
    /// The account stored as a number.
    AccountAsNumber,
    /// An account that is not the runtime ARN's.
    OtherAccount(String),
    AgentType(&'static str),
    Enabled(Value),
    Region(&'static str),
    /// An attribute outside the schema, or a known one renamed to a near miss.
    Unknown(&'static str, Value),
    Rename(usize, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let known = 0..KNOWN.len();
    let list = 0..LISTS.len();
    prop_oneof![
        (known.clone(), any_value()).prop_map(|(i, v)| Mutation::SetValue(i, v)),
        (0..IDENTIFIERS.len() + TEXTS.len(), nasty_char(), 0u8..3)
            .prop_map(|(i, c, at)| Mutation::Insert(i, c, at)),
        (list.clone(), 0usize..3, nasty_char(), 0u8..3)
            .prop_map(|(l, e, c, at)| Mutation::InsertInElement(l, e, c, at)),
        known.clone().prop_map(Mutation::Remove),
        list.clone().prop_map(Mutation::ListAsSet),
        (
            list.clone(),
            proptest::sample::select(vec![", ", ";", "|", "\n", " ", "json"])
        )
            .prop_map(|(l, sep)| Mutation::ListAsText(l, sep)),
        (
            list.clone(),
            prop_oneof![
                Just(s("")),
                Just(s(" ")),
                Just(s("\u{200B}")),
                Just(s(" padded ")),
                Just(s("Bil\u{200B}ling")),
                Just(Value::N("7".into())),
                Just(Value::Null),
            ]
        )
            .prop_map(|(l, v)| Mutation::Append(l, v)),
        (list.clone(), any::<bool>()).prop_map(|(l, case)| Mutation::RepeatElement(l, case)),
        Just(Mutation::AccountAsNumber),
        "[0-9]{12}".prop_map(Mutation::OtherAccount),
        proptest::sample::select(vec![
            "Bedrock-Agent",
            "BedrockAgent",
            "bedrock_agents",
            "agent_core",
            "AgentCore",
            " agentcore",
            "BEDROCK_AGENT",
            "lambda",
            "",
        ])
        .prop_map(Mutation::AgentType),
        prop_oneof![
            Just(s("True")),
            Just(s("false")),
            Just(s("yes")),
            Just(s("0")),
            Just(s("maybe")),
            Just(Value::N("1".into())),
            Just(Value::N("2".into())),
        ]
        .prop_map(Mutation::Enabled),
        proptest::sample::select(vec!["us-east", "US-EAST-1", " us-east-1", "us-east-1a", ""])
            .prop_map(Mutation::Region),
        (
            proptest::sample::select(vec![
                "owner",
                "capabilites",
                "domain",
                "agentId",
                "Name",
                "x"
            ]),
            any_value()
        )
            .prop_map(|(n, v)| Mutation::Unknown(n, v)),
        (
            known,
            proptest::sample::select(vec!["capabilites", "domain", "agentId", "Name", "regoin"])
        )
            .prop_map(|(i, n)| Mutation::Rename(i, n)),
    ]
}

fn insert_char(text: &str, c: char, at: u8) -> String {
    match at {
        0 => format!("{c}{text}"),
        1 => format!("{text}{c}"),
        _ => {
            let mid = text
                .char_indices()
                .nth(text.chars().count() / 2)
                .map_or(text.len(), |(i, _)| i);
            format!("{}{c}{}", &text[..mid], &text[mid..])
        }
    }
}

fn apply(item: &mut Item, m: &Mutation) {
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::L(n) => n
                .iter()
                .filter_map(|n| n.value.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    match m {
        Mutation::SetValue(i, v) => item.set(KNOWN[*i], v.clone()),
        Mutation::Insert(i, c, at) => {
            let name = IDENTIFIERS
                .iter()
                .chain(&TEXTS)
                .nth(*i)
                .copied()
                .unwrap_or("name");
            if let Some(text) = item.str_value(name).map(str::to_string) {
                item.set(name, s(insert_char(&text, *c, *at)));
            }
        }
        Mutation::InsertInElement(l, e, c, at) => {
            if let Some(Value::L(nodes)) = item.value(LISTS[*l]).cloned() {
                let mut nodes = nodes;
                if let Some(Value::S(text)) = nodes.get(*e).map(|n| n.value.clone()) {
                    nodes[*e] = Node::new(s(insert_char(&text, *c, *at)));
                    item.set(LISTS[*l], Value::L(nodes));
                }
            }
        }
        Mutation::Remove(i) => {
            item.remove(KNOWN[*i]);
        }
        Mutation::ListAsSet(l) => {
            if let Some(v) = item.value(LISTS[*l]).cloned() {
                let set = strings(&v).into_iter().map(|x| Node::new(s(x))).collect();
                item.set(LISTS[*l], Value::SS(set));
            }
        }
        Mutation::ListAsText(l, sep) => {
            if let Some(v) = item.value(LISTS[*l]).cloned() {
                let list = strings(&v);
                let text = if *sep == "json" {
                    serde_json::Value::from(list).to_string()
                } else {
                    list.join(sep)
                };
                item.set(LISTS[*l], s(text));
            }
        }
        Mutation::Append(l, v) => {
            if let Some(Value::L(mut nodes)) = item.value(LISTS[*l]).cloned() {
                nodes.push(Node::new(v.clone()));
                item.set(LISTS[*l], Value::L(nodes));
            }
        }
        Mutation::RepeatElement(l, case) => {
            if let Some(Value::L(mut nodes)) = item.value(LISTS[*l]).cloned() {
                if let Some(Value::S(first)) = nodes.first().map(|n| n.value.clone()) {
                    let again = if *case { first.to_uppercase() } else { first };
                    nodes.push(Node::new(s(again)));
                    item.set(LISTS[*l], Value::L(nodes));
                }
            }
        }
        Mutation::AccountAsNumber => {
            if let Some(a) = item.str_value("account_id").map(str::to_string) {
                let n = a.trim_start_matches('0');
                item.set(
                    "account_id",
                    Value::N(if n.is_empty() { "0".into() } else { n.into() }),
                );
            }
        }
        Mutation::OtherAccount(a) => item.set("account_id", s(a.clone())),
        Mutation::AgentType(t) => item.set("agent_type", s(*t)),
        Mutation::Enabled(v) => item.set("enabled", v.clone()),
        Mutation::Region(r) => item.set("region", s(*r)),
        Mutation::Unknown(n, v) => item.set(n, v.clone()),
        Mutation::Rename(i, to) => {
            if item.get(to).is_none() {
                item.rename(KNOWN[*i], to);
            }
        }
    }
}

prop_compose! {
    fn item()(
        mut item in valid_item(),
        mutations in proptest::collection::vec(mutation(), 0..5),
    ) -> Item {
        for m in &mutations {
            apply(&mut item, m);
        }
        item
    }
}

/// Declared attributes of every kind (spec §3.1), and a built-in list with a pattern.
const DECLARED: &str = r#"
[registry]
extra_attributes = ["owner"]

[schema.attributes.protocol]
type = "S"
required = ["bedrock_agent"]
values = ["bedrock", "a2a", "mcp"]

[schema.attributes.team]
type = "S"
pattern = "^team-[a-z]+$"

[schema.attributes.tags]
type = "SS"
values = ["finance", "hr", "legal"]

[schema.attributes.weights]
type = "L"
items = "N"
values = [1, 2, 3]

[schema.attributes.meta]
type = "M"

[schema.attributes.urls]
type = "L"
items = "S"
pattern = "^https://"

[schema.attributes.domains]
pattern = "^[a-z]+( [a-z]+)?$"
"#;

const DECLARED_NAMES: [&str; 6] = ["protocol", "team", "tags", "weights", "meta", "urls"];

fn declared_linter() -> Linter {
    let config =
        Config::parse(Path::new("reglint.toml"), DECLARED.into()).unwrap_or_else(|e| panic!("{e}"));
    Linter::new(&config, &Selection::new(None, vec![], vec![]), true)
}

fn numbers(v: &[&str]) -> Value {
    Value::L(
        v.iter()
            .map(|n| Node::new(Value::N(n.to_string())))
            .collect(),
    )
}

fn string_set(v: &[&str]) -> Value {
    Value::SS(v.iter().map(|m| Node::new(s(*m))).collect())
}

prop_compose! {
    /// A valid entry with valid declared attributes: `protocol` on every bedrock_agent entry,
    /// the others now and then (string sets only in DynamoDB JSON, which can hold them).
    fn declared_item()(
        mut item in valid_item(),
        protocol in proptest::option::of(proptest::sample::select(vec!["bedrock", "a2a", "mcp"])),
        team in proptest::option::of("team-[a-z]{1,6}"),
        tags in proptest::option::of(proptest::sample::subsequence(vec!["finance", "hr", "legal"], 1..=3)),
        weights in proptest::option::of(proptest::collection::vec(proptest::sample::select(vec!["1", "2", "3", "2.0"]), 0..3)),
        meta in any::<bool>(),
        urls in proptest::option::of(proptest::collection::vec("https://[a-z]{1,6}\\.example", 0..3)),
    ) -> Item {
        let bedrock = item.str_value("agent_type") == Some("bedrock_agent");
        if let Some(p) = protocol.or(bedrock.then_some("bedrock")) {
            item.set("protocol", s(p));
        }
        if let Some(t) = team {
            item.set("team", s(t));
        }
        if let (Some(t), Format::Dynamodb) = (tags, item.format) {
            item.set("tags", string_set(&t));
        }
        if let Some(w) = weights {
            item.set("weights", numbers(&w));
        }
        if meta {
            let mut m = Item::new(Format::Plain);
            m.set("build", Value::N("7".into()));
            item.set("meta", Value::M(m.attrs));
        }
        if let Some(u) = urls {
            item.set("urls", Value::list_of_strings(u));
        }
        item
    }
}

/// One way a declared attribute goes wrong.
#[derive(Debug, Clone)]
enum DeclaredMutation {
    /// Any value in any declared attribute.
    SetValue(usize, Value),
    Remove(usize),
    Protocol(&'static str),
    Team(&'static str),
    Tags(Vec<&'static str>),
    Weight(Value),
    Url(&'static str),
}

fn declared_mutation() -> impl Strategy<Value = DeclaredMutation> {
    let names = 0..DECLARED_NAMES.len();
    prop_oneof![
        (names.clone(), any_value()).prop_map(|(i, v)| DeclaredMutation::SetValue(i, v)),
        names.prop_map(DeclaredMutation::Remove),
        proptest::sample::select(vec![
            " Bedrock", "BEDROCK", "mcp\n", "grpc", "", " ", "A2A "
        ])
        .prop_map(DeclaredMutation::Protocol),
        proptest::sample::select(vec!["Team A", "team-", " team-x", "team-x", ""])
            .prop_map(DeclaredMutation::Team),
        proptest::collection::vec(
            proptest::sample::select(vec!["finance", "Finance", " hr", "HR", "legal", "x", ""]),
            0..4
        )
        .prop_map(DeclaredMutation::Tags),
        prop_oneof![
            Just(Value::N("4".into())),
            Just(Value::N("2.0".into())),
            Just(s("1")),
            Just(Value::Null),
        ]
        .prop_map(DeclaredMutation::Weight),
        proptest::sample::select(vec![
            "http://x.example",
            "",
            "https://ok.example",
            "HTTPS://X"
        ])
        .prop_map(DeclaredMutation::Url),
    ]
}

fn apply_declared(item: &mut Item, m: &DeclaredMutation) {
    match m {
        DeclaredMutation::SetValue(i, v) => item.set(DECLARED_NAMES[*i], v.clone()),
        DeclaredMutation::Remove(i) => {
            item.remove(DECLARED_NAMES[*i]);
        }
        DeclaredMutation::Protocol(p) => item.set("protocol", s(*p)),
        DeclaredMutation::Team(t) => item.set("team", s(*t)),
        DeclaredMutation::Tags(t) => item.set("tags", string_set(t)),
        DeclaredMutation::Weight(w) => {
            let mut nodes = match item.value("weights") {
                Some(Value::L(nodes)) => nodes.clone(),
                _ => Vec::new(),
            };
            nodes.push(Node::new(w.clone()));
            item.set("weights", Value::L(nodes));
        }
        DeclaredMutation::Url(u) => {
            let mut nodes = match item.value("urls") {
                Some(Value::L(nodes)) => nodes.clone(),
                _ => Vec::new(),
            };
            nodes.push(Node::new(s(*u)));
            item.set("urls", Value::L(nodes));
        }
    }
}

prop_compose! {
    fn broken_declared_item()(
        mut item in declared_item(),
        mutations in proptest::collection::vec(mutation(), 0..3),
        declared in proptest::collection::vec(declared_mutation(), 0..4),
    ) -> Item {
        for m in &mutations {
            apply(&mut item, m);
        }
        for m in &declared {
            apply_declared(&mut item, m);
        }
        item
    }
}

fn linter(extra: bool) -> Linter {
    let config = if extra {
        Config::parse(
            Path::new("reglint.toml"),
            "[registry]\nextra_attributes = [\"owner\"]\n".into(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    } else {
        Config::default()
    };
    Linter::new(&config, &Selection::new(None, vec![], vec![]), true)
}

/// The item as a file holds it, read back with spans (the subject of the checks).
fn as_file(item: &Item) -> SourceItem {
    let json = match item.format {
        Format::Plain => item.to_plain_json(),
        Format::Dynamodb => item.to_typed_json(),
    };
    let text = format!(
        "[\n{}\n]\n",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
    read(&text, item.format).remove(0)
}

fn read(text: &str, format: Format) -> Vec<SourceItem> {
    let format = match format {
        Format::Plain => InputFormat::Plain,
        Format::Dynamodb => InputFormat::Dynamodb,
    };
    let mut out = Vec::new();
    FileReader { format }
        .read_bytes("generated.json", text.as_bytes(), &mut |si| out.push(si))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    out
}

fn check_contract(item: &Item, linter: &Linter) -> Result<(), TestCaseError> {
    let found = linter.lint(item);
    let parsed = RegistryEntry::from_item_with(
        item,
        &linter.settings.extra_attributes,
        &linter.settings.schema,
    );
    let shown = item.to_typed_json();
    if found.is_empty() {
        prop_assert!(
            parsed.is_ok(),
            "no diagnostic, but from_item fails: {:?}\n{shown}",
            parsed.err()
        );
    }
    if let Err(e) = &parsed {
        prop_assert!(
            !found.is_empty(),
            "from_item fails ({e}) without a diagnostic\n{shown}"
        );
    }
    Ok(())
}

fn check_fixes(source: &SourceItem, linter: &Linter) -> Result<(), TestCaseError> {
    let item = &source.item;
    let key = linter.file_key(item);
    let (fixed, applied) = linter.fix_item(item, &key);
    let shown = item.to_typed_json();

    let (_, again) = linter.fix_item(&fixed, &linter.file_key(&fixed));
    prop_assert!(
        again.is_empty(),
        "a second fix run applies {again:?}\n{shown}\n→ {}",
        fixed.to_typed_json()
    );
    let fixable: Vec<_> = linter
        .lint(&fixed)
        .into_iter()
        .filter(|v| v.fix.is_some())
        .collect();
    prop_assert!(
        fixable.is_empty(),
        "still fixable after fixing: {fixable:?}\n{}",
        fixed.to_typed_json()
    );

    let touched: Vec<&str> = applied
        .iter()
        .flat_map(|f| &f.edits)
        .flat_map(|e| e.attributes())
        .collect();
    for attr in &item.attrs {
        if !touched.contains(&attr.name.as_ref()) {
            let now = fixed.value(&attr.name);
            prop_assert!(
                now.is_some_and(|v| v.same_data(&attr.node.value)),
                "{} was changed by fixes about {touched:?}\n{shown}",
                attr.name
            );
        }
    }

    if !applied.is_empty() {
        let mut edits = text_edits(item, &fixed, &source.chunk);
        let rewritten = apply_text_edits(&source.chunk.text, &mut edits).unwrap();
        let reread = read(&rewritten, item.format);
        prop_assert_eq!(reread.len(), 1);
        prop_assert!(
            reread[0].item.same_data(&fixed),
            "the rewritten file reads {}\nexpected {}\n{rewritten}",
            reread[0].item.to_typed_json(),
            fixed.to_typed_json()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn valid_items_raise_nothing_but_draft_aliases_and_repeats(item in valid_item()) {
        let linter = linter(false);
        prop_assert!(RegistryEntry::from_item(&item, &[]).is_ok());
        let codes: Vec<&str> = linter.lint(&item).iter().map(|v| v.code).collect();
        // The generator can draw the test alias, repeated or empty capabilities.
        prop_assert!(
            codes.iter().all(|c| ["RG104", "RG202", "RG204"].contains(c)),
            "{codes:?}\n{}",
            item.to_typed_json()
        );
    }

    #[test]
    fn no_diagnostic_means_the_strict_schema_accepts(item in item(), extra in any::<bool>()) {
        check_contract(&item, &linter(extra))?;
    }

    #[test]
    fn fixing_converges_and_touches_only_what_it_is_about(item in item(), extra in any::<bool>()) {
        let source = as_file(&item);
        check_contract(&source.item, &linter(extra))?;
        check_fixes(&source, &linter(extra))?;
    }

    #[test]
    fn valid_declared_attributes_raise_nothing_and_parse_typed_as_declared(item in declared_item()) {
        let linter = declared_linter();
        let codes: Vec<&str> = linter.lint(&item).iter().map(|v| v.code).collect();
        prop_assert!(
            codes.iter().all(|c| ["RG104", "RG202", "RG204"].contains(c)),
            "{codes:?}\n{}",
            item.to_typed_json()
        );
        let entry = RegistryEntry::from_item_with(&item, &[], &linter.settings.schema);
        let entry = entry.map_err(|e| TestCaseError::fail(format!("{e}\n{}", item.to_typed_json())))?;
        for name in DECLARED_NAMES {
            let typed = entry.declared.get(name);
            let expected = match item.value(name) {
                None => None,
                Some(Value::S(text)) => Some(DeclaredValue::S(text.clone())),
                Some(Value::SS(m)) => Some(DeclaredValue::SS(
                    m.iter().filter_map(|n| n.value.as_str().map(str::to_string)).collect(),
                )),
                Some(Value::L(nodes)) => Some(DeclaredValue::L(
                    nodes
                        .iter()
                        .map(|n| match &n.value {
                            Value::S(t) => DeclaredValue::S(t.clone()),
                            Value::N(t) => DeclaredValue::N(t.clone()),
                            other => DeclaredValue::Any(other.to_typed_json()),
                        })
                        .collect(),
                )),
                Some(other) => Some(DeclaredValue::Any(other.to_typed_json())),
            };
            prop_assert_eq!(typed, expected.as_ref(), "{}", name);
        }
    }

    #[test]
    fn declared_attributes_keep_the_contract_and_fixes_converge(item in broken_declared_item()) {
        let linter = declared_linter();
        let source = as_file(&item);
        check_contract(&source.item, &linter)?;
        check_fixes(&source, &linter)?;
    }
}
