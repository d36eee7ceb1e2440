use crate::model::Item;

/// `remove`: drops an attribute where it is present. The journal keeps the old value for undo.
#[derive(Debug, Clone, PartialEq)]
pub struct Remove {
    pub attribute: String,
}

impl Remove {
    pub fn apply(&self, item: &Item) -> Option<Item> {
        item.get(&self.attribute)?;
        let mut after = item.clone();
        after.remove(&self.attribute);
        Some(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Value};

    #[test]
    fn removes_only_what_is_there() {
        let op = Remove {
            attribute: "legacy_route".into(),
        };
        let item = Item::new(Format::Plain).with("legacy_route", Value::S("x".into()));
        assert!(op.apply(&item).unwrap().get("legacy_route").is_none());
        assert!(op.apply(&Item::new(Format::Plain)).is_none());
    }
}
