use super::common::{is_blank, is_required, must_not_be_blank};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::model::Value;
use crate::schema::{DynamoType, KNOWN_ATTRIBUTES, QUALIFIER};

/// Null, or an empty or blank string, where a value is required.
pub static RULE: Rule = Rule {
    code: "RG007",
    name: "empty-required-value",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "null or an empty or blank string in a required attribute",
    doc: rule_doc!("RG007"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for attr in &ctx.item.attrs {
        let name = attr.name.as_ref();
        // Built-in attributes, and declared ones: a string in a declared attribute of another
        // type is RG002's.
        let text = if KNOWN_ATTRIBUTES.contains(&name) {
            true
        } else {
            match ctx.settings.schema.declared_only(name) {
                Some(spec) => spec.ty.kind == DynamoType::S,
                None => continue,
            }
        };
        let what = match &attr.node.value {
            Value::Null if is_required(ctx, name) => "null",
            Value::S(s) if text && s.is_empty() && must_not_be_blank(ctx, name) => "empty",
            Value::S(s) if text && is_blank(s) && must_not_be_blank(ctx, name) => "blank",
            _ => continue,
        };
        let message = if is_required(ctx, name) {
            format!("{name} is required but {what}")
        } else if name == QUALIFIER {
            format!("{name} is {what}; leave it out to use the endpoint DEFAULT")
        } else {
            format!("{name} is {what}; when present it must hold a value")
        };
        out.push(Violation::new(&RULE, message).on(attr));
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, messages, run, run_with};
    use super::*;
    use crate::schema::{AGENT_ID, ALIAS_ID, CAPABILITIES, ENABLED, NAME, REGION};

    #[test]
    fn null_empty_and_blank_required_values() {
        let item = bedrock()
            .with(NAME, Value::S(String::new()))
            .with(ALIAS_ID, Value::S(" \u{200B}".into()))
            .with(ENABLED, Value::Null)
            .with(CAPABILITIES, Value::S("  ".into()));
        assert_eq!(
            messages(&run(check, &item)),
            [
                "alias_id is required but blank",
                "name is required but empty",
                "enabled is required but null",
                "capabilities is required but blank",
            ]
        );
    }

    #[test]
    fn keys_and_qualifiers_are_never_blank_even_where_optional() {
        let item = agentcore()
            .with(AGENT_ID, Value::S(String::new()))
            .with(QUALIFIER, Value::S(" ".into()));
        assert_eq!(
            messages(&run(check, &item)),
            [
                "agent_id is empty; when present it must hold a value",
                "qualifier is blank; leave it out to use the endpoint DEFAULT",
            ]
        );
    }

    #[test]
    fn values_optional_nulls_and_other_rules_cases_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &agentcore()).is_empty());
        // Optional: RG002 (null), RG109 (blank region), RG103 (alias on an agentcore entry).
        let item = agentcore()
            .with(REGION, Value::S(String::new()))
            .with("domains", Value::Null)
            .with(ALIAS_ID, Value::S(String::new()));
        assert!(run(check, &item).is_empty());
        // An empty list is a value (RG204 judges it).
        assert!(run(check, &bedrock().with(CAPABILITIES, Value::L(vec![]))).is_empty());
    }

    #[test]
    fn declared_and_tightened_required_values() {
        let toml = "[schema.attributes.owner]\ntype = \"S\"\nrequired = true\n\
                    [schema.attributes.weight]\ntype = \"N\"\nrequired = true\n\
                    [schema.attributes.region]\nrequired = true\n";
        let item = bedrock()
            .with("owner", Value::S(" ".into()))
            .with("weight", Value::S(String::new()))
            .with(REGION, Value::Null);
        assert_eq!(
            messages(&run_with(check, &item, toml)),
            ["region is required but null", "owner is required but blank"]
        );
        // Optional declared attributes may be empty strings (RG110/RG111 judge their values).
        let item = bedrock().with("owner", Value::S(String::new()));
        assert!(run_with(check, &item, "[schema.attributes.owner]\ntype = \"S\"\n").is_empty());
    }
}
