use super::common::{is_blank, is_text_control};
use super::{rule_doc, Check, FixAvailability, ItemCtx, Rule, Violation};
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::{Attr, Node, Value};
use crate::schema::LIST_ATTRIBUTES;

/// Repeated elements in `capabilities`, `domains` or `example_queries`.
pub static RULE: Rule = Rule {
    code: "RG202",
    name: "duplicate-list-element",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "repeated list elements",
    doc: rule_doc!("RG202"),
    check: Check::Item(check),
};

/// What two elements that differ only in case or spacing have in common, up to ASCII case:
/// two elements are near repeats when their keys are equal ignoring ASCII case.
fn folded(s: &str) -> std::borrow::Cow<'_, str> {
    // Printable ASCII with single spaces between words is its own key.
    if is_simple(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let visible: String = s.chars().filter(|c| !is_text_control(*c)).collect();
    // Lower case already, so ASCII case-insensitive comparison with a simple key is exact.
    std::borrow::Cow::Owned(
        visible
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    )
}

/// Printable ASCII with single spaces between words and none at the ends.
fn is_simple(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut after_space = false;
    bytes.iter().all(|&b| {
        let space = b == b' ';
        let ok = (0x21..0x7f).contains(&b) || (space && !after_space);
        after_space = space;
        ok
    })
}

/// The string of a non-blank string element (blank ones are RG201's).
fn text(n: &Node) -> Option<&str> {
    n.value.as_str().filter(|s| !is_blank(s))
}

fn check(ctx: &ItemCtx, out: &mut Vec<Violation>) {
    for name in LIST_ATTRIBUTES {
        let Some(attr) = ctx.item.get(name) else {
            continue;
        };
        let Value::L(items) = &attr.node.value else {
            continue;
        };
        if items.len() < 2 {
            continue;
        }
        let (exact, remaining) = exact_repeats(attr, items);
        // Near repeats are judged among what the safe fix leaves; their fix removes both kinds.
        out.extend(exact);
        out.extend(near_repeats(attr, &remaining));
    }
}

/// The list without the elements `drop` selects.
fn without(items: &[Node], drop: &[usize]) -> Value {
    Value::L(
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| !drop.contains(i))
            .map(|(_, n)| Node::new(n.value.clone()))
            .collect(),
    )
}

/// The finding about exact repeats, if any, and the list without them.
fn exact_repeats<'a>(
    attr: &Attr,
    items: &'a [Node],
) -> (Option<Violation>, std::borrow::Cow<'a, [Node]>) {
    // Lists are short: looking back at the elements before takes about as many comparisons as
    // a list of those seen, without allocating one for every list.
    let mut repeats: Vec<usize> = Vec::new();
    for (i, n) in items.iter().enumerate() {
        let Some(s) = text(n) else { continue };
        if items[..i].iter().any(|m| text(m) == Some(s)) {
            repeats.push(i);
        }
    }
    let Some(&first) = repeats.first() else {
        return (None, std::borrow::Cow::Borrowed(items));
    };
    let remaining: Vec<Node> = items
        .iter()
        .enumerate()
        .filter(|(i, _)| !repeats.contains(i))
        .map(|(_, n)| n.clone())
        .collect();
    let shown = items[first].value.describe();
    let name = &attr.name;
    let (message, title) = match repeats.len() {
        1 => (
            format!("{name} repeats {shown}"),
            format!("Remove the repeated {shown}"),
        ),
        n => (
            format!("{name} has {n} repeated elements, the first {shown}"),
            "Remove the repeated elements".to_string(),
        ),
    };
    let v = Violation::new(&RULE, message)
        .on(attr)
        .at(&items[first])
        .with_fix(Some(Fix::safe(
            title,
            vec![Edit::set(name, without(items, &repeats))],
        )));
    (Some(v), std::borrow::Cow::Owned(remaining))
}

fn near_repeats(attr: &Attr, items: &[Node]) -> Option<Violation> {
    let mut seen: Vec<(std::borrow::Cow<'_, str>, usize)> = Vec::with_capacity(items.len());
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    for (i, n) in items.iter().enumerate() {
        let Some(s) = text(n) else { continue };
        let key = folded(s);
        match seen.iter().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
            Some((_, kept)) => repeats.push((i, *kept)),
            None => seen.push((key, i)),
        }
    }
    let (first, kept) = *repeats.first()?;
    let shown = items[first].value.describe();
    let kept_shown = items[kept].value.describe();
    let name = &attr.name;
    let drop: Vec<usize> = repeats.iter().map(|(i, _)| *i).collect();
    let title = match drop.len() {
        1 => format!("Remove {shown}, keeping {kept_shown}"),
        n => format!("Remove {n} near repeats, keeping the first of each"),
    };
    Some(
        Violation::new(
            &RULE,
            format!(
                "{name} has {shown}, a repeat of {kept_shown} differing only in case or spacing"
            ),
        )
        .on(attr)
        .at(&items[first])
        .with_fix(Some(Fix::unsafe_(
            title,
            vec![Edit::set(name, without(items, &drop))],
        ))),
    )
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::{bedrock, fixed, messages, run};
    use super::*;
    use crate::diagnostic::Applicability;

    /// The general folding: visible characters, single spaces, lower case.
    fn reference_fold(s: &str) -> String {
        let visible: String = s.chars().filter(|c| !is_text_control(*c)).collect();
        visible
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }

    #[test]
    fn near_repeat_keys_compare_as_the_general_folding_does() {
        let samples = [
            "Billing",
            "billing",
            "BILLING",
            " billing",
            "billing ",
            "bil  ling",
            "bil ling",
            "Bil Ling",
            "bil\tling",
            "bil\u{200b}ling",
            "Ärger",
            "ärger",
            "ÄRGER",
            "ß",
            "SS",
            "ss",
            "İ",
            "i̇",
            "K",
            "k",
            "\u{212a}",
            "a  b",
            "a b",
            "",
            " ",
            "~",
            "x\u{7f}",
        ];
        for a in samples {
            assert_eq!(
                is_simple(a),
                matches!(folded(a), std::borrow::Cow::Borrowed(_)),
                "{a:?}"
            );
            for b in samples {
                let fast = folded(a).eq_ignore_ascii_case(&folded(b));
                let reference = reference_fold(a) == reference_fold(b);
                assert_eq!(fast, reference, "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn exact_repeats_are_removed_safely_keeping_the_first() {
        let item = bedrock().with(
            "capabilities",
            Value::list_of_strings(["billing", "refunds", "billing"]),
        );
        let v = run(check, &item);
        assert_eq!(messages(&v), ["capabilities repeats \"billing\""]);
        let fix = v[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(fix.title, "Remove the repeated \"billing\"");
        assert!(fixed(&item, &v).same_data(&bedrock()));
    }

    #[test]
    fn repeats_in_other_case_or_spacing_are_unsafe() {
        let item = bedrock().with(
            "domains",
            Value::list_of_strings(["Billing", "refunds", "billing ", "Refunds", "refunds"]),
        );
        let v = run(check, &item);
        assert_eq!(
            messages(&v),
            [
                "domains repeats \"refunds\"",
                "domains has \"billing \", a repeat of \"Billing\" differing only in case or spacing"
            ]
        );
        let near = &v[1..];
        let fix = near[0].fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert_eq!(
            fix.title,
            "Remove 2 near repeats, keeping the first of each"
        );
        assert_eq!(
            fixed(&item, near).value("domains"),
            Some(&Value::list_of_strings(["Billing", "refunds"]))
        );
    }

    #[test]
    fn distinct_and_blank_elements_are_not_repeats() {
        assert!(run(check, &bedrock()).is_empty());
        let item = bedrock().with(
            "domains",
            Value::list_of_strings(["", "", "a b", "ab", "a-b"]),
        );
        assert!(run(check, &item).is_empty());
    }
}
