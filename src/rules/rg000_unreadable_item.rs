use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::model::Value;

/// Typed JSON that is not valid DynamoDB JSON (`{"S": 5}`, `{"N": "abc"}`).
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
    for attr in &ctx.item.attrs {
        if let Value::Invalid(reason) = &attr.node.value {
            out.push(
                Violation::new(
                    &RULE,
                    format!("{} is not valid DynamoDB JSON: {reason}", attr.name),
                )
                .on(attr),
            );
        }
    }
}
