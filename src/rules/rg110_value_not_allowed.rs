use super::common::{is_blank, left_to_rg007};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{Attr, Node, Value};
use crate::schema::declared::Allowed;
use crate::schema::{AttributeSpec, DynamoType, LIST_ATTRIBUTES};

/// A declared attribute (spec §3.1) holding a value outside its `values`.
pub static RULE: Rule = Rule {
    code: "RG110",
    name: "value-not-allowed",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    summary: "a declared attribute holding a value outside its values",
    doc: rule_doc!("RG110"),
    check: Check::Item(check),
};

/// How many allowed values a message lists.
const SHOWN: usize = 8;

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for spec in ctx.settings.schema.constrained() {
        let (Some(allowed), Some(attr)) = (&spec.values, ctx.item.get(&spec.name)) else {
            continue;
        };
        let Some(element) = spec.ty.element() else {
            continue;
        };
        // Values of another type are RG002's; blank required ones RG007's.
        match &attr.node.value {
            Value::S(s) if spec.ty.kind == DynamoType::S && !left_to_rg007(ctx, &spec.name, s) => {
                out.extend(scalar(attr, allowed));
            }
            Value::N(_) if spec.ty.kind == DynamoType::N => out.extend(scalar(attr, allowed)),
            Value::L(nodes) | Value::SS(nodes) | Value::NS(nodes)
                if spec.ty.kind.holds(&attr.node.value) =>
            {
                elements(spec, attr, nodes, element, allowed, out);
            }
            _ => {}
        }
    }
}

fn scalar(attr: &Attr, allowed: &Allowed) -> Option<Violation> {
    let v = &attr.node.value;
    if allowed.allows(v) {
        return None;
    }
    let fix = v
        .as_str()
        .and_then(|s| only_case_apart(s, allowed))
        .map(|to| {
            Fix::safe(
                format!("Replace {} with {to:?}", v.describe()),
                vec![Edit::set(&attr.name, Value::S(to.to_string()))],
            )
        });
    Some(
        Violation::new(&RULE, not_allowed(&attr.name, v, allowed))
            .on(attr)
            .with_fix(fix),
    )
}

/// Every element of a list, or member of a set, checked one by one.
fn elements(
    spec: &AttributeSpec,
    attr: &Attr,
    nodes: &[Node],
    element: DynamoType,
    allowed: &Allowed,
    out: &mut Vec<Violation>,
) {
    // Blank elements of the built-in lists are RG201's.
    let builtin_list = LIST_ATTRIBUTES.contains(&spec.name.as_str());
    for (i, n) in nodes.iter().enumerate() {
        let blank = matches!(&n.value, Value::S(s) if is_blank(s));
        if !element.holds(&n.value) || allowed.allows(&n.value) || blank && builtin_list {
            continue;
        }
        let fix = n
            .value
            .as_str()
            .and_then(|s| only_case_apart(s, allowed))
            .map(|to| element_fix(attr, nodes, i, to));
        out.push(
            Violation::new(&RULE, not_allowed(&attr.name, &n.value, allowed))
                .on(attr)
                .at(n)
                .with_fix(fix),
        );
    }
}

/// The list or set with element `i` replaced by `to`; in a set, a member that would repeat
/// another is removed instead.
fn element_fix(attr: &Attr, nodes: &[Node], i: usize, to: &str) -> Fix {
    let is_set = matches!(attr.node.value, Value::SS(_));
    let present = nodes.iter().any(|n| n.value.as_str() == Some(to));
    let mut fixed: Vec<Node> = nodes.to_vec();
    if is_set && present {
        fixed.remove(i);
    } else {
        fixed[i] = Node::new(Value::S(to.to_string()));
    }
    let value = if is_set {
        Value::SS(fixed)
    } else {
        Value::L(fixed)
    };
    Fix::safe(
        format!("Replace {} with {to:?}", nodes[i].value.describe()),
        vec![Edit::set(&attr.name, value)],
    )
}

/// The one allowed value that `s` differs from only in case or surrounding white space.
fn only_case_apart<'a>(s: &str, allowed: &'a Allowed) -> Option<&'a str> {
    let Allowed::Strings(all) = allowed else {
        return None;
    };
    let folded = s.trim().to_lowercase();
    let mut matches = all.iter().filter(|a| a.to_lowercase() == folded);
    let first = matches.next()?;
    matches.next().is_none().then_some(first.as_str())
}

fn not_allowed(name: &str, v: &Value, allowed: &Allowed) -> String {
    let texts = allowed.texts();
    let mut shown: Vec<String> = texts
        .iter()
        .take(SHOWN)
        .map(|t| match allowed {
            Allowed::Strings(_) => format!("{t:?}"),
            Allowed::Numbers(_) => t.to_string(),
        })
        .collect();
    if texts.len() > SHOWN {
        shown.push(format!("… ({} in all)", texts.len()));
    }
    format!(
        "{name} holds {}, which is not one of its values: {}",
        v.describe(),
        shown.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run, run_with};
    use super::*;

    const TOML: &str = "[schema.attributes.protocol]\ntype = \"S\"\nvalues = [\"bedrock\", \"a2a\", \"mcp\"]\n\
        [schema.attributes.tags]\ntype = \"SS\"\nvalues = [\"finance\", \"hr\"]\n\
        [schema.attributes.topics]\ntype = \"L\"\nitems = \"S\"\nvalues = [\"billing\", \"Billing\", \"refunds\"]\n\
        [schema.attributes.tier]\ntype = \"N\"\nvalues = [1, 2]\n";

    fn set(members: &[&str]) -> Value {
        Value::SS(
            members
                .iter()
                .map(|m| Node::new(Value::S(m.to_string())))
                .collect(),
        )
    }

    #[test]
    fn a_value_apart_only_in_case_or_spacing_gets_the_allowed_one() {
        let item = bedrock().with("protocol", Value::S(" Bedrock".into()));
        let v = run_with(check, &item, TOML);
        assert_eq!(
            messages(&v),
            ["protocol holds \" Bedrock\", which is not one of its values: \"bedrock\", \"a2a\", \"mcp\""]
        );
        assert_eq!(
            v[0].fix.as_ref().unwrap().title,
            "Replace \" Bedrock\" with \"bedrock\""
        );
        assert_eq!(
            fixed(&item, &v).value("protocol"),
            Some(&Value::S("bedrock".into()))
        );
        assert!(run_with(check, &fixed(&item, &v), TOML).is_empty());
    }

    #[test]
    fn other_values_and_ambiguous_ones_have_no_fix() {
        let item = bedrock()
            .with("protocol", Value::S("bedrock-agent".into()))
            .with(
                "topics",
                Value::list_of_strings(["BILLING", "refunds", "x"]),
            )
            .with("tier", Value::N("3".into()));
        let v = run_with(check, &item, TOML);
        assert_eq!(v.len(), 4, "{v:#?}");
        assert!(v.iter().all(|v| v.fix.is_none()));
        // Declared attributes are checked in name order: protocol, tier, topics.
        assert_eq!(
            v[1].message,
            "tier holds 3, which is not one of its values: 1, 2"
        );
        // Numbers compare by value.
        let item = bedrock().with("tier", Value::N("2.0".into()));
        assert!(run_with(check, &item, TOML).is_empty());
    }

    #[test]
    fn elements_and_members_are_checked_one_by_one() {
        let item = bedrock()
            .with("tags", set(&["finance", "HR ", "legal"]))
            .with("topics", Value::list_of_strings(["refunds", "Refunds"]));
        let v = run_with(check, &item, TOML);
        assert_eq!(
            messages(&v)
                .iter()
                .map(|m| m.split(',').next().unwrap_or(""))
                .collect::<Vec<_>>(),
            [
                "tags holds \"HR \"",
                "tags holds \"legal\"",
                "topics holds \"Refunds\""
            ]
        );
        assert_eq!(
            fixed(&item, &v).value("tags"),
            Some(&set(&["finance", "hr", "legal"]))
        );
        assert!(v[1].fix.is_none());
        assert_eq!(
            fixed(&item, &v[2..]).value("topics"),
            Some(&Value::list_of_strings(["refunds", "refunds"]))
        );
        // A member fixed into one already in the set is dropped.
        let item = bedrock().with("tags", set(&["hr", "Hr"]));
        let v = run_with(check, &item, TOML);
        assert_eq!(fixed(&item, &v).value("tags"), Some(&set(&["hr"])));
    }

    #[test]
    fn other_types_and_undeclared_attributes_are_not_judged() {
        let item = bedrock()
            .with("protocol", Value::N("1".into()))
            .with("tags", Value::list_of_strings(["legal"]));
        assert!(run_with(check, &item, TOML).is_empty());
        assert!(run(check, &bedrock().with("protocol", Value::S("x".into()))).is_empty());
    }
}
