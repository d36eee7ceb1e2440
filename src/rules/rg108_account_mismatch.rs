use super::common::strip_stray;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::Value;
use crate::schema::{is_account_id, runtime_arn_account, ACCOUNT_ID, RUNTIME_ARN};

/// `account_id` names another account than the one inside `runtime_arn`.
pub static RULE: Rule = Rule {
    code: "RG108",
    name: "account-mismatch",
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    summary: "account_id differs from the account inside runtime_arn",
    doc: rule_doc!("RG108"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let (Some(attr), Some(arn)) = (ctx.item.get(ACCOUNT_ID), ctx.item.str_value(RUNTIME_ARN))
    else {
        return;
    };
    let Value::S(account) = &attr.node.value else {
        return;
    };
    // Judged once both are well-formed (RG101, RG105 and RG107 report them otherwise).
    let account = strip_stray(account).0;
    let arn = strip_stray(arn).0;
    let Some(arn_account) = runtime_arn_account(&arn) else {
        return;
    };
    if !is_account_id(&account) || account == arn_account {
        return;
    }
    out.push(
        Violation::new(
            &RULE,
            format!("account_id {account} differs from the account {arn_account} in runtime_arn"),
        )
        .on(attr)
        .with_help("the hub assumes a role in account_id and then cannot find the runtime; one of the two is wrong")
        .with_fix(Some(Fix::unsafe_(
            format!("Take the runtime ARN's account {arn_account}"),
            vec![Edit::set(ACCOUNT_ID, Value::S(arn_account.to_string()))],
        ))),
    );
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, fixed, messages, run};
    use super::*;

    #[test]
    fn other_account_is_flagged_with_an_unsafe_fix() {
        let item = agentcore().with(ACCOUNT_ID, Value::S("152864141302".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["account_id 152864141302 differs from the account 309812475566 in runtime_arn"]
        );
        let fix = v[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, crate::diagnostic::Applicability::Unsafe);
        assert!(fixed(&item, &v).same_data(&agentcore()));
    }

    #[test]
    fn same_absent_or_malformed_accounts_are_not_compared() {
        assert!(run(check, &agentcore()).is_empty());
        assert!(run(check, &bedrock()).is_empty());
        let mut item = agentcore();
        item.remove(ACCOUNT_ID);
        assert!(run(check, &item).is_empty());
        // A quote around the same account is RG101's, not a mismatch.
        assert!(run(
            check,
            &agentcore().with(ACCOUNT_ID, Value::S("309812475566\"".into()))
        )
        .is_empty());
        assert!(run(
            check,
            &agentcore().with(ACCOUNT_ID, Value::N("309812475566".into()))
        )
        .is_empty());
        assert!(run(
            check,
            &agentcore().with(ACCOUNT_ID, Value::S("15286414130".into()))
        )
        .is_empty());
    }
}
