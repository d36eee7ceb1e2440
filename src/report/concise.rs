//! `concise`: one line per finding; also `--statistics` and `--diff` output.

use std::io::{self, Write};

use super::{escape_terminal as esc, RenderOptions, Report};

/// Where a finding is: `path:line:column`, or the table and the item's key.
pub fn place(d: &crate::diagnostic::Diagnostic) -> String {
    match (&d.location, &d.item) {
        (Some(l), _) => format!("{}:{}:{}", l.path, l.line, l.column),
        (None, Some(item)) => format!(
            "{} {}",
            d.origin,
            serde_json::Value::Object(item.key.clone())
        ),
        (None, None) => d.origin.clone(),
    }
}

pub fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        let fix = match &d.fix {
            Some(_) => " [*]",
            None => "",
        };
        writeln!(
            out,
            "{}: {} {}{} {}",
            esc(&place(d)),
            d.rule,
            d.severity.as_str(),
            fix,
            esc(&d.message)
        )?;
    }
    if !opts.quiet {
        summary_line(report, out)?;
    }
    Ok(())
}

pub fn summary_line(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    writeln!(
        out,
        "{} items: {} errors, {} warnings, {} infos; {} fixable, {} fixed",
        s.items, s.errors, s.warnings, s.infos, s.fixable, s.fixed
    )
}

pub fn render_statistics(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for (code, n) in &report.summary.by_rule {
        let name = crate::rules::rule(code).map_or("", |r| r.name);
        writeln!(out, "{n:>6}  {code}  {name}")?;
    }
    summary_line(report, out)
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
