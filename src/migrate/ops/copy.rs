use crate::model::Item;

/// `copy`: the value of `from` into `to`, only where `to` is absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub from: String,
    pub to: String,
}

impl Copy {
    pub fn apply(&self, item: &Item) -> Option<Item> {
        let value = item.value(&self.from)?;
        if item.get(&self.to).is_some() {
            return None;
        }
        let value = super::without_spans(value.clone());
        Some(item.clone().with(&self.to, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Value};

    #[test]
    fn copies_into_an_absent_attribute_only() {
        let op = Copy {
            from: "name".into(),
            to: "display_name".into(),
        };
        let item = Item::new(Format::Plain).with("name", Value::S("Billing".into()));
        let after = op.apply(&item).unwrap();
        assert_eq!(after.str_value("display_name"), Some("Billing"));
        assert_eq!(after.str_value("name"), Some("Billing"));
        assert!(op.apply(&after).is_none());
    }
}
