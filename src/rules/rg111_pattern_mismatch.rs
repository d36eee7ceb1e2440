use regex::Regex;

use super::common::{is_blank, left_to_rg007};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::model::{Attr, Value};
use crate::schema::{DynamoType, LIST_ATTRIBUTES};

/// A declared attribute's string (or element) not matching its `pattern` (spec §3.1).
pub static RULE: Rule = Rule {
    code: "RG111",
    name: "pattern-mismatch",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a declared attribute's string (or element) not matching its pattern",
    doc: rule_doc!("RG111"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for spec in ctx.settings.schema.constrained() {
        let (Some(re), Some(attr)) = (&spec.pattern, ctx.item.get(&spec.name)) else {
            continue;
        };
        // Values of another type are RG002's; blank required ones RG007's, blank elements of
        // the built-in lists RG201's.
        match &attr.node.value {
            Value::S(s) if spec.ty.kind == DynamoType::S => {
                let judged_elsewhere = left_to_rg007(ctx, &spec.name, s);
                if !(re.is_match(s) || judged_elsewhere) {
                    out.push(mismatch(attr, s, re));
                }
            }
            Value::L(nodes) | Value::SS(nodes) if spec.ty.kind.holds(&attr.node.value) => {
                let builtin_list = LIST_ATTRIBUTES.contains(&spec.name.as_str());
                for n in nodes {
                    let Value::S(s) = &n.value else { continue };
                    if !(re.is_match(s) || builtin_list && is_blank(s)) {
                        out.push(mismatch(attr, s, re).at(n));
                    }
                }
            }
            _ => {}
        }
    }
}

fn mismatch(attr: &Attr, s: &str, re: &Regex) -> Violation {
    let shown = Value::S(s.to_string()).describe();
    let message = match attr.node.value {
        Value::S(_) => format!(
            "{} {shown} does not match its pattern {}",
            attr.name,
            re.as_str()
        ),
        _ => format!(
            "{} holds {shown}, which does not match its pattern {}",
            attr.name,
            re.as_str()
        ),
    };
    let mut v = Violation::new(&RULE, message).on(attr);
    v.value = shown;
    v
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, messages, run, run_with};
    use super::*;
    use crate::model::Node;

    fn strings(v: &[&str]) -> Vec<Node> {
        v.iter()
            .map(|s| Node::new(Value::S(s.to_string())))
            .collect()
    }

    const TOML: &str =
        "[schema.attributes.owner]\ntype = \"S\"\nrequired = true\npattern = \"^team-[a-z]+$\"\n\
        [schema.attributes.endpoints]\ntype = \"L\"\nitems = \"S\"\npattern = \"^https://\"\n\
        [schema.attributes.tags]\ntype = \"SS\"\npattern = \"^[a-z]+$\"\n\
        [schema.attributes.domains]\npattern = \"^[a-z]+$\"\n";

    #[test]
    fn strings_elements_and_members_that_do_not_match() {
        let item = bedrock()
            .with("owner", Value::S("Team A".into()))
            .with(
                "endpoints",
                Value::L(strings(&["https://a.example", "http://b.example"])),
            )
            .with("tags", Value::SS(strings(&["ok", "Not ok"])))
            .with("domains", Value::list_of_strings(["finance", "HR"]));
        let v = run_with(check, &item, TOML);
        assert_eq!(
            messages(&v),
            [
                "domains holds \"HR\", which does not match its pattern ^[a-z]+$",
                "endpoints holds \"http://b.example\", which does not match its pattern ^https://",
                "owner \"Team A\" does not match its pattern ^team-[a-z]+$",
                "tags holds \"Not ok\", which does not match its pattern ^[a-z]+$",
            ]
        );
        assert!(v.iter().all(|v| v.fix.is_none()));
        assert_eq!(v[2].value, "\"Team A\"");
    }

    #[test]
    fn matching_values_other_types_and_other_rules_cases_pass() {
        let item = bedrock()
            .with("owner", Value::S("team-billing".into()))
            .with("endpoints", Value::L(strings(&["https://a"])))
            .with("tags", Value::list_of_strings(["Not ok"]))
            .with("domains", Value::list_of_strings(["finance", " "]));
        assert!(run_with(check, &item, TOML).is_empty());
        // A blank required value is RG007's.
        assert!(run_with(check, &bedrock().with("owner", Value::S(" ".into())), TOML).is_empty());
        assert!(run(check, &bedrock().with("owner", Value::S("x".into()))).is_empty());
    }
}
