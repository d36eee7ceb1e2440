//! Runs a parsed command line and returns the exit status.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::config::Config;
use crate::error::RunError;
use crate::report;

pub fn run(cli: Cli) -> u8 {
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&args, cli.quiet),
        Command::Rule(args) => commands::rule(&args),
        Command::IamPolicy(args) => commands::iam_policy(&args),
        Command::Undo(args) => commands::undo(&args, cli.quiet),
        #[cfg(feature = "aws")]
        Command::Doctor(args) => crate::doctor::run(&args),
        #[cfg(not(feature = "aws"))]
        Command::Doctor(_) => Err(crate::offline::NoAws::new("reglint doctor").into()),
        Command::Baseline(args) => crate::commands::baseline::run(&args, cli.quiet),
        Command::Diff(args) => crate::commands::diff::run(&args),
        Command::Schema(args) => crate::schema_command::run(&args),
        Command::History(args) => return commands::history(&args),
        Command::Init(args) => return crate::init::run(&args, cli.quiet),
        Command::Completions(args) => return crate::generate::run_completions(&args),
        Command::Man(args) => return crate::generate::run_man(&args),
        Command::ConfigSchema => return crate::generate::run_config_schema(),
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
    Ok(crate::config::load_nearest(explicit)?)
}
