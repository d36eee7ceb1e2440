//! `reglint doctor`: the checklist, one line per step as it completes, with what to check next
//! under a failed step, and a closing line.

use std::io::{self, Write};

use super::escape_terminal as esc;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    Passed,
    Failed,
    /// Not run: an earlier step it depends on failed.
    Skipped,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "FAILED",
            StepStatus::Skipped => "skipped",
        }
    }
}

/// One step of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub status: StepStatus,
    /// What was found (or why it was skipped).
    pub detail: String,
    /// What to check next, for a failed step.
    pub next: Option<String>,
}

/// The first line: which entry is examined.
pub fn render_header(entry: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "reglint doctor: {}", esc(entry))
}

/// One step: `[passed] AssumeRole: …`, and `next: …` under a failure.
pub fn render_step(number: usize, step: &Step, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let status = step.status.as_str();
    let status = if color {
        use anstyle::{AnsiColor, Style};
        let style = match step.status {
            StepStatus::Passed => Style::new().fg_color(Some(AnsiColor::Green.into())),
            StepStatus::Failed => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            StepStatus::Skipped => Style::new().dimmed(),
        };
        format!("{style}{status:<7}{style:#}")
    } else {
        format!("{status:<7}")
    };
    writeln!(
        out,
        "{number:>2}. {status} {}: {}",
        esc(&step.name),
        esc(&step.detail)
    )?;
    if let Some(next) = &step.next {
        writeln!(out, "             next: {}", esc(next))?;
    }
    Ok(())
}

/// The closing line.
pub fn render_summary(steps: &[Step], out: &mut dyn Write) -> io::Result<()> {
    let failed = steps
        .iter()
        .filter(|s| s.status == StepStatus::Failed)
        .count();
    let skipped = steps
        .iter()
        .filter(|s| s.status == StepStatus::Skipped)
        .count();
    if failed == 0 {
        writeln!(out, "all {} checks passed", steps.len())
    } else {
        writeln!(
            out,
            "{failed} of {} checks failed, {skipped} skipped",
            steps.len()
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_step_says_what_to_check_and_data_is_escaped() {
        let step = Step {
            name: "AssumeRole".into(),
            status: StepStatus::Failed,
            detail: "refused\u{1b}[2J".into(),
            next: Some("check the trust policy".into()),
        };
        let mut out = Vec::new();
        render_step(3, &step, false, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            " 3. FAILED  AssumeRole: refused\\u{1b}[2J\n             next: check the trust policy\n"
        );
        let mut out = Vec::new();
        render_summary(&[step], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1 of 1 checks failed, 0 skipped\n"
        );
    }
}
