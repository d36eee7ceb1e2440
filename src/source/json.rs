//! JSON text into [`Item`]s with byte spans, using serde_json's borrowed `RawValue`s: each value's
//! position is where its raw text sits inside the document.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

use crate::model::{Attr, Format, Item, Node, Span, Value};

/// An object's members in the order written.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Where a JSON syntax error is, relative to the text parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl From<serde_json::Error> for SyntaxError {
    fn from(e: serde_json::Error) -> Self {
        let full = e.to_string();
        // serde_json appends " at line L column C"; the location is reported separately.
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_string(),
            None => full,
        };
        SyntaxError {
            message,
            line: e.line(),
            column: e.column(),
        }
    }
}

/// What wrapped the items of one JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapper {
    /// `[item, item, …]`
    Array,
    /// `{"Items": [...]}` as `aws dynamodb scan` prints it.
    ScanOutput,
    /// `{"Table": [{"PutRequest": {"Item": {...}}}]}`
    BatchWrite,
    /// `{"Item": {...}}` as in a DynamoDB export line.
    ItemWrapper,
    /// A single item object.
    Single,
}

impl Wrapper {
    /// Wrappers that only ever hold DynamoDB JSON.
    pub fn implies_typed(self) -> bool {
        matches!(
            self,
            Wrapper::ScanOutput | Wrapper::BatchWrite | Wrapper::ItemWrapper
        )
    }
}

/// An item's raw text inside the document, or why the element is not an item.
pub type RawItem<'a> = Result<&'a RawValue, &'a RawValue>;

/// Splits a JSON document into its item values. Elements that are not objects come back as
/// `Err(raw)` so the caller can point at them.
pub fn split_document(doc: &str) -> Result<(Wrapper, Vec<RawItem<'_>>), SyntaxError> {
    let root: &RawValue = serde_json::from_str(doc)?;
    let text = root.get();
    if text.starts_with('[') {
        let raws: Vec<&RawValue> = serde_json::from_str(text)?;
        return Ok((Wrapper::Array, as_items(raws)));
    }
    if !text.starts_with('{') {
        return Ok((Wrapper::Single, vec![Err(root)]));
    }
    let Entries(entries) = serde_json::from_str(text)?;
    if let Some((_, items)) = entries.iter().find(|(k, _)| k == "Items") {
        if items.get().starts_with('[') {
            let raws: Vec<&RawValue> = serde_json::from_str(items.get())?;
            return Ok((Wrapper::ScanOutput, as_items(raws)));
        }
    }
    if entries.len() == 1 && entries[0].0 == "Item" && is_object(entries[0].1) {
        return Ok((Wrapper::ItemWrapper, vec![Ok(entries[0].1)]));
    }
    if let Some(items) = batch_write_items(&entries)? {
        return Ok((Wrapper::BatchWrite, items));
    }
    Ok((Wrapper::Single, vec![Ok(root)]))
}

/// `{"Table": [{"PutRequest": {"Item": …}}, …]}`: the Items of every PutRequest.
fn batch_write_items<'a>(
    entries: &[(String, &'a RawValue)],
) -> Result<Option<Vec<RawItem<'a>>>, SyntaxError> {
    let mut out = Vec::new();
    for (_, requests) in entries {
        if !requests.get().starts_with('[') {
            return Ok(None);
        }
        let raws: Vec<&RawValue> = serde_json::from_str(requests.get())?;
        for r in raws {
            if !is_object(r) {
                return Ok(None);
            }
            let Entries(req) = serde_json::from_str(r.get())?;
            match req
                .iter()
                .find(|(k, _)| k == "PutRequest" || k == "DeleteRequest")
            {
                Some((k, put)) if k == "PutRequest" => {
                    let Entries(inner) = serde_json::from_str(put.get())?;
                    match inner.iter().find(|(k, _)| k == "Item") {
                        Some((_, item)) if is_object(item) => out.push(Ok(*item)),
                        Some((_, item)) => out.push(Err(*item)),
                        None => out.push(Err(*put)),
                    }
                }
                Some(_) => {}
                None => return Ok(None),
            }
        }
    }
    if out.is_empty() && entries.is_empty() {
        return Ok(None);
    }
    Ok(Some(out))
}

fn as_items(raws: Vec<&RawValue>) -> Vec<RawItem<'_>> {
    raws.into_iter()
        .map(|r| if is_object(r) { Ok(r) } else { Err(r) })
        .collect()
}

fn is_object(r: &RawValue) -> bool {
    r.get().starts_with('{')
}

/// Byte offset of `part` inside `doc`; `part` must be a slice of `doc`.
pub fn offset_in(doc: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(doc.as_ptr() as usize)
}

fn span_of(doc: &str, raw: &RawValue) -> Span {
    let start = offset_in(doc, raw.get());
    Span::new(start, start + raw.get().len())
}

const DESCRIPTORS: [&str; 10] = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"];

/// Whether an item object looks like DynamoDB JSON: most attribute values are one-key objects
/// keyed by a type descriptor.
pub fn looks_typed(raw: &RawValue) -> bool {
    let Ok(Entries(entries)) = serde_json::from_str::<Entries>(raw.get()) else {
        return false;
    };
    if entries.is_empty() {
        return false;
    }
    let typed = entries
        .iter()
        .filter(|(_, v)| {
            matches!(serde_json::from_str::<Entries>(v.get()),
                Ok(Entries(e)) if e.len() == 1 && DESCRIPTORS.contains(&e[0].0.as_str()))
        })
        .count();
    typed * 2 >= entries.len()
}

/// How deep maps and lists may nest inside an item: serde_json's own recursion limit
/// (DynamoDB allows 32 levels). Deeper input is refused before it can exhaust the stack.
pub const MAX_DEPTH: usize = 128;

fn too_deep(depth: usize) -> Result<(), SyntaxError> {
    if depth > MAX_DEPTH {
        return Err(SyntaxError {
            message: format!(
                "the item nests maps and lists more than {MAX_DEPTH} levels deep (DynamoDB allows 32); it is not read"
            ),
            line: 0,
            column: 0,
        });
    }
    Ok(())
}

/// Reads one item object. `doc` is the text the spans are relative to and must contain `raw`.
pub fn parse_item(doc: &str, raw: &RawValue, format: Format) -> Result<Item, SyntaxError> {
    let mut item = Item::new(format);
    item.span = Some(span_of(doc, raw));
    item.attrs = parse_members(doc, raw, format, 0)?;
    Ok(item)
}

fn parse_members(
    doc: &str,
    raw: &RawValue,
    format: Format,
    depth: usize,
) -> Result<Vec<Attr>, SyntaxError> {
    too_deep(depth)?;
    let Entries(entries) = serde_json::from_str(raw.get())?;
    let mut attrs = Vec::with_capacity(entries.len());
    // Each key sits between the end of the previous member (or the `{`) and its value.
    let mut region_start = offset_in(doc, raw.get()) + 1;
    // A key written twice: JSON readers keep only one of the values, so what would be
    // linted and fixed is not what gets stored.
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    for (name, value) in entries {
        if !seen.insert(name.clone()) {
            return Err(SyntaxError {
                message: format!("the key {name:?} appears twice in one object"),
                line: 0,
                column: 0,
            });
        }
        let value_span = span_of(doc, value);
        let name_span = key_span(doc, region_start, value_span.start);
        let node = match format {
            Format::Plain => plain_node(doc, value, depth + 1)?,
            Format::Dynamodb => typed_node(doc, value, depth + 1)?,
        };
        attrs.push(Attr {
            name: crate::schema::attribute_name_owned(name),
            name_span,
            node,
        });
        region_start = value_span.end;
    }
    Ok(attrs)
}

/// The span of the quoted key between `from` and `to`: the first and the last `"` there (only
/// white space, a comma and the colon surround the key).
fn key_span(doc: &str, from: usize, to: usize) -> Option<Span> {
    let region = doc.get(from..to)?;
    let first = region.find('"')?;
    let last = region.rfind('"')?;
    (last > first).then(|| Span::new(from + first, from + last + 1))
}

fn plain_node(doc: &str, raw: &RawValue, depth: usize) -> Result<Node, SyntaxError> {
    too_deep(depth)?;
    let span = span_of(doc, raw);
    let text = raw.get();
    let value = match text.as_bytes().first() {
        Some(b'"') => Value::S(serde_json::from_str(text)?),
        Some(b'{') => Value::M(parse_members(doc, raw, Format::Plain, depth)?),
        Some(b'[') => {
            let raws: Vec<&RawValue> = serde_json::from_str(text)?;
            Value::L(
                raws.into_iter()
                    .map(|r| plain_node(doc, r, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        Some(b't') => Value::Bool(true),
        Some(b'f') => Value::Bool(false),
        Some(b'n') => Value::Null,
        _ => Value::N(text.to_string()),
    };
    Ok(Node::at(value, span))
}

/// A typed value's outcome: `Err` is a syntax error that ends the parse, `Ok(Err(reason))` a value
/// that parsed as JSON but is not a valid DynamoDB typed value (it becomes [`Value::Invalid`]).
type Typed = Result<Result<Value, String>, SyntaxError>;

/// One DynamoDB-JSON typed value such as `{"S": "x"}`; a well-formed but wrong value becomes
/// [`Value::Invalid`] with the reason, a JSON syntax error ends the parse.
fn typed_node(doc: &str, raw: &RawValue, depth: usize) -> Result<Node, SyntaxError> {
    too_deep(depth)?;
    let span = span_of(doc, raw);
    let text = raw.get();
    if !text.starts_with('{') {
        return Ok(Node::at(Value::Invalid(not_a_descriptor(text)), span));
    }
    let Entries(entries) = serde_json::from_str(text)?;
    let value = match entries.as_slice() {
        [(desc, inner)] => typed_value(doc, desc, inner, depth)?.unwrap_or_else(Value::Invalid),
        _ => Value::Invalid(format!(
            "a typed value has exactly one type descriptor, found {} keys",
            entries.len()
        )),
    };
    Ok(Node::at(value, span))
}

/// Why `text`, which is not an object, cannot be a typed value.
#[cold]
fn not_a_descriptor(text: &str) -> String {
    format!(
        "expected a type descriptor object such as {{\"S\": …}}, found {}",
        json_kind(text)
    )
}

/// The reason for a descriptor whose value is the wrong JSON kind: `desc` needs `kind`.
#[cold]
fn wanted(desc: &str, kind: &str, inner_text: &str) -> String {
    format!("{desc} needs {kind}, found {}", json_kind(inner_text))
}

/// The value under the one type descriptor `desc`, read by the descriptor's reader.
fn typed_value(doc: &str, desc: &str, inner: &RawValue, depth: usize) -> Typed {
    let inner_text = inner.get();
    match desc {
        "S" | "N" | "B" | "BOOL" | "NULL" => Ok(typed_scalar(desc, inner_text)),
        "M" => typed_map(doc, inner, depth),
        "L" => typed_list(doc, inner, depth),
        "SS" | "NS" | "BS" => Ok(typed_set(doc, desc, inner_text)),
        other => Ok(Err(format!("unknown type descriptor {other:?}"))),
    }
}

/// `S`, `N`, `B`, `BOOL` or `NULL`: a string-held or literal scalar.
fn typed_scalar(desc: &str, inner_text: &str) -> Result<Value, String> {
    let want = |kind: &str| wanted(desc, kind, inner_text);
    match desc {
        "S" => serde_json::from_str::<String>(inner_text)
            .map(Value::S)
            .map_err(|_| want("a string")),
        "N" => match serde_json::from_str::<String>(inner_text) {
            Ok(n) if is_dynamo_number(&n) => Ok(Value::N(n)),
            Ok(n) => Err(format!("N holds {n:?}, which is not a number")),
            Err(_) => Err(want("a number written as a string")),
        },
        "B" => serde_json::from_str::<String>(inner_text)
            .map(Value::B)
            .map_err(|_| want("a base64 string")),
        "BOOL" => match inner_text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(want("true or false")),
        },
        _ => match inner_text {
            "true" => Ok(Value::Null),
            _ => Err(want("true")),
        },
    }
}

/// `M`: an object of typed members.
fn typed_map(doc: &str, inner: &RawValue, depth: usize) -> Typed {
    if !inner.get().starts_with('{') {
        return Ok(Err(wanted("M", "an object", inner.get())));
    }
    let members = parse_members(doc, inner, Format::Dynamodb, depth)?;
    Ok(Ok(Value::M(members)))
}

/// `L`: an array of typed values; an invalid element makes the whole list invalid.
fn typed_list(doc: &str, inner: &RawValue, depth: usize) -> Typed {
    let inner_text = inner.get();
    if !inner_text.starts_with('[') {
        return Ok(Err(wanted("L", "an array", inner_text)));
    }
    let raws: Vec<&RawValue> = serde_json::from_str(inner_text)?;
    let nodes = raws
        .into_iter()
        .map(|r| typed_node(doc, r, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(bad) = nodes.iter().find_map(|n| match &n.value {
        Value::Invalid(r) => Some(r.clone()),
        _ => None,
    }) {
        return Ok(Err(format!("in a list element: {bad}")));
    }
    Ok(Ok(Value::L(nodes)))
}

/// `SS`, `NS` or `BS`: a non-empty array of strings (numbers for `NS`), each with its own span.
fn typed_set(doc: &str, desc: &str, inner_text: &str) -> Result<Value, String> {
    let Ok(raws) = serde_json::from_str::<Vec<&RawValue>>(inner_text) else {
        return Err(wanted(desc, "an array of strings", inner_text));
    };
    let mut nodes = Vec::with_capacity(raws.len());
    for r in raws {
        let Ok(s) = serde_json::from_str::<String>(r.get()) else {
            return Err(wanted(desc, "an array of strings", inner_text));
        };
        if desc == "NS" && !is_dynamo_number(&s) {
            return Err(format!("NS holds {s:?}, which is not a number"));
        }
        let v = match desc {
            "SS" => Value::S(s),
            "NS" => Value::N(s),
            _ => Value::B(s),
        };
        nodes.push(Node::at(v, span_of(doc, r)));
    }
    if nodes.is_empty() {
        return Err(format!("{desc} must not be empty"));
    }
    Ok(match desc {
        "SS" => Value::SS(nodes),
        "NS" => Value::NS(nodes),
        _ => Value::BS(nodes),
    })
}

pub(crate) fn json_kind(text: &str) -> &'static str {
    match text.as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't') | Some(b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// DynamoDB's number syntax: an optionally signed decimal with an optional exponent.
pub fn is_dynamo_number(s: &str) -> bool {
    let s = s.trim();
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = (!int.is_empty() || !frac.is_empty()) && digits(int) && digits(frac);
    let exp_ok = match exp {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    };
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(doc: &str) -> Vec<Item> {
        let (w, raws) = split_document(doc).unwrap();
        let format = if w.implies_typed() {
            Format::Dynamodb
        } else {
            Format::Plain
        };
        raws.into_iter()
            .map(|r| parse_item(doc, r.unwrap(), format).unwrap())
            .collect()
    }

    #[test]
    fn spans_point_at_values_and_keys() {
        let doc = r#"[ {"name" : "a b", "n": 12.50, "l": ["x", true]} ]"#;
        let it = &items(doc)[0];
        let name = it.get("name").unwrap();
        let ns = name.name_span.unwrap();
        assert_eq!(&doc[ns.start..ns.end], "\"name\"");
        let vs = name.node.span.unwrap();
        assert_eq!(&doc[vs.start..vs.end], "\"a b\"");
        assert_eq!(it.value("n"), Some(&Value::N("12.50".into())));
        let l = it.get("l").unwrap();
        let ls = l.node.span.unwrap();
        assert_eq!(&doc[ls.start..ls.end], r#"["x", true]"#);
    }

    #[test]
    fn typed_values_and_wrappers() {
        let doc = r#"{"Items": [{"a": {"S": "x"}, "b": {"N": "5"}, "c": {"SS": ["p","q"]}, "d": {"S": 5}}], "Count": 1}"#;
        let it = &items(doc)[0];
        assert_eq!(it.value("a"), Some(&Value::S("x".into())));
        assert_eq!(it.value("b"), Some(&Value::N("5".into())));
        assert!(matches!(it.value("c"), Some(Value::SS(v)) if v.len() == 2));
        assert!(matches!(it.value("d"), Some(Value::Invalid(_))));
    }

    #[test]
    fn batch_write_and_item_wrapper() {
        let doc = r#"{"T": [{"PutRequest": {"Item": {"a": {"S": "1"}}}}, {"PutRequest": {"Item": {"a": {"S": "2"}}}}]}"#;
        assert_eq!(split_document(doc).unwrap().0, Wrapper::BatchWrite);
        assert_eq!(items(doc).len(), 2);
        let line = r#"{"Item": {"a": {"N": "abc"}}}"#;
        assert!(matches!(items(line)[0].value("a"), Some(Value::Invalid(_))));
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = split_document("[\n {\"a\": }\n]").unwrap_err();
        assert_eq!((err.line, err.column), (2, 8));
    }

    #[test]
    fn numbers() {
        for ok in ["1", "-1.5", "1e10", "0.5E-3", ".5"] {
            assert!(is_dynamo_number(ok), "{ok}");
        }
        for bad in ["abc", "", "1e", "--1", "1.2.3"] {
            assert!(!is_dynamo_number(bad), "{bad}");
        }
    }
}
