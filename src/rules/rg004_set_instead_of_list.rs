use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{Node, Value};
use crate::schema::LIST_ATTRIBUTES;

/// A string set (SS) where a list belongs.
pub static RULE: Rule = Rule {
    code: "RG004",
    name: "set-instead-of-list",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    summary: "a string set (SS) where a list belongs",
    doc: rule_doc!("RG004"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for name in LIST_ATTRIBUTES {
        let Some(attr) = ctx.item.get(name) else {
            continue;
        };
        let Value::SS(members) = &attr.node.value else {
            continue;
        };
        let mut sorted: Vec<Node> = members.iter().map(|n| Node::new(n.value.clone())).collect();
        sorted.sort_by_key(|n| {
            n.value
                .as_str()
                .map_or_else(|| n.value.describe(), str::to_string)
        });
        let fixed = Value::L(sorted);
        let title = format!("Store {name} as the list {}", fixed.describe());
        out.push(
            Violation::new(
                &RULE,
                format!(
                    "{name} is a string set ({}), not a list: sets have no order and are not JSON-serialisable in Python",
                    attr.node.value.describe()
                ),
            )
            .on(attr)
            .with_fix(Some(Fix::safe(title, vec![Edit::set(name, fixed)]))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run};
    use super::*;

    fn set(members: &[&str]) -> Value {
        Value::SS(
            members
                .iter()
                .map(|s| Node::new(Value::S(s.to_string())))
                .collect(),
        )
    }

    #[test]
    fn string_set_becomes_sorted_list() {
        let item = bedrock().with("capabilities", set(&["refunds", "billing"]));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["capabilities is a string set ([\"refunds\",\"billing\"]), not a list: sets have no order and are not JSON-serialisable in Python"]
        );
        assert_eq!(
            v[0].fix.as_ref().unwrap().title,
            "Store capabilities as the list [\"billing\",\"refunds\"]"
        );
        assert_eq!(
            fixed(&item, &v).value("capabilities"),
            Some(&Value::list_of_strings(["billing", "refunds"]))
        );
    }

    #[test]
    fn lists_and_other_types_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &bedrock().with("domains", Value::S("x".into()))).is_empty());
        // Sets of other attributes are not lists that went wrong.
        assert!(run(check, &bedrock().with("owner", set(&["a"]))).is_empty());
    }
}
