//! `reglint diff SOURCE_A SOURCE_B` (spec §10).

use crate::cli::{DiffArgs, DiffFormat};
use crate::diff::{diff, DiffOptions};
use crate::error::RunError;

/// Exit 0 when the two hold the same registry, 1 when they differ, 2 on error.
pub fn run(args: &DiffArgs) -> Result<u8, RunError> {
    let config = crate::config::load_nearest(args.config.as_ref())?;
    let opts = DiffOptions {
        ignore: args.ignore_attributes.clone(),
        input_format: args
            .input_format
            .or(config.file.registry.input_format)
            .unwrap_or_default(),
        aws: args.aws.settings(),
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
