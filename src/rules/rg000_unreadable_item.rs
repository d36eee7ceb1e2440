use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::model::Value;

/// Typed JSON that is not valid DynamoDB JSON (`{"S": 5}`, `{"N": "abc"}`), and attributes
/// written twice in one item.
pub static RULE: Rule = Rule {
    code: "RG000",
    name: "unreadable-item",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "typed JSON that is not valid DynamoDB JSON",
    doc: rule_doc!("RG000"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for (i, attr) in ctx.item.attrs.iter().enumerate() {
        if let Some(reason) = first_invalid(&attr.node.value) {
            out.push(
                Violation::new(
                    &RULE,
                    format!("{} is not valid DynamoDB JSON: {reason}", attr.name),
                )
                .on(attr),
            );
        }
        if ctx.item.attrs[..i].iter().any(|a| a.name == attr.name) {
            out.push(
                Violation::new(
                    &RULE,
                    format!(
                        "{} is written more than once in the item; readers disagree about which value counts",
                        attr.name
                    ),
                )
                .on_name(attr),
            );
        }
    }
}

/// Why the first unreadable value inside `v` (itself included) could not be read.
fn first_invalid(v: &Value) -> Option<&str> {
    match v {
        Value::Invalid(reason) => Some(reason),
        Value::M(attrs) => attrs.iter().find_map(|a| first_invalid(&a.node.value)),
        Value::L(nodes) | Value::SS(nodes) | Value::NS(nodes) | Value::BS(nodes) => {
            nodes.iter().find_map(|n| first_invalid(&n.value))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, messages, run};
    use super::*;
    use crate::model::{Attr, Node};

    #[test]
    fn invalid_values_are_flagged_also_inside_lists() {
        let item = bedrock()
            .with(
                "name",
                Value::Invalid("expected a string for S, found 5".into()),
            )
            .with(
                "capabilities",
                Value::L(vec![Node::new(Value::Invalid(
                    "unknown type descriptor \"X\"".into(),
                ))]),
            );
        assert_eq!(
            messages(&run(check, &item)),
            [
                "name is not valid DynamoDB JSON: expected a string for S, found 5",
                "capabilities is not valid DynamoDB JSON: unknown type descriptor \"X\"",
            ]
        );
    }

    #[test]
    fn repeated_attribute_names_are_flagged() {
        let mut item = bedrock();
        item.attrs.push(Attr {
            name: "name".into(),
            name_span: None,
            node: Node::new(Value::N("5".into())),
        });
        assert_eq!(
            messages(&run(check, &item)),
            ["name is written more than once in the item; readers disagree about which value counts"]
        );
    }

    #[test]
    fn readable_items_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
    }
}
