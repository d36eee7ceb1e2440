use super::common::remove_controls;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::model::Value;
use crate::schema::{is_region, REGION};

/// A `region` that is not an AWS region name.
pub static RULE: Rule = Rule {
    code: "RG109",
    name: "malformed-region",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "region not an AWS region name",
    doc: rule_doc!("RG109"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let Some(attr) = ctx.item.get(REGION) else {
        return;
    };
    let Value::S(s) = &attr.node.value else {
        return;
    };
    // Surrounding white space and invisible characters are RG203's and RG205's to fix.
    let clean = remove_controls(s, false);
    let clean = clean.trim();
    if is_region(clean) {
        return;
    }
    let mut v = Violation::new(&RULE, format!("region {s:?} is not an AWS region name")).on(attr);
    if let Some(h) = help(clean) {
        v = v.with_help(h);
    }
    out.push(v);
}

fn help(clean: &str) -> Option<String> {
    let lower = clean.to_ascii_lowercase().replace(['_', ' '], "-");
    if lower != clean && is_region(&lower) {
        return Some(format!("region names are lower case with dashes: {lower}"));
    }
    if let Some(az) = clean.strip_suffix(|c: char| c.is_ascii_lowercase()) {
        if is_region(az) {
            return Some(format!(
                "{clean} is an availability zone; its region is {az}"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, messages, run};
    use super::*;

    #[test]
    fn malformed_regions_are_flagged() {
        let v = run(check, &bedrock().with(REGION, Value::S("us-east".into())));
        assert_eq!(
            messages(&v),
            ["region \"us-east\" is not an AWS region name"]
        );
        assert!(v[0].fix.is_none());
        let v = run(
            check,
            &bedrock().with(REGION, Value::S("us-east-1a".into())),
        );
        assert_eq!(
            v[0].help.as_deref(),
            Some("us-east-1a is an availability zone; its region is us-east-1")
        );
        let v = run(check, &bedrock().with(REGION, Value::S("US_EAST_1".into())));
        assert_eq!(
            v[0].help.as_deref(),
            Some("region names are lower case with dashes: us-east-1")
        );
        assert_eq!(
            run(check, &bedrock().with(REGION, Value::S(" ".into()))).len(),
            1
        );
    }

    #[test]
    fn valid_regions_and_fixable_spacing_are_not_flagged() {
        assert!(run(check, &bedrock()).is_empty());
        for ok in [
            "eu-central-1",
            "ap-southeast-2",
            "us-gov-west-1",
            " us-east-1 ",
            "us-east-1\u{200B}",
        ] {
            assert!(
                run(check, &bedrock().with(REGION, Value::S(ok.into()))).is_empty(),
                "{ok}"
            );
        }
    }
}
