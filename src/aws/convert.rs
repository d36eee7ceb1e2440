//! DynamoDB values between the SDK's `AttributeValue`, reglint's [`Value`] and DynamoDB JSON.
//!
//! Every conversion is lossless for what DynamoDB can store: numbers keep their text, binary
//! values go through standard base64, and map attributes (unordered in DynamoDB) come out
//! sorted by name so that reports and journals are stable.

use std::cmp::Ordering;
use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine as _;

use crate::model::{Attr, Format, Item, Node, Value};

pub use super::number::canonical_number;

/// An item as the SDK holds it.
pub type SdkItem = HashMap<String, AttributeValue>;

/// A value that DynamoDB cannot store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConvertError(pub String);

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(text: &str) -> Result<Vec<u8>, ConvertError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| ConvertError(format!("binary value {text:?} is not base64: {e}")))
}

/// An SDK value as a reglint value.
pub fn to_value(av: &AttributeValue) -> Value {
    let nodes =
        |v: &[String], f: fn(String) -> Value| v.iter().map(|s| Node::new(f(s.clone()))).collect();
    match av {
        AttributeValue::S(s) => Value::S(s.clone()),
        AttributeValue::N(n) => Value::N(n.clone()),
        AttributeValue::B(b) => Value::B(b64(b.as_ref())),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::M(m) => Value::M(sorted_attrs(m)),
        AttributeValue::L(l) => Value::L(l.iter().map(|v| Node::new(to_value(v))).collect()),
        AttributeValue::Ss(v) => Value::SS(nodes(v, Value::S)),
        AttributeValue::Ns(v) => Value::NS(nodes(v, Value::N)),
        AttributeValue::Bs(v) => Value::BS(
            v.iter()
                .map(|b| Node::new(Value::B(b64(b.as_ref()))))
                .collect(),
        ),
        _ => Value::Invalid("an attribute type this version of reglint does not know".into()),
    }
}

fn sorted_attrs(m: &SdkItem) -> Vec<Attr> {
    let mut names: Vec<&String> = m.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(|name| Attr {
            name: crate::schema::attribute_name(name),
            name_span: None,
            node: Node::new(to_value(&m[name])),
        })
        .collect()
}

/// A reglint value as an SDK value.
pub fn from_value(v: &Value) -> Result<AttributeValue, ConvertError> {
    let strings = |nodes: &[Node], want: &str| -> Result<Vec<String>, ConvertError> {
        nodes
            .iter()
            .map(|n| match (&n.value, want) {
                (Value::S(s), "S") | (Value::N(s), "N") | (Value::B(s), "B") => Ok(s.clone()),
                (other, _) => Err(ConvertError(format!(
                    "a {want} set cannot hold a {} value",
                    other.type_name()
                ))),
            })
            .collect()
    };
    Ok(match v {
        Value::S(s) => AttributeValue::S(s.clone()),
        Value::N(n) => AttributeValue::N(n.clone()),
        Value::B(b) => AttributeValue::B(Blob::new(unb64(b)?)),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Null => AttributeValue::Null(true),
        Value::M(attrs) => AttributeValue::M(
            attrs
                .iter()
                .map(|a| Ok((a.name.to_string(), from_value(&a.node.value)?)))
                .collect::<Result<_, ConvertError>>()?,
        ),
        Value::L(items) => AttributeValue::L(
            items
                .iter()
                .map(|n| from_value(&n.value))
                .collect::<Result<_, _>>()?,
        ),
        Value::SS(v) => AttributeValue::Ss(non_empty(strings(v, "S")?)?),
        Value::NS(v) => AttributeValue::Ns(non_empty(strings(v, "N")?)?),
        Value::BS(v) => AttributeValue::Bs(
            non_empty(strings(v, "B")?)?
                .iter()
                .map(|s| unb64(s).map(Blob::new))
                .collect::<Result<_, _>>()?,
        ),
        Value::Invalid(reason) => {
            return Err(ConvertError(format!("not a DynamoDB value: {reason}")));
        }
    })
}

fn non_empty(v: Vec<String>) -> Result<Vec<String>, ConvertError> {
    if v.is_empty() {
        Err(ConvertError("DynamoDB sets cannot be empty".into()))
    } else {
        Ok(v)
    }
}

/// An SDK item as a reglint item (attributes sorted by name, DynamoDB format).
pub fn item_from_sdk(item: &SdkItem) -> Item {
    Item {
        attrs: sorted_attrs(item),
        span: None,
        format: Format::Dynamodb,
    }
}

/// A reglint item as an SDK item.
pub fn item_to_sdk(item: &Item) -> Result<SdkItem, ConvertError> {
    item.attrs
        .iter()
        .map(|a| Ok((a.name.to_string(), from_value(&a.node.value)?)))
        .collect()
}

/// An SDK value as DynamoDB JSON (`{"S": "x"}`), as the journal stores it.
pub fn to_json(av: &AttributeValue) -> serde_json::Value {
    to_value(av).to_typed_json()
}

/// An SDK item as DynamoDB JSON, attributes sorted by name.
pub fn item_to_json(item: &SdkItem) -> serde_json::Value {
    item_from_sdk(item).to_typed_json()
}

/// DynamoDB JSON as an SDK value.
pub fn from_json(json: &serde_json::Value) -> Result<AttributeValue, ConvertError> {
    use serde_json::Value as J;
    let bad = || ConvertError(format!("not DynamoDB JSON: {json}"));
    let J::Object(m) = json else {
        return Err(bad());
    };
    let mut entries = m.iter();
    let (Some((tag, v)), None) = (entries.next(), entries.next()) else {
        return Err(bad());
    };
    let string = || v.as_str().map(str::to_string).ok_or_else(bad);
    let strings = || -> Result<Vec<String>, ConvertError> {
        v.as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(bad))
            .collect()
    };
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(string()?),
        "N" => AttributeValue::N(string()?),
        "B" => AttributeValue::B(Blob::new(unb64(&string()?)?)),
        "BOOL" => AttributeValue::Bool(v.as_bool().ok_or_else(bad)?),
        "NULL" => AttributeValue::Null(true),
        "M" => AttributeValue::M(item_from_json(v)?),
        "L" => AttributeValue::L(
            v.as_array()
                .ok_or_else(bad)?
                .iter()
                .map(from_json)
                .collect::<Result<_, _>>()?,
        ),
        "SS" => AttributeValue::Ss(strings()?),
        "NS" => AttributeValue::Ns(strings()?),
        "BS" => AttributeValue::Bs(
            strings()?
                .iter()
                .map(|s| unb64(s).map(Blob::new))
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(bad()),
    })
}

/// A DynamoDB JSON object (`{"attr": {"S": "x"}}`) as an SDK item.
pub fn item_from_json(json: &serde_json::Value) -> Result<SdkItem, ConvertError> {
    let serde_json::Value::Object(m) = json else {
        return Err(ConvertError(format!("not a DynamoDB JSON item: {json}")));
    };
    m.iter()
        .map(|(k, v)| Ok((k.clone(), from_json(v)?)))
        .collect()
}

/// Whether two values hold the same data as DynamoDB sees it: sets compare as sets, maps
/// whatever their order, numbers by value (`1.50` is `1.5`).
pub fn same_value(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as A;
    let same_sets = |x: &[String], y: &[String], norm: fn(&str) -> String| {
        let mut x: Vec<String> = x.iter().map(|s| norm(s)).collect();
        let mut y: Vec<String> = y.iter().map(|s| norm(s)).collect();
        x.sort();
        y.sort();
        x == y
    };
    match (a, b) {
        (A::N(x), A::N(y)) => canonical_number(x) == canonical_number(y),
        (A::M(x), A::M(y)) => same_item(x, y),
        (A::L(x), A::L(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q)),
        (A::Ss(x), A::Ss(y)) => same_sets(x, y, str::to_string),
        (A::Ns(x), A::Ns(y)) => same_sets(x, y, canonical_number),
        (A::Bs(x), A::Bs(y)) => {
            let mut x: Vec<&[u8]> = x.iter().map(Blob::as_ref).collect();
            let mut y: Vec<&[u8]> = y.iter().map(Blob::as_ref).collect();
            x.sort();
            y.sort();
            x == y
        }
        (A::Null(_), A::Null(_)) => true,
        _ => a == b,
    }
}

/// Whether two items hold the same attributes with the same data.
pub fn same_item(a: &SdkItem, b: &SdkItem) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| same_value(v, w)))
}

/// Orders key values the way a person expects: numbers by value, strings and binary by their
/// bytes (as DynamoDB orders sort keys).
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::N(x), Value::N(y)) => match (x.trim().parse::<f64>(), y.trim().parse::<f64>()) {
            (Ok(p), Ok(q)) => p
                .partial_cmp(&q)
                .unwrap_or(Ordering::Equal)
                .then_with(|| x.cmp(y)),
            _ => x.cmp(y),
        },
        (Value::B(x), Value::B(y)) => match (unb64(x), unb64(y)) {
            (Ok(p), Ok(q)) => p.cmp(&q),
            _ => x.cmp(y),
        },
        (Value::S(x), Value::S(y)) => x.cmp(y),
        _ => a.type_name().cmp(b.type_name()).then_with(|| {
            a.to_typed_json()
                .to_string()
                .cmp(&b.to_typed_json().to_string())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> SdkItem {
        let mut m = HashMap::new();
        m.insert("s".to_string(), AttributeValue::S("x\"y".into()));
        m.insert("n".to_string(), AttributeValue::N("012.50".into()));
        m.insert(
            "b".to_string(),
            AttributeValue::B(Blob::new(vec![0u8, 255, 7])),
        );
        m.insert("t".to_string(), AttributeValue::Bool(true));
        m.insert("z".to_string(), AttributeValue::Null(true));
        m.insert(
            "ss".to_string(),
            AttributeValue::Ss(vec!["b".into(), "a".into()]),
        );
        m.insert(
            "ns".to_string(),
            AttributeValue::Ns(vec!["1".into(), "2.0".into()]),
        );
        m.insert(
            "bs".to_string(),
            AttributeValue::Bs(vec![Blob::new(vec![1u8]), Blob::new(vec![])]),
        );
        m.insert(
            "l".to_string(),
            AttributeValue::L(vec![
                AttributeValue::S(String::new()),
                AttributeValue::M(HashMap::new()),
            ]),
        );
        let mut inner = HashMap::new();
        inner.insert("name".to_string(), AttributeValue::S("in".into()));
        m.insert("m".to_string(), AttributeValue::M(inner));
        m
    }

    #[test]
    fn sdk_item_round_trips_through_value_and_json() {
        let item = sample();
        let back = item_to_sdk(&item_from_sdk(&item)).unwrap();
        assert_eq!(back, item);
        let json = item_to_json(&item);
        assert_eq!(json["n"], serde_json::json!({"N": "012.50"}));
        assert_eq!(json["b"], serde_json::json!({"B": "AP8H"}));
        assert_eq!(json["z"], serde_json::json!({"NULL": true}));
        assert_eq!(item_from_json(&json).unwrap(), item);
        let converted = item_from_sdk(&item);
        let names: Vec<&str> = converted.attrs.iter().map(|a| a.name.as_ref()).collect();
        assert_eq!(names, ["b", "bs", "l", "m", "n", "ns", "s", "ss", "t", "z"]);
    }

    #[test]
    fn malformed_json_and_values_are_errors() {
        assert!(from_json(&serde_json::json!({"S": 5})).is_err());
        assert!(from_json(&serde_json::json!({"S": "a", "N": "1"})).is_err());
        assert!(from_json(&serde_json::json!({"B": "!!"})).is_err());
        assert!(from_value(&Value::SS(vec![])).is_err());
        assert!(from_value(&Value::Invalid("x".into())).is_err());
        assert!(from_value(&Value::SS(vec![Node::new(Value::N("1".into()))])).is_err());
    }

    #[test]
    fn numbers_compare_by_value_and_sets_without_order() {
        assert_eq!(canonical_number("0012.50"), "125E-1");
        assert_eq!(canonical_number("1.25e1"), "125E-1");
        assert_eq!(canonical_number("-0.0"), "0");
        assert_eq!(canonical_number("100"), "1E2");
        assert_eq!(canonical_number("abc"), "abc");
        assert!(same_value(
            &AttributeValue::N("1.50".into()),
            &AttributeValue::N("1.5".into())
        ));
        assert!(!same_value(
            &AttributeValue::N("15".into()),
            &AttributeValue::N("1.5".into())
        ));
        assert!(same_value(
            &AttributeValue::Ss(vec!["a".into(), "b".into()]),
            &AttributeValue::Ss(vec!["b".into(), "a".into()])
        ));
        assert!(!same_value(
            &AttributeValue::L(vec![
                AttributeValue::S("a".into()),
                AttributeValue::S("b".into())
            ]),
            &AttributeValue::L(vec![
                AttributeValue::S("b".into()),
                AttributeValue::S("a".into())
            ])
        ));
        let a = sample();
        let mut b = sample();
        assert!(same_item(&a, &b));
        b.insert("extra".into(), AttributeValue::Bool(false));
        assert!(!same_item(&a, &b));
    }

    #[test]
    fn key_values_order_numbers_by_value() {
        let n = |s: &str| Value::N(s.into());
        assert_eq!(compare_values(&n("9"), &n("10")), Ordering::Less);
        assert_eq!(
            compare_values(&Value::S("b".into()), &Value::S("a".into())),
            Ordering::Greater
        );
    }

    fn any_value() -> impl Strategy<Value = AttributeValue> {
        let leaf = prop_oneof![
            any::<String>().prop_map(AttributeValue::S),
            "-?[0-9]{1,20}(\\.[0-9]{1,10})?".prop_map(AttributeValue::N),
            proptest::collection::vec(any::<u8>(), 0..16)
                .prop_map(|b| AttributeValue::B(Blob::new(b))),
            any::<bool>().prop_map(AttributeValue::Bool),
            Just(AttributeValue::Null(true)),
            proptest::collection::vec(any::<String>(), 1..4).prop_map(AttributeValue::Ss),
            proptest::collection::vec("[0-9]{1,5}", 1..4).prop_map(AttributeValue::Ns),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
                proptest::collection::hash_map(any::<String>(), inner, 0..4)
                    .prop_map(AttributeValue::M),
            ]
        })
    }

    proptest! {
        #[test]
        fn every_value_round_trips(v in any_value()) {
            prop_assert_eq!(&from_value(&to_value(&v)).unwrap(), &v);
            prop_assert_eq!(&from_json(&to_json(&v)).unwrap(), &v);
            prop_assert!(same_value(&v, &v));
        }
    }
}
