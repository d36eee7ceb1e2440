use super::common::strip_stray;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::model::Value;
use crate::schema::{AgentType, ALIAS_ID};

/// The test alias, which routes to the agent's unprepared DRAFT version.
pub static RULE: Rule = Rule {
    code: "RG104",
    name: "draft-alias-in-registry",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "alias_id is TSTALIASID, which routes to the unprepared DRAFT",
    doc: rule_doc!("RG104"),
    check: Check::Item(check),
};

/// The alias ID Bedrock gives every agent's working draft.
const DRAFT_ALIAS: &str = "TSTALIASID";

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    if ctx.agent_type == Some(AgentType::AgentCore) {
        return;
    }
    let Some(attr) = ctx.item.get(ALIAS_ID) else {
        return;
    };
    let Value::S(s) = &attr.node.value else {
        return;
    };
    if strip_stray(s).0 != DRAFT_ALIAS {
        return;
    }
    out.push(
        Violation::new(
            &RULE,
            format!("alias_id {s:?} is the test alias: it routes to the agent's working DRAFT, not a released version"),
        )
        .on(attr)
        .with_help("create an alias for a prepared version (`aws bedrock-agent create-agent-alias`) and register its ID"),
    );
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, messages, run};
    use super::*;

    #[test]
    fn the_test_alias_is_flagged() {
        let v = run(
            check,
            &bedrock().with(ALIAS_ID, Value::S("TSTALIASID".into())),
        );
        assert_eq!(
            messages(&v),
            ["alias_id \"TSTALIASID\" is the test alias: it routes to the agent's working DRAFT, not a released version"]
        );
        assert!(v[0].fix.is_none());
        // With a stray quote it is still the draft alias (RG101 reports the quote).
        assert_eq!(
            run(
                check,
                &bedrock().with(ALIAS_ID, Value::S("TSTALIASID\"".into()))
            )
            .len(),
            1
        );
    }

    #[test]
    fn released_aliases_and_agentcore_entries_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        // Alias IDs are case-sensitive: this one is not the test alias.
        assert!(run(
            check,
            &bedrock().with(ALIAS_ID, Value::S("tstaliasid".into()))
        )
        .is_empty());
        assert!(run(
            check,
            &agentcore().with(ALIAS_ID, Value::S("TSTALIASID".into()))
        )
        .is_empty());
    }
}
