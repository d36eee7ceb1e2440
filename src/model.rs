//! The value model every source is read into: DynamoDB's attribute types, with the byte span of
//! each value in the text it came from so that fixes can rewrite just that value.

use std::borrow::Cow;
use std::fmt;

/// A byte range in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// How an item was written: plain JSON values, or DynamoDB JSON with type descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Plain,
    Dynamodb,
}

/// A DynamoDB attribute value. Numbers keep the text they were written with; binary values keep
/// their base64 text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    S(String),
    N(String),
    B(String),
    Bool(bool),
    Null,
    M(Vec<Attr>),
    L(Vec<Node>),
    SS(Vec<Node>),
    NS(Vec<Node>),
    BS(Vec<Node>),
    /// Typed JSON that is not valid DynamoDB JSON; the reason says why (RG000).
    Invalid(String),
}

impl Value {
    /// The DynamoDB type descriptor of the value.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::S(_) => "S",
            Value::N(_) => "N",
            Value::B(_) => "B",
            Value::Bool(_) => "BOOL",
            Value::Null => "NULL",
            Value::M(_) => "M",
            Value::L(_) => "L",
            Value::SS(_) => "SS",
            Value::NS(_) => "NS",
            Value::BS(_) => "BS",
            Value::Invalid(_) => "invalid",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::S(s) => Some(s),
            _ => None,
        }
    }

    /// A list of plain string values (L of S), or None when any element is not S.
    pub fn string_list(&self) -> Option<Vec<&str>> {
        match self {
            Value::L(items) => items.iter().map(|n| n.value.as_str()).collect(),
            _ => None,
        }
    }

    /// A list value made of strings.
    pub fn list_of_strings<I, T>(items: I) -> Value
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        Value::L(
            items
                .into_iter()
                .map(|s| Node::new(Value::S(s.into())))
                .collect(),
        )
    }

    /// Equality of the data alone, ignoring spans.
    pub fn same_data(&self, other: &Value) -> bool {
        self.to_typed_json() == other.to_typed_json()
    }

    /// The value as DynamoDB JSON (`{"S": "x"}`).
    pub fn to_typed_json(&self) -> serde_json::Value {
        use serde_json::{json, Map, Value as J};
        let strings = |v: &Vec<Node>| -> J {
            J::Array(
                v.iter()
                    .map(|n| match &n.value {
                        Value::S(s) | Value::N(s) | Value::B(s) => J::String(s.clone()),
                        other => other.to_typed_json(),
                    })
                    .collect(),
            )
        };
        match self {
            Value::S(s) => json!({ "S": s }),
            Value::N(n) => json!({ "N": n }),
            Value::B(b) => json!({ "B": b }),
            Value::Bool(b) => json!({ "BOOL": b }),
            Value::Null => json!({ "NULL": true }),
            Value::M(attrs) => {
                let mut m = Map::new();
                for a in attrs {
                    m.insert(a.name.to_string(), a.node.value.to_typed_json());
                }
                json!({ "M": m })
            }
            Value::L(items) => {
                json!({ "L": items.iter().map(|n| n.value.to_typed_json()).collect::<Vec<_>>() })
            }
            Value::SS(v) => json!({ "SS": strings(v) }),
            Value::NS(v) => json!({ "NS": strings(v) }),
            Value::BS(v) => json!({ "BS": strings(v) }),
            Value::Invalid(reason) => json!({ "invalid": reason }),
        }
    }

    /// The value as plain JSON. Numbers that serde_json cannot hold exactly stay as their text.
    pub fn to_plain_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value as J};
        match self {
            Value::S(s) | Value::B(s) => J::String(s.clone()),
            Value::N(n) => serde_json::from_str::<serde_json::Number>(n)
                .map(J::Number)
                .unwrap_or_else(|_| J::String(n.clone())),
            Value::Bool(b) => J::Bool(*b),
            Value::Null => J::Null,
            Value::M(attrs) => {
                let mut m = Map::new();
                for a in attrs {
                    m.insert(a.name.to_string(), a.node.value.to_plain_json());
                }
                J::Object(m)
            }
            Value::L(v) | Value::SS(v) | Value::NS(v) | Value::BS(v) => {
                J::Array(v.iter().map(|n| n.value.to_plain_json()).collect())
            }
            Value::Invalid(_) => J::Null,
        }
    }

    /// The JSON text of the value in the given format, as a fix writes it.
    pub fn to_json_text(&self, format: Format) -> String {
        let json = match format {
            Format::Plain => self.to_plain_json(),
            Format::Dynamodb => self.to_typed_json(),
        };
        json.to_string()
    }

    /// A short human rendering for messages (`"abc"`, `42`, `["a", "b"]`).
    pub fn describe(&self) -> String {
        match self {
            Value::N(n) => n.clone(),
            Value::Invalid(r) => format!("<invalid: {r}>"),
            other => other.to_plain_json().to_string(),
        }
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Option<Span>,
}

impl Node {
    pub fn new(value: Value) -> Self {
        Node { value, span: None }
    }
    pub fn at(value: Value, span: Span) -> Self {
        Node {
            value,
            span: Some(span),
        }
    }
}

/// An attribute's name: the schema's own names are shared, not copied into every item
/// ([`crate::schema::attribute_name`]).
pub type Name = Cow<'static, str>;

/// One attribute of an item (or of a map).
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: Name,
    pub name_span: Option<Span>,
    pub node: Node,
}

/// One registry item as read from a source.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub attrs: Vec<Attr>,
    /// Span of the whole item object.
    pub span: Option<Span>,
    pub format: Format,
}

impl Item {
    pub fn new(format: Format) -> Self {
        Item {
            attrs: Vec::new(),
            span: None,
            format,
        }
    }

    pub fn get(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.get(name).map(|a| &a.node.value)
    }

    pub fn str_value(&self, name: &str) -> Option<&str> {
        self.value(name).and_then(Value::as_str)
    }

    /// Adds or replaces an attribute (builder style, for tests and generators).
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.set(name, value);
        self
    }

    /// Sets an attribute's value, keeping its position and name span.
    pub fn set(&mut self, name: &str, value: Value) {
        match self.attrs.iter_mut().find(|a| a.name == name) {
            Some(a) => a.node = Node::new(value),
            None => self.attrs.push(Attr {
                name: Cow::Owned(name.to_string()),
                name_span: None,
                node: Node::new(value),
            }),
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Attr> {
        let pos = self.attrs.iter().position(|a| a.name == name)?;
        Some(self.attrs.remove(pos))
    }

    pub fn rename(&mut self, from: &str, to: &str) {
        if let Some(a) = self.attrs.iter_mut().find(|a| a.name == from) {
            a.name = Cow::Owned(to.to_string());
        }
    }

    /// The item as DynamoDB JSON.
    pub fn to_typed_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for a in &self.attrs {
            m.insert(a.name.to_string(), a.node.value.to_typed_json());
        }
        serde_json::Value::Object(m)
    }

    /// The item as plain JSON.
    pub fn to_plain_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for a in &self.attrs {
            m.insert(a.name.to_string(), a.node.value.to_plain_json());
        }
        serde_json::Value::Object(m)
    }

    /// Equality of the data alone (attribute order and spans ignored).
    pub fn same_data(&self, other: &Item) -> bool {
        self.attrs.len() == other.attrs.len()
            && self.attrs.iter().all(|a| {
                other
                    .value(&a.name)
                    .is_some_and(|v| v.same_data(&a.node.value))
            })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
