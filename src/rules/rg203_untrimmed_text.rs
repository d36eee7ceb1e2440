use super::common::{is_blank, TEXT_LIKE_ATTRIBUTES};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{Node, Value};
use crate::schema::LIST_ATTRIBUTES;

/// Leading or trailing white space in text and list elements.
pub static RULE: Rule = Rule {
    code: "RG203",
    name: "untrimmed-text",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    summary: "leading or trailing white space in text and list elements",
    doc: rule_doc!("RG203"),
    check: Check::Item(check),
};

/// Untrimmed, and not blank (blank values are RG007's, RG109's or RG201's).
fn untrimmed(s: &str) -> bool {
    !is_blank(s) && s.trim() != s
}

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for attr in &ctx.item.attrs {
        let name = attr.name.as_ref();
        match &attr.node.value {
            Value::S(s) if TEXT_LIKE_ATTRIBUTES.contains(&name) && untrimmed(s) => {
                out.push(
                    Violation::new(&RULE, format!("{name} {s:?} has {}", where_(s)))
                        .on(attr)
                        .with_fix(Some(Fix::safe(
                            "Trim the white space",
                            vec![Edit::set(name, Value::S(s.trim().to_string()))],
                        ))),
                );
            }
            Value::L(items) if LIST_ATTRIBUTES.contains(&name) => {
                let bad: Vec<&Node> = items
                    .iter()
                    .filter(|n| n.value.as_str().is_some_and(untrimmed))
                    .collect();
                let Some(first) = bad.first() else { continue };
                let message = match bad.len() {
                    1 => {
                        let s = first.value.as_str().unwrap_or_default();
                        format!("{name} element {s:?} has {}", where_(s))
                    }
                    n => format!("{name} has {n} elements with surrounding white space"),
                };
                let trimmed = items
                    .iter()
                    .map(|n| match &n.value {
                        Value::S(s) if untrimmed(s) => Node::new(Value::S(s.trim().to_string())),
                        other => Node::new(other.clone()),
                    })
                    .collect();
                out.push(
                    Violation::new(&RULE, message)
                        .on(attr)
                        .at(first)
                        .with_fix(Some(Fix::safe(
                            "Trim the white space around the elements",
                            vec![Edit::set(name, Value::L(trimmed))],
                        ))),
                );
            }
            _ => {}
        }
    }
}

fn where_(s: &str) -> &'static str {
    match (s.trim_start() != s, s.trim_end() != s) {
        (true, true) => "leading and trailing white space",
        (true, false) => "leading white space",
        _ => "trailing white space",
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run};
    use super::*;
    use crate::schema::{AGENT_ID, NAME, REGION};

    #[test]
    fn text_and_region_are_trimmed() {
        let item = bedrock()
            .with(NAME, Value::S(" billing-agent\u{A0}".into()))
            .with(REGION, Value::S("us-east-1\n".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            [
                "name \" billing-agent\\u{a0}\" has leading and trailing white space",
                "region \"us-east-1\\n\" has trailing white space",
            ]
        );
        assert_eq!(v[0].fix.as_ref().unwrap().title, "Trim the white space");
        let mut item = fixed(&item, &v);
        crate::fix::apply_fix(&mut item, v[1].fix.as_ref().unwrap());
        assert!(item.same_data(&bedrock()));
    }

    #[test]
    fn list_elements_are_trimmed() {
        let item = bedrock().with(
            "capabilities",
            Value::list_of_strings([" billing", "refunds", ""]),
        );
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["capabilities element \" billing\" has leading white space"]
        );
        assert_eq!(
            fixed(&item, &v).value("capabilities"),
            Some(&Value::list_of_strings(["billing", "refunds", ""]))
        );
        let item = bedrock().with("domains", Value::list_of_strings(["a ", " b"]));
        assert_eq!(
            messages(&run(check, &item)),
            ["domains has 2 elements with surrounding white space"]
        );
    }

    #[test]
    fn trimmed_blank_and_identifier_values_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &bedrock().with(NAME, Value::S("  ".into()))).is_empty());
        // Identifiers are RG101's.
        assert!(run(
            check,
            &bedrock().with(AGENT_ID, Value::S(" PEGHWIVI5Y".into()))
        )
        .is_empty());
    }
}
