//! Data never reaches a terminal raw: control characters, escape sequences, bidi overrides and
//! invisible characters are shown as escapes.
//!
//! Escaping the introducer of a sequence (ESC, the C1 controls CSI `U+009B` and OSC `U+009D`,
//! BEL, ST) is enough to make a whole CSI or OSC sequence (colours, OSC 8 links, OSC 52
//! clipboard writes) inert: what is left is printable text.

use std::borrow::Cow;

/// Text safe to print on a terminal: every control, bidi or invisible character is replaced by
/// a visible escape (`\u{1b}`, `\n`, …).
pub fn escape_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c` to `out`, as a visible escape when it must not reach a terminal raw.
pub(crate) fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if needs_escape(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// A line of source text for a snippet: tabs become four spaces (indentation), everything else
/// is escaped as in [`escape_terminal`].
pub(crate) fn escape_snippet(s: &str, out: &mut String) {
    let mut clean_from = 0;
    for (i, c) in s.char_indices() {
        if c == '\t' || needs_escape(c) {
            out.push_str(&s[clean_from..i]);
            match c {
                '\t' => out.push_str("    "),
                c => push_escaped(out, c),
            }
            clean_from = i + c.len_utf8();
        }
    }
    out.push_str(&s[clean_from..]);
}

/// Whether a character must not be printed raw: controls (C0, DEL, C1), zero-width and bidi
/// controls, line and paragraph separators, tag characters, and the noncharacters XML forbids.
pub(crate) fn needs_escape(c: char) -> bool {
    c.is_control()
        || crate::rules::common::is_invisible(c)
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{00AD}' | '\u{180E}' | '\u{FFF9}'..='\u{FFFB}'
                | '\u{FFFE}' | '\u{FFFF}' | '\u{E0000}'..='\u{E007F}'
        )
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

    #[test]
    fn escapes_c1_introducers_and_osc_links() {
        assert_eq!(escape_terminal("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(
            escape_terminal("\u{1b}]8;;http://x\u{1b}\\a\u{1b}]8;;\u{1b}\\"),
            "\\u{1b}]8;;http://x\\u{1b}\\a\\u{1b}]8;;\\u{1b}\\"
        );
        assert_eq!(
            escape_terminal("\u{1b}]52;c;aGk=\u{7}"),
            "\\u{1b}]52;c;aGk=\\u{7}"
        );
        assert_eq!(escape_terminal("a\0b\u{ffff}"), "a\\u{0}b\\u{ffff}");
    }

    #[test]
    fn snippets_expand_tabs() {
        let mut s = String::new();
        escape_snippet("\t\"a\u{200b}\"", &mut s);
        assert_eq!(s, "    \"a\\u{200b}\"");
    }
}
