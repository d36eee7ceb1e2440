use super::common::{contains_invalid, is_required, type_phrase};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{Attr, Node, Value};
use crate::schema::{
    AttributeSpec, DynamoType, ACCOUNT_ID, AGENT_ID, ALIAS_ID, DESCRIPTION, ENABLED,
    KNOWN_ATTRIBUTES, LIST_ATTRIBUTES, NAME, QUALIFIER, RUNTIME_ARN, STRING_ATTRIBUTES,
};

/// An attribute of a type that no narrower rule covers (`name` as a number, `capabilities` as a
/// map, `domains` as null).
pub static RULE: Rule = Rule {
    code: "RG002",
    name: "wrong-attribute-type",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    summary: "an attribute of a type no narrower rule covers (e.g. name as N)",
    doc: rule_doc!("RG002"),
    check: Check::Item(check),
};

/// Text and identifier attributes whose number, written as text, is what was meant.
/// `account_id` is RG105's (numbers lose leading zeros); `agent_type` and `region` as numbers
/// are meaningless either way.
const NUMBER_AS_TEXT: [&str; 6] = [
    NAME,
    DESCRIPTION,
    QUALIFIER,
    AGENT_ID,
    ALIAS_ID,
    RUNTIME_ARN,
];

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for attr in &ctx.item.attrs {
        let name = attr.name.as_ref();
        if contains_invalid(&attr.node.value) {
            continue;
        }
        if !KNOWN_ATTRIBUTES.contains(&name) {
            if let Some(spec) = ctx.settings.schema.declared_only(name) {
                out.extend(declared(ctx, attr, spec));
            }
            continue;
        }
        if attr.node.value == Value::Null {
            // Null where a value is required is RG007's.
            if !is_required(ctx, name) {
                out.push(null_optional(attr));
            }
        } else if STRING_ATTRIBUTES.contains(&name) {
            out.extend(not_a_string(attr));
        } else if name == ENABLED {
            // Strings and numbers are RG005's.
            if !matches!(attr.node.value, Value::Bool(_) | Value::S(_) | Value::N(_)) {
                out.push(wrong(attr, "a boolean"));
            }
        } else if LIST_ATTRIBUTES.contains(&name) {
            out.extend(not_a_list(attr));
        }
    }
}

/// A declared attribute (spec §3.1) of another type than its declaration's.
fn declared(ctx: &ItemCtx, attr: &Attr, spec: &AttributeSpec) -> Option<Violation> {
    let v = &attr.node.value;
    if *v == Value::Null {
        // Null where a value is required is RG007's.
        return (!is_required(ctx, &attr.name)).then(|| null_optional(attr));
    }
    let ty = spec.ty;
    if !ty.kind.holds(v) {
        let fix = match v {
            Value::N(n) if ty.kind == DynamoType::S => Some(Fix::safe(
                format!("Store {} as the string \"{n}\"", attr.name),
                vec![Edit::set(&attr.name, Value::S(n.clone()))],
            )),
            _ => None,
        };
        let message = format!(
            "{} is declared {ty} but is {} ({})",
            attr.name,
            v.type_name(),
            v.describe()
        );
        return Some(Violation::new(&RULE, message).on(attr).with_fix(fix));
    }
    match (ty.items, v) {
        (Some(items), Value::L(nodes)) => bad_elements(attr, nodes, items),
        _ => None,
    }
}

fn wrong(attr: &Attr, expected: &str) -> Violation {
    let v = &attr.node.value;
    Violation::new(
        &RULE,
        format!(
            "{} is {} ({}), not {expected}",
            attr.name,
            type_phrase(v),
            v.describe()
        ),
    )
    .on(attr)
}

fn null_optional(attr: &Attr) -> Violation {
    Violation::new(
        &RULE,
        format!("{} is null; leave it out when it has no value", attr.name),
    )
    .on(attr)
    .with_fix(Some(Fix::safe(
        format!("Remove the null {}", attr.name),
        vec![Edit::Remove {
            attribute: attr.name.to_string(),
        }],
    )))
}

fn not_a_string(attr: &Attr) -> Option<Violation> {
    let name = attr.name.as_ref();
    match &attr.node.value {
        Value::S(_) => None,
        // A number account ID is RG105's.
        Value::N(_) if name == ACCOUNT_ID => None,
        Value::N(n) => {
            let fix = NUMBER_AS_TEXT.contains(&name).then(|| {
                Fix::safe(
                    format!("Store {name} as the string \"{n}\""),
                    vec![Edit::set(name, Value::S(n.clone()))],
                )
            });
            Some(wrong(attr, "a string").with_fix(fix))
        }
        _ => Some(wrong(attr, "a string")),
    }
}

fn not_a_list(attr: &Attr) -> Option<Violation> {
    match &attr.node.value {
        Value::L(items) => bad_elements(attr, items, DynamoType::S),
        // A string is RG003's, a string set RG004's.
        Value::S(_) | Value::SS(_) => None,
        _ => Some(wrong(attr, "a list of strings")),
    }
}

/// Elements of a list that are not of the element type; numbers become their text where the
/// elements are strings.
fn bad_elements(attr: &Attr, items: &[Node], element: DynamoType) -> Option<Violation> {
    let bad: Vec<&Node> = items.iter().filter(|n| !element.holds(&n.value)).collect();
    let first = bad.first()?;
    let name = attr.name.as_ref();
    let (one, many) = match element {
        DynamoType::S => ("a string".to_string(), "strings".to_string()),
        other => (other.as_str().to_string(), other.as_str().to_string()),
    };
    let message = if bad.len() == 1 {
        format!(
            "{name} holds {} ({}), not {one}",
            type_phrase(&first.value),
            first.value.describe()
        )
    } else {
        let shown: Vec<String> = bad.iter().map(|n| n.value.describe()).collect();
        format!(
            "{name} holds {} elements that are not {many}: {}",
            bad.len(),
            shown.join(", ")
        )
    };
    let all_numbers =
        element == DynamoType::S && bad.iter().all(|n| matches!(n.value, Value::N(_)));
    let fix = all_numbers.then(|| {
        let fixed = items
            .iter()
            .map(|n| match &n.value {
                Value::N(text) => Node::new(Value::S(text.clone())),
                _ => n.clone(),
            })
            .collect();
        Fix::safe(
            "Store the numbers as strings",
            vec![Edit::set(name, Value::L(fixed))],
        )
    });
    Some(
        Violation::new(&RULE, message)
            .on(attr)
            .at(first)
            .with_fix(fix),
    )
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, fixed, messages, run, run_with};
    use super::*;

    #[test]
    fn number_name_becomes_its_text() {
        let item = bedrock().with(NAME, Value::N("42".into()));
        let v = run(check, &item);
        assert_eq!(messages(&v), ["name is a number (42), not a string"]);
        let fix = v[0].fix.as_ref().unwrap();
        assert_eq!(fix.title, "Store name as the string \"42\"");
        assert_eq!(fixed(&item, &v).value(NAME), Some(&Value::S("42".into())));
    }

    #[test]
    fn null_optional_is_removed_null_required_is_left_to_rg007() {
        let item = bedrock().with("domains", Value::Null);
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["domains is null; leave it out when it has no value"]
        );
        assert!(fixed(&item, &v).get("domains").is_none());
        assert!(run(check, &bedrock().with(NAME, Value::Null)).is_empty());
        // agent_id is only a key on agentcore entries, so null there is optional.
        assert_eq!(
            run(check, &agentcore().with(AGENT_ID, Value::Null)).len(),
            1
        );
    }

    #[test]
    fn narrower_rules_keep_their_cases() {
        for (name, value) in [
            (ACCOUNT_ID, Value::N("843074507558".into())),
            ("capabilities", Value::S("billing".into())),
            (
                "capabilities",
                Value::SS(vec![Node::new(Value::S("a".into()))]),
            ),
            (ENABLED, Value::S("true".into())),
            (ENABLED, Value::N("1".into())),
            (NAME, Value::Invalid("bad".into())),
        ] {
            assert!(
                run(check, &bedrock().with(name, value)).is_empty(),
                "{name}"
            );
        }
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &agentcore()).is_empty());
    }

    #[test]
    fn wrong_types_without_a_lossless_fix() {
        let item = bedrock()
            .with(ENABLED, Value::L(vec![]))
            .with("region", Value::N("1".into()))
            .with("capabilities", Value::M(vec![]));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            [
                "region is a number (1), not a string",
                "enabled is a list ([]), not a boolean",
                "capabilities is a map ({}), not a list of strings",
            ]
        );
        assert!(v.iter().all(|v| v.fix.is_none()));
    }

    #[test]
    fn list_elements_that_are_numbers_become_strings() {
        let item = bedrock().with(
            "capabilities",
            Value::L(vec![
                Node::new(Value::S("billing".into())),
                Node::new(Value::N("7".into())),
            ]),
        );
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["capabilities holds a number (7), not a string"]
        );
        assert_eq!(
            fixed(&item, &v).value("capabilities"),
            Some(&Value::list_of_strings(["billing", "7"]))
        );
        let item = bedrock().with(
            "capabilities",
            Value::L(vec![Node::new(Value::Null), Node::new(Value::Bool(true))]),
        );
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["capabilities holds 2 elements that are not strings: null, true"]
        );
        assert!(v[0].fix.is_none());
    }

    const DECLARED: &str = "[schema.attributes.protocol]\ntype = \"S\"\n\
        [schema.attributes.weights]\ntype = \"L\"\nitems = \"N\"\n\
        [schema.attributes.tags]\ntype = \"SS\"\n\
        [schema.attributes.owner]\ntype = \"S\"\nrequired = true\n";

    #[test]
    fn declared_attributes_name_the_declared_and_the_actual_type() {
        let item = bedrock()
            .with("protocol", Value::N("5".into()))
            .with("tags", Value::list_of_strings(["a"]))
            .with("owner", Value::S("team-a".into()))
            .with(
                "weights",
                Value::L(vec![
                    Node::new(Value::N("1".into())),
                    Node::new(Value::S("2".into())),
                ]),
            );
        let v = run_with(check, &item, DECLARED);
        assert_eq!(
            messages(&v),
            [
                "protocol is declared S but is N (5)",
                "tags is declared SS but is L ([\"a\"])",
                "weights holds a string (\"2\"), not N",
            ]
        );
        assert_eq!(
            fixed(&item, &v).value("protocol"),
            Some(&Value::S("5".into()))
        );
        assert!(v[1].fix.is_none() && v[2].fix.is_none());
    }

    #[test]
    fn declared_nulls_and_right_types_are_not_flagged_here() {
        let item = bedrock()
            .with("owner", Value::Null)
            .with("protocol", Value::S("mcp".into()))
            .with("weights", Value::L(vec![Node::new(Value::N("1".into()))]));
        assert!(run_with(check, &item, DECLARED).is_empty());
        // Null in an optional declared attribute is removed, as for built-in ones.
        let item = bedrock()
            .with("owner", Value::S("x".into()))
            .with("tags", Value::Null);
        let v = run_with(check, &item, DECLARED);
        assert_eq!(
            messages(&v),
            ["tags is null; leave it out when it has no value"]
        );
        // Undeclared attributes are RG006's.
        assert!(run(check, &bedrock().with("protocol", Value::N("5".into()))).is_empty());
    }
}
