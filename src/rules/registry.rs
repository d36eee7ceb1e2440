//! Rules across items: they keep only keys and names, never whole items.

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

/// A baseline entry that matched no finding (`check --baseline`).
pub static RG901: Rule = Rule {
    code: "RG901",
    name: "stale-baseline-entry",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a baseline entry that matched no finding",
    doc: rule_doc!("RG901"),
    check: Check::Baseline,
};

/// Where an item that registry rules may name later was read.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// A description as messages show it ("item 3 of dynamodb://registry (key {…})").
    Text(&'a str),
    /// Item `index` of the source `label`, starting at `line` of its file when it has one.
    At {
        label: &'a str,
        index: usize,
        line: Option<usize>,
    },
}

/// The identities an item claims (its registration, its enabled name), hashed. Computed from
/// the item alone, so that it can be done on any thread; [`RegistryIndex::observe_claims`] then
/// takes items in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Claims {
    registration: Option<u64>,
    name: Option<u64>,
}

impl Claims {
    /// The hashes of the item's registration key and folded enabled name: the same bytes as
    /// [`registration_key`] and [`enabled_name`] build, fed to the hasher without building them.
    pub fn of(item: &Item, local_account: Option<&str>) -> Claims {
        Claims {
            registration: registration_hash(item, local_account),
            name: name_hash(item),
        }
    }
}

/// A 64-bit keyed hash (SipHash): at a million items the chance that two different keys share
/// one is about 3 in 100 million, so only hashes are kept, not the keys.
fn hasher() -> impl std::hash::Hasher {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
        .build_hasher()
}

/// An identifier as [`strip_stray`] cleans it, borrowed when there is nothing to clean.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    strip_stray(s).0
}

fn registration_hash(item: &Item, local_account: Option<&str>) -> Option<u64> {
    use std::hash::Hasher;
    let mut h = hasher();
    match crate::schema::agent_type_of(item) {
        Some(AgentType::AgentCore) => {
            let arn = clean(item.str_value(RUNTIME_ARN)?);
            h.write(b"runtime|");
            h.write(arn.as_bytes());
        }
        _ => {
            let agent = clean(item.str_value(AGENT_ID)?);
            let alias = clean(item.str_value(ALIAS_ID)?);
            h.write(b"agent|");
            match item.value(ACCOUNT_ID) {
                Some(Value::S(s)) if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) => {
                    h.write(s.as_bytes())
                }
                v => {
                    let account = normalised_account(v)
                        .or_else(|| local_account.map(str::to_string))
                        .unwrap_or_else(|| "local".to_string());
                    h.write(account.as_bytes());
                }
            }
            h.write(b"|");
            h.write(agent.as_bytes());
            h.write(b"|");
            h.write(alias.as_bytes());
        }
    }
    Some(h.finish())
}

fn name_hash(item: &Item) -> Option<u64> {
    use std::hash::Hasher;
    if !matches!(item.value(ENABLED), Some(Value::Bool(true))) {
        return None;
    }
    let trimmed = item.str_value(NAME)?.trim();
    if trimmed.is_empty() {
        return None;
    }
    let mut h = hasher();
    if trimmed.is_ascii() {
        let mut buf = [0u8; 64];
        for part in trimmed.as_bytes().chunks(64) {
            let lower = &mut buf[..part.len()];
            lower.copy_from_slice(part);
            lower.make_ascii_lowercase();
            h.write(lower);
        }
    } else {
        h.write(trimmed.to_lowercase().as_bytes());
    }
    Some(h.finish())
}

/// One remembered item: its claims and where it was seen (20-odd bytes, not its text).
#[derive(Debug, Clone, Copy)]
struct Entry {
    registration: [u32; 2],
    name: [u32; 2],
    /// Index into `labels`, or `TEXT` when `index` points into `texts`.
    label: u32,
    index: u32,
    /// 0 when the source has no lines.
    line: u32,
}

const TEXT: u32 = u32::MAX;
const CHUNK: usize = 1 << 16;

fn split(h: u64) -> [u32; 2] {
    [(h >> 32) as u32, h as u32]
}

fn join(h: [u32; 2]) -> u64 {
    (u64::from(h[0]) << 32) | u64::from(h[1])
}

fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX - 1)
}

/// What the registry rules remember of the items seen so far: for each first registration and
/// each first enabled name, a hash and where it was seen. Memory grows by about 40 bytes per
/// item, however long the items are.
#[derive(Default)]
pub struct RegistryIndex {
    registrations: hashbrown::HashTable<u32>,
    names: hashbrown::HashTable<u32>,
    /// In chunks, so that growing never copies (or briefly doubles) what is there.
    entries: Vec<Vec<Entry>>,
    len: usize,
    labels: Vec<String>,
    texts: Vec<Box<str>>,
}

impl std::fmt::Debug for RegistryIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryIndex")
            .field("registrations", &self.registrations.len())
            .field("names", &self.names.len())
            .finish()
    }
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
        let claims = Claims::of(item, local_account);
        self.observe_claims(&claims, item, local_account, Seen::Text(here))
    }

    /// Records an item whose claims were computed already; items must come in source order.
    pub fn observe_claims(
        &mut self,
        claims: &Claims,
        item: &Item,
        local_account: Option<&str>,
        here: Seen,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        let mut new_entry = None;
        if let Some(h) = claims.registration {
            match self.first(&self.registrations, h, |e| e.registration) {
                Some(first) => {
                    if let Some((key, what)) = registration_key(item, local_account) {
                        let mut v = Violation::new(
                            &RG301,
                            format!("{what} is already registered by {first}"),
                        )
                        .with_help(
                            "keep one registration; the hub routes to whichever it reads first",
                        );
                        if let Some(attr) = item.get(RUNTIME_ARN).or_else(|| item.get(AGENT_ID)) {
                            v = v.on(attr);
                        }
                        v.value = key;
                        out.push(v);
                    }
                }
                None => {
                    let at = self.entry(&mut new_entry, claims, here);
                    let entries = &self.entries;
                    self.registrations
                        .insert_unique(h, at, |i| join(get(entries, *i).registration));
                }
            }
        }
        if let Some(h) = claims.name {
            match self.first(&self.names, h, |e| e.name) {
                Some(first) => {
                    if let (Some(attr), Some((name, _))) = (item.get(NAME), enabled_name(item)) {
                        out.push(
                            Violation::new(
                                &RG302,
                                format!("the name {name:?} is already used by {first}"),
                            )
                            .on(attr)
                            .with_help("give each enabled agent a distinct name so the hub and its users can tell them apart"),
                        );
                    }
                }
                None => {
                    let at = self.entry(&mut new_entry, claims, here);
                    let entries = &self.entries;
                    self.names
                        .insert_unique(h, at, |i| join(get(entries, *i).name));
                }
            }
        }
        out
    }

    /// The description of the item that first made claim `h` in `table`.
    fn first(
        &self,
        table: &hashbrown::HashTable<u32>,
        h: u64,
        claim: impl Fn(&Entry) -> [u32; 2],
    ) -> Option<String> {
        let at = table.find(h, |i| join(claim(get(&self.entries, *i))) == h)?;
        Some(self.describe(get(&self.entries, *at)))
    }

    fn describe(&self, e: &Entry) -> String {
        if e.label == TEXT {
            return self
                .texts
                .get(e.index as usize)
                .map_or_else(String::new, |t| t.to_string());
        }
        let label = self.labels.get(e.label as usize).map_or("", String::as_str);
        match e.line {
            0 => format!("item {} of {label}", e.index),
            line => format!("item {} of {label} at line {line}", e.index),
        }
    }

    /// The entry for the item being observed, added on first use.
    fn entry(&mut self, made: &mut Option<u32>, claims: &Claims, here: Seen) -> u32 {
        if let Some(at) = *made {
            return at;
        }
        let (label, index, line) = match here {
            Seen::Text(t) => {
                self.texts.push(t.into());
                (TEXT, small(self.texts.len() - 1), 0)
            }
            Seen::At { label, index, line } => {
                if self.labels.last().is_none_or(|l| l != label) {
                    self.labels.push(label.to_string());
                }
                (
                    small(self.labels.len() - 1),
                    small(index),
                    line.map_or(0, small),
                )
            }
        };
        let entry = Entry {
            registration: split(claims.registration.unwrap_or(0)),
            name: split(claims.name.unwrap_or(0)),
            label,
            index,
            line,
        };
        if self.entries.last().is_none_or(|c| c.len() == CHUNK) {
            self.entries.push(Vec::with_capacity(CHUNK));
        }
        if let Some(chunk) = self.entries.last_mut() {
            chunk.push(entry);
        }
        let at = small(self.len);
        self.len += 1;
        *made = Some(at);
        at
    }
}

fn get(entries: &[Vec<Entry>], at: u32) -> &Entry {
    let at = at as usize;
    &entries[at / CHUNK][at % CHUNK]
}

/// An enabled item's name as written, and folded for comparison.
fn enabled_name(item: &Item) -> Option<(&str, String)> {
    if !matches!(item.value(ENABLED), Some(Value::Bool(true))) {
        return None;
    }
    let name = item.str_value(NAME)?;
    let folded = name.trim().to_lowercase();
    (!folded.is_empty()).then_some((name, folded))
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
