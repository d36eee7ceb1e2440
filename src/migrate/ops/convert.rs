use crate::model::{Item, Node, Value};

/// `convert`: an attribute of type `from` becomes type `to`. A value that cannot be converted
/// (a string that is not a number, for `N`) is left as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Convert {
    pub attribute: String,
    pub from: String,
    pub to: String,
    /// S → L/SS: split on this separator (elements trimmed, blanks dropped); without it a
    /// JSON-array string is parsed and any other string becomes one element. L/SS → S: join.
    pub split: Option<String>,
}

/// The (from, to) pairs `convert` knows.
pub const CONVERSIONS: [(&str, &str); 10] = [
    ("S", "L"),
    ("S", "SS"),
    ("S", "N"),
    ("S", "BOOL"),
    ("N", "S"),
    ("BOOL", "S"),
    ("L", "SS"),
    ("SS", "L"),
    ("L", "S"),
    ("SS", "S"),
];

/// Whether `convert` can turn `from` into `to`.
pub fn supports(from: &str, to: &str) -> bool {
    CONVERSIONS.contains(&(from, to))
}

impl Convert {
    pub fn apply(&self, item: &Item) -> Option<Item> {
        let old = item.value(&self.attribute)?;
        if old.type_name() != self.from {
            return None;
        }
        let new = self.convert(old)?;
        Some(item.clone().with(&self.attribute, new))
    }

    fn convert(&self, old: &Value) -> Option<Value> {
        match (old, self.to.as_str()) {
            (Value::S(s), "L") => Some(Value::list_of_strings(self.elements(s))),
            (Value::S(s), "SS") => string_set(self.elements(s)),
            (Value::S(s), "N") => {
                let t = s.trim();
                crate::source::json::is_dynamo_number(t).then(|| Value::N(t.to_string()))
            }
            (Value::S(s), "BOOL") => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            (Value::N(n), "S") => Some(Value::S(n.clone())),
            (Value::Bool(b), "S") => Some(Value::S(b.to_string())),
            (Value::L(_), "SS") => {
                string_set(old.string_list()?.into_iter().map(String::from).collect())
            }
            (Value::SS(v), "L") => Some(Value::L(
                v.iter().map(|n| Node::new(n.value.clone())).collect(),
            )),
            (Value::L(_) | Value::SS(_), "S") => self.join(old),
            _ => None,
        }
    }

    fn elements(&self, s: &str) -> Vec<String> {
        match &self.split {
            Some(sep) => s
                .split(sep.as_str())
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(String::from)
                .collect(),
            None => match serde_json::from_str::<Vec<String>>(s) {
                Ok(v) => v,
                Err(_) => vec![s.to_string()],
            },
        }
    }

    fn join(&self, old: &Value) -> Option<Value> {
        let parts: Vec<&str> = match old {
            Value::SS(v) => v.iter().map(|n| n.value.as_str()).collect::<Option<_>>()?,
            other => other.string_list()?,
        };
        Some(Value::S(match &self.split {
            Some(sep) => parts.join(sep),
            None => serde_json::to_string(&parts).ok()?,
        }))
    }
}

/// A string set: DynamoDB refuses empty sets and duplicates.
fn string_set(mut elements: Vec<String>) -> Option<Value> {
    elements.sort();
    elements.dedup();
    (!elements.is_empty()).then(|| {
        Value::SS(
            elements
                .into_iter()
                .map(|s| Node::new(Value::S(s)))
                .collect(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;

    fn op(from: &str, to: &str, split: Option<&str>) -> Convert {
        Convert {
            attribute: "capabilities".into(),
            from: from.into(),
            to: to.into(),
            split: split.map(String::from),
        }
    }

    fn with(v: Value) -> Item {
        Item::new(Format::Plain).with("capabilities", v)
    }

    #[test]
    fn string_to_list_split_json_or_single() {
        let split = op("S", "L", Some(",")).apply(&with(Value::S("a, b,,c".into())));
        assert_eq!(
            split.unwrap().value("capabilities").unwrap().string_list(),
            Some(vec!["a", "b", "c"])
        );
        let json = op("S", "L", None).apply(&with(Value::S("[\"x\",\"y\"]".into())));
        assert_eq!(
            json.unwrap().value("capabilities").unwrap().string_list(),
            Some(vec!["x", "y"])
        );
        let one = op("S", "L", None).apply(&with(Value::S("billing".into())));
        assert_eq!(
            one.unwrap().value("capabilities").unwrap().string_list(),
            Some(vec!["billing"])
        );
    }

    #[test]
    fn only_items_of_the_from_type_and_convertible_values() {
        let list = with(Value::list_of_strings(["a"]));
        assert!(op("S", "L", None).apply(&list).is_none());
        assert!(op("S", "N", None)
            .apply(&with(Value::S("abc".into())))
            .is_none());
        let n = op("S", "N", None)
            .apply(&with(Value::S(" 42 ".into())))
            .unwrap();
        assert_eq!(n.value("capabilities"), Some(&Value::N("42".into())));
        let s = op("L", "S", Some(","))
            .apply(&with(Value::list_of_strings(["a", "b"])))
            .unwrap();
        assert_eq!(s.str_value("capabilities"), Some("a,b"));
        assert!(supports("S", "L") && !supports("M", "L"));
    }
}
