use super::common::identifier_to_judge;
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::Severity;
use crate::schema::{is_runtime_arn, RUNTIME_ARN};

/// A `runtime_arn` that is not an AgentCore runtime ARN.
pub static RULE: Rule = Rule {
    code: "RG107",
    name: "malformed-runtime-arn",
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "runtime_arn not an AgentCore runtime ARN",
    doc: rule_doc!("RG107"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let Some((attr, clean)) = identifier_to_judge(ctx, RUNTIME_ARN) else {
        return;
    };
    if is_runtime_arn(&clean) {
        return;
    }
    let raw = attr.node.value.as_str().unwrap_or_default();
    out.push(
        Violation::new(
            &RULE,
            format!("runtime_arn {raw:?} is not an AgentCore runtime ARN"),
        )
        .on(attr)
        .with_help(help(&clean)),
    );
}

fn help(clean: &str) -> String {
    const SHAPE: &str =
        "the form is arn:aws:bedrock-agentcore:<region>:<12-digit account>:runtime/<name>-<10 letters and digits>";
    if clean.contains(":runtime-endpoint/") || clean.matches('/').count() > 1 {
        format!(
            "write the runtime's ARN, not an endpoint's: the endpoint goes in qualifier; {SHAPE}"
        )
    } else if clean.contains(":bedrock:") && clean.contains(":agent") {
        format!("this is a Bedrock Agent ARN: register it as a bedrock_agent entry; {SHAPE}")
    } else {
        SHAPE.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{agentcore, bedrock, messages, run};
    use super::*;
    use crate::model::Value;

    #[test]
    fn malformed_arns_are_flagged() {
        let arn = "arn:aws:bedrock-agentcore:us-east-1:30981247556:runtime/code_review-Yn2GsXHG69";
        let v = run(check, &agentcore().with(RUNTIME_ARN, Value::S(arn.into())));
        assert_eq!(
            messages(&v),
            [format!(
                "runtime_arn {arn:?} is not an AgentCore runtime ARN"
            )]
        );
        let arn = "arn:aws:bedrock:us-east-1:309812475566:agent/PEGHWIVI5Y";
        let v = run(check, &agentcore().with(RUNTIME_ARN, Value::S(arn.into())));
        assert!(v[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("this is a Bedrock Agent ARN"));
        // Present on a Bedrock agent entry, it is still judged.
        assert_eq!(
            run(check, &bedrock().with(RUNTIME_ARN, Value::S("x".into()))).len(),
            1
        );
    }

    #[test]
    fn valid_stray_and_blank_required_arns_are_left_alone() {
        assert!(run(check, &agentcore()).is_empty());
        assert!(run(check, &bedrock()).is_empty());
        let arn =
            "arn:aws:bedrock-agentcore:us-east-1:309812475566:runtime/code_review-Yn2GsXHG69 ";
        assert!(run(check, &agentcore().with(RUNTIME_ARN, Value::S(arn.into()))).is_empty());
        assert!(run(
            check,
            &agentcore().with(RUNTIME_ARN, Value::S(String::new()))
        )
        .is_empty());
    }
}
