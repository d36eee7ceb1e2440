use super::common::identifier_to_judge;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::schema::{is_alias_id, ALIAS_ID};

/// An `alias_id` that is not 10 letters and digits (or `TSTALIASID`).
pub static RULE: Rule = Rule {
    code: "RG103",
    name: "malformed-alias-id",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "alias_id not 10 letters and digits (or TSTALIASID)",
    doc: rule_doc!("RG103"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let Some((attr, clean)) = identifier_to_judge(ctx, ALIAS_ID) else {
        return;
    };
    if is_alias_id(&clean) {
        return;
    }
    let raw = attr.node.value.as_str().unwrap_or_default();
    let help = if clean.starts_with("arn:") {
        "write the alias ID, not its ARN: the 10 characters after the last /".to_string()
    } else if clean.eq_ignore_ascii_case("DRAFT") || clean.eq_ignore_ascii_case("LATEST") {
        format!("{clean:?} is a version name; an alias is routed by its 10-character ID")
    } else {
        "copy the ID from `aws bedrock-agent list-agent-aliases --agent-id …`".to_string()
    };
    out.push(
        Violation::new(
            &RULE,
            format!(
                "alias_id {raw:?} is not an agent alias ID (10 letters and digits, or TSTALIASID)"
            ),
        )
        .on(attr)
        .with_help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, messages, run};
    use super::*;
    use crate::model::Value;

    #[test]
    fn malformed_aliases_are_flagged() {
        let v = run(
            check,
            &bedrock().with(ALIAS_ID, Value::S("IO1-GTTHP0M".into())),
        );
        assert_eq!(
            messages(&v),
            ["alias_id \"IO1-GTTHP0M\" is not an agent alias ID (10 letters and digits, or TSTALIASID)"]
        );
        let v = run(check, &bedrock().with(ALIAS_ID, Value::S("DRAFT".into())));
        assert_eq!(
            v[0].help.as_deref(),
            Some("\"DRAFT\" is a version name; an alias is routed by its 10-character ID")
        );
        // Optional on an agentcore entry, so an empty one is judged here.
        let v = run(check, &agentcore().with(ALIAS_ID, Value::S(String::new())));
        assert_eq!(
            messages(&v),
            ["alias_id \"\" is not an agent alias ID (10 letters and digits, or TSTALIASID)"]
        );
    }

    #[test]
    fn valid_draft_stray_and_blank_required_are_left_alone() {
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(
            check,
            &bedrock().with(ALIAS_ID, Value::S("TSTALIASID".into()))
        )
        .is_empty());
        assert!(run(
            check,
            &bedrock().with(ALIAS_ID, Value::S("IO1GTTHP0M\"".into()))
        )
        .is_empty());
        assert!(run(check, &bedrock().with(ALIAS_ID, Value::S(String::new()))).is_empty());
    }
}
