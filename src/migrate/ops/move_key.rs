use crate::model::{Item, Value};

/// `move`: new key values from templates over the item's own attributes
/// (`{account_id}#{agent_id}`). On a table the item is put under the new key and the old one
/// deleted; in a file the key values are rewritten in place.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// Key attribute → template, in file order.
    pub key: Vec<(String, String)>,
}

/// A template's pieces: literal text and attribute names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Attr(String),
}

/// Splits `{name}` placeholders out of a template; `None` when a brace is unbalanced.
pub fn parse_template(template: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return None;
        }
        let close = rest[open..].find('}')? + open;
        let name = &rest[open + 1..close];
        if name.is_empty() || name.contains('{') {
            return None;
        }
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_string()));
        }
        pieces.push(Piece::Attr(name.to_string()));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Some(pieces)
}

/// The attribute names a template reads.
pub fn template_attributes(template: &str) -> Vec<String> {
    parse_template(template)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| match p {
            Piece::Attr(a) => Some(a),
            Piece::Text(_) => None,
        })
        .collect()
}

/// A scalar as template text.
fn text_of(v: &Value) -> Option<&str> {
    match v {
        Value::S(s) | Value::N(s) => Some(s),
        _ => None,
    }
}

impl Move {
    pub fn apply(&self, item: &Item) -> Option<Item> {
        let mut after = item.clone();
        let mut changed = false;
        for (attr, template) in &self.key {
            let current = item.value(attr).and_then(text_of)?;
            let pieces = parse_template(template)?;
            if already_moved(item, attr, current, &pieces)? {
                continue;
            }
            let new = render(item, &pieces)?;
            after.set(attr, Value::S(new));
            changed = true;
        }
        changed.then_some(after)
    }
}

fn render(item: &Item, pieces: &[Piece]) -> Option<String> {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Attr(a) => out.push_str(item.value(a).and_then(text_of)?),
        }
    }
    Some(out)
}

/// Whether `current` already has the template's shape: the other attributes' values in place
/// and anything where the key attribute itself is named. This is the precondition that keeps a
/// second run (`{account_id}#{agent_id}` over `123#A`) from moving the item again.
fn already_moved(item: &Item, attr: &str, current: &str, pieces: &[Piece]) -> Option<bool> {
    let mut pattern = String::from("^");
    for p in pieces {
        match p {
            Piece::Text(t) => pattern.push_str(&regex::escape(t)),
            Piece::Attr(a) if a == attr => pattern.push_str(".+"),
            Piece::Attr(a) => pattern.push_str(&regex::escape(item.value(a).and_then(text_of)?)),
        }
    }
    pattern.push('$');
    let re = regex::Regex::new(&pattern).ok()?;
    Some(re.is_match(current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;

    #[test]
    fn moves_once_under_a_composite_key() {
        let op = Move {
            key: vec![("agent_id".into(), "{account_id}#{agent_id}".into())],
        };
        let item = Item::new(Format::Plain)
            .with("agent_id", Value::S("ABCDEFGHIJ".into()))
            .with("account_id", Value::S("123456789012".into()));
        let after = op.apply(&item).unwrap();
        assert_eq!(after.str_value("agent_id"), Some("123456789012#ABCDEFGHIJ"));
        assert!(op.apply(&after).is_none());
        let missing = Item::new(Format::Plain).with("agent_id", Value::S("A".into()));
        assert!(op.apply(&missing).is_none());
    }

    #[test]
    fn templates_parse_or_are_refused() {
        assert_eq!(
            parse_template("{a}#x"),
            Some(vec![Piece::Attr("a".into()), Piece::Text("#x".into())])
        );
        assert_eq!(parse_template("{a"), None);
        assert_eq!(parse_template("a}"), None);
        assert_eq!(template_attributes("{a}#{b}"), vec!["a", "b"]);
    }
}
