use crate::model::Item;

/// `rename`: only where `from` is present and `to` absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

impl Rename {
    pub fn apply(&self, item: &Item) -> Option<Item> {
        if item.get(&self.from).is_none() || item.get(&self.to).is_some() {
            return None;
        }
        let mut after = item.clone();
        after.rename(&self.from, &self.to);
        Some(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Value};

    #[test]
    fn renames_when_the_target_is_free() {
        let op = Rename {
            from: "capabilites".into(),
            to: "capabilities".into(),
        };
        let old = Item::new(Format::Plain).with("capabilites", Value::S("x".into()));
        let after = op.apply(&old).unwrap();
        assert_eq!(after.str_value("capabilities"), Some("x"));
        assert!(after.get("capabilites").is_none());
        assert!(op.apply(&after).is_none());
        let both = old.with("capabilities", Value::S("y".into()));
        assert!(op.apply(&both).is_none());
    }
}
