//! Small helpers several rules share.

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
fn is_trailing_punct(c: char) -> bool {
    matches!(c, ',' | ';' | '.' | ')' | ']' | '}' | '>')
}

/// An identifier with stray characters removed, and the characters removed (in order).
/// Stray characters are removed anywhere; trailing punctuation only at the end.
pub fn strip_stray(s: &str) -> (String, Vec<char>) {
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
    (kept, removed)
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
    }
}
