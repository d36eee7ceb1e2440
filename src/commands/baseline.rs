//! `reglint baseline write|prune` (spec §9): the same `check` run as `reglint check`, whose
//! findings are recorded in (or matched against) a baseline file instead of being printed.

use std::ffi::OsString;
use std::sync::{Arc, Mutex};

use clap::{Args, FromArgMatches};

use crate::baseline::{merge, Accepted, Baseline, BaselineError, Collector, Matcher};
use crate::cli::{BaselineArgs, BaselineCommand, CheckArgs, LintArgs, PruneArgs, WriteArgs};
use crate::error::RunError;

pub fn run(args: &BaselineArgs, quiet: bool) -> Result<u8, RunError> {
    let done = match &args.command {
        BaselineCommand::Write(w) => write(w, quiet),
        BaselineCommand::Prune(p) => prune(p, quiet),
    };
    match done {
        Ok(code) => Ok(code),
        Err(Failure::Run(e)) => Err(e),
        Err(Failure::Baseline(e)) => {
            crate::report::print_error(&e);
            Ok(2)
        }
    }
}

enum Failure {
    Run(RunError),
    Baseline(BaselineError),
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        Failure::Run(e)
    }
}

impl From<BaselineError> for Failure {
    fn from(e: BaselineError) -> Self {
        Failure::Baseline(e)
    }
}

/// The `check` options of a baseline run: the same selection and sources, every finding
/// counted, nothing printed, never failing.
fn check_args(sources: &[String], lint: &LintArgs) -> Result<CheckArgs, RunError> {
    let mut argv: Vec<OsString> = ["check", "--statistics", "--fail-on", "never"]
        .map(OsString::from)
        .to_vec();
    let mut opt = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            argv.push(format!("--{name}").into());
            argv.push(v.into());
        }
    };
    let joined = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
    opt("table", lint.table.clone());
    opt("select", lint.select.as_deref().map(|v| v.join(",")));
    opt("extend-select", joined(&lint.extend_select));
    opt("ignore", joined(&lint.ignore));
    opt(
        "config",
        lint.config.as_ref().map(|p| p.display().to_string()),
    );
    opt(
        "input-format",
        lint.input_format
            .map(|f| format!("{f:?}").to_ascii_lowercase()),
    );
    opt("segments", lint.segments.map(|n| n.to_string()));
    opt("profile", lint.aws.profile.clone());
    opt("region", lint.aws.region.clone());
    opt("endpoint-url", lint.aws.endpoint_url.clone());
    if lint.consistent_read {
        argv.push("--consistent-read".into());
    }
    argv.push("--".into());
    argv.extend(sources.iter().map(OsString::from));
    let command = <CheckArgs as Args>::augment_args(clap::Command::new("check"));
    let matches = command
        .try_get_matches_from(argv)
        .map_err(|e| RunError::Usage(e.to_string()))?;
    CheckArgs::from_arg_matches(&matches).map_err(|e| RunError::Usage(e.to_string()))
}

fn write(args: &WriteArgs, quiet: bool) -> Result<u8, Failure> {
    let check = check_args(&args.sources, &args.lint)?;
    let mut found: Option<Arc<Mutex<Vec<crate::baseline::Entry>>>> = None;
    crate::commands::check::check_report(&check, true, &mut |report, linter| {
        let collector = Collector::new(linter.source_names.clone());
        found = Some(collector.found());
        report.marker = Some(Box::new(collector));
        Ok(())
    })?;
    let entries = found
        .and_then(|f| f.lock().ok().map(|mut v| std::mem::take(&mut *v)))
        .unwrap_or_default();
    let today = Baseline::from_entries(entries);
    let shown = args.output.display().to_string();
    let accept = args.reason.as_ref().map(|reason| Accepted {
        reason: reason.clone(),
        date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
    });
    let merged = if args.output.exists() {
        merge(
            &Baseline::load(&args.output)?,
            today,
            accept.as_ref(),
            &shown,
        )?
    } else {
        // A new baseline accepts what it holds; its entries need no reason of their own.
        crate::baseline::Merge {
            added: today.findings(),
            removed: 0,
            baseline: today,
        }
    };
    merged.baseline.save(&args.output)?;
    let outcome = crate::report::baseline::Written {
        path: &shown,
        entries: merged.baseline.entries.len(),
        findings: merged.baseline.findings(),
        added: merged.added,
        removed: merged.removed,
    };
    print(&outcome, quiet)?;
    Ok(0)
}

fn prune(args: &PruneArgs, quiet: bool) -> Result<u8, Failure> {
    let check = check_args(&args.sources, &args.lint)?;
    let baseline = Baseline::load(&args.baseline)?;
    let shown = args.baseline.display().to_string();
    let mut hits = None;
    let matcher_baseline = baseline.clone();
    crate::commands::check::check_report(&check, true, &mut |report, _linter| {
        let matcher = Matcher::new(matcher_baseline.clone(), &shown, None, true);
        hits = Some(matcher.hits());
        report.marker = Some(Box::new(matcher));
        Ok(())
    })?;
    let hits = hits
        .and_then(|h| h.lock().ok().map(|v| v.clone()))
        .unwrap_or_default();
    let before = baseline.findings();
    let kept: Vec<_> = baseline
        .entries
        .into_iter()
        .zip(hits)
        .filter(|(_, n)| *n > 0)
        .map(|(mut e, n)| {
            e.count = n;
            e
        })
        .collect();
    let pruned = Baseline::from_entries(kept);
    pruned.save(&args.baseline)?;
    let outcome = crate::report::baseline::Written {
        path: &shown,
        entries: pruned.entries.len(),
        findings: pruned.findings(),
        added: 0,
        removed: before - pruned.findings(),
    };
    print(&outcome, quiet)?;
    Ok(0)
}

fn print(outcome: &crate::report::baseline::Written, quiet: bool) -> Result<(), RunError> {
    if quiet {
        return Ok(());
    }
    crate::report::baseline::render_written(outcome).map_err(|source| RunError::Write {
        path: "stdout".into(),
        source,
    })
}
