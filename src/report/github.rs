//! `github`: GitHub Actions workflow commands, one per finding, which the runner turns into
//! annotations on the pull request:
//!
//! `::error file=registry.json,line=4,col=17,title=RG101 stray-character-in-identifier::message`
//!
//! Errors are `error`, warnings `warning`, infos `notice`. Findings without a file location
//! (table items) have no `file`, and their message starts with the table and the item key.
//! Values are escaped as the runner expects (`%` `\r` `\n`, and in properties also `:` `,`), and
//! every other control, bidi or invisible character becomes a visible `\u{..}` escape: a value
//! can neither end the command early nor start a new one, nor reach the log's terminal raw.

use std::io::{self, Write};

use super::escape::{needs_escape, push_escaped};
use super::text::{write_summary, Palette};
use super::{fix_help, place, repo_path, working_dir, RenderOptions, Report};
use crate::diagnostic::{Diagnostic, Severity};

pub fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let cwd = working_dir();
    let mut line = String::with_capacity(256);
    for d in &report.diagnostics {
        line.clear();
        write_one(&mut line, d, cwd.as_deref());
        out.write_all(line.as_bytes())?;
    }
    if !opts.quiet {
        write_summary(report, opts, &Palette::new(false), out)?;
    }
    Ok(())
}

/// One finding's workflow command and its line end.
pub(super) fn write_one(out: &mut String, d: &Diagnostic, cwd: Option<&str>) {
    command(out, d, cwd);
    out.push('\n');
}

fn command(out: &mut String, d: &Diagnostic, cwd: Option<&str>) {
    out.push_str(match d.severity {
        Severity::Error => "::error ",
        Severity::Warning => "::warning ",
        Severity::Info => "::notice ",
    });
    if let Some(l) = &d.location {
        out.push_str("file=");
        escape_property(out, &repo_path(&l.path, cwd));
        out.push_str(&format!(",line={},col={},", l.line, l.column));
    }
    out.push_str("title=");
    escape_property(out, &format!("{} {}", d.rule, d.name));
    out.push_str("::");
    let mut message = String::new();
    if d.location.is_none() {
        message.push_str(&place(d));
        message.push_str(": ");
    }
    message.push_str(&d.message);
    if let Some(fix) = &d.fix {
        message.push_str("\nhelp: ");
        message.push_str(&fix_help(fix));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    escape_data(out, &message);
}

/// A command's message: `%`, CR and LF as the runner expects; other controls escaped visibly.
fn escape_data(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if needs_escape(c) => push_escaped(out, c),
            c => out.push(c),
        }
    }
}

/// A property value: as data, and `:` and `,` too.
fn escape_property(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => escape_data(out, c.encode_utf8(&mut [0; 4])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped() {
        let mut s = String::new();
        escape_data(&mut s, "100% a:b,c\r\n\u{1b}[31m\u{202e}");
        assert_eq!(s, "100%25 a:b,c%0D%0A\\u{1b}[31m\\u{202e}");
        let mut p = String::new();
        escape_property(&mut p, "a:b,c%\n");
        assert_eq!(p, "a%3Ab%2Cc%25%0A");
    }
}
