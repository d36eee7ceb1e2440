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
    /// Where the finding stands against a baseline, when the run has one (`check --baseline`).
    pub baseline: Option<BaselineState>,
}

/// A finding against a baseline (spec §9), as SARIF's `baselineState` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline: does not fail the run.
    Unchanged,
    /// The same rule, item and attribute are in the baseline with another value.
    Updated,
    /// A baseline entry that matched nothing (RG901).
    Absent,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Updated => "updated",
            BaselineState::Absent => "absent",
        }
    }
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
        if let Some(state) = self.baseline {
            m.insert("baseline".into(), state.as_str().into());
        }
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

/// A stable fingerprint of a finding: 32 hex digits, the first 16 a hash of the rule, the
/// source, the item and the attribute (the finding's *slot*), the last 16 a hash of the
/// offending value. A baseline matches a finding by the whole, and tells an `updated` finding
/// (same slot, another value) by the first half.
///
/// `source` is the source as [`SourceNames`] names it (independent of how the path was
/// spelled); `item` is the item's identity ([`item_identity`]).
pub fn fingerprint(
    rule: &str,
    source: &str,
    item: &str,
    attribute: Option<&str>,
    value: &str,
) -> String {
    let slot = digest(&[rule, source, item, attribute.unwrap_or("")]);
    let value = digest(&[value]);
    let mut out = String::with_capacity(32);
    for b in slot[..8].iter().chain(&value[..8]) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The slot half of a fingerprint (rule, source, item, attribute).
pub fn fingerprint_slot(fingerprint: &str) -> &str {
    fingerprint.get(..16).unwrap_or(fingerprint)
}

/// The value half of a fingerprint.
pub fn fingerprint_value(fingerprint: &str) -> &str {
    fingerprint.get(16..).unwrap_or("")
}

fn digest(parts: &[&str]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().into()
}

/// The identity of an item in a fingerprint: its key as JSON, or, for an item without a key
/// value, `content:` and a hash of the item's JSON text with its members sorted. Not its
/// position: that changes whenever an item is added above it or the items are reordered,
/// while two items that differ in any value (the only ones a person can tell apart) have
/// different content. Two identical keyless items share an identity; a baseline counts them.
pub fn item_identity(
    key: &serde_json::Map<String, serde_json::Value>,
    content: impl FnOnce() -> Option<String>,
) -> String {
    if !key.is_empty() {
        return serde_json::Value::Object(key.clone()).to_string();
    }
    match content() {
        Some(text) => {
            let hash = digest(&[&canonical_json_text(&text)]);
            let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
            format!("content:{hex}")
        }
        None => "{}".to_string(),
    }
}

/// JSON text with every object's members sorted and no white space, so that the same item
/// gets the same hash however it is laid out; text that does not parse is used as it is.
fn canonical_json_text(text: &str) -> String {
    fn sort(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let mut members: Vec<_> = m.into_iter().collect();
                members.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(members.into_iter().map(|(k, v)| (k, sort(v))).collect())
            }
            serde_json::Value::Array(a) => a.into_iter().map(sort).collect(),
            other => other,
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => sort(v).to_string(),
        Err(_) => text.to_string(),
    }
}

/// Names sources the same way whatever the working directory or the spelling of the path:
/// a file as a path relative to `base` (the config file's folder, else the working directory),
/// with forward slashes and no `.` or `..` where they can be resolved; a table as
/// `dynamodb://TABLE` without its query parameters; stdin as `-`.
#[derive(Debug, Default)]
pub struct SourceNames {
    base: std::path::PathBuf,
    cache: std::sync::Mutex<std::collections::HashMap<String, Arc<str>>>,
}

impl Clone for SourceNames {
    fn clone(&self) -> Self {
        SourceNames::new(&self.base)
    }
}

impl SourceNames {
    /// Names relative to `base` (made absolute against the working directory).
    pub fn new(base: &std::path::Path) -> SourceNames {
        SourceNames {
            base: absolute(base),
            cache: Default::default(),
        }
    }

    /// Names relative to the folder of `config`, or to the working directory without one.
    pub fn for_config(config: Option<&std::path::Path>) -> SourceNames {
        let base = config
            .and_then(std::path::Path::parent)
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        SourceNames::new(&base)
    }

    /// The stable name of the source a report calls `label`.
    pub fn name(&self, label: &str) -> Arc<str> {
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(label).cloned()) {
            return hit;
        }
        let name: Arc<str> = stable_name(label, &self.base).into();
        if let Ok(mut c) = self.cache.lock() {
            c.insert(label.to_string(), name.clone());
        }
        name
    }
}

fn stable_name(label: &str, base: &std::path::Path) -> String {
    if label == "-" || label.is_empty() {
        return label.to_string();
    }
    if let Some(table) = label.strip_prefix("dynamodb://") {
        let name = table.split(['?', '#']).next().unwrap_or(table);
        return format!("dynamodb://{name}");
    }
    let path = absolute(std::path::Path::new(label));
    let path = std::fs::canonicalize(&path).unwrap_or(path);
    let base = std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
    let relative = pathdiff::diff_paths(&path, &base).unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

/// `path` made absolute against the working directory, with `.` and `..` resolved lexically.
fn absolute(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let joined = match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let mut out = std::path::PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_drop_their_parameters() {
        let names = SourceNames::new(std::path::Path::new("/"));
        assert_eq!(
            &*names.name("dynamodb://reg?profile=prod&region=eu-west-1"),
            "dynamodb://reg"
        );
        assert_eq!(&*names.name("-"), "-");
    }

    #[test]
    fn paths_are_relative_to_the_base_however_spelled() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let sub = dir.path().join("registry");
        std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(sub.join("a.json"), "[]").unwrap_or_else(|e| panic!("{e}"));
        let names = SourceNames::new(dir.path());
        let plain = sub.join("a.json").display().to_string();
        let dotted = format!("{}/./registry/../registry/a.json", dir.path().display());
        assert_eq!(&*names.name(&plain), "registry/a.json");
        assert_eq!(&*names.name(&dotted), "registry/a.json");
    }

    #[test]
    fn keyless_items_are_told_apart_by_content_not_layout() {
        let none = serde_json::Map::new();
        let a = item_identity(&none, || Some(r#"{"name": "a", "x": 1}"#.into()));
        let a2 = item_identity(&none, || Some(r#"{"x":1,"name":"a"}"#.into()));
        let b = item_identity(&none, || Some(r#"{"name": "b", "x": 1}"#.into()));
        assert_eq!(a, a2);
        assert_ne!(a, b);
        assert!(a.starts_with("content:"));
    }
}
