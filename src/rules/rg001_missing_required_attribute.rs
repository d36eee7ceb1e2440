use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::schema::{AgentType, ALWAYS_REQUIRED};

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
    let schema = &ctx.settings.schema;
    if schema.has_declarations() {
        for name in schema.required_on(ctx.agent_type) {
            missing(ctx, name, out);
        }
        return;
    }
    let required = ctx
        .agent_type
        .map_or(&ALWAYS_REQUIRED[..], |t| t.required());
    for name in required {
        missing(ctx, name, out);
    }
}

fn missing(ctx: &ItemCtx, name: &str, out: &mut Vec<Violation>) {
    if ctx.item.get(name).is_some() {
        return;
    }
    let kind = match ctx.agent_type {
        Some(AgentType::BedrockAgent) => " on a bedrock_agent entry",
        Some(AgentType::AgentCore) => " on an agentcore entry",
        None => "",
    };
    out.push(
        Violation::new(&RULE, format!("{name} is required{kind} but missing"))
            .about(name, ctx.item),
    );
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, messages, run, run_with};
    use super::*;
    use crate::model::Value;

    #[test]
    fn missing_attributes_of_the_type_are_flagged() {
        let mut item = bedrock();
        item.remove("alias_id");
        item.remove("capabilities");
        assert_eq!(
            messages(&run(check, &item)),
            [
                "alias_id is required on a bedrock_agent entry but missing",
                "capabilities is required on a bedrock_agent entry but missing",
            ]
        );
        // A variant spelling of the type is checked as the type it means.
        let mut item = agentcore().with("agent_type", Value::S("AgentCore".into()));
        item.remove("runtime_arn");
        assert_eq!(
            messages(&run(check, &item)),
            ["runtime_arn is required on an agentcore entry but missing"]
        );
    }

    #[test]
    fn unknown_type_needs_the_common_attributes_only() {
        let mut item = bedrock().with("agent_type", Value::S("lambda".into()));
        item.remove("alias_id");
        assert!(run(check, &item).is_empty());
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &agentcore()).is_empty());
    }

    #[test]
    fn declared_and_tightened_requirements() {
        let toml = "[schema.attributes.protocol]\ntype = \"S\"\nrequired = [\"agentcore\"]\n\
                    [schema.attributes.domains]\nrequired = true\n";
        assert_eq!(
            messages(&run_with(check, &bedrock(), toml)),
            ["domains is required on a bedrock_agent entry but missing"]
        );
        assert_eq!(
            messages(&run_with(check, &agentcore(), toml)),
            [
                "domains is required on an agentcore entry but missing",
                "protocol is required on an agentcore entry but missing",
            ]
        );
        let item = agentcore()
            .with("domains", Value::list_of_strings(["code"]))
            .with("protocol", Value::S("mcp".into()));
        assert!(run_with(check, &item, toml).is_empty());
    }
}
