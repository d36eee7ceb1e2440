//! The registry schema (spec §3): attribute names, identifier patterns, and the strict type a
//! valid entry parses into.

use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::model::{Item, Value};

pub const AGENT_ID: &str = "agent_id";
pub const ALIAS_ID: &str = "alias_id";
pub const RUNTIME_ARN: &str = "runtime_arn";
pub const QUALIFIER: &str = "qualifier";
pub const NAME: &str = "name";
pub const DESCRIPTION: &str = "description";
pub const AGENT_TYPE: &str = "agent_type";
pub const ACCOUNT_ID: &str = "account_id";
pub const REGION: &str = "region";
pub const ENABLED: &str = "enabled";
pub const CAPABILITIES: &str = "capabilities";
pub const DOMAINS: &str = "domains";
pub const EXAMPLE_QUERIES: &str = "example_queries";

/// Every attribute the schema knows.
pub const KNOWN_ATTRIBUTES: [&str; 13] = [
    AGENT_ID,
    ALIAS_ID,
    RUNTIME_ARN,
    QUALIFIER,
    NAME,
    DESCRIPTION,
    AGENT_TYPE,
    ACCOUNT_ID,
    REGION,
    ENABLED,
    CAPABILITIES,
    DOMAINS,
    EXAMPLE_QUERIES,
];

/// Attributes that hold a list of strings.
pub const LIST_ATTRIBUTES: [&str; 3] = [CAPABILITIES, DOMAINS, EXAMPLE_QUERIES];

/// Attributes that hold free text (trimmed, no control characters).
pub const TEXT_ATTRIBUTES: [&str; 3] = [NAME, DESCRIPTION, QUALIFIER];

/// Attributes that hold identifiers (no stray characters).
pub const IDENTIFIER_ATTRIBUTES: [&str; 4] = [AGENT_ID, ALIAS_ID, ACCOUNT_ID, RUNTIME_ARN];

/// Attributes whose value is a string.
pub const STRING_ATTRIBUTES: [&str; 9] = [
    AGENT_ID,
    ALIAS_ID,
    RUNTIME_ARN,
    QUALIFIER,
    NAME,
    DESCRIPTION,
    AGENT_TYPE,
    ACCOUNT_ID,
    REGION,
];

/// The two kinds of registry entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum AgentType {
    #[serde(rename = "bedrock_agent")]
    BedrockAgent,
    #[serde(rename = "agentcore")]
    AgentCore,
}

impl AgentType {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentType::BedrockAgent => "bedrock_agent",
            AgentType::AgentCore => "agentcore",
        }
    }

    /// The canonical type a spelling means: exact, or a recognised variant such as
    /// `Bedrock-Agent` or `agent_core`.
    pub fn recognise(s: &str) -> Option<AgentType> {
        let folded: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match folded.as_str() {
            "bedrockagent" | "bedrockagents" | "bedrock" => Some(AgentType::BedrockAgent),
            "agentcore" | "bedrockagentcore" | "agentcoreruntime" => Some(AgentType::AgentCore),
            _ => None,
        }
    }

    /// The attributes an entry of this type must have.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            AgentType::BedrockAgent => &[
                AGENT_ID,
                ALIAS_ID,
                NAME,
                DESCRIPTION,
                AGENT_TYPE,
                ENABLED,
                CAPABILITIES,
            ],
            AgentType::AgentCore => &[
                RUNTIME_ARN,
                NAME,
                DESCRIPTION,
                AGENT_TYPE,
                ENABLED,
                CAPABILITIES,
            ],
        }
    }
}

/// Attributes required whatever the type.
pub const ALWAYS_REQUIRED: [&str; 5] = [NAME, DESCRIPTION, AGENT_TYPE, ENABLED, CAPABILITIES];

/// The entry's type as written, when it is recognised (exactly or as a variant).
pub fn agent_type_of(item: &Item) -> Option<AgentType> {
    item.str_value(AGENT_TYPE).and_then(AgentType::recognise)
}

macro_rules! pattern {
    ($name:ident, $re:expr) => {
        pub static $name: LazyLock<Regex> = LazyLock::new(|| {
            #[allow(clippy::expect_used)]
            Regex::new($re).expect("a valid pattern")
        });
    };
}

/// A Bedrock agent ID: `^[0-9a-zA-Z]{10}$` (checked without a regex: it runs for every item).
pub fn is_agent_id(s: &str) -> bool {
    s.len() == 10 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// An agent alias ID: `^(TSTALIASID|[0-9a-zA-Z]{10})$`.
pub fn is_alias_id(s: &str) -> bool {
    is_agent_id(s)
}

/// An AWS account ID: `^[0-9]{12}$`.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}
pattern!(
    RUNTIME_ARN_RE,
    r"^arn:aws(?:-[^:]+)?:bedrock-agentcore:([a-z0-9-]+):([0-9]{12}):runtime/([a-zA-Z][a-zA-Z0-9_]{0,47})-([a-zA-Z0-9]{10})$"
);
pattern!(
    REGION_RE,
    r"^(?:af|ap|ca|cn|eu|il|me|mx|sa|us|us-gov|us-iso|us-isob|eusc)-(?:central|north|south|east|west|northeast|northwest|southeast|southwest)-[1-9]$"
);

/// The account inside an AgentCore runtime ARN.
pub fn runtime_arn_account(arn: &str) -> Option<&str> {
    RUNTIME_ARN_RE
        .captures(arn)
        .and_then(|c| c.get(2))
        .map(|m| m.as_str())
}

macro_rules! newtype {
    ($(#[$doc:meta])* $name:ident, $check:expr, $what:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
        #[serde(try_from = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                let check: fn(&str) -> bool = $check;
                if check(&s) {
                    Ok($name(s))
                } else {
                    Err(format!("{:?} is not {}", s, $what))
                }
            }
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

newtype!(
    /// A Bedrock agent ID: 10 letters and digits.
    AgentId, |s| is_agent_id(s), "a Bedrock agent ID");
newtype!(
    /// A Bedrock agent alias ID: 10 letters and digits, or `TSTALIASID`.
    AliasId, |s| is_alias_id(s), "an agent alias ID");
newtype!(
    /// A 12-digit AWS account ID, kept as text.
    AccountId, |s| is_account_id(s), "a 12-digit account ID");
newtype!(
    /// An AgentCore runtime ARN.
    RuntimeArn, |s| RUNTIME_ARN_RE.is_match(s), "an AgentCore runtime ARN");
newtype!(
    /// An AWS region name.
    RegionName, |s| REGION_RE.is_match(s), "an AWS region name");
newtype!(
    /// Text that is not blank and has no surrounding white space.
    Text, |s| !s.trim().is_empty() && s.trim() == s, "non-blank trimmed text");

/// The attributes of a valid entry, read strictly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictAttributes {
    agent_id: Option<Text>,
    alias_id: Option<AliasId>,
    runtime_arn: Option<RuntimeArn>,
    qualifier: Option<Text>,
    name: Text,
    description: Text,
    agent_type: AgentType,
    account_id: Option<AccountId>,
    region: Option<RegionName>,
    enabled: bool,
    capabilities: Vec<Text>,
    domains: Option<Vec<Text>>,
    example_queries: Option<Vec<Text>>,
}

/// What an entry routes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    BedrockAgent {
        agent_id: AgentId,
        alias_id: AliasId,
    },
    AgentCore {
        runtime_arn: RuntimeArn,
        qualifier: String,
    },
}

/// A registry entry that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryEntry {
    /// The registry key of the entry (for AgentCore entries any non-empty text).
    pub agent_id: Option<String>,
    pub target: Target,
    pub name: String,
    pub description: String,
    pub account_id: Option<AccountId>,
    pub region: Option<RegionName>,
    pub enabled: bool,
    pub capabilities: Vec<String>,
    pub domains: Vec<String>,
    pub example_queries: Vec<String>,
    /// Attributes the configuration allows beyond the schema, as DynamoDB JSON.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl RegistryEntry {
    /// Parses an item strictly; `extra_attributes` are kept aside, anything else unknown fails.
    pub fn from_item(item: &Item, extra_attributes: &[String]) -> Result<RegistryEntry, String> {
        let mut known = std::collections::HashMap::new();
        let mut extra = BTreeMap::new();
        for a in &item.attrs {
            if extra_attributes.contains(&a.name) && !KNOWN_ATTRIBUTES.contains(&a.name.as_str()) {
                extra.insert(a.name.clone(), a.node.value.to_typed_json());
            } else {
                known.insert(a.name.clone(), to_dynamo(&a.node.value)?);
            }
        }
        let strict: StrictAttributes =
            serde_dynamo::from_item(serde_dynamo::Item::from(known)).map_err(|e| e.to_string())?;
        let list = |v: Vec<Text>| v.into_iter().map(|t| t.0).collect::<Vec<_>>();
        let target = match strict.agent_type {
            AgentType::BedrockAgent => {
                let agent_id = strict
                    .agent_id
                    .clone()
                    .ok_or("agent_id is required")
                    .and_then(|t| AgentId::try_from(t.0).map_err(|_| "agent_id is malformed"))?;
                let alias_id = strict.alias_id.ok_or("alias_id is required")?;
                Target::BedrockAgent { agent_id, alias_id }
            }
            AgentType::AgentCore => Target::AgentCore {
                runtime_arn: strict.runtime_arn.ok_or("runtime_arn is required")?,
                qualifier: strict
                    .qualifier
                    .map_or_else(|| "DEFAULT".to_string(), |q| q.0),
            },
        };
        if let (Some(acct), Target::AgentCore { runtime_arn, .. }) = (&strict.account_id, &target) {
            if runtime_arn_account(runtime_arn.as_str()) != Some(acct.as_str()) {
                return Err("account_id differs from the runtime ARN's account".into());
            }
        }
        Ok(RegistryEntry {
            agent_id: strict.agent_id.map(|t| t.0),
            target,
            name: strict.name.0,
            description: strict.description.0,
            account_id: strict.account_id,
            region: strict.region,
            enabled: strict.enabled,
            capabilities: list(strict.capabilities),
            domains: strict.domains.map(list).unwrap_or_default(),
            example_queries: strict.example_queries.map(list).unwrap_or_default(),
            extra,
        })
    }
}

fn to_dynamo(v: &Value) -> Result<serde_dynamo::AttributeValue, String> {
    use serde_dynamo::AttributeValue as A;
    let strings = |nodes: &Vec<crate::model::Node>| -> Vec<String> {
        nodes
            .iter()
            .filter_map(|n| match &n.value {
                Value::S(s) | Value::N(s) | Value::B(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    };
    Ok(match v {
        Value::S(s) => A::S(s.clone()),
        Value::N(n) => A::N(n.clone()),
        Value::B(b) => A::B(b.clone().into_bytes()),
        Value::Bool(b) => A::Bool(*b),
        Value::Null => A::Null(true),
        Value::M(attrs) => A::M(
            attrs
                .iter()
                .map(|a| Ok((a.name.clone(), to_dynamo(&a.node.value)?)))
                .collect::<Result<_, String>>()?,
        ),
        Value::L(items) => A::L(
            items
                .iter()
                .map(|n| to_dynamo(&n.value))
                .collect::<Result<_, _>>()?,
        ),
        Value::SS(v) => A::Ss(strings(v)),
        Value::NS(v) => A::Ns(strings(v)),
        Value::BS(v) => A::Bs(strings(v).into_iter().map(String::into_bytes).collect()),
        Value::Invalid(r) => return Err(format!("unreadable value: {r}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The identifier checks accept exactly what the documented patterns accept.
    #[test]
    fn identifier_checks_match_their_patterns() {
        type Check = fn(&str) -> bool;
        let patterns: [(&str, Check); 3] = [
            (r"^[0-9a-zA-Z]{10}$", is_agent_id),
            (r"^(?:TSTALIASID|[0-9a-zA-Z]{10})$", is_alias_id),
            (r"^[0-9]{12}$", is_account_id),
        ];
        let mut samples: Vec<String> = [
            "PEGHWIVI5Y",
            "TSTALIASID",
            "123456789012",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "PEGHWIVI5Y\n",
            "PEGHWIVI5",
            "PEGHWIVI5Y1",
            "PEGHWIVI5-",
            "PÉGHWIVI5Y",
            "ＰEGHWIVI5",
            "١٢٣٤٥٦٧٨٩٠١٢",
            "",
            " 123456789012",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every printable ASCII character and a few others at every position of a valid ID.
        for c in (' '..='~').chain(['é', '\0', '\u{202e}', '٣']) {
            for at in 0..12 {
                let mut digits: Vec<char> = "123456789012".chars().collect();
                digits[at] = c;
                samples.push(digits.iter().collect());
                samples.push(digits[..10].iter().collect());
            }
        }
        for (pattern, check) in patterns {
            let re = Regex::new(pattern).unwrap();
            for s in &samples {
                assert_eq!(check(s), re.is_match(s), "{pattern} on {s:?}");
            }
        }
    }
}
