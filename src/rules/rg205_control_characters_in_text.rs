use super::common::{
    allows_breaks, is_blank, is_flagged_control, is_printable_ascii, remove_controls, show_char,
    TEXT_LIKE_ATTRIBUTES,
};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{Node, Value};
use crate::schema::LIST_ATTRIBUTES;

/// Control, bidi or zero-width characters in text and list elements.
pub static RULE: Rule = Rule {
    code: "RG205",
    name: "control-characters-in-text",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    summary: "control, bidi or zero-width characters in text",
    doc: rule_doc!("RG205"),
    check: Check::Item(check),
};

/// The flagged characters of a value, in order and without repeats. White space at the ends is
/// RG203's and a blank value RG007's or RG201's, so only what lies inside counts.
fn flagged(s: &str, keep_breaks: bool) -> Vec<char> {
    // Printable ASCII holds no control, bidi or zero-width character.
    if is_printable_ascii(s) || is_blank(s) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for c in s
        .trim()
        .chars()
        .filter(|c| is_flagged_control(*c, keep_breaks))
    {
        if !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

fn shown(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| show_char(*c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for attr in &ctx.item.attrs {
        let name = attr.name.as_ref();
        match &attr.node.value {
            Value::S(s) if TEXT_LIKE_ATTRIBUTES.contains(&name) => {
                let keep = allows_breaks(name);
                let found = flagged(s, keep);
                if found.is_empty() {
                    continue;
                }
                out.push(
                    Violation::new(&RULE, format!("{name} {s:?} contains {}", shown(&found)))
                        .on(attr)
                        .with_fix(Some(Fix::safe(
                            format!("Remove {}", shown(&found)),
                            vec![Edit::set(name, Value::S(remove_controls(s, keep)))],
                        ))),
                );
            }
            Value::L(items) if LIST_ATTRIBUTES.contains(&name) => {
                let bad: Vec<(&Node, Vec<char>)> = items
                    .iter()
                    .filter_map(|n| {
                        let found = flagged(n.value.as_str()?, false);
                        (!found.is_empty()).then_some((n, found))
                    })
                    .collect();
                let Some((first, first_found)) = bad.first() else {
                    continue;
                };
                let message = match bad.len() {
                    1 => format!(
                        "{name} element {:?} contains {}",
                        first.value.as_str().unwrap_or_default(),
                        shown(first_found)
                    ),
                    n => format!("{name} has {n} elements with control or invisible characters"),
                };
                let cleaned = items
                    .iter()
                    .map(|n| match &n.value {
                        Value::S(s) if !flagged(s, false).is_empty() => {
                            Node::new(Value::S(remove_controls(s, false)))
                        }
                        other => Node::new(other.clone()),
                    })
                    .collect();
                out.push(
                    Violation::new(&RULE, message)
                        .on(attr)
                        .at(first)
                        .with_fix(Some(Fix::safe(
                            "Remove the control and invisible characters",
                            vec![Edit::set(name, Value::L(cleaned))],
                        ))),
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run};
    use super::*;
    use crate::schema::{DESCRIPTION, NAME};

    #[test]
    fn invisible_and_control_characters_are_removed() {
        let item = bedrock().with(NAME, Value::S("billing\u{200B}-agent\u{202E}".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["name \"billing\\u{200b}-agent\\u{202e}\" contains U+200B, U+202E"]
        );
        assert_eq!(v[0].fix.as_ref().unwrap().title, "Remove U+200B, U+202E");
        assert!(fixed(&item, &v).same_data(&bedrock()));
    }

    #[test]
    fn line_breaks_become_spaces_except_in_descriptions() {
        let item = bedrock().with(NAME, Value::S("billing\r\nagent".into()));
        let v = run(check, &item);
        assert_eq!(
            fixed(&item, &v).value(NAME),
            Some(&Value::S("billing agent".into()))
        );
        let multi_line = "Answers billing questions.\nAlso refunds.";
        assert!(run(
            check,
            &bedrock().with(DESCRIPTION, Value::S(multi_line.into()))
        )
        .is_empty());
        let item = bedrock().with(DESCRIPTION, Value::S("Answers\u{7}billing".into()));
        assert_eq!(
            messages(&run(check, &item)),
            ["description \"Answers\\u{7}billing\" contains U+0007"]
        );
    }

    #[test]
    fn list_elements_are_cleaned() {
        let item = bedrock().with(
            "capabilities",
            Value::list_of_strings(["bill\u{200D}ing", "refunds"]),
        );
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["capabilities element \"bill\\u{200d}ing\" contains U+200D"]
        );
        assert!(fixed(&item, &v).same_data(&bedrock()));
    }

    #[test]
    fn clean_blank_and_edge_white_space_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        // Trailing line break: RG203 trims it. Only invisible characters: RG007.
        assert!(run(
            check,
            &bedrock().with(NAME, Value::S("billing-agent\n".into()))
        )
        .is_empty());
        assert!(run(check, &bedrock().with(NAME, Value::S("\u{200B}".into()))).is_empty());
    }
}
