//! `[migrate]` in reglint.toml: read with the rest of the configuration.

pub use crate::config::MigrateConfig;
