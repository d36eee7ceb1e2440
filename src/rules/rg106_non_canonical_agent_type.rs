use super::common::is_blank;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::Value;
use crate::schema::{AgentType, AGENT_TYPE};

/// An `agent_type` that is a variant spelling (`Bedrock-Agent`, `agent_core`) or unknown.
pub static RULE: Rule = Rule {
    code: "RG106",
    name: "non-canonical-agent-type",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    summary: "agent_type not exactly bedrock_agent or agentcore",
    doc: rule_doc!("RG106"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let Some(attr) = ctx.item.get(AGENT_TYPE) else {
        return;
    };
    let Value::S(s) = &attr.node.value else {
        return;
    };
    // A blank type is RG007's.
    if is_blank(s)
        || [AgentType::BedrockAgent, AgentType::AgentCore]
            .iter()
            .any(|t| t.as_str() == s)
    {
        return;
    }
    let v = match AgentType::recognise(s) {
        Some(t) => Violation::new(
            &RULE,
            format!(
                "agent_type {s:?} is not canonical; it means {:?}",
                t.as_str()
            ),
        )
        .with_fix(Some(Fix::safe(
            format!("Replace it with \"{}\"", t.as_str()),
            vec![Edit::set(AGENT_TYPE, Value::S(t.as_str().to_string()))],
        ))),
        None => Violation::new(&RULE, format!("agent_type {s:?} is not a known agent type"))
            .with_help(
                "use \"bedrock_agent\" for Bedrock Agents and \"agentcore\" for AgentCore runtimes",
            ),
    };
    out.push(v.on(attr));
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, fixed, messages, run};
    use super::*;

    #[test]
    fn variants_get_the_canonical_spelling() {
        let item = bedrock().with(AGENT_TYPE, Value::S("Bedrock-Agent".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["agent_type \"Bedrock-Agent\" is not canonical; it means \"bedrock_agent\""]
        );
        assert_eq!(
            v[0].fix.as_ref().unwrap().title,
            "Replace it with \"bedrock_agent\""
        );
        assert!(fixed(&item, &v).same_data(&bedrock()));
        for variant in ["agent_core", "AgentCore", " agentcore"] {
            let item = agentcore().with(AGENT_TYPE, Value::S(variant.into()));
            assert!(
                fixed(&item, &run(check, &item)).same_data(&agentcore()),
                "{variant}"
            );
        }
    }

    #[test]
    fn unknown_types_have_no_fix() {
        let v = run(
            check,
            &bedrock().with(AGENT_TYPE, Value::S("lambda".into())),
        );
        assert_eq!(
            messages(&v),
            ["agent_type \"lambda\" is not a known agent type"]
        );
        assert!(v[0].fix.is_none());
    }

    #[test]
    fn canonical_blank_and_non_string_types_are_left_alone() {
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &agentcore()).is_empty());
        assert!(run(check, &bedrock().with(AGENT_TYPE, Value::S(String::new()))).is_empty());
        assert!(run(check, &bedrock().with(AGENT_TYPE, Value::N("1".into()))).is_empty());
    }
}
