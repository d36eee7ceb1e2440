//! `text`: compiler-style findings (`path:line:column: severity: message [code name]`), each
//! with a snippet of the source lines around the offending value, the fix and the help; then a
//! summary.
//!
//! The snippet is drawn here rather than by miette's graphical handler: rendering 100,000
//! findings through it took about half a second, this takes a small fraction of that. Work per
//! finding is bounded: the line is found by binary search and at most [`WINDOW`] characters
//! of it are looked at, however long the line (a JSON Lines item, a minified file).

use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use super::escape::escape_snippet;
use super::{escape_terminal as esc, fix_counts, fix_help, place, RenderOptions, Report};
use crate::diagnostic::{Diagnostic, Severity, Snippet};

/// Characters of a long line shown before the offending value.
const BEFORE: usize = 40;
/// Characters of a line shown at most.
const WINDOW: usize = 120;

/// Colours, or none.
pub(super) struct Palette {
    on: bool,
}

const BOLD: Style = Style::new().bold();
const GUTTER: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));

impl Palette {
    pub(super) fn new(on: bool) -> Self {
        Palette { on }
    }

    /// Appends `text` (already escaped) in `style`.
    pub(super) fn paint(&self, out: &mut String, style: Style, text: &str) {
        if self.on && !text.is_empty() {
            let _ = write!(out, "{}{text}{}", style.render(), style.render_reset());
        } else {
            out.push_str(text);
        }
    }

    pub(super) fn severity_style(severity: Severity) -> Style {
        let color = match severity {
            Severity::Error => AnsiColor::Red,
            Severity::Warning => AnsiColor::Yellow,
            Severity::Info => AnsiColor::Cyan,
        };
        Style::new()
            .bold()
            .fg_color(Some(anstyle::Color::Ansi(color)))
    }
}

pub fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let palette = Palette::new(opts.color);
    let mut buf = String::with_capacity(1024);
    for d in &report.diagnostics {
        buf.clear();
        write_one(&mut buf, d, &palette);
        out.write_all(buf.as_bytes())?;
    }
    if !opts.quiet {
        write_summary(report, opts, &palette, out)?;
    }
    Ok(())
}

/// One finding and the empty line after it.
pub(super) fn write_one(buf: &mut String, d: &Diagnostic, p: &Palette) {
    write_diagnostic(buf, d, p);
    buf.push('\n');
}

/// One finding: header, snippet, help lines.
fn write_diagnostic(buf: &mut String, d: &Diagnostic, p: &Palette) {
    let sev = Palette::severity_style(d.severity);
    p.paint(buf, BOLD, &esc(&place(d)));
    buf.push_str(": ");
    p.paint(buf, sev, d.severity.as_str());
    buf.push_str(": ");
    p.paint(buf, BOLD, &esc(&d.message));
    let _ = writeln!(buf, " [{} {}]", d.rule, d.name);

    let view = d.snippet.as_ref().map(|s| SnippetView::new(s, d));
    let gutter = view.as_ref().map_or(1, SnippetView::gutter_width);
    if let Some(view) = &view {
        view.write(buf, gutter, sev, p);
    }
    if let Some(fix) = &d.fix {
        write_note(buf, gutter, "help", &fix_help(fix), p);
    }
    if let Some(help) = &d.help {
        write_note(buf, gutter, "help", help, p);
    }
}

/// `  = help: text`, continuation lines indented under the text.
fn write_note(buf: &mut String, gutter: usize, label: &str, text: &str, p: &Palette) {
    let _ = write!(buf, "{:gutter$} ", "");
    p.paint(buf, GUTTER, "=");
    buf.push(' ');
    p.paint(buf, BOLD, label);
    buf.push(':');
    let indent = gutter + 4 + label.len();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            let _ = write!(buf, "\n{:indent$}", "");
        }
        buf.push(' ');
        buf.push_str(&esc(line.trim_end_matches('\r')));
    }
    buf.push('\n');
}

/// The lines of a snippet, escaped and clipped, with the position of the underline.
struct SnippetView {
    /// (line number, display text)
    lines: Vec<(usize, String)>,
    /// Index in `lines` of the line with the offending value.
    focus: usize,
    /// Display column (0-based) and width of the underline.
    caret: (usize, usize),
    label: String,
}

impl SnippetView {
    fn new(s: &Snippet, d: &Diagnostic) -> Self {
        let chunk = &s.chunk;
        let text = chunk.text.as_str();
        let start = text.floor_char_boundary(s.start.min(text.len()));
        let end = text.floor_char_boundary(s.end.min(text.len())).max(start);
        let line_span = chunk.line_of(start);
        let line_no = match &d.location {
            Some(l) if l.path.as_str() == &*chunk.path => l.line,
            _ => chunk.line_col(start).0,
        };
        let mut lines = Vec::with_capacity(3);
        if line_span.start > 0 {
            let prev = chunk.line_of(line_span.start - 1);
            lines.push((
                line_no.saturating_sub(1),
                clipped(&text[prev.start..prev.end]),
            ));
        }
        let focus = lines.len();
        let line = &text[line_span.start..line_span.end];
        let (shown, caret) = focus_line(line, start - line_span.start, end - line_span.start);
        lines.push((line_no, shown));
        // The empty "line" after a file's final newline is not shown.
        if line_span.end + 1 < text.len() {
            let next = chunk.line_of(line_span.end + 1);
            lines.push((line_no + 1, clipped(&text[next.start..next.end])));
        }
        let at_item = end - start == 1 && text.as_bytes()[start] == b'{';
        let label = match &d.attribute {
            _ if at_item => "in this item".to_string(),
            Some(a) => esc(a).into_owned(),
            None => String::new(),
        };
        SnippetView {
            lines,
            focus,
            caret,
            label,
        }
    }

    fn gutter_width(&self) -> usize {
        let last = self.lines.last().map_or(1, |(n, _)| *n);
        last.max(1).ilog10() as usize + 1
    }

    fn write(&self, buf: &mut String, gutter: usize, sev: Style, p: &Palette) {
        let bar = |buf: &mut String| {
            let _ = write!(buf, "{:gutter$} ", "");
            p.paint(buf, GUTTER, "|");
        };
        bar(buf);
        buf.push('\n');
        for (i, (n, line)) in self.lines.iter().enumerate() {
            p.paint(buf, GUTTER, &format!("{n:>gutter$} |"));
            if !line.is_empty() {
                buf.push(' ');
                buf.push_str(line);
            }
            buf.push('\n');
            if i == self.focus {
                bar(buf);
                let (col, width) = self.caret;
                let _ = write!(buf, " {:col$}", "");
                let mut marks = "^".repeat(width.max(1));
                if !self.label.is_empty() {
                    marks.push(' ');
                    marks.push_str(&self.label);
                }
                p.paint(buf, sev, &marks);
                buf.push('\n');
            }
        }
        bar(buf);
        buf.push('\n');
    }
}

/// A context line: escaped, at most [`WINDOW`] characters.
fn clipped(line: &str) -> String {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let end = line
        .char_indices()
        .nth(WINDOW)
        .map_or(line.len(), |(i, _)| i);
    let mut out = String::with_capacity(end + 4);
    escape_snippet(&line[..end], &mut out);
    if end < line.len() {
        out.push('…');
    }
    out
}

/// The line holding the offending value, escaped and clipped around it, and the display
/// column and width of the value in the result. `start..end` are byte offsets in `line`;
/// `end` may lie past the line when the value spans lines.
fn focus_line(line: &str, start: usize, end: usize) -> (String, (usize, usize)) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let start = start.min(line.len());
    let end = end.min(line.len()).max(start);
    let from = line[..start]
        .char_indices()
        .rev()
        .nth(BEFORE - 1)
        .map_or(0, |(i, _)| i);
    let to = line[from..]
        .char_indices()
        .nth(WINDOW)
        .map_or(line.len(), |(i, _)| from + i)
        .max(start);
    let mut out = String::with_capacity(to - from + 8);
    if from > 0 {
        out.push('…');
    }
    escape_snippet(&line[from..start], &mut out);
    let col = out.width();
    escape_snippet(&line[start..end.min(to)], &mut out);
    let width = out.width() - col;
    escape_snippet(&line[end.min(to)..to], &mut out);
    if to < line.len() {
        out.push('…');
    }
    (out, (col, width))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary block: counts by severity, fixes, and the run's notes.
pub(super) fn write_summary(
    report: &Report,
    opts: &RenderOptions,
    p: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = &report.summary;
    let mut buf = String::new();
    let _ = write!(buf, "Checked {}: ", plural(s.items, "item", "items"));
    let counts = [
        (s.errors, "error", "errors", Severity::Error),
        (s.warnings, "warning", "warnings", Severity::Warning),
        (s.infos, "info", "infos", Severity::Info),
    ];
    for (i, (n, one, many, sev)) in counts.into_iter().enumerate() {
        if i > 0 {
            buf.push_str(", ");
        }
        let text = plural(n, one, many);
        if n > 0 {
            p.paint(&mut buf, Palette::severity_style(sev), &text);
        } else {
            buf.push_str(&text);
        }
    }
    buf.push('\n');
    let (applicable, hidden) = fix_counts(report, opts);
    let with = if opts.unsafe_fixes {
        "--fix --unsafe-fixes"
    } else {
        "--fix"
    };
    match (applicable, hidden) {
        (0, 0) => {}
        (0, h) => {
            let _ = writeln!(buf, "{h} fixable with --fix --unsafe-fixes");
        }
        (a, 0) => {
            let _ = writeln!(buf, "[*] {a} fixable with {with}");
        }
        (a, h) => {
            let _ = writeln!(
                buf,
                "[*] {a} fixable with {with} ({h} more with --fix --unsafe-fixes)"
            );
        }
    }
    if s.fixed > 0 {
        let _ = writeln!(buf, "Fixed {}", plural(s.fixed, "problem", "problems"));
    }
    if s.skipped_fixes > 0 {
        let _ = writeln!(
            buf,
            "Skipped {}: {}",
            plural(s.skipped_fixes, "fix", "fixes"),
            skip_reasons(report)
        );
    }
    if s.unverifiable > 0 {
        let _ = writeln!(
            buf,
            "{} could not be verified",
            plural(s.unverifiable, "item", "items")
        );
    }
    for note in &report.notes {
        p.paint(&mut buf, BOLD, "note");
        let _ = writeln!(buf, ": {}", esc(note));
    }
    out.write_all(buf.as_bytes())
}

/// Why fixes were skipped, from the run's writes: "the item changed while it was being
/// checked", "the new key is already taken", or both.
fn skip_reasons(report: &Report) -> String {
    let mut reasons: Vec<&str> = report
        .writes
        .iter()
        .filter_map(|w| w.reason)
        .map(|r| match r {
            "changed" => "the item changed while it was being checked",
            "deleted" => "the item was deleted while it was being checked",
            "key-taken" => "the new key is already taken",
            "conflict" => "the write kept colliding with other writers",
            _ => "the fix cannot be written",
        })
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    if reasons.is_empty() {
        "the item changed while it was being checked".into()
    } else {
        reasons.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_clipped_around_the_value() {
        let line = format!("{}\"X\"{}", "a".repeat(500), "b".repeat(500));
        let (shown, (col, width)) = focus_line(&line, 500, 503);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(
            &shown[shown.char_indices().nth(col).map_or(0, |(i, _)| i)..][..3],
            "\"X\""
        );
        assert_eq!(width, 3);
        assert_eq!(shown.chars().count(), WINDOW + 2);
    }

    #[test]
    fn underline_counts_display_width_and_escapes() {
        let (shown, caret) = focus_line("\"名前\": \"a\u{202e}b\"", 10, 17);
        assert_eq!(shown, "\"名前\": \"a\\u{202e}b\"");
        assert_eq!(caret, (8, 12));
    }

    #[test]
    fn values_spanning_lines_are_underlined_to_the_end_of_the_line() {
        let (shown, caret) = focus_line("  \"x\": [", 7, 40);
        assert_eq!(shown, "  \"x\": [");
        assert_eq!(caret, (7, 1));
    }
}
