//! The rule catalogue: one table mapping codes to rules, one file per rule.
//!
//! Item rules are pure functions of one item and the settings. Registry rules see facts kept
//! across items (keys, names); remote rules read what the verify layer gathered.

pub mod common;
pub mod registry;
pub mod remote;

mod rg000_unreadable_item;
mod rg001_missing_required_attribute;
mod rg002_wrong_attribute_type;
mod rg003_list_stored_as_string;
mod rg004_set_instead_of_list;
mod rg005_boolean_as_string_or_number;
mod rg006_unknown_attribute;
mod rg007_empty_required_value;
pub mod rg101_stray_character_in_identifier;
mod rg102_malformed_agent_id;
mod rg103_malformed_alias_id;
mod rg104_draft_alias_in_registry;
mod rg105_malformed_account_id;
mod rg106_non_canonical_agent_type;
mod rg107_malformed_runtime_arn;
mod rg108_account_mismatch;
mod rg109_malformed_region;
mod rg110_value_not_allowed;
mod rg111_pattern_mismatch;
mod rg201_blank_list_element;
mod rg202_duplicate_list_element;
mod rg203_untrimmed_text;
mod rg204_enabled_without_capabilities;
mod rg205_control_characters_in_text;

use crate::diagnostic::{Fix, Severity};
use crate::model::{Attr, Item, Span};
use crate::schema::AgentType;

/// Which fixes a rule can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Safe,
    Unsafe,
    /// Safe for some values, unsafe for others.
    Sometimes,
}

/// How a rule runs.
#[derive(Clone, Copy)]
pub enum Check {
    /// A pure check of one item.
    Item(fn(&ItemCtx, &mut Vec<Violation>)),
    /// Across the items of a run (see [`registry`]).
    Registry,
    /// About the configuration itself.
    Config,
    /// Needs `--verify`.
    Remote,
    /// Against a baseline file (`check --baseline`).
    Baseline,
}

/// A rule of the catalogue.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// One line: what it catches.
    pub summary: &'static str,
    /// The rule's page in `rules/` (Markdown).
    pub doc: &'static str,
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// Everything in the configuration that rules read.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Attributes allowed beyond the schema.
    pub extra_attributes: Vec<String>,
    /// The account the hub runs in (items without `account_id` belong to it).
    pub local_account: Option<String>,
    /// The registry schema: built-in plus declared attributes (spec §3.1).
    pub schema: crate::schema::EffectiveSchema,
}

/// What an item rule sees.
pub struct ItemCtx<'a> {
    pub item: &'a Item,
    pub settings: &'a Settings,
    /// The type the item means: exact, or recognised from a variant spelling (RG106).
    pub agent_type: Option<AgentType>,
}

impl<'a> ItemCtx<'a> {
    pub fn new(item: &'a Item, settings: &'a Settings) -> Self {
        ItemCtx {
            item,
            settings,
            agent_type: crate::schema::agent_type_of(item),
        }
    }
}

/// A rule's finding on one item, before it becomes a [`crate::diagnostic::Diagnostic`].
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub code: &'static str,
    pub message: String,
    pub attribute: Option<String>,
    /// What to point at in the source text.
    pub span: Option<Span>,
    /// The offending value, for the fingerprint.
    pub value: String,
    pub fix: Option<Fix>,
    pub help: Option<String>,
    /// The account the item names (`account_id`), for counts by account.
    pub account: Option<String>,
}

impl Violation {
    pub fn new(rule: &Rule, message: impl Into<String>) -> Self {
        Violation {
            code: rule.code,
            message: message.into(),
            attribute: None,
            span: None,
            value: String::new(),
            fix: None,
            help: None,
            account: None,
        }
    }

    /// Points the finding at an attribute's value.
    pub fn on(mut self, attr: &Attr) -> Self {
        self.attribute = Some(attr.name.to_string());
        self.span = attr.node.span;
        self.value = attr.node.value.describe();
        self
    }

    /// Points the finding at an attribute's name (for findings about the name itself).
    pub fn on_name(mut self, attr: &Attr) -> Self {
        self.attribute = Some(attr.name.to_string());
        self.span = attr.name_span.or(attr.node.span);
        self.value = attr.name.to_string();
        self
    }

    /// Points the finding at one element of a list value (after [`Violation::on`]).
    pub fn at(mut self, node: &crate::model::Node) -> Self {
        if node.span.is_some() {
            self.span = node.span;
        }
        self
    }

    /// Names an attribute that is not there; points at the item.
    pub fn about(mut self, attribute: &str, item: &Item) -> Self {
        self.attribute = Some(attribute.to_string());
        self.span = item.span.map(|s| Span::new(s.start, s.start + 1));
        self.account = account_of(item);
        self
    }

    /// Names the account the finding is about (counts by account in audit reports).
    pub fn in_account(mut self, account: Option<String>) -> Self {
        self.account = account;
        self
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

macro_rules! rule_doc {
    ($code:literal) => {
        include_str!(concat!("../../rules/", $code, ".md"))
    };
}
pub(crate) use rule_doc;

/// The catalogue, in code order.
pub static RULES: &[&Rule] = &[
    &rg000_unreadable_item::RULE,
    &rg001_missing_required_attribute::RULE,
    &rg002_wrong_attribute_type::RULE,
    &rg003_list_stored_as_string::RULE,
    &rg004_set_instead_of_list::RULE,
    &rg005_boolean_as_string_or_number::RULE,
    &rg006_unknown_attribute::RULE,
    &rg007_empty_required_value::RULE,
    &rg101_stray_character_in_identifier::RULE,
    &rg102_malformed_agent_id::RULE,
    &rg103_malformed_alias_id::RULE,
    &rg104_draft_alias_in_registry::RULE,
    &rg105_malformed_account_id::RULE,
    &rg106_non_canonical_agent_type::RULE,
    &rg107_malformed_runtime_arn::RULE,
    &rg108_account_mismatch::RULE,
    &rg109_malformed_region::RULE,
    &rg110_value_not_allowed::RULE,
    &rg111_pattern_mismatch::RULE,
    &rg201_blank_list_element::RULE,
    &rg202_duplicate_list_element::RULE,
    &rg203_untrimmed_text::RULE,
    &rg204_enabled_without_capabilities::RULE,
    &rg205_control_characters_in_text::RULE,
    &registry::RG301,
    &registry::RG302,
    &remote::RG401,
    &remote::RG402,
    &remote::RG403,
    &remote::RG404,
    &remote::RG405,
    &remote::RG406,
    &remote::RG407,
    &remote::RG408,
    &remote::RG409,
    &remote::RG410,
    &registry::RG900,
    &registry::RG901,
];

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code))
}

/// Runs the given item rules on one item.
pub fn check_item(item: &Item, settings: &Settings, rules: &[&'static Rule]) -> Vec<Violation> {
    let ctx = ItemCtx::new(item, settings);
    let mut out = Vec::new();
    for r in rules {
        if let Check::Item(f) = r.check {
            f(&ctx, &mut out);
        }
    }
    out
}

/// The account an item names in `account_id`, as text (a number keeps its digits).
pub fn account_of(item: &Item) -> Option<String> {
    match item.value(crate::schema::ACCOUNT_ID)?.to_plain_json() {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}
