//! `reglint schema`: prints the registry schema a run holds items to, built-in and declared
//! (spec §3, §3.1), so a team can see what the linter expects.

use crate::cli::SchemaArgs;
use crate::error::RunError;

pub fn run(args: &SchemaArgs) -> Result<u8, RunError> {
    let config = crate::config::load_nearest(args.config.as_ref())?;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    crate::report::schema_table::render_schema(
        &config.schema,
        &config.file.registry.extra_attributes,
        args.format,
        &mut lock,
    )
    .map_err(|source| RunError::Write {
        path: "stdout".into(),
        source,
    })?;
    Ok(0)
}
