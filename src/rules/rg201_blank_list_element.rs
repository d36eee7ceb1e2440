use super::common::is_blank;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{Node, Value};
use crate::schema::LIST_ATTRIBUTES;

/// Empty or blank strings in `capabilities`, `domains` or `example_queries`.
pub static RULE: Rule = Rule {
    code: "RG201",
    name: "blank-list-element",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    summary: "empty or blank strings in a list",
    doc: rule_doc!("RG201"),
    check: Check::Item(check),
};

fn is_blank_element(n: &Node) -> bool {
    matches!(&n.value, Value::S(s) if is_blank(s))
}

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for name in LIST_ATTRIBUTES {
        let Some(attr) = ctx.item.get(name) else {
            continue;
        };
        let Value::L(items) = &attr.node.value else {
            continue;
        };
        let blanks: Vec<&Node> = items.iter().filter(|n| is_blank_element(n)).collect();
        let Some(first) = blanks.first() else {
            continue;
        };
        let message = match blanks.len() {
            1 => format!("{name} has a blank element {}", first.value.describe()),
            n => format!("{name} has {n} blank elements"),
        };
        let kept: Vec<Node> = items
            .iter()
            .filter(|n| !is_blank_element(n))
            .map(|n| Node::new(n.value.clone()))
            .collect();
        let title = if blanks.len() == 1 {
            "Remove the blank element"
        } else {
            "Remove the blank elements"
        };
        out.push(
            Violation::new(&RULE, message)
                .on(attr)
                .at(first)
                .with_fix(Some(Fix::safe(
                    title,
                    vec![Edit::set(name, Value::L(kept))],
                ))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run};
    use super::*;

    #[test]
    fn blank_elements_are_removed() {
        let item = bedrock().with(
            "capabilities",
            Value::list_of_strings(["billing", "", "refunds"]),
        );
        let v = run(check, &item);
        assert_eq!(messages(&v), ["capabilities has a blank element \"\""]);
        assert!(fixed(&item, &v).same_data(&bedrock()));
        let item = bedrock().with(
            "domains",
            Value::list_of_strings([" ", "finance", "\u{200B}"]),
        );
        let v = run(check, &item);
        assert_eq!(messages(&v), ["domains has 2 blank elements"]);
        assert_eq!(
            v[0].fix.as_ref().unwrap().title,
            "Remove the blank elements"
        );
        assert_eq!(
            fixed(&item, &v).value("domains"),
            Some(&Value::list_of_strings(["finance"]))
        );
    }

    #[test]
    fn lists_without_blanks_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &bedrock().with("domains", Value::L(vec![]))).is_empty());
        assert!(run(check, &bedrock().with("domains", Value::S(String::new()))).is_empty());
    }
}
