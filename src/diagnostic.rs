//! The one diagnostic type every rule's finding becomes, and fixes as data.

use serde::Serialize;
use std::sync::Arc;

use crate::model::Value;
use crate::source::TextChunk;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[derive(schemars::JsonSchema)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Whether a fix keeps the meaning (safe) or is a guess a person should confirm (unsafe).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// One change to one attribute of an item.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Set { attribute: String, value: Value },
    Remove { attribute: String },
    Rename { from: String, to: String },
}

impl Edit {
    pub fn set(attribute: &str, value: Value) -> Edit {
        Edit::Set {
            attribute: attribute.to_string(),
            value,
        }
    }

    /// The attributes the edit reads or writes.
    pub fn attributes(&self) -> Vec<&str> {
        match self {
            Edit::Set { attribute, .. } | Edit::Remove { attribute } => vec![attribute],
            Edit::Rename { from, to } => vec![from, to],
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Edit::Set { attribute, value } => serde_json::json!({
                "op": "set", "attribute": attribute, "value": value.to_typed_json()
            }),
            Edit::Remove { attribute } => serde_json::json!({
                "op": "remove", "attribute": attribute
            }),
            Edit::Rename { from, to } => serde_json::json!({
                "op": "rename", "attribute": from, "to": to
            }),
        }
    }
}

/// A fix: edits, how safe they are, and a one-line title.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub applicability: Applicability,
    pub title: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            title: title.into(),
            edits,
        }
    }
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Unsafe,
            title: title.into(),
            edits,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "applicability": self.applicability,
            "title": self.title,
            "edits": self.edits.iter().map(Edit::to_json).collect::<Vec<_>>(),
        })
    }
}

/// Which item a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRef {
    /// Index of the source in the run's source list.
    pub source: usize,
    /// Position of the item in its source.
    pub index: usize,
    /// The item's key attributes as plain JSON values.
    pub key: serde_json::Map<String, serde_json::Value>,
}

/// Where in a file a diagnostic points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// The text a diagnostic points into, for snippets: the chunk and the byte range in it.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub chunk: Arc<TextChunk>,
    pub start: usize,
    pub end: usize,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub item: Option<ItemRef>,
    /// Where the item came from when it is not a file (for example `dynamodb://registry`).
    pub origin: String,
    pub attribute: Option<String>,
    pub location: Option<Location>,
    pub snippet: Option<Snippet>,
    pub fingerprint: String,
    pub fix: Option<Fix>,
    /// Extra advice shown under the message.
    pub help: Option<String>,
    /// The account the item names, when it names one (counts by account; not in `json`).
    pub account: Option<String>,
}

impl Diagnostic {
    /// The report's JSON form of this diagnostic (spec §7).
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("rule".into(), self.rule.into());
        m.insert("name".into(), self.name.into());
        m.insert("severity".into(), self.severity.as_str().into());
        m.insert("message".into(), self.message.clone().into());
        m.insert(
            "item".into(),
            serde_json::to_value(&self.item).unwrap_or_default(),
        );
        m.insert(
            "attribute".into(),
            self.attribute
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
        if let Some(loc) = &self.location {
            m.insert(
                "location".into(),
                serde_json::to_value(loc).unwrap_or_default(),
            );
        }
        m.insert("fingerprint".into(), self.fingerprint.clone().into());
        if let Some(help) = &self.help {
            m.insert("help".into(), help.clone().into());
        }
        m.insert(
            "fix".into(),
            self.fix
                .as_ref()
                .map_or(serde_json::Value::Null, Fix::to_json),
        );
        serde_json::Value::Object(m)
    }
}

/// A stable fingerprint of a finding: rule, source, key, attribute and offending value.
pub fn fingerprint(
    rule: &str,
    source: &str,
    key: &serde_json::Map<String, serde_json::Value>,
    attribute: Option<&str>,
    value: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        rule,
        source,
        &serde_json::Value::Object(key.clone()).to_string(),
        attribute.unwrap_or(""),
        value,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}
