use std::collections::BTreeMap;

use crate::model::{Item, Value};

/// `map_values`: a string attribute whose value is a key of `map` gets the mapped value.
#[derive(Debug, Clone, PartialEq)]
pub struct MapValues {
    pub attribute: String,
    pub map: BTreeMap<String, String>,
}

impl MapValues {
    pub fn apply(&self, item: &Item) -> Option<Item> {
        let old = item.str_value(&self.attribute)?;
        let new = self.map.get(old)?;
        Some(item.clone().with(&self.attribute, Value::S(new.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;

    #[test]
    fn maps_listed_values_and_leaves_others() {
        let op = MapValues {
            attribute: "agent_type".into(),
            map: [("bedrock-agent".to_string(), "bedrock_agent".to_string())].into(),
        };
        let old = Item::new(Format::Plain).with("agent_type", Value::S("bedrock-agent".into()));
        let after = op.apply(&old).unwrap();
        assert_eq!(after.str_value("agent_type"), Some("bedrock_agent"));
        assert!(op.apply(&after).is_none());
    }
}
