//! The migration ops. Each is a precondition plus a transform over one item: `apply` returns
//! the new image when the item is still in the old shape and the op changes it, else `None`.
//! Pure: no I/O.

pub mod convert;
mod copy;
mod map_values;
pub mod move_key;
mod remove;
mod rename;
mod set;

pub use convert::Convert;
pub use copy::Copy;
pub use map_values::MapValues;
pub use move_key::Move;
pub use remove::Remove;
pub use rename::Rename;
pub use set::Set;

use crate::model::{Item, Value};

/// One op of a migration file, with its optional `where`.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub kind: OpKind,
    /// Equality on plain attribute values; every pair must hold.
    pub filter: Vec<(String, serde_json::Value)>,
}

/// What an op does.
#[derive(Debug, Clone, PartialEq)]
pub enum OpKind {
    Convert(Convert),
    Set(Set),
    Rename(Rename),
    MapValues(MapValues),
    Remove(Remove),
    Copy(Copy),
    Move(Move),
}

impl Op {
    /// The op's kind as written in the file.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            OpKind::Convert(_) => "convert",
            OpKind::Set(_) => "set",
            OpKind::Rename(_) => "rename",
            OpKind::MapValues(_) => "map_values",
            OpKind::Remove(_) => "remove",
            OpKind::Copy(_) => "copy",
            OpKind::Move(_) => "move",
        }
    }

    /// The attribute the op is about, for reports (`to` for rename and copy).
    pub fn attribute(&self) -> String {
        match &self.kind {
            OpKind::Convert(o) => o.attribute.clone(),
            OpKind::Set(o) => o.attribute.clone(),
            OpKind::Rename(o) => o.to.clone(),
            OpKind::MapValues(o) => o.attribute.clone(),
            OpKind::Remove(o) => o.attribute.clone(),
            OpKind::Copy(o) => o.to.clone(),
            OpKind::Move(o) => o
                .key
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// The new image, when `where` holds, the precondition holds and something changes.
    pub fn apply(&self, item: &Item) -> Option<Item> {
        if !self.selects(item) {
            return None;
        }
        let after = match &self.kind {
            OpKind::Convert(o) => o.apply(item),
            OpKind::Set(o) => o.apply(item),
            OpKind::Rename(o) => o.apply(item),
            OpKind::MapValues(o) => o.apply(item),
            OpKind::Remove(o) => o.apply(item),
            OpKind::Copy(o) => o.apply(item),
            OpKind::Move(o) => o.apply(item),
        }?;
        (!after.same_data(item)).then_some(after)
    }

    fn selects(&self, item: &Item) -> bool {
        self.filter
            .iter()
            .all(|(name, want)| item.value(name).is_some_and(|v| &v.to_plain_json() == want))
    }
}

/// Runs the ops in order; the image after the last one, when any of them changed the item.
pub fn apply_all(ops: &[Op], item: &Item) -> Option<Item> {
    let mut current: Option<Item> = None;
    for op in ops {
        let base = current.as_ref().unwrap_or(item);
        if let Some(next) = op.apply(base) {
            current = Some(next);
        }
    }
    current
}

/// A value with every span removed (values built outside the item's own text).
pub fn without_spans(value: Value) -> Value {
    use crate::model::{Attr, Node};
    let strip = |nodes: Vec<Node>| -> Vec<Node> {
        nodes
            .into_iter()
            .map(|n| Node::new(without_spans(n.value)))
            .collect()
    };
    match value {
        Value::M(attrs) => Value::M(
            attrs
                .into_iter()
                .map(|a| Attr {
                    name: a.name,
                    name_span: None,
                    node: Node::new(without_spans(a.node.value)),
                })
                .collect(),
        ),
        Value::L(v) => Value::L(strip(v)),
        Value::SS(v) => Value::SS(strip(v)),
        Value::NS(v) => Value::NS(strip(v)),
        Value::BS(v) => Value::BS(strip(v)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;

    fn item() -> Item {
        Item::new(Format::Plain)
            .with("agent_id", Value::S("A".into()))
            .with("agent_type", Value::S("bedrock_agent".into()))
    }

    #[test]
    fn where_selects_on_plain_values() {
        let op = Op {
            kind: OpKind::Remove(Remove {
                attribute: "agent_type".into(),
            }),
            filter: vec![("agent_type".into(), serde_json::json!("agentcore"))],
        };
        assert!(op.apply(&item()).is_none());
        let op = Op {
            filter: vec![("agent_type".into(), serde_json::json!("bedrock_agent"))],
            ..op
        };
        assert!(op
            .apply(&item())
            .is_some_and(|i| i.get("agent_type").is_none()));
    }

    #[test]
    fn ops_run_in_order_and_a_second_run_changes_nothing() {
        let ops = vec![
            Op {
                kind: OpKind::Rename(Rename {
                    from: "agent_type".into(),
                    to: "kind".into(),
                }),
                filter: vec![],
            },
            Op {
                kind: OpKind::Copy(Copy {
                    from: "kind".into(),
                    to: "kind_copy".into(),
                }),
                filter: vec![],
            },
        ];
        let after = apply_all(&ops, &item()).unwrap();
        assert_eq!(after.str_value("kind_copy"), Some("bedrock_agent"));
        assert!(apply_all(&ops, &after).is_none());
    }
}
