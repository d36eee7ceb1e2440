//! `[migrate]` in reglint.toml.

use serde::Deserialize;

/// Where migrations live and what they run against.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateConfig {
    /// The migrations folder, relative to the config file (default `migrations`).
    pub dir: Option<String>,
    /// Default targets (else the config's `sources`).
    #[serde(default)]
    pub targets: Vec<String>,
    /// The ledger table (default `reglint-migrations`).
    pub ledger_table: Option<String>,
    pub max_wcu: Option<f64>,
    pub max_rcu: Option<f64>,
}
