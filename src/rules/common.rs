//! Small helpers several rules share.

use super::ItemCtx;
use std::borrow::Cow;

/// Characters that end up around identifiers by copy and paste: quotes, zero-width and
/// non-breaking characters.
pub fn is_stray_char(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | '`'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{00A0}'
            | '\u{200B}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{202F}'
            | '\u{2007}'
    ) || c.is_whitespace()
}

/// Trailing punctuation that is never part of an identifier.
pub fn is_trailing_punct(c: char) -> bool {
    matches!(c, ',' | ';' | '.' | ')' | ']' | '}' | '>')
}

/// An identifier with stray characters removed, and the characters removed (in order).
/// Stray characters are removed anywhere; trailing punctuation only at the end.
pub fn strip_stray(s: &str) -> (Cow<'_, str>, Vec<char>) {
    // Most identifiers are plain ASCII, which holds neither stray characters nor trailing
    // punctuation: borrow them whole.
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'/');
    if s.bytes().fold(true, |ok, b| ok & plain(b)) {
        return (Cow::Borrowed(s), Vec::new());
    }
    let mut removed = Vec::new();
    let mut kept: String = s
        .chars()
        .filter(|c| {
            let stray = is_stray_char(*c);
            if stray {
                removed.push(*c);
            }
            !stray
        })
        .collect();
    while let Some(c) = kept.chars().last().filter(|c| is_trailing_punct(*c)) {
        kept.pop();
        removed.push(c);
    }
    (Cow::Owned(kept), removed)
}

/// Stray characters only at the ends of a value (for registry keys that may hold any text):
/// leading stray characters, and trailing stray characters and punctuation.
pub fn strip_stray_ends(s: &str) -> (Cow<'_, str>, Vec<char>) {
    let rest = s.trim_start_matches(is_stray_char);
    let mut removed: Vec<char> = s[..s.len() - rest.len()].chars().collect();
    let kept = rest.trim_end_matches(|c| is_stray_char(c) || is_trailing_punct(c));
    removed.extend(rest[kept.len()..].chars());
    (Cow::Borrowed(kept), removed)
}

/// A character as a message shows it: printable ones quoted, others by code point.
pub fn show_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() || is_invisible(c) {
        format!("U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}

/// Zero-width and bidi control characters.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// Characters that have no place in registry text: control characters, zero-width and bidi
/// controls, and the Unicode line and paragraph separators.
pub fn is_text_control(c: char) -> bool {
    c.is_control() || is_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Line breaks and tabs: a fix turns them into a space rather than gluing words together.
pub fn is_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\t' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// A string with nothing visible in it: empty, or only white space and invisible or control
/// characters.
#[inline]
pub fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        // A visible ASCII character first: the usual case, decided at once.
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.chars().all(|c| c.is_whitespace() || is_text_control(c)),
    }
}

/// Only printable ASCII (space to `~`). Checked without an early exit, which compiles to a
/// vector loop: this runs over every text value.
pub fn is_printable_ascii(s: &str) -> bool {
    s.bytes().fold(true, |ok, b| ok & (0x20..0x7f).contains(&b))
}

/// Whether an attribute must hold a non-blank value on this item: the attributes its type
/// requires (every type's when the type is unknown), and the text attributes that may be absent
/// but are never empty (`agent_id` as a registry key, `qualifier`).
pub fn must_not_be_blank(ctx: &super::ItemCtx, name: &str) -> bool {
    use crate::schema::{AGENT_ID, QUALIFIER};
    is_required(ctx, name) || name == AGENT_ID || name == QUALIFIER
}

/// A blank string where a value is required: RG007's, not judged by the value rules.
pub fn left_to_rg007(ctx: &super::ItemCtx, name: &str, s: &str) -> bool {
    is_blank(s) && must_not_be_blank(ctx, name)
}

/// Whether the item's type requires the attribute (the common ones when the type is unknown),
/// built in or declared.
#[inline]
pub fn is_required(ctx: &super::ItemCtx, name: &str) -> bool {
    let schema = &ctx.settings.schema;
    if schema.has_declarations() {
        return schema.is_required(name, ctx.agent_type);
    }
    ctx.agent_type
        .map_or(&crate::schema::ALWAYS_REQUIRED[..], |t| t.required())
        .contains(&name)
}

/// Whether a value holds typed JSON that could not be read anywhere inside it (RG000's).
pub fn contains_invalid(v: &crate::model::Value) -> bool {
    use crate::model::Value;
    match v {
        Value::Invalid(_) => true,
        Value::M(attrs) => attrs.iter().any(|a| contains_invalid(&a.node.value)),
        Value::L(n) | Value::SS(n) | Value::NS(n) | Value::BS(n) => {
            n.iter().any(|n| contains_invalid(&n.value))
        }
        _ => false,
    }
}

/// An identifier attribute as a pattern rule (RG102, RG103, RG107) judges it: the attribute,
/// and its value after RG101's stray-character stripping. `None` when another rule reports the
/// value: not a string (RG002, RG105), blank where a value is required (RG007), or nothing but
/// stray characters (RG101). A blank value where none is required is judged as it is.
pub fn identifier_to_judge<'a>(
    ctx: &ItemCtx<'a>,
    name: &str,
) -> Option<(&'a crate::model::Attr, Cow<'a, str>)> {
    let attr = ctx.item.get(name)?;
    let crate::model::Value::S(s) = &attr.node.value else {
        return None;
    };
    if is_blank(s) {
        return (!must_not_be_blank(ctx, name)).then_some((attr, Cow::Borrowed(s.as_str())));
    }
    let (clean, _) = strip_stray(s);
    (!clean.is_empty()).then_some((attr, clean))
}

/// The account an item belongs to, normalised for comparisons: stray characters removed,
/// numbers left-padded; `None` for the local account.
pub fn normalised_account(v: Option<&crate::model::Value>) -> Option<String> {
    use crate::model::Value;
    match v? {
        Value::S(s) => {
            let (clean, _) = strip_stray(s);
            let digits: String = clean.chars().filter(|c| *c != '-').collect();
            (!digits.is_empty()).then_some(digits)
        }
        Value::N(n) => Some(format!("{:0>12}", n.trim())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_quotes_spaces_and_trailing_punctuation() {
        assert_eq!(strip_stray("IO1GTTHP0M\"").0, "IO1GTTHP0M");
        assert_eq!(strip_stray(" \u{200B}ABC,").0, "ABC");
        assert_eq!(strip_stray("“ABC”").1, vec!['“', '”']);
        assert_eq!(strip_stray("ABC").1, Vec::<char>::new());
        assert!(matches!(
            strip_stray("arn:aws:x/a-b_c").0,
            Cow::Borrowed("arn:aws:x/a-b_c")
        ));
        assert_eq!(
            strip_stray("ABC.)"),
            (Cow::Owned("ABC".into()), vec![')', '.'])
        );
    }
}

/// Free-text attributes that RG203 trims and RG205 cleans. `region` is among them so that a
/// stray space or invisible character gets a safe fix rather than only RG109.
pub const TEXT_LIKE_ATTRIBUTES: [&str; 4] = [
    crate::schema::NAME,
    crate::schema::DESCRIPTION,
    crate::schema::QUALIFIER,
    crate::schema::REGION,
];

/// Whether the attribute may hold line breaks and tabs (multi-line descriptions are fine).
pub fn allows_breaks(attribute: &str) -> bool {
    attribute == crate::schema::DESCRIPTION
}

/// The characters RG205 flags in a text value: control, bidi and zero-width characters, except
/// line breaks and tabs where the attribute allows them.
pub fn is_flagged_control(c: char, keep_breaks: bool) -> bool {
    is_text_control(c) && !(keep_breaks && matches!(c, '\n' | '\r' | '\t'))
}

/// Text with RG205's characters taken out: line breaks and tabs become one space (unless
/// kept), everything else flagged is removed.
pub fn remove_controls(s: &str, keep_breaks: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !is_flagged_control(c, keep_breaks) {
            out.push(c);
        } else if is_break(c) && !out.ends_with(char::is_whitespace) {
            out.push(' ');
        }
    }
    out
}

/// How messages name a value's type.
pub fn type_phrase(v: &crate::model::Value) -> &'static str {
    use crate::model::Value;
    match v {
        Value::S(_) => "a string",
        Value::N(_) => "a number",
        Value::B(_) => "binary",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        Value::M(_) => "a map",
        Value::L(_) => "a list",
        Value::SS(_) => "a string set",
        Value::NS(_) => "a number set",
        Value::BS(_) => "a binary set",
        Value::Invalid(_) => "unreadable",
    }
}

/// Items and a runner for the rules' unit tests.
#[cfg(test)]
pub mod testing {
    use crate::model::{Format, Item, Value};
    use crate::rules::{ItemCtx, Settings, Violation};

    /// A valid `bedrock_agent` entry.
    pub fn bedrock() -> Item {
        Item::new(Format::Plain)
            .with("agent_id", Value::S("PEGHWIVI5Y".into()))
            .with("alias_id", Value::S("IO1GTTHP0M".into()))
            .with("name", Value::S("billing-agent".into()))
            .with("description", Value::S("Answers billing questions".into()))
            .with("agent_type", Value::S("bedrock_agent".into()))
            .with("account_id", Value::S("843074507558".into()))
            .with("region", Value::S("us-east-1".into()))
            .with("enabled", Value::Bool(true))
            .with(
                "capabilities",
                Value::list_of_strings(["billing", "refunds"]),
            )
    }

    /// A valid `agentcore` entry.
    pub fn agentcore() -> Item {
        Item::new(Format::Plain)
            .with("agent_id", Value::S("code-review-runtime".into()))
            .with(
                "runtime_arn",
                Value::S(
                    "arn:aws:bedrock-agentcore:us-east-1:309812475566:runtime/code_review-Yn2GsXHG69"
                        .into(),
                ),
            )
            .with("name", Value::S("code-review".into()))
            .with("description", Value::S("Reviews pull requests".into()))
            .with("agent_type", Value::S("agentcore".into()))
            .with("account_id", Value::S("309812475566".into()))
            .with("enabled", Value::Bool(true))
            .with("capabilities", Value::list_of_strings(["code review"]))
    }

    /// The findings of one rule's check on an item, with default settings.
    pub fn run(check: fn(&ItemCtx, &mut Vec<Violation>), item: &Item) -> Vec<Violation> {
        let settings = Settings::default();
        let mut out = Vec::new();
        check(&ItemCtx::new(item, &settings), &mut out);
        out
    }

    /// The findings of one rule's check on an item, with the settings of a `reglint.toml`.
    pub fn run_with(
        check: fn(&ItemCtx, &mut Vec<Violation>),
        item: &Item,
        toml: &str,
    ) -> Vec<Violation> {
        let config =
            crate::config::Config::parse(std::path::Path::new("reglint.toml"), toml.into())
                .unwrap_or_else(|e| panic!("{e:?}"));
        let settings = Settings {
            schema: config.schema,
            ..Settings::default()
        };
        let mut out = Vec::new();
        check(&ItemCtx::new(item, &settings), &mut out);
        out
    }

    /// The messages of the findings.
    pub fn messages(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.message.as_str()).collect()
    }

    /// The item after applying the first finding's fix.
    pub fn fixed(item: &Item, v: &[Violation]) -> Item {
        let mut out = item.clone();
        if let Some(fix) = v.first().and_then(|v| v.fix.as_ref()) {
            crate::fix::apply_fix(&mut out, fix);
        }
        out
    }
}
