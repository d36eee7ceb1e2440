use super::common::{show_char, strip_stray};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::Value;
use crate::schema::{
    ACCOUNT_ID, ACCOUNT_ID_RE, AGENT_ID, AGENT_ID_RE, ALIAS_ID, ALIAS_ID_RE, IDENTIFIER_ATTRIBUTES,
    RUNTIME_ARN, RUNTIME_ARN_RE,
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
        let (clean, removed) = strip_stray(s);
        if removed.is_empty() {
            continue;
        }
        let shown: Vec<String> = removed.iter().map(|c| show_char(*c)).collect();
        let what = if removed.len() == 1 {
            format!("a stray {}", shown[0])
        } else {
            format!("stray characters {}", shown.join(", "))
        };
        let fix = is_valid(name, &clean).then(|| {
            Fix::safe(
                format!("Remove {what}"),
                vec![Edit::set(name, Value::S(clean.clone()))],
            )
        });
        out.push(
            Violation::new(&RULE, format!("{name} has {what}"))
                .on(attr)
                .with_fix(fix),
        );
    }
}

fn is_valid(name: &str, value: &str) -> bool {
    match name {
        AGENT_ID => AGENT_ID_RE.is_match(value),
        ALIAS_ID => ALIAS_ID_RE.is_match(value),
        ACCOUNT_ID => ACCOUNT_ID_RE.is_match(value),
        RUNTIME_ARN => RUNTIME_ARN_RE.is_match(value),
        _ => false,
    }
}
