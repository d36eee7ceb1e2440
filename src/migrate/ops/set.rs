use crate::model::{Item, Value};

/// `set`: a typed value; with `if_absent` (the default) only where the attribute is missing,
/// else wherever it differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Set {
    pub attribute: String,
    pub value: Value,
    pub if_absent: bool,
}

impl Set {
    pub fn apply(&self, item: &Item) -> Option<Item> {
        match item.value(&self.attribute) {
            Some(_) if self.if_absent => None,
            Some(v) if v.same_data(&self.value) => None,
            _ => Some(item.clone().with(&self.attribute, self.value.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;

    #[test]
    fn sets_where_absent_or_everywhere() {
        let mut op = Set {
            attribute: "protocol".into(),
            value: Value::S("bedrock".into()),
            if_absent: true,
        };
        let has = Item::new(Format::Plain).with("protocol", Value::S("mcp".into()));
        assert!(op.apply(&has).is_none());
        let after = op.apply(&Item::new(Format::Plain)).unwrap();
        assert_eq!(after.str_value("protocol"), Some("bedrock"));
        op.if_absent = false;
        assert_eq!(
            op.apply(&has).unwrap().str_value("protocol"),
            Some("bedrock")
        );
        assert!(op.apply(&after).is_none());
    }
}
