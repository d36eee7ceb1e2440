use super::common::{is_blank, strip_stray};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::Value;
use crate::schema::{is_account_id, ACCOUNT_ID};

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
            // Nothing but stray characters is RG101's.
            if is_account_id(&clean) || (clean.is_empty() && !is_blank(s)) {
                return;
            }
            let digits: String = clean.chars().filter(|c| *c != '-').collect();
            let fix = is_account_id(&digits).then(|| {
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

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run};
    use super::*;

    #[test]
    fn number_is_padded_to_twelve_digits() {
        let item = bedrock().with(ACCOUNT_ID, Value::N("12345678901".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["account_id is stored as a number (12345678901); leading zeros are lost and lookups by string fail"]
        );
        assert_eq!(
            fixed(&item, &v).value(ACCOUNT_ID),
            Some(&Value::S("012345678901".into()))
        );
    }

    #[test]
    fn dashes_are_removed_and_wrong_lengths_have_no_fix() {
        let item = bedrock().with(ACCOUNT_ID, Value::S("8430-7450-7558".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["account_id \"8430-7450-7558\" is not exactly 12 digits"]
        );
        assert_eq!(
            fixed(&item, &v).value(ACCOUNT_ID),
            Some(&Value::S("843074507558".into()))
        );
        let v = run(
            check,
            &bedrock().with(ACCOUNT_ID, Value::S("84307450755".into())),
        );
        assert!(v[0].fix.is_none());
        let v = run(check, &bedrock().with(ACCOUNT_ID, Value::S(String::new())));
        assert_eq!(messages(&v), ["account_id \"\" is not exactly 12 digits"]);
    }

    #[test]
    fn valid_or_strays_only_is_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        // Valid once RG101 removes the quote.
        assert!(run(
            check,
            &bedrock().with(ACCOUNT_ID, Value::S("843074507558\"".into()))
        )
        .is_empty());
        assert!(run(check, &bedrock().with(ACCOUNT_ID, Value::S("\"\"".into()))).is_empty());
    }
}
