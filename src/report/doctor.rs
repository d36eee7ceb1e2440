//! `reglint doctor`: the checklist, one line per step as it completes, with what to check next
//! under a failed step, and a closing line.

use std::io::{self, Write};
use std::time::Duration;

use serde_json::json;

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

    /// The status in the JSON document: `passed`, `failed`, `skipped`.
    pub fn as_json(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
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
    /// From the end of the step before to the end of this one.
    pub duration: Duration,
    /// The answer of an invocation step.
    pub answer: Option<StepAnswer>,
}

/// What an invocation step read of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepAnswer {
    /// The first characters of the answer.
    pub preview: String,
    pub bytes: usize,
    pub truncated: bool,
    pub first_chunk: Option<Duration>,
    pub elapsed: Duration,
}

/// The whole checklist as one JSON document, for a CI job to keep.
pub fn render_json(entry: &str, steps: &[Step], out: &mut dyn Write) -> io::Result<()> {
    let ms = |d: Duration| (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
    let count = |status: StepStatus| steps.iter().filter(|s| s.status == status).count();
    let listed: Vec<serde_json::Value> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut step = json!({
                "number": i + 1,
                "name": s.name,
                "status": s.status.as_json(),
                "detail": s.detail,
                "next": s.next,
                "duration_ms": ms(s.duration),
            });
            if let Some(a) = &s.answer {
                step["answer"] = json!({
                    "preview": a.preview,
                    "bytes": a.bytes,
                    "truncated": a.truncated,
                    "first_chunk_ms": a.first_chunk.map(ms),
                    "elapsed_ms": ms(a.elapsed),
                });
            }
            step
        })
        .collect();
    let failed = count(StepStatus::Failed);
    let doc = json!({
        "entry": entry,
        "passed": failed == 0,
        "checks": steps.len(),
        "failed": failed,
        "skipped": count(StepStatus::Skipped),
        "duration_ms": ms(steps.iter().map(|s| s.duration).sum()),
        "steps": listed,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
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
            duration: Duration::from_millis(3),
            answer: None,
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

    #[test]
    fn the_json_document_counts_steps_and_keeps_data_as_it_is() {
        let passed = Step {
            name: "InvokeAgent".into(),
            status: StepStatus::Passed,
            detail: "answered".into(),
            next: None,
            duration: Duration::from_micros(1_260),
            answer: Some(StepAnswer {
                preview: "hi\u{1b}".into(),
                bytes: 3,
                truncated: false,
                first_chunk: Some(Duration::from_millis(1)),
                elapsed: Duration::from_millis(2),
            }),
        };
        let skipped = Step {
            name: "alias status".into(),
            status: StepStatus::Skipped,
            detail: "an earlier step failed".into(),
            next: None,
            duration: Duration::ZERO,
            answer: None,
        };
        let mut out = Vec::new();
        render_json("agent A", &[passed, skipped], &mut out).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc["passed"], json!(true));
        assert_eq!(doc["checks"], json!(2));
        assert_eq!(doc["skipped"], json!(1));
        assert_eq!(doc["duration_ms"], json!(1.3));
        assert_eq!(doc["steps"][0]["answer"]["preview"], json!("hi\u{1b}"));
        assert_eq!(doc["steps"][0]["answer"]["first_chunk_ms"], json!(1.0));
        assert_eq!(doc["steps"][1]["status"], json!("skipped"));
        assert!(doc["steps"][1].get("answer").is_none());
    }
}
