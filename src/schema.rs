//! The registry schema (spec §3): attribute names, identifier patterns, and the strict type a
//! valid entry parses into.

use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::{Item, Name, Value};

pub mod declared;
pub use declared::{
    AttrType, AttributeSpec, DeclaredValue, DynamoType, EffectiveSchema, Origin, Required,
    SchemaConfig,
};

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

/// An attribute name as items hold it: one of [`KNOWN_ATTRIBUTES`], shared, when it is one,
/// else a copy.
#[inline]
pub fn attribute_name(s: &str) -> Name {
    known_name(s).map_or_else(|| Cow::Owned(s.to_string()), Cow::Borrowed)
}

/// [`attribute_name`] for a name that is already a `String`: kept when it is not a known one.
pub fn attribute_name_owned(s: String) -> Name {
    known_name(&s).map_or(Cow::Owned(s), Cow::Borrowed)
}

fn known_name(s: &str) -> Option<&'static str> {
    KNOWN_ATTRIBUTES.iter().copied().find(|k| *k == s)
}

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
        // The canonical spellings, as almost every item has them.
        match s {
            "bedrock_agent" => return Some(AgentType::BedrockAgent),
            "agentcore" => return Some(AgentType::AgentCore),
            _ => {}
        }
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

/// The parts of an AgentCore runtime ARN:
/// `arn:aws(-[^:]+)?:bedrock-agentcore:<region>:<12 digits>:runtime/<name>-<10 alnum>`, where
/// the region is `[a-z0-9-]+` and the name `[a-zA-Z][a-zA-Z0-9_]{0,47}`. Parsed by hand: it runs
/// for every AgentCore item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeArnParts<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
    pub id: &'a str,
}

/// Splits a runtime ARN into its parts, or `None` when it is not one.
pub fn parse_runtime_arn(arn: &str) -> Option<RuntimeArnParts<'_>> {
    let rest = arn.strip_prefix("arn:aws")?;
    let rest = match rest.strip_prefix('-') {
        // A partition suffix (`aws-cn`, `aws-us-gov`): anything but ':', at least one character.
        Some(partition) => {
            let (suffix, rest) = partition.split_once(':')?;
            if suffix.is_empty() {
                return None;
            }
            rest
        }
        None => rest.strip_prefix(':')?,
    };
    let rest = rest.strip_prefix("bedrock-agentcore:")?;
    let (region, rest) = rest.split_once(':')?;
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return None;
    }
    let (account, rest) = rest.split_once(':')?;
    if !is_account_id(account) {
        return None;
    }
    let runtime = rest.strip_prefix("runtime/")?;
    let bytes = runtime.as_bytes();
    // `<name>-<id>`: the name holds no '-', so the ID is the last 10 bytes.
    if bytes.len() < 12
        || !bytes[bytes.len() - 10..]
            .iter()
            .all(u8::is_ascii_alphanumeric)
    {
        return None;
    }
    let (name, id) = runtime.split_at(bytes.len() - 10);
    let name = name.strip_suffix('-')?;
    let mut name_bytes = name.bytes();
    let first_is_letter = name_bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    if !first_is_letter
        || name.len() > 48
        || !name_bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    Some(RuntimeArnParts {
        region,
        account,
        name,
        id,
    })
}

/// Whether a string is an AgentCore runtime ARN.
pub fn is_runtime_arn(arn: &str) -> bool {
    parse_runtime_arn(arn).is_some()
}

/// An AWS region name: `^(af|ap|ca|cn|eu|il|me|mx|sa|us|us-gov|us-iso|us-isob|eusc)-`
/// `(central|north|south|east|west|northeast|northwest|southeast|southwest)-[1-9]$`.
pub fn is_region(s: &str) -> bool {
    const AREAS: [&str; 14] = [
        "af", "ap", "ca", "cn", "eu", "il", "me", "mx", "sa", "us", "us-gov", "us-iso", "us-isob",
        "eusc",
    ];
    const DIRECTIONS: [&str; 9] = [
        "central",
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ];
    let Some((rest, number)) = s.rsplit_once('-') else {
        return false;
    };
    let Some((area, direction)) = rest.rsplit_once('-') else {
        return false;
    };
    matches!(number.as_bytes(), [b'1'..=b'9'])
        && DIRECTIONS.contains(&direction)
        && AREAS.contains(&area)
}

/// The account inside an AgentCore runtime ARN.
pub fn runtime_arn_account(arn: &str) -> Option<&str> {
    parse_runtime_arn(arn).map(|p| p.account)
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
    RuntimeArn, |s| is_runtime_arn(s), "an AgentCore runtime ARN");
newtype!(
    /// An AWS region name.
    RegionName, |s| is_region(s), "an AWS region name");
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
    /// The declared attributes beyond the built-in schema (spec §3.1), typed as declared.
    pub declared: BTreeMap<String, DeclaredValue>,
}

impl RegistryEntry {
    /// Parses an item strictly against the built-in schema; `extra_attributes` are kept aside,
    /// anything else unknown fails.
    pub fn from_item(item: &Item, extra_attributes: &[String]) -> Result<RegistryEntry, String> {
        Self::from_item_with(item, extra_attributes, &EffectiveSchema::builtin())
    }

    /// Parses an item strictly against an effective schema: the built-in attributes as
    /// [`RegistryEntry::from_item`] does, then the declared ones (required, typed, allowed
    /// values, pattern); `extra_attributes` are kept aside, anything else unknown fails.
    pub fn from_item_with(
        item: &Item,
        extra_attributes: &[String],
        schema: &EffectiveSchema,
    ) -> Result<RegistryEntry, String> {
        let declared = schema.strict_declared(item)?;
        let (known, extra) = split_attributes(item, extra_attributes, &declared)?;
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
            declared,
        })
    }
}

/// The item's built-in (and unknown) attributes as DynamoDB values for the strict parse, and its
/// extra attributes as DynamoDB JSON; declared attributes are typed apart.
type Split = (
    std::collections::HashMap<String, serde_dynamo::AttributeValue>,
    BTreeMap<String, serde_json::Value>,
);

fn split_attributes(
    item: &Item,
    extra_attributes: &[String],
    declared: &BTreeMap<String, DeclaredValue>,
) -> Result<Split, String> {
    let mut known = std::collections::HashMap::new();
    let mut extra = BTreeMap::new();
    for a in &item.attrs {
        if declared.contains_key(a.name.as_ref()) {
            continue;
        }
        if extra_attributes.iter().any(|e| *e == a.name)
            && !KNOWN_ATTRIBUTES.contains(&a.name.as_ref())
        {
            extra.insert(a.name.to_string(), a.node.value.to_typed_json());
        } else {
            known.insert(a.name.to_string(), to_dynamo(&a.node.value)?);
        }
    }
    Ok((known, extra))
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
                .map(|a| Ok((a.name.to_string(), to_dynamo(&a.node.value)?)))
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
    use regex::Regex;

    /// The runtime ARN and region checks accept exactly what the documented patterns accept,
    /// and the ARN's parts are the pattern's groups.
    #[test]
    fn runtime_arn_and_region_checks_match_their_patterns() {
        let arn_re = Regex::new(
            r"^arn:aws(?:-[^:]+)?:bedrock-agentcore:([a-z0-9-]+):([0-9]{12}):runtime/([a-zA-Z][a-zA-Z0-9_]{0,47})-([a-zA-Z0-9]{10})$",
        )
        .unwrap();
        let region_re = Regex::new(
            r"^(?:af|ap|ca|cn|eu|il|me|mx|sa|us|us-gov|us-iso|us-isob|eusc)-(?:central|north|south|east|west|northeast|northwest|southeast|southwest)-[1-9]$",
        )
        .unwrap();
        let valid_arns = [
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/hub_router-Ab3dE5gH9k",
            "arn:aws-us-gov:bedrock-agentcore:us-gov-west-1:123456789012:runtime/a-0123456789",
            "arn:aws-cn:bedrock-agentcore:cn-north-1:123456789012:runtime/R2_d2-ABCDEFGHIJ",
        ];
        let valid_regions = [
            "us-east-1",
            "us-gov-west-1",
            "us-isob-east-1",
            "eusc-west-9",
        ];
        let mut samples: Vec<String> = [
            "",
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/-Ab3dE5gH9k",
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/1a-Ab3dE5gH9k",
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-b-Ab3dE5gH9k",
            "arn:aws-:bedrock-agentcore:us-east-1:123456789012:runtime/a-Ab3dE5gH9k",
            "arn:aws::bedrock-agentcore:us-east-1:123456789012:runtime/a-Ab3dE5gH9k",
            "arn:aws:bedrock-agentcore::123456789012:runtime/a-Ab3dE5gH9k",
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-Ab3dE5gH9",
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-Ab3dE5gH9kk",
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a-Ab3dE5gH9é",
            "arn:aws:bedrock-agentcore:us-east-1:1234567890123:runtime/a-Ab3dE5gH9k",
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:agent/a-Ab3dE5gH9k",
            "arn:aws:bedrock:us-east-1:123456789012:runtime/a-Ab3dE5gH9k",
            "us-east-0",
            "us-east-10",
            "us-east",
            "useast-1",
            "us-gov-east-1a",
            "US-EAST-1",
            "xx-east-1",
            "us-iso-b-east-1",
            "-east-1",
            "us--1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let long_name = format!(
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/a{}-Ab3dE5gH9k",
            "b".repeat(47)
        );
        samples.push(long_name.clone());
        samples.push(long_name.replace("-Ab3", "b-Ab3"));
        // Every printable ASCII character and a few others at every position of a valid value.
        for valid in valid_arns.iter().chain(&valid_regions) {
            samples.push(valid.to_string());
            samples.push(format!("{valid}\n"));
            for c in (' '..='~').chain(['é', '\0', '\u{202e}', '٣']) {
                let chars: Vec<char> = valid.chars().collect();
                for at in 0..chars.len() {
                    let mut changed = chars.clone();
                    changed[at] = c;
                    samples.push(changed.iter().collect());
                    let mut inserted = chars.clone();
                    inserted.insert(at, c);
                    samples.push(inserted.iter().collect());
                }
            }
        }
        let mut accepted = 0;
        for s in &samples {
            let parts = parse_runtime_arn(s);
            let groups = arn_re.captures(s).map(|c| RuntimeArnParts {
                region: c.get(1).unwrap().as_str(),
                account: c.get(2).unwrap().as_str(),
                name: c.get(3).unwrap().as_str(),
                id: c.get(4).unwrap().as_str(),
            });
            assert_eq!(parts, groups, "runtime ARN {s:?}");
            assert_eq!(is_region(s), region_re.is_match(s), "region {s:?}");
            accepted += usize::from(parts.is_some()) + usize::from(is_region(s));
        }
        // The samples hold valid values as well as invalid ones.
        assert!(
            accepted > valid_arns.len() + valid_regions.len(),
            "{accepted}"
        );
    }

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
