use super::common::identifier_to_judge;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::schema::{is_agent_id, AgentType, AGENT_ID};

/// A Bedrock agent entry whose `agent_id` is not 10 letters and digits.
pub static RULE: Rule = Rule {
    code: "RG102",
    name: "malformed-agent-id",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "agent_id of a Bedrock agent entry not 10 letters and digits",
    doc: rule_doc!("RG102"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    // On agentcore entries agent_id is only a registry key.
    if ctx.agent_type != Some(AgentType::BedrockAgent) {
        return;
    }
    let Some((attr, clean)) = identifier_to_judge(ctx, AGENT_ID) else {
        return;
    };
    if is_agent_id(&clean) {
        return;
    }
    let raw = attr.node.value.as_str().unwrap_or_default();
    out.push(
        Violation::new(
            &RULE,
            format!("agent_id {raw:?} is not a Bedrock agent ID (10 letters and digits)"),
        )
        .on(attr)
        .with_help(help(&clean)),
    );
}

fn help(clean: &str) -> String {
    if clean.starts_with("arn:") {
        "write the agent's ID, not its ARN: the 10 characters after agent/".into()
    } else {
        format!(
            "{clean:?} has {} characters; copy the ID from the Bedrock console or `aws bedrock-agent list-agents`",
            clean.chars().count()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, messages, run};
    use super::*;
    use crate::model::Value;

    #[test]
    fn wrong_length_and_arns_are_flagged() {
        let item = bedrock().with(AGENT_ID, Value::S("PEGHWIVI5".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["agent_id \"PEGHWIVI5\" is not a Bedrock agent ID (10 letters and digits)"]
        );
        assert!(v[0].fix.is_none());
        let arn = "arn:aws:bedrock:us-east-1:843074507558:agent/PEGHWIVI5Y";
        let v = run(check, &bedrock().with(AGENT_ID, Value::S(arn.into())));
        assert_eq!(
            v[0].help.as_deref(),
            Some("write the agent's ID, not its ARN: the 10 characters after agent/")
        );
    }

    #[test]
    fn strays_blanks_keys_and_valid_ids_are_left_alone() {
        assert!(run(check, &bedrock()).is_empty());
        // Valid after RG101 strips the quote: RG101 alone reports it.
        assert!(run(
            check,
            &bedrock().with(AGENT_ID, Value::S("PEGHWIVI5Y\"".into()))
        )
        .is_empty());
        // Blank: RG007.
        assert!(run(check, &bedrock().with(AGENT_ID, Value::S(" ".into()))).is_empty());
        // A registry key on an agentcore entry.
        assert!(run(check, &agentcore()).is_empty());
    }
}
