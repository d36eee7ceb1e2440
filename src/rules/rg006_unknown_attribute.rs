use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};

/// An attribute that is neither in the schema nor in the config's `extra_attributes`.
pub static RULE: Rule = Rule {
    code: "RG006",
    name: "unknown-attribute",
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    summary: "an attribute not in the schema nor in extra_attributes",
    doc: rule_doc!("RG006"),
    check: Check::Item(check),
};

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    let extra = &ctx.settings.extra_attributes;
    let schema = &ctx.settings.schema;
    let allowed = |n: &str| schema.is_known(n) || extra.iter().any(|e| e == n);
    for attr in &ctx.item.attrs {
        if allowed(&attr.name) {
            continue;
        }
        // The schema's attributes (built-in ones first, then the declared), then the extras.
        let candidates = schema
            .attributes()
            .iter()
            .map(|a| a.name.as_str())
            .chain(extra.iter().map(String::as_str))
            .filter(|c| ctx.item.get(c).is_none());
        let target = near_miss(&attr.name, candidates);
        let mut v = Violation::new(&RULE, format!("{} is not a registry attribute", attr.name))
            .on_name(attr);
        v = match target {
            Some(to) => v
                .with_help(format!(
                    "did you mean {to}? Otherwise list {} in extra_attributes in reglint.toml",
                    attr.name
                ))
                .with_fix(Some(Fix::unsafe_(
                    format!("Rename {} to {to}", attr.name),
                    vec![Edit::Rename {
                        from: attr.name.to_string(),
                        to: to.to_string(),
                    }],
                ))),
            None => v.with_help(format!(
                "remove it, or list {} in extra_attributes in reglint.toml",
                attr.name
            )),
        };
        out.push(v);
    }
}

/// Letters and digits only, lower case: `agentId`, `Agent-ID` and `agent_id` are the same.
fn fold(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The one candidate `name` is a misspelling of: equal up to case and separators, or within a
/// small edit distance (none for short names, one for names up to 7 letters, two beyond).
/// Ties mean no guess.
fn near_miss<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let folded = fold(name);
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for c in candidates {
        let target = fold(c);
        let distance = strsim::damerau_levenshtein(&folded, &target);
        let allowed = match target.len() {
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        };
        if distance > allowed {
            continue;
        }
        match best {
            Some((d, _)) if d < distance => {}
            Some((d, _)) if d == distance => tied = true,
            _ => {
                best = Some((distance, c));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run, run_with};
    use super::super::Settings;
    use super::*;
    use crate::model::Value;

    #[test]
    fn near_miss_of_a_missing_attribute_is_renamed() {
        let mut item = bedrock();
        item.rename("capabilities", "capabilites");
        let v = run(check, &item);
        assert_eq!(messages(&v), ["capabilites is not a registry attribute"]);
        let fix = v[0].fix.as_ref().unwrap();
        assert_eq!(fix.title, "Rename capabilites to capabilities");
        assert!(fixed(&item, &v).same_data(&bedrock()));
        assert_eq!(
            v[0].help.as_deref(),
            Some("did you mean capabilities? Otherwise list capabilites in extra_attributes in reglint.toml")
        );
    }

    #[test]
    fn case_and_separator_variants_are_near_misses() {
        let mut item = bedrock();
        item.rename("agent_id", "agentId");
        let v = run(check, &item);
        assert_eq!(
            v[0].fix.as_ref().unwrap().title,
            "Rename agentId to agent_id"
        );
    }

    #[test]
    fn no_rename_onto_a_present_attribute_or_far_names() {
        let item = bedrock().with("capabilites", Value::list_of_strings(["x"]));
        let v = run(check, &item);
        assert_eq!(messages(&v), ["capabilites is not a registry attribute"]);
        assert!(v[0].fix.is_none());
        let item = bedrock().with("owner", Value::S("team-a".into()));
        assert!(run(check, &item)[0].fix.is_none());
        // Short names need an exact match up to case: "game" is not "name".
        let mut item = bedrock();
        item.rename("name", "game");
        assert!(run(check, &item)[0].fix.is_none());
    }

    #[test]
    fn schema_and_extra_attributes_are_allowed() {
        assert!(run(check, &bedrock()).is_empty());
        let item = bedrock().with("owner", Value::S("team-a".into()));
        let settings = Settings {
            extra_attributes: vec!["owner".into()],
            ..Settings::default()
        };
        let mut out = Vec::new();
        check(&ItemCtx::new(&item, &settings), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn declared_attributes_are_known_and_near_misses_of_them_are_renamed() {
        let toml = "[schema.attributes.protocol]\ntype = \"S\"\n";
        let item = bedrock().with("protocol", Value::S("mcp".into()));
        assert!(run_with(check, &item, toml).is_empty());
        let item = bedrock().with("protocl", Value::S("mcp".into()));
        let v = run_with(check, &item, toml);
        assert_eq!(messages(&v), ["protocl is not a registry attribute"]);
        assert_eq!(
            v[0].fix.as_ref().unwrap().title,
            "Rename protocl to protocol"
        );
        assert!(
            run(check, &bedrock().with("protocol", Value::S("mcp".into())))[0]
                .fix
                .is_none()
        );
    }
}
