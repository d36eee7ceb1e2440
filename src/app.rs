//! Runs a parsed command line and returns the exit status.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::check::{check_file_source, exit_code, FileRun, FixMode, RunError};
use crate::cli::{CheckArgs, Cli, Command, RuleArgs};
use crate::config::{discover, Config};
use crate::lint::Linter;
use crate::report::{self, RenderOptions, Report};
use crate::rules::registry::RegistryIndex;
use crate::select::{split_codes, Selection};
use crate::source::SourceSpec;
use crate::table::{check_table_source, TableRun};

pub fn run(cli: Cli) -> u8 {
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Check(args) => run_check(&args, cli.quiet),
        Command::Rule(args) => run_rule(&args),
        Command::IamPolicy(args) => run_iam_policy(&args),
        Command::Undo(args) => run_undo(&args, cli.quiet),
        Command::Doctor(args) => crate::doctor::run(&args),
        Command::Schema(args) => crate::schema_command::run(&args),
        Command::Migrate(args) => Ok(crate::migrate::command::run(&args, cli.quiet)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report::print_error(&e);
            2
        }
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let level = match verbose {
        0 => std::env::var("REGLINT_LOG").unwrap_or_else(|_| "warn".into()),
        1 => "debug".into(),
        _ => "trace".into(),
    };
    // Only reglint's own events: the SDK's trace logs can include request details.
    // aws-config warns when STS refuses AssumeRole; reglint reports that itself (RG401).
    let filter = EnvFilter::try_new(format!("warn,aws_config::sts=error,reglint={level}"))
        .unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .try_init();
}

/// Loads the configuration: `--config`, else the nearest reglint.toml, else defaults.
pub fn load_config(explicit: Option<&PathBuf>) -> Result<Config, RunError> {
    let path = match explicit {
        Some(p) => Some(p.clone()),
        None => std::env::current_dir().ok().and_then(|d| discover(&d)),
    };
    match path {
        Some(p) => Ok(Config::load(&p)?),
        None => Ok(Config::default()),
    }
}

fn run_check(args: &CheckArgs, quiet: bool) -> Result<u8, RunError> {
    let config = load_config(args.config.as_ref())?;
    let file_rules = &config.file.rules;
    let codes =
        |v: &Vec<toml::Spanned<String>>| v.iter().map(|s| s.get_ref().clone()).collect::<Vec<_>>();
    let select = match &args.select {
        Some(s) => Some(split_codes(s)),
        None => file_rules.select.as_ref().map(codes),
    };
    let mut extend = codes(&file_rules.extend_select);
    extend.extend(split_codes(&args.extend_select));
    let mut ignore = codes(&file_rules.ignore);
    ignore.extend(split_codes(&args.ignore));
    for code in select.iter().flatten().chain(&extend).chain(&ignore) {
        if !crate::select::is_selector(code) {
            return Err(RunError::Usage(format!(
                "unknown rule code or prefix {code:?}"
            )));
        }
    }
    let selection = Selection::new(select, extend, ignore);
    let mut linter = Linter::new(&config, &selection, args.unsafe_fixes);
    if let Some(acct) = &args.verify_args.local_account {
        linter.settings.local_account = Some(acct.clone());
    }

    let mut specs: Vec<SourceSpec> = args.sources.iter().map(|s| SourceSpec::parse(s)).collect();
    if let Some(t) = &args.table {
        specs.push(SourceSpec::Table(t.clone()));
    }
    if specs.is_empty() {
        let base = config
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(PathBuf::from)
            .unwrap_or_default();
        specs = config
            .file
            .sources
            .iter()
            .map(|s| match SourceSpec::parse(s) {
                SourceSpec::Path(p) if p.is_relative() => SourceSpec::Path(base.join(p)),
                other => other,
            })
            .collect();
    }
    if specs.is_empty() {
        return Err(RunError::Usage(
            "nothing to check: name a SOURCE, --table, or `sources` in reglint.toml".into(),
        ));
    }
    let mut expanded = Vec::new();
    for s in specs {
        expanded.extend(s.expand()?);
    }
    let mode = if args.diff {
        FixMode::Diff
    } else if args.fix {
        FixMode::Fix
    } else {
        FixMode::Report
    };
    let verify_plan = (args.verify && mode != FixMode::Diff)
        .then(|| std::cell::RefCell::new(crate::verify::Plan::default()));
    let run = FileRun {
        linter: &linter,
        input_format: args
            .input_format
            .or(config.file.registry.input_format)
            .unwrap_or_default(),
        mode,
        verify: verify_plan.as_ref(),
    };
    let mut report = Report::counting(args.format, args.statistics && mode != FixMode::Diff);
    // A report of files goes out as it is found; fixes, tables and verification (which add
    // findings to earlier items) and `--output` (written whole) keep the report until the end.
    let streaming = mode == FixMode::Report
        && verify_plan.is_none()
        && args.output.is_none()
        && !report.counts_only
        && expanded.iter().all(|s| !matches!(s, SourceSpec::Table(_)));
    if streaming {
        report.stream = report::Stream::new(
            args.format,
            render_options(args, quiet, false),
            Box::new(std::io::stdout()),
        );
    }
    let mut registry = RegistryIndex::default();
    for (i, spec) in expanded.iter().enumerate() {
        match spec {
            SourceSpec::Table(name) => {
                let table_run = TableRun {
                    linter: &linter,
                    mode,
                    args,
                    quiet,
                    verify: verify_plan.as_ref(),
                };
                check_table_source(&table_run, i, name, &mut report, &mut registry)?
            }
            _ => check_file_source(&run, i, spec, &mut report, &mut registry)?,
        }
    }
    if let Some(plan) = &verify_plan {
        let plan = plan.borrow();
        let fixing = (mode == FixMode::Fix).then_some(run.input_format);
        crate::verify::run(&plan, args, &config, &linter, &mut report, quiet, fixing)?;
    }
    for d in linter.unused_exceptions() {
        report.push(d);
    }
    report.finish_stream().map_err(|source| RunError::Write {
        path: "stdout".into(),
        source,
    })?;
    report.sort();
    let code = exit_code(&report, args.fail_on.threshold(), mode);
    emit(&report, args, quiet)?;
    Ok(code as u8)
}

fn render_options(args: &CheckArgs, quiet: bool, statistics: bool) -> RenderOptions {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    RenderOptions {
        color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        statistics,
        quiet,
        unsafe_fixes: args.unsafe_fixes,
    }
}

fn emit(report: &Report, args: &CheckArgs, quiet: bool) -> Result<(), RunError> {
    let opts = render_options(args, quiet, args.statistics);
    let write_err = |path: String| move |source| RunError::Write { path, source };
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            report::render(report, args.format, &opts, &mut buf)
                .map_err(write_err(path.display().to_string()))?;
            std::fs::write(path, buf).map_err(write_err(path.display().to_string()))?;
        }
        None => {
            report::render_to_stdout(report, args.format, &opts)
                .map_err(write_err("stdout".into()))?;
        }
    }
    Ok(())
}

fn run_undo(args: &crate::cli::UndoArgs, quiet: bool) -> Result<u8, RunError> {
    let report = crate::undo::run_undo(args)?;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    crate::undo::render_undo(&report, quiet, &mut lock)
        .and_then(|()| std::io::Write::flush(&mut lock))
        .map_err(|source| RunError::Write {
            path: "stdout".into(),
            source,
        })?;
    Ok(report.exit_code())
}

fn run_rule(args: &RuleArgs) -> Result<u8, RunError> {
    let rules: Vec<_> = match (&args.code, args.all) {
        (Some(code), _) => vec![crate::rules::rule(code).ok_or_else(|| {
            RunError::Usage(format!("no rule {code:?}; `reglint rule --all` lists them"))
        })?],
        (None, true) => crate::rules::RULES.to_vec(),
        (None, false) => {
            return Err(RunError::Usage(
                "name a rule (`reglint rule RG101`) or use --all".into(),
            ))
        }
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    report::render_rules(&rules, args.format, &mut lock).map_err(|source| RunError::Write {
        path: "stdout".into(),
        source,
    })?;
    Ok(0)
}

fn run_iam_policy(args: &crate::cli::IamPolicyArgs) -> Result<u8, RunError> {
    let config = load_config(args.config.as_ref())?;
    let verify = &config.file.verify;
    let mut role_arns: Vec<String> = args
        .role_arn
        .clone()
        .or_else(|| verify.role_arn.clone())
        .into_iter()
        .collect();
    role_arns.extend(verify.accounts.values().filter_map(|a| a.role_arn.clone()));
    if role_arns.is_empty() {
        role_arns.push("arn:aws:iam::{account_id}:role/RegistryVerifier".into());
    }
    let account = match (&args.account, &config.file.registry.local_account_id) {
        (a, Some(local)) if a == "*" => local.get_ref().clone(),
        (a, _) => a.clone(),
    };
    let inputs = crate::iam::PolicyInputs {
        table: args.table.clone(),
        region: args.region.clone(),
        account,
        role_arns,
        external_id: verify.external_id_env.is_some()
            || std::env::var_os("REGLINT_EXTERNAL_ID").is_some(),
    };
    let doc = crate::iam::policies(args.mode, &inputs);
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    report::render_json_value(&doc, &mut lock).map_err(|source| RunError::Write {
        path: "stdout".into(),
        source,
    })?;
    Ok(0)
}
