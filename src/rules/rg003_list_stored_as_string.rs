use super::common::{is_blank, is_required};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::Value;
use crate::schema::LIST_ATTRIBUTES;

/// `capabilities`, `domains` or `example_queries` stored as a string.
pub static RULE: Rule = Rule {
    code: "RG003",
    name: "list-stored-as-string",
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "capabilities, domains or example_queries stored as a string",
    doc: rule_doc!("RG003"),
    check: Check::Item(check),
};

/// What people put between items when they write a list as text.
fn is_separator(c: char) -> bool {
    matches!(c, ',' | ';' | '|' | '\n' | '\r')
}

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for name in LIST_ATTRIBUTES {
        let Some(attr) = ctx.item.get(name) else {
            continue;
        };
        let Value::S(s) = &attr.node.value else {
            continue;
        };
        if is_blank(s) && is_required(ctx, name) {
            // A blank required value is RG007's.
            continue;
        }
        let (message, fix) = diagnose(name, s);
        out.push(Violation::new(&RULE, message).on(attr).with_fix(fix));
    }
}

fn diagnose(name: &str, s: &str) -> (String, Option<Fix>) {
    let base = format!("{name} is the string {s:?}, not a list");
    let to = |list: Vec<String>| vec![Edit::set(name, Value::list_of_strings(list))];
    if is_blank(s) {
        let title = format!("Store {name} as an empty list");
        return (base, Some(Fix::safe(title, to(vec![]))));
    }
    let trimmed = s.trim();
    if trimmed.starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<serde_json::Value>>(trimmed) {
            let strings: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect();
            return match strings {
                Some(list) => (
                    format!("{name} is a JSON array written as a string, not a list"),
                    Some(Fix::safe("Parse the JSON array into a list", to(list))),
                ),
                None => (
                    format!("{name} is a JSON array of non-strings written as a string ({s:?})"),
                    None,
                ),
            };
        }
    }
    if s.contains(is_separator) {
        let parts: Vec<String> = s
            .split(is_separator)
            .map(str::trim)
            .filter(|p| !is_blank(p))
            .map(str::to_string)
            .collect();
        let shown = Value::list_of_strings(parts.clone()).describe();
        let title = format!("Split it into {shown}");
        return (base, Some(Fix::unsafe_(title, to(parts))));
    }
    let shown = Value::list_of_strings([s]).describe();
    let title = format!("Store {name} as the list {shown}");
    (base, Some(Fix::safe(title, to(vec![s.to_string()]))))
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run};
    use super::*;
    use crate::diagnostic::Applicability;

    fn list(item: &crate::model::Item, name: &str) -> Value {
        item.value(name).cloned().unwrap()
    }

    #[test]
    fn plain_string_becomes_one_element_list() {
        let item = bedrock().with("capabilities", Value::S("ticket triage".into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["capabilities is the string \"ticket triage\", not a list"]
        );
        let fix = v[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(
            fix.title,
            "Store capabilities as the list [\"ticket triage\"]"
        );
        assert_eq!(
            list(&fixed(&item, &v), "capabilities"),
            Value::list_of_strings(["ticket triage"])
        );
    }

    #[test]
    fn json_array_string_is_parsed_safely() {
        let item = bedrock().with("domains", Value::S(r#"["finance", "billing"]"#.into()));
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            ["domains is a JSON array written as a string, not a list"]
        );
        assert_eq!(
            v[0].fix.as_ref().unwrap().applicability,
            Applicability::Safe
        );
        assert_eq!(
            list(&fixed(&item, &v), "domains"),
            Value::list_of_strings(["finance", "billing"])
        );
        let item = bedrock().with("domains", Value::S("[1, 2]".into()));
        let v = run(check, &item);
        assert!(v[0].fix.is_none(), "{v:?}");
    }

    #[test]
    fn separated_string_is_split_only_as_an_unsafe_fix() {
        let item = bedrock().with(
            "capabilities",
            Value::S("billing, refunds;| \ninvoices,".into()),
        );
        let v = run(check, &item);
        let fix = v[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            fix.title,
            "Split it into [\"billing\",\"refunds\",\"invoices\"]"
        );
        assert_eq!(
            list(&fixed(&item, &v), "capabilities"),
            Value::list_of_strings(["billing", "refunds", "invoices"])
        );
    }

    #[test]
    fn blank_strings_empty_optional_lists_and_leave_required_ones_to_rg007() {
        let item = bedrock().with("example_queries", Value::S(" ".into()));
        let v = run(check, &item);
        assert_eq!(
            v[0].fix.as_ref().unwrap().title,
            "Store example_queries as an empty list"
        );
        assert_eq!(list(&fixed(&item, &v), "example_queries"), Value::L(vec![]));
        assert!(run(
            check,
            &bedrock().with("capabilities", Value::S(String::new()))
        )
        .is_empty());
    }

    #[test]
    fn lists_are_clean() {
        assert!(run(check, &bedrock()).is_empty());
    }
}
