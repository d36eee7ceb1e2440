use super::common::strip_stray;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::Value;
use crate::schema::{ACCOUNT_ID, ACCOUNT_ID_RE};

/// `account_id` that is not exactly 12 digits stored as a string.
pub static RULE: Rule = Rule {
    code: "RG105",
    name: "malformed-account-id",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    summary: "account_id not exactly 12 digits stored as a string",
    doc: rule_doc!("RG105"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let Some(attr) = ctx.item.get(ACCOUNT_ID) else {
        return;
    };
    match &attr.node.value {
        Value::N(n) => {
            let digits = n.trim();
            let fix =
                (digits.len() <= 12 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| {
                    let padded = format!("{digits:0>12}");
                    Fix::safe(
                        format!("Store the account ID as the string \"{padded}\""),
                        vec![Edit::set(ACCOUNT_ID, Value::S(padded))],
                    )
                });
            out.push(
                Violation::new(
                    &RULE,
                    format!("account_id is stored as a number ({n}); leading zeros are lost and lookups by string fail"),
                )
                .on(attr)
                .with_fix(fix),
            );
        }
        Value::S(s) => {
            // Stray quotes and spaces are RG101's; judge what remains.
            let (clean, _) = strip_stray(s);
            if ACCOUNT_ID_RE.is_match(&clean) {
                return;
            }
            let digits: String = clean.chars().filter(|c| *c != '-').collect();
            let fix = ACCOUNT_ID_RE.is_match(&digits).then(|| {
                Fix::safe(
                    format!("Remove the separators: \"{digits}\""),
                    vec![Edit::set(ACCOUNT_ID, Value::S(digits.clone()))],
                )
            });
            out.push(
                Violation::new(&RULE, format!("account_id {s:?} is not exactly 12 digits"))
                    .on(attr)
                    .with_fix(fix),
            );
        }
        _ => {}
    }
}
