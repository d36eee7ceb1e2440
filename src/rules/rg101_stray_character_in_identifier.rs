use super::common::{is_blank, show_char, strip_stray, strip_stray_ends};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::Value;
use crate::schema::{
    is_account_id, is_agent_id, is_alias_id, is_runtime_arn, AgentType, ACCOUNT_ID, AGENT_ID,
    ALIAS_ID, IDENTIFIER_ATTRIBUTES, RUNTIME_ARN,
};

/// Quotes, white space, zero-width or non-breaking characters, or trailing punctuation around
/// an identifier.
pub static RULE: Rule = Rule {
    code: "RG101",
    name: "stray-character-in-identifier",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    summary:
        "stray quotes, white space, invisible characters or trailing punctuation in an identifier",
    doc: rule_doc!("RG101"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for name in IDENTIFIER_ATTRIBUTES {
        let Some(attr) = ctx.item.get(name) else {
            continue;
        };
        let Value::S(s) = &attr.node.value else {
            continue;
        };
        if is_blank(s) {
            // Nothing but white space: RG007, or the attribute's pattern rule, says so.
            continue;
        }
        // Outside Bedrock agent entries agent_id is a registry key that may hold any text:
        // only what surrounds it can be stray.
        let bedrock = ctx.agent_type == Some(AgentType::BedrockAgent);
        let (clean, removed) = if name == AGENT_ID && !bedrock {
            strip_stray_ends(s)
        } else {
            strip_stray(s)
        };
        if removed.is_empty() {
            continue;
        }
        let shown: Vec<String> = removed.iter().map(|c| show_char(*c)).collect();
        let (what, title) = if removed.len() == 1 {
            (
                format!("a stray {}", shown[0]),
                format!("Remove the stray {}", shown[0]),
            )
        } else {
            let list = shown.join(", ");
            (
                format!("stray characters {list}"),
                format!("Remove the stray characters {list}"),
            )
        };
        let place = if clean.is_empty() || !s.contains(&*clean) {
            "has"
        } else if s.starts_with(&*clean) {
            "ends with"
        } else if s.ends_with(&*clean) {
            "starts with"
        } else {
            "is surrounded by"
        };
        let fix = is_valid(name, &clean, bedrock)
            .then(|| Fix::safe(title, vec![Edit::set(name, Value::S(clean.to_string()))]));
        out.push(
            Violation::new(&RULE, format!("{name} {place} {what}"))
                .on(attr)
                .with_fix(fix),
        );
    }
}

/// The stray characters of an identifier sent to Bedrock as it is (`doctor --invoke` names
/// them after a ValidationException), shown as the finding shows them.
pub fn stray_characters(value: &str) -> Vec<String> {
    strip_stray(value).1.into_iter().map(show_char).collect()
}

fn is_valid(name: &str, value: &str, bedrock: bool) -> bool {
    match name {
        AGENT_ID if bedrock => is_agent_id(value),
        AGENT_ID => !value.is_empty(),
        ALIAS_ID => is_alias_id(value),
        ACCOUNT_ID => is_account_id(value),
        RUNTIME_ARN => is_runtime_arn(value),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, fixed, messages, run};
    use super::*;

    #[test]
    fn stray_quote_is_removed_when_what_remains_is_valid() {
        let item = bedrock().with(ALIAS_ID, Value::S("IO1GTTHP0M\"".into()));
        let v = run(check, &item);
        assert_eq!(messages(&v), ["alias_id ends with a stray '\"'"]);
        assert_eq!(v[0].fix.as_ref().unwrap().title, "Remove the stray '\"'");
        assert!(fixed(&item, &v).same_data(&bedrock()));
        let item = bedrock().with(AGENT_ID, Value::S("\u{201C}PEGHWIVI5\u{201D}".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["agent_id is surrounded by stray characters '\u{201C}', '\u{201D}'"]
        );
        assert!(v[0].fix.is_none(), "nine characters are left: no safe fix");
    }

    #[test]
    fn registry_keys_of_agentcore_entries_lose_only_their_ends() {
        let item = agentcore().with(AGENT_ID, Value::S(" code-review runtime.".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["agent_id is surrounded by stray characters U+0020, '.'"]
        );
        assert_eq!(
            fixed(&item, &v).value(AGENT_ID),
            Some(&Value::S("code-review runtime".into()))
        );
    }

    #[test]
    fn clean_and_blank_identifiers_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &agentcore()).is_empty());
        assert!(run(check, &bedrock().with(ACCOUNT_ID, Value::S("  ".into()))).is_empty());
        let item = bedrock().with(ACCOUNT_ID, Value::S("8430 7450 7558".into()));
        assert_eq!(
            messages(&run(check, &item)),
            ["account_id has stray characters U+0020, U+0020"]
        );
    }
}
