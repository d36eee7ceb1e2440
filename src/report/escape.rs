//! Data never reaches a terminal raw: control characters, escape sequences, bidi overrides and
//! invisible characters are shown as escapes.

/// Text safe to print on a terminal: every control, bidi or invisible character is replaced by
/// a visible escape (`\u{1b}`, `\n`, …).
pub fn escape_terminal(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || crate::rules::common::is_invisible(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_csi_osc_and_bidi() {
        assert_eq!(escape_terminal("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape_terminal("x\u{202e}y\u{7}"), "x\\u{202e}y\\u{7}");
        assert_eq!(escape_terminal("plain"), "plain");
    }
}
