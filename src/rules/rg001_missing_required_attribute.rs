use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::schema::ALWAYS_REQUIRED;

/// A required attribute is absent.
pub static RULE: Rule = Rule {
    code: "RG001",
    name: "missing-required-attribute",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a required attribute absent",
    doc: rule_doc!("RG001"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let required = ctx
        .agent_type
        .map_or(&ALWAYS_REQUIRED[..], |t| t.required());
    for name in required {
        if ctx.item.get(name).is_none() {
            let kind = ctx
                .agent_type
                .map_or(String::new(), |t| format!(" on a {} entry", t.as_str()));
            out.push(
                Violation::new(&RULE, format!("{name} is required{kind} but missing"))
                    .about(name, ctx.item),
            );
        }
    }
}
