//! `reglint diff SOURCE_A SOURCE_B` (spec §10).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::error::RunError;
use crate::cli::AwsArgs;
use crate::diff::{diff, DiffOptions};
use crate::source::InputFormat;

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The first registry: a file, a directory, an export, or dynamodb://TABLE?profile=…&region=…
    pub a: String,
    /// The second registry (may be `-` for stdin).
    pub b: String,
    /// Attributes to leave out of the comparison (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub ignore_attributes: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Configuration file (default: the nearest reglint.toml upward); gives the key of files.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How to read item values (default: detected).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Parallel scan of a table with N segments.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000000))]
    pub segments: Option<u32>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

/// Exit 0 when the two hold the same registry, 1 when they differ, 2 on error.
pub fn run(args: &DiffArgs) -> Result<u8, RunError> {
    let config = crate::app::load_config(args.config.as_ref())?;
    let opts = DiffOptions {
        ignore: args.ignore_attributes.clone(),
        input_format: args
            .input_format
            .or(config.file.registry.input_format)
            .unwrap_or_default(),
        aws: args.aws.clone(),
        file_key: config
            .file
            .registry
            .key
            .clone()
            .unwrap_or_else(|| vec![crate::schema::AGENT_ID.to_string()]),
        segments: args.segments.unwrap_or(1),
    };
    let report = match diff(&args.a, &args.b, &opts) {
        Ok(r) => r,
        Err(e) => {
            crate::report::print_error(&e);
            return Ok(2);
        }
    };
    let json = args.format == DiffFormat::Json;
    crate::report::diff::render_to_stdout(&report, json).map_err(|source| RunError::Write {
        path: "stdout".into(),
        source,
    })?;
    Ok(u8::from(!report.same()))
}
