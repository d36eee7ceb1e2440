//! Rules across items: they keep only keys and names, never whole items.

use std::collections::HashMap;

use super::common::{normalised_account, strip_stray};
use super::{rule_doc, Check, FixAvailability, Rule, Violation};
use crate::diagnostic::Severity;
use crate::model::{Item, Value};
use crate::schema::{AgentType, ACCOUNT_ID, AGENT_ID, ALIAS_ID, ENABLED, NAME, RUNTIME_ARN};

/// Two items register the same agent alias or runtime.
pub static RG301: Rule = Rule {
    code: "RG301",
    name: "duplicate-registration",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "two items for the same (account, agent_id, alias_id) or the same runtime ARN",
    doc: rule_doc!("RG301"),
    check: Check::Registry,
};

/// Two enabled items share a name, ignoring case.
pub static RG302: Rule = Rule {
    code: "RG302",
    name: "duplicate-name",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "two enabled items with the same name, ignoring case",
    doc: rule_doc!("RG302"),
    check: Check::Registry,
};

/// A configured exception that matched no finding.
pub static RG900: Rule = Rule {
    code: "RG900",
    name: "unused-exception",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a config exception that matched nothing",
    doc: rule_doc!("RG900"),
    check: Check::Config,
};

/// What the registry rules remember of the items seen so far.
#[derive(Debug, Default)]
pub struct RegistryIndex {
    registrations: HashMap<String, String>,
    names: HashMap<String, String>,
}

impl RegistryIndex {
    /// Records an item; returns the findings it raises against items seen before.
    /// `here` describes the item for messages about later duplicates ("item 3 of agents.json").
    pub fn observe(
        &mut self,
        item: &Item,
        local_account: Option<&str>,
        here: &str,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        if let Some((key, what)) = registration_key(item, local_account) {
            match self.registrations.get(&key) {
                Some(first) => {
                    let mut v =
                        Violation::new(&RG301, format!("{what} is already registered by {first}"))
                            .with_help(
                                "keep one registration; the hub routes to whichever it reads first",
                            );
                    if let Some(attr) = item.get(RUNTIME_ARN).or_else(|| item.get(AGENT_ID)) {
                        v = v.on(attr);
                    }
                    v.value = key.clone();
                    out.push(v);
                }
                None => {
                    self.registrations.insert(key, here.to_string());
                }
            }
        }
        let enabled = matches!(item.value(ENABLED), Some(Value::Bool(true)));
        if let (true, Some(attr)) = (enabled, item.get(NAME)) {
            if let Value::S(name) = &attr.node.value {
                let folded = name.trim().to_lowercase();
                if !folded.is_empty() {
                    match self.names.get(&folded) {
                        Some(first) => out.push(
                            Violation::new(
                                &RG302,
                                format!("the name {name:?} is already used by {first}"),
                            )
                            .on(attr)
                            .with_help("give each enabled agent a distinct name so the hub and its users can tell them apart"),
                        ),
                        None => {
                            self.names.insert(folded, here.to_string());
                        }
                    }
                }
            }
        }
        out
    }
}

/// The normalised identity of a registration and a description of it.
fn registration_key(item: &Item, local_account: Option<&str>) -> Option<(String, String)> {
    let ident = |name: &str| item.str_value(name).map(|s| strip_stray(s).0);
    match crate::schema::agent_type_of(item) {
        Some(AgentType::AgentCore) => {
            let arn = ident(RUNTIME_ARN)?;
            Some((format!("runtime|{arn}"), format!("runtime {arn}")))
        }
        _ => {
            let agent = ident(AGENT_ID)?;
            let alias = ident(ALIAS_ID)?;
            let account = normalised_account(item.value(ACCOUNT_ID))
                .or_else(|| local_account.map(str::to_string))
                .unwrap_or_else(|| "local".to_string());
            Some((
                format!("agent|{account}|{agent}|{alias}"),
                format!("agent {agent} alias {alias} in account {account}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock};
    use super::*;

    fn messages(v: &[Violation]) -> Vec<(&str, &str)> {
        v.iter().map(|v| (v.code, v.message.as_str())).collect()
    }

    #[test]
    fn same_alias_in_the_same_account_is_a_duplicate_after_normalisation() {
        let mut index = RegistryIndex::default();
        assert!(index.observe(&bedrock(), None, "item 0").is_empty());
        let again = bedrock()
            .with(ALIAS_ID, Value::S("IO1GTTHP0M ".into()))
            .with(NAME, Value::S("billing-agent-v2".into()));
        assert_eq!(
            messages(&index.observe(&again, None, "item 1")),
            [(
                "RG301",
                "agent PEGHWIVI5Y alias IO1GTTHP0M in account 843074507558 is already registered by item 0"
            )]
        );
        // The same runtime ARN twice.
        assert!(index.observe(&agentcore(), None, "item 2").is_empty());
        let v = index.observe(
            &agentcore().with(NAME, Value::S("other".into())),
            None,
            "item 3",
        );
        assert_eq!(v[0].code, "RG301");
    }

    #[test]
    fn enabled_names_are_compared_ignoring_case() {
        let mut index = RegistryIndex::default();
        assert!(index.observe(&bedrock(), None, "item 0").is_empty());
        let other = bedrock()
            .with(AGENT_ID, Value::S("QJ7XK2M9ZT".into()))
            .with(NAME, Value::S("Billing-Agent".into()));
        assert_eq!(
            messages(&index.observe(&other, None, "item 1")),
            [(
                "RG302",
                "the name \"Billing-Agent\" is already used by item 0"
            )]
        );
        let disabled = other
            .with(AGENT_ID, Value::S("ZX3CV5BN7M".into()))
            .with(ENABLED, Value::Bool(false));
        assert!(index.observe(&disabled, None, "item 2").is_empty());
    }

    #[test]
    fn other_accounts_and_aliases_are_distinct() {
        let mut index = RegistryIndex::default();
        assert!(index.observe(&bedrock(), None, "item 0").is_empty());
        let other_account = bedrock()
            .with(ACCOUNT_ID, Value::S("152864141302".into()))
            .with(NAME, Value::S("billing-agent-eu".into()));
        assert!(index.observe(&other_account, None, "item 1").is_empty());
    }
}
