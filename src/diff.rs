//! `reglint diff` (spec §10): what differs between two registries — a seed file and the live
//! table, stage and prod, two exports.
//!
//! Items are matched by key (the table's key schema when a side is a table, else the config's
//! `key`) and compared by meaning: a set in any order, numbers by value (`1.0` is `1`), plain
//! JSON and DynamoDB JSON of the same data alike.
//!
//! Memory is bounded by the key index, not by the items: side A is streamed once into an index
//! of key → hash of the item's canonical form; side B is streamed against it, and only the B
//! items whose hash differs are kept. If there are any, A is streamed a second time and only
//! the items with those keys are compared attribute by attribute. A second read of A costs a
//! read of a file (or a scan) only when something changed; keeping every canonical item of A
//! instead would make memory grow with the registry's size.

use std::collections::{HashMap, HashSet};

use crate::aws::number::canonical_number;
#[cfg(feature = "aws")]
use crate::aws::table::{TableInfo, TableStore};
use crate::model::{Item, Value};
#[cfg(feature = "aws")]
use crate::source::uri::TableUri;
use crate::source::uri::TableUriError;
use crate::source::{FileReader, InputFormat, SourceError, SourceSpec};

type Key = serde_json::Map<String, serde_json::Value>;

/// One attribute that differs: its typed value on each side (`None`: absent).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AttributeChange {
    pub name: String,
    pub a: Option<serde_json::Value>,
    pub b: Option<serde_json::Value>,
}

/// An item on both sides whose attributes differ.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Changed {
    pub key: Key,
    pub attributes: Vec<AttributeChange>,
}

/// What differs between A and B, each list in key order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffReport {
    pub a: String,
    pub b: String,
    pub a_items: usize,
    pub b_items: usize,
    pub only_in_a: Vec<Key>,
    pub only_in_b: Vec<Key>,
    pub changed: Vec<Changed>,
}

impl DiffReport {
    /// Whether the two hold the same registry.
    pub fn same(&self) -> bool {
        self.only_in_a.is_empty() && self.only_in_b.is_empty() && self.changed.is_empty()
    }
}

/// A diff that could not be made: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DiffError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Uri(#[from] TableUriError),
    #[error("{0}")]
    #[diagnostic(code(reglint::aws))]
    Table(String),
    #[error("item {index} of {source_label} has no key attribute {attribute:?}")]
    #[diagnostic(
        code(reglint::diff),
        help("items are matched by key: the table's key schema, else `key` in reglint.toml")
    )]
    NoKey {
        source_label: String,
        index: usize,
        attribute: String,
    },
    #[error("the two tables have different keys: {a:?} and {b:?}")]
    #[diagnostic(code(reglint::diff))]
    KeyMismatch { a: Vec<String>, b: Vec<String> },
    #[error(transparent)]
    #[diagnostic(transparent)]
    NoAws(#[from] crate::offline::NoAws),
}

/// How to read and compare.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    pub ignore: Vec<String>,
    pub input_format: InputFormat,
    pub aws: crate::aws::config::AwsSettings,
    /// Key of file items (the config's `key`).
    pub file_key: Vec<String>,
    pub segments: u32,
}

/// One side, opened: a file source, or a table with its client and key schema.
enum Side {
    File(SourceSpec),
    #[cfg(feature = "aws")]
    Table(Box<(TableStore, TableInfo)>),
}

struct Opened {
    label: String,
    side: Side,
}

/// Compares the registries `a` and `b` (SOURCE arguments).
pub fn diff(a: &str, b: &str, opts: &DiffOptions) -> Result<DiffReport, DiffError> {
    let runtime = runtime()?;
    let a = open(a, opts, &runtime)?;
    if matches!(a.side, Side::File(SourceSpec::Stdin)) {
        return Err(SourceError {
            path: "-".into(),
            line: 0,
            column: 0,
            message: "stdin can only be the second source: the first may be read twice".into(),
        }
        .into());
    }
    let b = open(b, opts, &runtime)?;
    let keys = key_attributes(&a, &b, opts)?;
    let reader = Reader {
        opts,
        #[cfg(feature = "aws")]
        runtime: &runtime,
        keys: &keys,
    };
    let mut report = DiffReport {
        a: a.label.clone(),
        b: b.label.clone(),
        ..DiffReport::default()
    };
    let mut index = index_of(&reader, &a, &mut report.a_items)?;
    let (differing, only_b) = match_against(&reader, &b, &mut index, &mut report.b_items)?;
    let mut only_a: Vec<String> = index
        .into_iter()
        .filter(|(_, (_, seen))| !seen)
        .map(|(k, _)| k)
        .collect();
    let mut only_b: Vec<String> = only_b.into_iter().collect();
    only_a.sort();
    only_b.sort();
    report.only_in_a = only_a.iter().map(|k| display_key(k, &keys)).collect();
    report.only_in_b = only_b.iter().map(|k| display_key(k, &keys)).collect();
    report.changed = changes(&reader, &a, differing, opts)?;
    Ok(report)
}

/// The key index of side A: key id → (hash of the item's meaning, seen on side B).
type Index = HashMap<String, (u128, bool)>;

/// The first read of A.
fn index_of(reader: &Reader, a: &Opened, items: &mut usize) -> Result<Index, DiffError> {
    let mut index = Index::new();
    reader.each(a, &mut |kid, item| {
        *items += 1;
        let hash = item_hash(item, &reader.opts.ignore);
        let slot = (1..)
            .map(|n| occurrence(&kid, n))
            .find(|k| !index.contains_key(k))
            .unwrap_or(kid);
        index.insert(slot, (hash, false));
        Ok(())
    })?;
    Ok(index)
}

/// The read of B against A's index: the B items whose meaning differs, and the keys only in B.
fn match_against(
    reader: &Reader,
    b: &Opened,
    index: &mut Index,
    items: &mut usize,
) -> Result<(HashMap<String, Item>, HashSet<String>), DiffError> {
    let mut differing: HashMap<String, Item> = HashMap::new();
    let mut only_b: HashSet<String> = HashSet::new();
    reader.each(b, &mut |kid, item| {
        *items += 1;
        // The n-th item with a key on B is matched with the n-th on A.
        let slot = (1..)
            .map(|n| occurrence(&kid, n))
            .find(|k| match index.get(k) {
                Some((_, seen)) => !seen,
                None => !only_b.contains(k),
            })
            .unwrap_or(kid);
        let Some((hash, seen)) = index.get_mut(&slot) else {
            only_b.insert(slot);
            return Ok(());
        };
        *seen = true;
        if *hash != item_hash(item, &reader.opts.ignore) {
            differing.insert(slot, item.clone());
        }
        Ok(())
    })?;
    Ok((differing, only_b))
}

/// The key id of the n-th item with a key on one side: a source may hold a key twice (RG301
/// reports it), and the second is then matched with the other side's second. A NUL cannot
/// occur in JSON text, so the suffix cannot be mistaken for part of a key.
fn occurrence(kid: &str, n: usize) -> String {
    match n {
        1 => kid.to_string(),
        n => format!("{kid}\u{0}{n}"),
    }
}

/// The second read of A: the attribute changes of the items whose hashes differ.
fn changes(
    reader: &Reader,
    a: &Opened,
    mut differing: HashMap<String, Item>,
    opts: &DiffOptions,
) -> Result<Vec<Changed>, DiffError> {
    if differing.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: Vec<(String, Changed)> = Vec::new();
    reader.each(a, &mut |kid, item| {
        if let Some(b_item) = differing.remove(&kid) {
            let attributes = attribute_changes(item, &b_item, &opts.ignore);
            if !attributes.is_empty() {
                let key = display_key(&kid, reader.keys);
                found.push((kid, Changed { key, attributes }));
            }
        }
        Ok(())
    })?;
    found.sort_by(|x, y| x.0.cmp(&y.0));
    Ok(found.into_iter().map(|(_, c)| c).collect())
}

/// The attributes whose values differ in meaning, by name.
pub fn attribute_changes(a: &Item, b: &Item, ignore: &[String]) -> Vec<AttributeChange> {
    let mut names: Vec<&str> = a
        .attrs
        .iter()
        .chain(&b.attrs)
        .map(|x| x.name.as_ref())
        .filter(|n| !ignore.iter().any(|i| i == n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let (x, y) = (a.value(name), b.value(name));
            let same = match (x, y) {
                (Some(x), Some(y)) => canonical(x) == canonical(y),
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| AttributeChange {
                name: name.to_string(),
                a: x.map(Value::to_typed_json),
                b: y.map(Value::to_typed_json),
            })
        })
        .collect()
}

/// Where table sides are read: an async runtime. A build without AWS has no table sides.
#[cfg(feature = "aws")]
type Runtime = tokio::runtime::Runtime;
#[cfg(not(feature = "aws"))]
struct Runtime;

#[cfg(feature = "aws")]
fn runtime() -> Result<Runtime, DiffError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| DiffError::Table(format!("cannot start the async runtime: {e}")))
}

#[cfg(not(feature = "aws"))]
fn runtime() -> Result<Runtime, DiffError> {
    Ok(Runtime)
}

#[cfg(not(feature = "aws"))]
fn open(arg: &str, _: &DiffOptions, _: &Runtime) -> Result<Opened, DiffError> {
    match SourceSpec::parse(arg) {
        SourceSpec::Table(spec) => {
            Err(crate::offline::NoAws::new(format!("dynamodb://{spec}")).into())
        }
        spec => Ok(Opened {
            label: spec.display(),
            side: Side::File(spec),
        }),
    }
}

#[cfg(feature = "aws")]
fn open(arg: &str, opts: &DiffOptions, runtime: &Runtime) -> Result<Opened, DiffError> {
    match SourceSpec::parse(arg) {
        SourceSpec::Table(spec) => {
            let uri = TableUri::parse(&spec)?;
            let aws = uri.aws_args(&opts.aws);
            let table = runtime.block_on(async {
                let store = TableStore::connect(&aws, &uri.table).await?;
                let info = store.describe().await?;
                Ok::<_, crate::aws::table::TableError>((store, info))
            });
            let table = table.map_err(|e| DiffError::Table(e.0))?;
            Ok(Opened {
                label: format!("dynamodb://{}", uri.table),
                side: Side::Table(Box::new(table)),
            })
        }
        spec => Ok(Opened {
            label: spec.display(),
            side: Side::File(spec),
        }),
    }
}

/// The key: a table's key schema (both tables must agree), else the config's.
fn key_attributes(a: &Opened, b: &Opened, opts: &DiffOptions) -> Result<Vec<String>, DiffError> {
    let schema = |o: &Opened| match &o.side {
        #[cfg(feature = "aws")]
        Side::Table(t) => Some(t.1.key_schema.clone()),
        Side::File(_) => None,
    };
    match (schema(a), schema(b)) {
        (Some(x), Some(y)) if x != y => Err(DiffError::KeyMismatch { a: x, b: y }),
        (Some(x), _) | (None, Some(x)) => Ok(x),
        (None, None) => Ok(opts.file_key.clone()),
    }
}

/// Streams the items of a side with their key ids.
struct Reader<'a> {
    opts: &'a DiffOptions,
    #[cfg(feature = "aws")]
    runtime: &'a Runtime,
    keys: &'a [String],
}

type Each<'e> = dyn FnMut(String, &Item) -> Result<(), DiffError> + 'e;

impl Reader<'_> {
    fn each(&self, side: &Opened, f: &mut Each) -> Result<(), DiffError> {
        let mut failed: Option<DiffError> = None;
        let mut index = 0usize;
        let mut take = |item: &Item| {
            if failed.is_some() {
                return;
            }
            let result = key_id(item, self.keys)
                .ok_or_else(|| self.no_key(side, index, item))
                .and_then(|kid| f(kid, item));
            index += 1;
            if let Err(e) = result {
                failed = Some(e);
            }
        };
        match &side.side {
            Side::File(spec) => {
                let reader = FileReader {
                    format: self.opts.input_format,
                };
                for s in spec.clone().expand()? {
                    reader.read(&s, &mut |si| take(&si.item))?;
                }
            }
            #[cfg(feature = "aws")]
            Side::Table(t) => {
                let scan = t.0.scan(self.opts.segments.max(1), false, None, |sdk| {
                    take(&crate::aws::convert::item_from_sdk(&sdk));
                });
                self.runtime
                    .block_on(scan)
                    .map_err(|e| DiffError::Table(e.0))?;
            }
        }
        failed.map_or(Ok(()), Err)
    }

    fn no_key(&self, side: &Opened, index: usize, item: &Item) -> DiffError {
        let attribute = self
            .keys
            .iter()
            .find(|k| item.value(k).is_none())
            .cloned()
            .unwrap_or_default();
        DiffError::NoKey {
            source_label: side.label.clone(),
            index,
            attribute,
        }
    }
}

/// An item's key as one string: the canonical typed values of its key attributes.
fn key_id(item: &Item, keys: &[String]) -> Option<String> {
    let values: Option<Vec<serde_json::Value>> =
        keys.iter().map(|k| item.value(k).map(canonical)).collect();
    Some(serde_json::Value::Array(values?).to_string())
}

/// A key id as the report shows it: attribute → plain JSON value.
fn display_key(kid: &str, keys: &[String]) -> Key {
    let json = kid.split('\u{0}').next().unwrap_or(kid);
    let values: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    keys.iter()
        .zip(values)
        .map(|(k, v)| (k.clone(), plain(v)))
        .collect()
}

/// `{"S": "x"}` → `"x"`, `{"N": "1E0"}` → `1`; other typed values as they are.
fn plain(typed: serde_json::Value) -> serde_json::Value {
    let Some(m) = typed.as_object() else {
        return typed;
    };
    match (m.get("S"), m.get("N")) {
        (Some(s), _) => s.clone(),
        (_, Some(serde_json::Value::String(n))) => n
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| n.clone().into(), serde_json::Value::Number),
        _ => typed,
    }
}

/// A value's meaning as typed JSON: numbers canonical, sets sorted, maps by member name.
pub fn canonical(v: &Value) -> serde_json::Value {
    use serde_json::json;
    let sorted = |nodes: &[crate::model::Node], number: bool| {
        let mut texts: Vec<String> = nodes
            .iter()
            .map(|n| match &n.value {
                Value::N(t) if number => canonical_number(t),
                Value::S(t) | Value::N(t) | Value::B(t) => t.clone(),
                other => other.to_typed_json().to_string(),
            })
            .collect();
        texts.sort();
        texts.dedup();
        texts
    };
    match v {
        Value::N(n) => json!({ "N": canonical_number(n) }),
        Value::SS(s) => json!({ "SS": sorted(s, false) }),
        Value::NS(s) => json!({ "NS": sorted(s, true) }),
        Value::BS(s) => json!({ "BS": sorted(s, false) }),
        Value::L(items) => {
            json!({ "L": items.iter().map(|n| canonical(&n.value)).collect::<Vec<_>>() })
        }
        Value::M(attrs) => {
            let mut members: Vec<_> = attrs
                .iter()
                .map(|a| (a.name.to_string(), canonical(&a.node.value)))
                .collect();
            members.sort_by(|x, y| x.0.cmp(&y.0));
            json!({ "M": members.into_iter().collect::<serde_json::Map<_, _>>() })
        }
        other => other.to_typed_json(),
    }
}

/// A hash of an item's meaning without the ignored attributes.
fn item_hash(item: &Item, ignore: &[String]) -> u128 {
    use sha2::{Digest, Sha256};
    let mut attrs: Vec<_> = item
        .attrs
        .iter()
        .filter(|a| !ignore.iter().any(|i| *i == a.name))
        .collect();
    attrs.sort_by(|x, y| x.name.cmp(&y.name));
    let mut h = Sha256::new();
    for a in attrs {
        h.update(a.name.as_bytes());
        h.update([0u8]);
        h.update(canonical(&a.node.value).to_string().as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Node;

    fn set(values: &[&str]) -> Value {
        Value::SS(
            values
                .iter()
                .map(|v| Node::new(Value::S((*v).into())))
                .collect(),
        )
    }

    #[test]
    fn values_compare_by_meaning() {
        assert_eq!(canonical(&set(&["b", "a"])), canonical(&set(&["a", "b"])));
        assert_eq!(
            canonical(&Value::N("1.0".into())),
            canonical(&Value::N("1".into()))
        );
        assert_ne!(
            canonical(&Value::N("1.5".into())),
            canonical(&Value::N("1".into()))
        );
        let l = |v: &[&str]| Value::list_of_strings(v.iter().copied());
        assert_ne!(canonical(&l(&["b", "a"])), canonical(&l(&["a", "b"])));
    }

    #[test]
    fn changes_name_each_differing_attribute_with_both_values() {
        let a = Item::new(crate::model::Format::Plain)
            .with("agent_id", Value::S("A".into()))
            .with("tags", set(&["x", "y"]))
            .with("alias_id", Value::S("OLD".into()))
            .with("owner", Value::S("me".into()));
        let b = Item::new(crate::model::Format::Dynamodb)
            .with("agent_id", Value::S("A".into()))
            .with("tags", set(&["y", "x"]))
            .with("alias_id", Value::S("NEW".into()));
        let changes = attribute_changes(&a, &b, &[]);
        let names: Vec<&str> = changes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["alias_id", "owner"]);
        assert_eq!(changes[0].b, Some(serde_json::json!({"S": "NEW"})));
        assert_eq!(changes[1].b, None);
        assert!(attribute_changes(&a, &b, &["alias_id".into(), "owner".into()]).is_empty());
        assert_eq!(
            item_hash(&a, &["alias_id".into(), "owner".into()]),
            item_hash(&b, &["alias_id".into()])
        );
    }
}
