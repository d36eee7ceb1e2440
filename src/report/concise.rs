//! `concise`: one line per finding, then the summary; also `--diff` output.
//!
//! `[*]` marks a finding that `--fix` fixes with the current options; `[*unsafe]` one whose
//! fix needs `--unsafe-fixes` as well.

use std::io::{self, Write};

use super::text::{write_summary, Palette};
use super::{applies, escape_terminal as esc, place, RenderOptions, Report};
use crate::diagnostic::Diagnostic;

pub fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut line = String::with_capacity(256);
    for d in &report.diagnostics {
        line.clear();
        write_one(&mut line, d, opts);
        out.write_all(line.as_bytes())?;
    }
    if !opts.quiet {
        write_summary(report, opts, &Palette::new(opts.color), out)?;
    }
    Ok(())
}

/// One finding's line.
pub(super) fn write_one(line: &mut String, d: &Diagnostic, opts: &RenderOptions) {
    let fix = match &d.fix {
        Some(f) if applies(f, opts) => " [*]",
        Some(_) => " [*unsafe]",
        None => "",
    };
    line.push_str(&esc(&place(d)));
    line.push_str(": ");
    line.push_str(d.rule);
    line.push(' ');
    line.push_str(d.severity.as_str());
    line.push_str(fix);
    line.push(' ');
    line.push_str(&esc(&d.message));
    line.push('\n');
}

pub fn render_diffs(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diffs {
        let diff = similar::TextDiff::from_lines(&d.before, &d.after);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&d.path, &d.path)
            .to_string();
        write!(out, "{}", esc_lines(&text))?;
    }
    Ok(())
}

fn esc_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(body) => format!("{}\n", esc(body)),
            None => esc(l).into_owned(),
        })
        .collect()
}
