use super::common::is_blank;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::Value;
use crate::schema::ENABLED;

/// `enabled` stored as a string or a number.
pub static RULE: Rule = Rule {
    code: "RG005",
    name: "boolean-as-string-or-number",
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "enabled stored as a string (\"true\", \"False\", \"1\") or a number",
    doc: rule_doc!("RG005"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let Some(attr) = ctx.item.get(ENABLED) else {
        return;
    };
    let (what, fix) = match &attr.node.value {
        // A blank value is RG007's.
        Value::S(s) if is_blank(s) => return,
        Value::S(s) => (format!("the string {s:?}"), string_fix(s)),
        Value::N(n) => (format!("the number {n}"), number_fix(n)),
        _ => return,
    };
    out.push(
        Violation::new(&RULE, format!("enabled is {what}, not a boolean"))
            .on(attr)
            .with_fix(fix),
    );
}

fn to_bool(b: bool, safe: bool) -> Fix {
    let title = format!("Store enabled as the boolean {b}");
    let edits = vec![Edit::set(ENABLED, Value::Bool(b))];
    if safe {
        Fix::safe(title, edits)
    } else {
        Fix::unsafe_(title, edits)
    }
}

/// `true`/`false` in any case mean exactly that; the other spellings are a reading of intent.
fn string_fix(s: &str) -> Option<Fix> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Some(to_bool(true, true)),
        "false" => Some(to_bool(false, true)),
        "yes" | "on" | "1" => Some(to_bool(true, false)),
        "no" | "off" | "0" => Some(to_bool(false, false)),
        _ => None,
    }
}

fn number_fix(n: &str) -> Option<Fix> {
    match n.trim() {
        "1" => Some(to_bool(true, false)),
        "0" => Some(to_bool(false, false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run};
    use super::*;
    use crate::diagnostic::Applicability;

    fn verdict(v: Value) -> Option<(bool, Applicability)> {
        let item = bedrock().with(ENABLED, v);
        let found = run(check, &item);
        assert_eq!(found.len(), 1);
        let fix = found[0].fix.as_ref()?;
        match fixed(&item, &found).value(ENABLED) {
            Some(Value::Bool(b)) => Some((*b, fix.applicability)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn true_and_false_in_any_case_are_safe() {
        let item = bedrock().with(ENABLED, Value::S("True".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["enabled is the string \"True\", not a boolean"]
        );
        assert_eq!(
            v[0].fix.as_ref().unwrap().title,
            "Store enabled as the boolean true"
        );
        assert_eq!(
            verdict(Value::S("True".into())),
            Some((true, Applicability::Safe))
        );
        assert_eq!(
            verdict(Value::S("FALSE".into())),
            Some((false, Applicability::Safe))
        );
    }

    #[test]
    fn yes_no_one_zero_are_unsafe_and_others_have_no_fix() {
        assert_eq!(
            verdict(Value::S("yes".into())),
            Some((true, Applicability::Unsafe))
        );
        assert_eq!(
            verdict(Value::S("0".into())),
            Some((false, Applicability::Unsafe))
        );
        assert_eq!(
            verdict(Value::N("1".into())),
            Some((true, Applicability::Unsafe))
        );
        assert_eq!(
            verdict(Value::N("0".into())),
            Some((false, Applicability::Unsafe))
        );
        assert_eq!(verdict(Value::N("2".into())), None);
        assert_eq!(verdict(Value::S("maybe".into())), None);
        let v = run(check, &bedrock().with(ENABLED, Value::N("1".into())));
        assert_eq!(messages(&v), ["enabled is the number 1, not a boolean"]);
    }

    #[test]
    fn booleans_blanks_and_other_types_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        assert!(run(check, &bedrock().with(ENABLED, Value::S(" ".into()))).is_empty());
        assert!(run(check, &bedrock().with(ENABLED, Value::Null)).is_empty());
        assert!(run(check, &bedrock().with(ENABLED, Value::L(vec![]))).is_empty());
    }
}
