//! Declared attributes (spec §3.1): the part of the registry schema that `reglint.toml` holds.
//!
//! `[schema.attributes.NAME]` declares an attribute beyond the built-in table, or tightens a
//! built-in one. [`build`] turns the file's tables into an [`EffectiveSchema`] (built-in plus
//! declared) and collects every problem with its place in the file; the rules, the strict
//! parse ([`crate::schema::RegistryEntry::from_item_with`]) and `reglint schema` read it.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::{AgentType, KNOWN_ATTRIBUTES};
use crate::model::{Item, Node, Value};

/// `[schema]` in `reglint.toml`, as written.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemaConfig {
    /// Declared attributes, by name (spec §3.1).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, AttributeConfig>")]
    pub attributes: BTreeMap<Spanned<String>, Spanned<AttributeConfig>>,
}

/// One `[schema.attributes.NAME]` table, as written. Values whose shape varies (`required`,
/// `values`) are kept as TOML so that a wrong one is reported with the others, not alone.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeConfig {
    /// The DynamoDB type: S N BOOL L M SS NS.
    #[serde(rename = "type")]
    #[schemars(with = "Option<String>")]
    pub ty: Option<Spanned<String>>,
    /// The element type of an `L`.
    #[schemars(with = "Option<String>")]
    pub items: Option<Spanned<String>>,
    /// `true`, `false`, or the agent types it is required on.
    #[schemars(with = "Option<serde_json::Value>")]
    pub required: Option<Spanned<toml::Value>>,
    /// The allowed values.
    #[schemars(with = "Option<Vec<serde_json::Value>>")]
    pub values: Option<Spanned<toml::Value>>,
    /// A regex every string value (or element) must match.
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
    pub description: Option<String>,
}

/// A DynamoDB type a declared attribute may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DynamoType {
    S,
    N,
    Bool,
    L,
    M,
    SS,
    NS,
}

impl DynamoType {
    pub const ALL: [DynamoType; 7] = [
        DynamoType::S,
        DynamoType::N,
        DynamoType::Bool,
        DynamoType::L,
        DynamoType::M,
        DynamoType::SS,
        DynamoType::NS,
    ];

    /// The type a descriptor (`"S"`, `"BOOL"`) names.
    pub fn parse(s: &str) -> Option<DynamoType> {
        DynamoType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The DynamoDB type descriptor.
    pub fn as_str(self) -> &'static str {
        match self {
            DynamoType::S => "S",
            DynamoType::N => "N",
            DynamoType::Bool => "BOOL",
            DynamoType::L => "L",
            DynamoType::M => "M",
            DynamoType::SS => "SS",
            DynamoType::NS => "NS",
        }
    }

    /// Whether a value is of this type (its contents aside).
    pub fn holds(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (DynamoType::S, Value::S(_))
                | (DynamoType::N, Value::N(_))
                | (DynamoType::Bool, Value::Bool(_))
                | (DynamoType::L, Value::L(_))
                | (DynamoType::M, Value::M(_))
                | (DynamoType::SS, Value::SS(_))
                | (DynamoType::NS, Value::NS(_))
        )
    }
}

/// An attribute's type: a DynamoDB type, and for `L` optionally the type of every element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrType {
    pub kind: DynamoType,
    pub items: Option<DynamoType>,
}

impl AttrType {
    pub const fn of(kind: DynamoType) -> AttrType {
        AttrType { kind, items: None }
    }

    pub const fn list_of(items: DynamoType) -> AttrType {
        AttrType {
            kind: DynamoType::L,
            items: Some(items),
        }
    }

    /// The type `values` and `pattern` apply to: the value itself for S and N, the members of
    /// SS and NS, the elements of a typed L.
    pub fn element(self) -> Option<DynamoType> {
        match self.kind {
            DynamoType::S | DynamoType::N => Some(self.kind),
            DynamoType::SS => Some(DynamoType::S),
            DynamoType::NS => Some(DynamoType::N),
            DynamoType::L => self.items,
            DynamoType::Bool | DynamoType::M => None,
        }
    }

    /// Whether a value has this type, elements of a typed list included.
    pub fn holds(self, v: &Value) -> bool {
        match (self.items, v) {
            (Some(items), Value::L(nodes)) => nodes.iter().all(|n| items.holds(&n.value)),
            _ => self.kind.holds(v),
        }
    }
}

impl fmt::Display for AttrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.items {
            Some(items) => write!(f, "{} of {}", self.kind.as_str(), items.as_str()),
            None => f.write_str(self.kind.as_str()),
        }
    }
}

/// Where an attribute must be present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    No,
    Always,
    /// On entries of these types only.
    On(Vec<AgentType>),
}

impl Required {
    /// Whether an entry of this type (`None`: unrecognised) must have the attribute.
    pub fn on(&self, agent_type: Option<AgentType>) -> bool {
        match self {
            Required::No => false,
            Required::Always => true,
            Required::On(types) => agent_type.is_some_and(|t| types.contains(&t)),
        }
    }

    /// Whether `self` requires the attribute everywhere `other` does.
    fn covers(&self, other: &Required) -> bool {
        match (self, other) {
            (Required::Always, _) | (_, Required::No) => true,
            (Required::On(mine), Required::On(theirs)) => theirs.iter().all(|t| mine.contains(t)),
            _ => false,
        }
    }
}

/// A number allowed in `values`: its text, and its value for comparison (`1.50` is `1.5`).
#[derive(Debug, Clone)]
pub struct AllowedNumber {
    pub text: String,
    pub value: f64,
}

/// The values a declared attribute (or each of its elements) may hold.
#[derive(Debug, Clone)]
pub enum Allowed {
    Strings(Vec<String>),
    Numbers(Vec<AllowedNumber>),
}

impl Allowed {
    /// Whether a string (for S) or a number's text (for N) is allowed.
    pub fn allows(&self, v: &Value) -> bool {
        match (self, v) {
            (Allowed::Strings(all), Value::S(s)) => all.iter().any(|a| a == s),
            (Allowed::Numbers(all), Value::N(n)) => n
                .trim()
                .parse::<f64>()
                .is_ok_and(|x| all.iter().any(|a| a.value == x)),
            _ => false,
        }
    }

    /// The allowed values as messages show them.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Allowed::Strings(all) => all.iter().map(String::as_str).collect(),
            Allowed::Numbers(all) => all.iter().map(|a| a.text.as_str()).collect(),
        }
    }
}

/// Whether an attribute comes from the built-in table, the configuration, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    /// Built in, and tightened by a declaration.
    Tightened,
    Declared,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::BuiltIn => "built-in",
            Origin::Tightened => "built-in, tightened",
            Origin::Declared => "declared",
        }
    }
}

/// One attribute of the effective schema.
#[derive(Debug, Clone)]
pub struct AttributeSpec {
    pub name: String,
    pub ty: AttrType,
    pub required: Required,
    pub values: Option<Allowed>,
    /// Compiled once, when the configuration is read.
    pub pattern: Option<Regex>,
    pub description: Option<String>,
    pub origin: Origin,
}

impl AttributeSpec {
    fn builtin(name: &str, ty: AttrType, required: Required, note: &str) -> AttributeSpec {
        AttributeSpec {
            name: name.to_string(),
            ty,
            required,
            values: None,
            pattern: None,
            description: (!note.is_empty()).then(|| note.to_string()),
            origin: Origin::BuiltIn,
        }
    }

    /// Whether the declaration constrains values (RG110 or RG111 have something to check).
    pub fn constrains_values(&self) -> bool {
        self.values.is_some() || self.pattern.is_some()
    }
}

/// The registry schema a run holds items to: the built-in table (spec §3) and the declared
/// attributes (§3.1).
#[derive(Debug, Clone)]
pub struct EffectiveSchema {
    /// The built-in attributes in table order, then the declared ones by name.
    attributes: Vec<AttributeSpec>,
    /// Whether anything was declared: without declarations the rules keep their fast paths.
    declared: bool,
}

impl Default for EffectiveSchema {
    fn default() -> Self {
        EffectiveSchema::builtin()
    }
}

impl EffectiveSchema {
    /// The built-in schema alone.
    pub fn builtin() -> EffectiveSchema {
        use AgentType::{AgentCore, BedrockAgent};
        use DynamoType::{Bool, S};
        let s = AttrType::of(S);
        let list = AttrType::list_of(S);
        let on = |t| Required::On(vec![t]);
        let attributes = vec![
            AttributeSpec::builtin(
                super::AGENT_ID,
                s,
                on(BedrockAgent),
                "Bedrock agent ID: 10 letters and digits; on agentcore entries only a registry key",
            ),
            AttributeSpec::builtin(
                super::ALIAS_ID,
                s,
                on(BedrockAgent),
                "10 letters and digits, or TSTALIASID",
            ),
            AttributeSpec::builtin(
                super::RUNTIME_ARN,
                s,
                on(AgentCore),
                "arn:aws:bedrock-agentcore:<region>:<account>:runtime/<name>-<10 alnum>",
            ),
            AttributeSpec::builtin(
                super::QUALIFIER,
                s,
                Required::No,
                "AgentCore endpoint name, default DEFAULT",
            ),
            AttributeSpec::builtin(super::NAME, s, Required::Always, "non-empty"),
            AttributeSpec::builtin(super::DESCRIPTION, s, Required::Always, "non-empty"),
            AttributeSpec::builtin(
                super::AGENT_TYPE,
                s,
                Required::Always,
                "bedrock_agent or agentcore",
            ),
            AttributeSpec::builtin(
                super::ACCOUNT_ID,
                s,
                Required::No,
                "exactly 12 digits; absent means the local account",
            ),
            AttributeSpec::builtin(super::REGION, s, Required::No, "AWS region of the agent"),
            AttributeSpec::builtin(super::ENABLED, AttrType::of(Bool), Required::Always, ""),
            AttributeSpec::builtin(super::CAPABILITIES, list, Required::Always, ""),
            AttributeSpec::builtin(super::DOMAINS, list, Required::No, ""),
            AttributeSpec::builtin(super::EXAMPLE_QUERIES, list, Required::No, ""),
        ];
        EffectiveSchema {
            attributes,
            declared: false,
        }
    }

    /// Whether the configuration declared or tightened anything.
    #[inline]
    pub fn has_declarations(&self) -> bool {
        self.declared
    }

    /// Every attribute, built-in ones first.
    pub fn attributes(&self) -> &[AttributeSpec] {
        &self.attributes
    }

    /// The attribute of this name.
    pub fn get(&self, name: &str) -> Option<&AttributeSpec> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// A declared attribute that is not built in.
    #[inline]
    pub fn declared_only(&self, name: &str) -> Option<&AttributeSpec> {
        if !self.declared {
            return None;
        }
        self.attributes[KNOWN_ATTRIBUTES.len()..]
            .iter()
            .find(|a| a.name == name)
    }

    /// Whether the schema knows the attribute (built in or declared).
    pub fn is_known(&self, name: &str) -> bool {
        KNOWN_ATTRIBUTES.contains(&name) || self.declared_only(name).is_some()
    }

    /// The declared type of an attribute.
    pub fn type_of(&self, name: &str) -> Option<AttrType> {
        self.get(name).map(|a| a.ty)
    }

    /// Whether an entry of this type must have the attribute.
    pub fn is_required(&self, name: &str, agent_type: Option<AgentType>) -> bool {
        self.get(name).is_some_and(|a| a.required.on(agent_type))
    }

    /// The attributes an entry of this type must have, in schema order.
    pub fn required_on(&self, agent_type: Option<AgentType>) -> impl Iterator<Item = &str> {
        self.attributes
            .iter()
            .filter(move |a| a.required.on(agent_type))
            .map(|a| a.name.as_str())
    }

    /// The required attributes an item lacks (what a migration adding one must fill in).
    pub fn missing_required<'a>(&'a self, item: &'a Item) -> impl Iterator<Item = &'a str> {
        self.required_on(super::agent_type_of(item))
            .filter(|name| item.get(name).is_none())
    }

    /// The attributes whose values are constrained by `values` or `pattern`.
    pub fn constrained(&self) -> impl Iterator<Item = &AttributeSpec> {
        let from = if self.declared {
            0
        } else {
            self.attributes.len()
        };
        self.attributes[from..]
            .iter()
            .filter(|a| a.constrains_values())
    }
}

/// A problem in `[schema]`: where it is in the file and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
}

impl Problem {
    fn new(span: Range<usize>, message: impl Into<String>) -> Problem {
        Problem {
            span,
            message: message.into(),
        }
    }
}

/// The effective schema of a configuration's `[schema]`, and every problem in it. Attributes
/// with a problem keep their built-in form (or are left out), so a run can still be described.
pub fn build(config: &SchemaConfig) -> (EffectiveSchema, Vec<Problem>) {
    let mut schema = EffectiveSchema::builtin();
    let mut problems = Vec::new();
    for (name, table) in &config.attributes {
        let builtin = schema.get(name.get_ref()).cloned();
        let before = problems.len();
        let spec = declare(name, table, builtin.as_ref(), &mut problems);
        if problems.len() > before {
            continue;
        }
        schema.declared = true;
        match schema
            .attributes
            .iter_mut()
            .find(|a| a.name == *name.get_ref())
        {
            Some(slot) => *slot = spec,
            None => schema.attributes.push(spec),
        }
    }
    (schema, problems)
}

/// One declaration, merged with the built-in attribute of the same name.
fn declare(
    name: &Spanned<String>,
    table: &Spanned<AttributeConfig>,
    builtin: Option<&AttributeSpec>,
    problems: &mut Vec<Problem>,
) -> AttributeSpec {
    let a = table.get_ref();
    let ty = declared_type(name, a, builtin, problems);
    let required = declared_required(name.get_ref(), a, builtin, problems);
    let element = ty.and_then(AttrType::element);
    let values = a
        .values
        .as_ref()
        .and_then(|v| declared_values(name.get_ref(), v, ty, problems));
    let pattern = a
        .pattern
        .as_ref()
        .and_then(|p| declared_pattern(name.get_ref(), p, ty, element, problems));
    AttributeSpec {
        name: name.get_ref().clone(),
        ty: ty.unwrap_or(AttrType::of(DynamoType::S)),
        required,
        values,
        pattern,
        description: a
            .description
            .clone()
            .or_else(|| builtin.and_then(|b| b.description.clone())),
        origin: if builtin.is_some() {
            Origin::Tightened
        } else {
            Origin::Declared
        },
    }
}

fn parse_type(s: &Spanned<String>, what: &str, problems: &mut Vec<Problem>) -> Option<DynamoType> {
    let t = DynamoType::parse(s.get_ref());
    if t.is_none() {
        let all: Vec<&str> = DynamoType::ALL.iter().map(|t| t.as_str()).collect();
        problems.push(Problem::new(
            s.span(),
            format!(
                "unknown {what} {:?}: one of {}",
                s.get_ref(),
                all.join(", ")
            ),
        ));
    }
    t
}

/// The declared type; `None` when it is wrong (the problem is recorded).
fn declared_type(
    name: &Spanned<String>,
    a: &AttributeConfig,
    builtin: Option<&AttributeSpec>,
    problems: &mut Vec<Problem>,
) -> Option<AttrType> {
    let kind = match &a.ty {
        Some(t) => parse_type(t, "type", problems)?,
        None => match builtin {
            Some(b) => b.ty.kind,
            None => {
                problems.push(Problem::new(
                    name.span(),
                    format!(
                        "{} is not a built-in attribute: declare its type (type = \"S\", \"N\", \"BOOL\", \"L\", \"M\", \"SS\" or \"NS\")",
                        name.get_ref()
                    ),
                ));
                return None;
            }
        },
    };
    let items = match &a.items {
        Some(i) if kind != DynamoType::L => {
            problems.push(Problem::new(
                i.span(),
                format!(
                    "items is the element type of a list: it needs type = \"L\", not {:?}",
                    kind.as_str()
                ),
            ));
            return None;
        }
        Some(i) => Some(parse_type(i, "items type", problems)?),
        None => builtin
            .filter(|b| b.ty.kind == kind)
            .and_then(|b| b.ty.items),
    };
    let ty = AttrType { kind, items };
    if let Some(b) = builtin.filter(|b| b.ty != ty) {
        let at =
            a.ty.as_ref()
                .or(a.items.as_ref())
                .map_or(name.span(), Spanned::span);
        problems.push(Problem::new(
            at,
            format!(
                "{} is a built-in attribute of type {}; it cannot be declared {ty}",
                b.name, b.ty
            ),
        ));
        return None;
    }
    Some(ty)
}

fn declared_required(
    name: &str,
    a: &AttributeConfig,
    builtin: Option<&AttributeSpec>,
    problems: &mut Vec<Problem>,
) -> Required {
    let base = builtin.map_or(Required::No, |b| b.required.clone());
    let Some(spanned) = &a.required else {
        return base;
    };
    let span = spanned.span();
    let declared = match spanned.get_ref() {
        toml::Value::Boolean(true) => Required::Always,
        toml::Value::Boolean(false) => Required::No,
        toml::Value::Array(types) => {
            let mut out = Vec::new();
            for t in types {
                match t.as_str().and_then(|s| {
                    [AgentType::BedrockAgent, AgentType::AgentCore]
                        .into_iter()
                        .find(|a| a.as_str() == s)
                }) {
                    Some(t) => out.push(t),
                    None => problems.push(Problem::new(
                        span.clone(),
                        format!(
                            "required names an unknown agent type {t}: bedrock_agent or agentcore"
                        ),
                    )),
                }
            }
            Required::On(out)
        }
        other => {
            problems.push(Problem::new(
                span,
                format!(
                    "required is true, false, or a list of agent types, not {}",
                    other.type_str()
                ),
            ));
            return base;
        }
    };
    if !declared.covers(&base) {
        problems.push(Problem::new(
            span,
            format!(
                "{name} is required by the built-in schema ({}); a declaration can add to that, not remove it",
                required_text(&base)
            ),
        ));
        return base;
    }
    match (declared, base) {
        (Required::On(mut mine), Required::On(theirs)) => {
            for t in theirs {
                if !mine.contains(&t) {
                    mine.push(t);
                }
            }
            Required::On(mine)
        }
        (declared, _) => declared,
    }
}

/// How messages and `reglint schema` say where an attribute is required.
pub fn required_text(r: &Required) -> String {
    match r {
        Required::No => "no".into(),
        Required::Always => "yes".into(),
        Required::On(types) => types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn declared_values(
    name: &str,
    values: &Spanned<toml::Value>,
    ty: Option<AttrType>,
    problems: &mut Vec<Problem>,
) -> Option<Allowed> {
    let span = values.span();
    let toml::Value::Array(list) = values.get_ref() else {
        problems.push(Problem::new(
            span,
            format!("values is a list, not {}", values.get_ref().type_str()),
        ));
        return None;
    };
    let ty = ty?;
    let element = match ty.element() {
        Some(e @ (DynamoType::S | DynamoType::N)) => e,
        _ => {
            problems.push(Problem::new(
                span,
                format!("values apply to strings and numbers (S, N, SS, NS, or L with items = \"S\" or \"N\"); {name} is {ty}"),
            ));
            return None;
        }
    };
    if list.is_empty() {
        problems.push(Problem::new(
            span,
            "values is empty: no value would be allowed",
        ));
        return None;
    }
    let before = problems.len();
    let mut strings = Vec::new();
    let mut numbers = Vec::new();
    for (i, v) in list.iter().enumerate() {
        match (element, v) {
            (DynamoType::S, toml::Value::String(s)) => strings.push(s.clone()),
            (DynamoType::N, toml::Value::Integer(n)) => numbers.push(AllowedNumber {
                text: n.to_string(),
                value: *n as f64,
            }),
            (DynamoType::N, toml::Value::Float(f)) if f.is_finite() => {
                numbers.push(AllowedNumber {
                    text: f.to_string(),
                    value: *f,
                })
            }
            _ => problems.push(Problem::new(
                span.clone(),
                format!(
                    "values of {name} must be {} ({name} is {ty}); values[{i}] is {v}",
                    if element == DynamoType::S {
                        "strings"
                    } else {
                        "numbers"
                    }
                ),
            )),
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(if element == DynamoType::S {
        Allowed::Strings(strings)
    } else {
        Allowed::Numbers(numbers)
    })
}

fn declared_pattern(
    name: &str,
    pattern: &Spanned<String>,
    ty: Option<AttrType>,
    element: Option<DynamoType>,
    problems: &mut Vec<Problem>,
) -> Option<Regex> {
    let ty = ty?;
    if element != Some(DynamoType::S) {
        problems.push(Problem::new(
            pattern.span(),
            format!(
                "a pattern applies to strings (S, SS, or L with items = \"S\"); {name} is {ty}"
            ),
        ));
        return None;
    }
    match Regex::new(pattern.get_ref()) {
        Ok(re) => Some(re),
        Err(e) => {
            problems.push(Problem::new(
                pattern.span(),
                format!("the pattern does not compile: {}", regex_error(&e)),
            ));
            None
        }
    }
}

/// What the regex engine said, on one line: its `error:` line when it has one.
fn regex_error(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map_or_else(
            || text.split_whitespace().collect::<Vec<_>>().join(" "),
            str::to_string,
        )
}

/// A declared attribute's value, typed as declared.
#[derive(Debug, Clone, PartialEq)]
pub enum DeclaredValue {
    S(String),
    /// A number, as the text it was written with.
    N(String),
    Bool(bool),
    L(Vec<DeclaredValue>),
    /// A map, or an element of a list without `items`, as DynamoDB JSON.
    Any(serde_json::Value),
    SS(Vec<String>),
    NS(Vec<String>),
}

impl EffectiveSchema {
    /// The declared part of the strict parse: every attribute required on the item's type is
    /// present and not null, and every declared attribute holds its type, its values and its
    /// pattern. Returns the attributes that are not built in, typed as declared.
    pub fn strict_declared(&self, item: &Item) -> Result<BTreeMap<String, DeclaredValue>, String> {
        let mut out = BTreeMap::new();
        if !self.declared {
            return Ok(out);
        }
        let agent_type = super::agent_type_of(item);
        // Built-in attributes as they are built in are the built-in strict parse's.
        for spec in self
            .attributes
            .iter()
            .filter(|a| a.origin != Origin::BuiltIn)
        {
            let value = item.value(&spec.name);
            let required = spec.required.on(agent_type);
            match value {
                None | Some(Value::Null) if required => {
                    return Err(format!("{} is required", spec.name))
                }
                None => continue,
                Some(v) => {
                    let typed = typed(spec, v, required)?;
                    if spec.origin == Origin::Declared {
                        out.insert(spec.name.clone(), typed);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A value typed as its declaration says, or why it is not.
fn typed(spec: &AttributeSpec, v: &Value, required: bool) -> Result<DeclaredValue, String> {
    let name = &spec.name;
    if !spec.ty.holds(v) {
        return Err(format!("{name} is {}, declared {}", v.type_name(), spec.ty));
    }
    if required && matches!(v, Value::S(s) if s.trim().is_empty()) {
        return Err(format!("{name} is required but blank"));
    }
    let check = |n: &Node| -> Result<(), String> {
        if spec.values.as_ref().is_some_and(|a| !a.allows(&n.value)) {
            return Err(format!("{name}: {} is not allowed", n.value.describe()));
        }
        if let (Some(re), Value::S(s)) = (&spec.pattern, &n.value) {
            if !re.is_match(s) {
                return Err(format!("{name}: {s:?} does not match {}", re.as_str()));
            }
        }
        Ok(())
    };
    let texts = |nodes: &[Node]| -> Result<Vec<String>, String> {
        nodes
            .iter()
            .map(|n| {
                check(n)?;
                Ok(match &n.value {
                    Value::S(s) | Value::N(s) => s.clone(),
                    other => other.describe(),
                })
            })
            .collect()
    };
    Ok(match v {
        Value::S(s) => {
            check(&Node::new(v.clone()))?;
            DeclaredValue::S(s.clone())
        }
        Value::N(n) => {
            check(&Node::new(v.clone()))?;
            DeclaredValue::N(n.clone())
        }
        Value::Bool(b) => DeclaredValue::Bool(*b),
        Value::SS(nodes) => DeclaredValue::SS(texts(nodes)?),
        Value::NS(nodes) => DeclaredValue::NS(texts(nodes)?),
        Value::L(nodes) => DeclaredValue::L(
            nodes
                .iter()
                .map(|n| element(spec, n, &check))
                .collect::<Result<_, _>>()?,
        ),
        other => DeclaredValue::Any(other.to_typed_json()),
    })
}

fn element(
    spec: &AttributeSpec,
    n: &Node,
    check: &dyn Fn(&Node) -> Result<(), String>,
) -> Result<DeclaredValue, String> {
    check(n)?;
    Ok(match (spec.ty.items, &n.value) {
        (Some(_), Value::S(s)) => DeclaredValue::S(s.clone()),
        (Some(_), Value::N(s)) => DeclaredValue::N(s.clone()),
        (Some(_), Value::Bool(b)) => DeclaredValue::Bool(*b),
        (_, other) => DeclaredValue::Any(other.to_typed_json()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> (EffectiveSchema, Vec<Problem>) {
        #[derive(Deserialize)]
        struct File {
            schema: SchemaConfig,
        }
        let file: File = toml::from_str(text).unwrap();
        build(&file.schema)
    }

    fn messages(text: &str) -> Vec<String> {
        schema(text).1.into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn declared_and_tightened_attributes() {
        let (s, problems) = schema(
            r#"
[schema.attributes.protocol]
type = "S"
required = ["bedrock_agent"]
values = ["bedrock", "a2a", "mcp"]
description = "how the hub talks to the agent"
[schema.attributes.owner]
type = "S"
pattern = "^team-[a-z]+$"
[schema.attributes.weights]
type = "L"
items = "N"
values = [1, 2.5]
[schema.attributes.domains]
required = true
"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert!(s.has_declarations());
        let protocol = s.get("protocol").unwrap();
        assert_eq!(protocol.origin, Origin::Declared);
        assert!(s.is_required("protocol", Some(AgentType::BedrockAgent)));
        assert!(!s.is_required("protocol", Some(AgentType::AgentCore)));
        assert!(!s.is_required("protocol", None));
        assert_eq!(s.type_of("weights").unwrap().to_string(), "L of N");
        let domains = s.get("domains").unwrap();
        assert_eq!(domains.origin, Origin::Tightened);
        assert_eq!(domains.ty, AttrType::list_of(DynamoType::S));
        assert!(s.is_required("domains", None));
        assert!(s.is_known("owner") && !s.is_known("ownr"));
        let w = s.get("weights").unwrap().values.as_ref().unwrap();
        assert!(w.allows(&Value::N("2.50".into())));
        assert!(!w.allows(&Value::N("3".into())));
        let names: Vec<&str> = s.constrained().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["owner", "protocol", "weights"]);
    }

    #[test]
    fn missing_required_names_what_an_item_lacks() {
        let (s, _) = schema("[schema.attributes.protocol]\ntype = \"S\"\nrequired = true\n");
        let item = Item::new(crate::model::Format::Plain)
            .with("agent_type", Value::S("agentcore".into()))
            .with("name", Value::S("x".into()));
        let missing: Vec<&str> = s.missing_required(&item).collect();
        assert_eq!(
            missing,
            [
                "runtime_arn",
                "description",
                "enabled",
                "capabilities",
                "protocol"
            ]
        );
    }

    #[test]
    fn every_problem_is_collected_with_its_place() {
        let text = r#"
[schema.attributes.a]
type = "STRING"
[schema.attributes.b]
type = "S"
pattern = "^[a-z"
[schema.attributes.c]
type = "S"
values = ["x", 5]
[schema.attributes.d]
type = "N"
pattern = "^1$"
[schema.attributes.e]
type = "S"
items = "S"
[schema.attributes.f]
type = "S"
required = ["bedrock"]
[schema.attributes.domains]
type = "SS"
[schema.attributes.name]
required = false
[schema.attributes.g]
required = true
"#;
        let (_, problems) = schema(text);
        let mut lines: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| {
                (
                    text[..p.span.start].matches('\n').count() + 1,
                    p.message.as_str(),
                )
            })
            .collect();
        lines.sort();
        assert_eq!(lines.len(), 9, "{lines:#?}");
        assert_eq!(lines[0].0, 3);
        assert!(lines[0].1.starts_with("unknown type \"STRING\""));
        assert_eq!(lines[1].0, 6);
        assert_eq!(
            lines[1].1,
            "the pattern does not compile: unclosed character class"
        );
        assert_eq!(lines[2].0, 9);
        assert!(lines[2].1.contains("values[1] is 5"), "{}", lines[2].1);
        assert_eq!(lines[3].0, 12);
        assert!(lines[3].1.starts_with("a pattern applies to strings"));
        assert_eq!(lines[4].0, 15);
        assert!(lines[4].1.contains("needs type = \"L\""));
        assert_eq!(lines[5].0, 18);
        assert!(lines[5].1.contains("unknown agent type \"bedrock\""));
        assert_eq!(
            lines[6],
            (
                20,
                "domains is a built-in attribute of type L of S; it cannot be declared SS"
            )
        );
        assert_eq!(lines[7].0, 22);
        assert!(lines[7].1.contains("not remove it"), "{}", lines[7].1);
        assert_eq!(lines[8].0, 23);
        assert!(lines[8].1.starts_with("g is not a built-in attribute"));
    }

    #[test]
    fn values_need_a_string_or_number_type() {
        assert_eq!(
            messages("[schema.attributes.x]\ntype = \"BOOL\"\nvalues = [true]\n"),
            ["values apply to strings and numbers (S, N, SS, NS, or L with items = \"S\" or \"N\"); x is BOOL"]
        );
        assert_eq!(
            messages("[schema.attributes.x]\ntype = \"NS\"\nvalues = [\"1\"]\n"),
            ["values of x must be numbers (x is NS); values[0] is \"1\""]
        );
        assert_eq!(
            messages("[schema.attributes.x]\ntype = \"L\"\npattern = \"a\"\n"),
            ["a pattern applies to strings (S, SS, or L with items = \"S\"); x is L"]
        );
        assert!(messages(
            "[schema.attributes.x]\ntype = \"SS\"\nvalues = [\"a\"]\npattern = \"a\"\n"
        )
        .is_empty());
    }

    #[test]
    fn strict_declared_types_values_and_patterns() {
        let (s, _) = schema(
            "[schema.attributes.protocol]\ntype = \"S\"\nrequired = true\nvalues = [\"bedrock\"]\n\
             [schema.attributes.tags]\ntype = \"SS\"\npattern = \"^[a-z]+$\"\n",
        );
        let item = |v: Value| {
            Item::new(crate::model::Format::Plain)
                .with("agent_type", Value::S("bedrock_agent".into()))
                .with("protocol", v)
        };
        let ok = s
            .strict_declared(&item(Value::S("bedrock".into())))
            .unwrap();
        assert_eq!(ok["protocol"], DeclaredValue::S("bedrock".into()));
        for bad in [
            Value::S("Bedrock".into()),
            Value::N("1".into()),
            Value::Null,
            Value::S(" ".into()),
        ] {
            assert!(s.strict_declared(&item(bad.clone())).is_err(), "{bad:?}");
        }
        let tags = item(Value::S("bedrock".into())).with(
            "tags",
            Value::SS(vec![
                Node::new(Value::S("ok".into())),
                Node::new(Value::S("No".into())),
            ]),
        );
        assert!(s.strict_declared(&tags).is_err());
        assert!(EffectiveSchema::builtin()
            .strict_declared(&tags)
            .unwrap()
            .is_empty());
    }
}
