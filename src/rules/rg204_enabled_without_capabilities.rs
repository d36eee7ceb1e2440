use super::common::is_blank;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::model::Value;
use crate::schema::{CAPABILITIES, ENABLED};

/// An enabled agent whose capabilities list is empty.
pub static RULE: Rule = Rule {
    code: "RG204",
    name: "enabled-without-capabilities",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "an enabled agent with no capabilities",
    doc: rule_doc!("RG204"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    if ctx.item.value(ENABLED) != Some(&Value::Bool(true)) {
        return;
    }
    // Missing, blank or mistyped capabilities are RG001's, RG007's, RG002's or RG003's.
    let Some(attr) = ctx.item.get(CAPABILITIES) else {
        return;
    };
    let Value::L(items) = &attr.node.value else {
        return;
    };
    let any = items.iter().any(|n| match &n.value {
        Value::S(s) => !is_blank(s),
        Value::Null => false,
        _ => true,
    });
    if any {
        return;
    }
    out.push(
        Violation::new(
            &RULE,
            format!(
                "enabled is true but capabilities is {}: the hub can never route a request to this agent",
                if items.is_empty() { "empty" } else { "only blank" }
            ),
        )
        .on(attr)
        .with_help("list what the agent is good for, or set enabled to false"),
    );
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, messages, run};
    use super::*;

    #[test]
    fn enabled_with_no_capabilities_is_flagged() {
        let v = run(check, &bedrock().with(CAPABILITIES, Value::L(vec![])));
        assert_eq!(
            messages(&v),
            ["enabled is true but capabilities is empty: the hub can never route a request to this agent"]
        );
        assert!(v[0].fix.is_none());
        let item = bedrock().with(CAPABILITIES, Value::list_of_strings(["", " "]));
        assert_eq!(
            messages(&run(check, &item)),
            ["enabled is true but capabilities is only blank: the hub can never route a request to this agent"]
        );
    }

    #[test]
    fn disabled_or_capable_agents_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        let item = bedrock()
            .with(CAPABILITIES, Value::L(vec![]))
            .with(ENABLED, Value::Bool(false));
        assert!(run(check, &item).is_empty());
        assert!(run(
            check,
            &bedrock().with(CAPABILITIES, Value::S(String::new()))
        )
        .is_empty());
    }
}
