//! `reglint.toml`: found upward from the current directory, read strictly (unknown keys are
//! errors pointing at their line and column), validated as a whole.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;

pub const FILE_NAME: &str = "reglint.toml";

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub registry: RegistryConfig,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub verify: VerifyConfig,
    /// Declared attributes (spec §3.1).
    #[serde(default)]
    pub schema: crate::schema::SchemaConfig,
    #[serde(default)]
    pub audit: AuditConfig,
    /// `reglint migrate` (spec §8).
    #[serde(default)]
    pub migrate: MigrateConfig,
}

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

/// `[audit]`: how scheduled audits publish (spec §11).
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// CloudWatch namespace of `--format emf` (default `Reglint`).
    #[schemars(with = "Option<String>")]
    pub namespace: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// Identity of file items; tables use their key schema.
    pub key: Option<Vec<String>>,
    #[schemars(with = "Option<String>", regex(pattern = r"^[0-9]{12}$"))]
    pub local_account_id: Option<Spanned<String>>,
    #[serde(default)]
    pub extra_attributes: Vec<String>,
    pub input_format: Option<crate::source::InputFormat>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    #[schemars(with = "Option<Vec<String>>")]
    pub select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Severity>")]
    pub severity: BTreeMap<Spanned<String>, Severity>,
    #[serde(default)]
    #[schemars(with = "Vec<Exception>")]
    pub exceptions: Vec<Spanned<Exception>>,
}

/// A per-item suppression.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub key: BTreeMap<String, toml::Value>,
    /// Codes or prefixes; all rules when absent.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub rules: Vec<Spanned<String>>,
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
}

#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    pub role_arn: Option<String>,
    pub external_id_env: Option<String>,
    pub session_name: Option<String>,
    pub concurrency: Option<usize>,
    pub region: Option<String>,
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountConfig>,
}

#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub role_arn: Option<String>,
    pub region: Option<String>,
    pub external_id_env: Option<String>,
}

/// A configuration read from a file (or the defaults when there is none).
#[derive(Debug, Default)]
pub struct Config {
    pub file: ConfigFile,
    /// Where it was read from.
    pub path: Option<PathBuf>,
    /// Its text, for pointing at lines in later findings (RG900).
    pub text: String,
    /// The registry schema: built-in plus `[schema]`'s declarations.
    pub schema: crate::schema::EffectiveSchema,
}

/// A configuration that could not be read or is invalid: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(reglint::config))]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    #[diagnostic(code(reglint::config))]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("{message}")]
        span: SourceSpan,
    },
    #[error("{} problems in {path}", related.len())]
    #[diagnostic(code(reglint::config))]
    Many {
        path: String,
        #[related]
        related: Vec<ConfigError>,
    },
}

/// The nearest `reglint.toml` from `start` upward.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(path, text)
    }

    pub fn parse(path: &Path, text: String) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let file: ConfigFile = toml::from_str(&text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            invalid(&shown, &text, span, e.message().to_string())
        })?;
        let (schema, schema_problems) = crate::schema::declared::build(&file.schema);
        let config = Config {
            file,
            path: Some(path.to_path_buf()),
            text,
            schema,
        };
        config.validate(schema_problems)?;
        Ok(config)
    }

    /// Checks every code, account, exception and declared attribute, collecting all problems.
    fn validate(&self, schema: Vec<crate::schema::declared::Problem>) -> Result<(), ConfigError> {
        let shown = self
            .path
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string());
        let mut problems = Vec::new();
        let mut check_code = |s: &Spanned<String>| {
            if !crate::select::is_selector(s.get_ref()) {
                problems.push(invalid(
                    &shown,
                    &self.text,
                    s.span(),
                    format!("unknown rule code or prefix {:?}", s.get_ref()),
                ));
            }
        };
        let rules = &self.file.rules;
        rules
            .select
            .iter()
            .flatten()
            .chain(&rules.extend_select)
            .chain(&rules.ignore)
            .for_each(&mut check_code);
        rules.severity.keys().for_each(&mut check_code);
        for ex in &rules.exceptions {
            ex.get_ref().rules.iter().for_each(&mut check_code);
        }
        for ex in &rules.exceptions {
            let reason = &ex.get_ref().reason;
            if reason.get_ref().trim().is_empty() {
                problems.push(invalid(
                    &shown,
                    &self.text,
                    reason.span(),
                    "an exception needs a reason".to_string(),
                ));
            }
            if ex.get_ref().key.is_empty() {
                problems.push(invalid(
                    &shown,
                    &self.text,
                    ex.span(),
                    "an exception needs a key naming the item".to_string(),
                ));
            }
        }
        if let Some(acct) = &self.file.registry.local_account_id {
            if !crate::schema::is_account_id(acct.get_ref()) {
                problems.push(invalid(
                    &shown,
                    &self.text,
                    acct.span(),
                    "local_account_id must be 12 digits".to_string(),
                ));
            }
        }
        for p in schema {
            problems.push(invalid(&shown, &self.text, p.span, p.message));
        }
        if let Some(ns) = &self.file.audit.namespace {
            if !crate::report::is_namespace(ns.get_ref()) {
                problems.push(invalid(
                    &shown,
                    &self.text,
                    ns.span(),
                    "a CloudWatch namespace is 1 to 255 characters of letters, digits and . _ # : / -"
                        .to_string(),
                ));
            }
        }
        match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            _ => Err(ConfigError::Many {
                path: shown,
                related: problems,
            }),
        }
    }

    /// 1-based line and column of a byte offset in the config text.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn invalid(path: &str, text: &str, span: Range<usize>, message: String) -> ConfigError {
    let (line, column) = line_col(text, span.start);
    ConfigError::Invalid {
        path: path.to_string(),
        line,
        column,
        message,
        src: NamedSource::new(path, text.to_string()),
        span: (span.start, span.end.saturating_sub(span.start)).into(),
    }
}

/// Loads the configuration: `explicit` (`--config`), else the nearest reglint.toml from the
/// current directory upward, else the defaults.
pub fn load_nearest(explicit: Option<&std::path::PathBuf>) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => Some(p.clone()),
        None => std::env::current_dir().ok().and_then(|d| discover(&d)),
    };
    match path {
        Some(p) => Config::load(&p),
        None => Ok(Config::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_points_at_line_and_column() {
        let err = Config::parse(
            Path::new("reglint.toml"),
            "[rules]\nselect = [\"ALL\"]\nignroe = [\"RG302\"]\n".into(),
        )
        .unwrap_err();
        match err {
            ConfigError::Invalid {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((line, column), (3, 1));
                assert!(message.contains("ignroe"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn all_problems_reported_together() {
        let text = "[rules]\nignore = [\"RG999\"]\n[[rules.exceptions]]\nkey = { agent_id = \"X\" }\nreason = \"\"\n";
        let err = Config::parse(Path::new("reglint.toml"), text.into()).unwrap_err();
        assert!(matches!(err, ConfigError::Many { ref related, .. } if related.len() == 2));
    }

    #[test]
    fn schema_problems_are_reported_with_the_others_at_their_place() {
        let text = "[rules]\nignore = [\"RG999\"]\n[schema.attributes.protocol]\ntype = \"STR\"\n";
        let err = Config::parse(Path::new("reglint.toml"), text.into()).unwrap_err();
        let ConfigError::Many { related, .. } = err else {
            panic!("{err:?}")
        };
        match &related[1] {
            ConfigError::Invalid {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((*line, *column), (4, 8));
                assert!(message.starts_with("unknown type \"STR\""), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let ok = "[schema.attributes.protocol]\ntype = \"S\"\nvalues = [\"mcp\"]\n";
        let config = Config::parse(Path::new("reglint.toml"), ok.into()).unwrap();
        assert!(config.schema.get("protocol").is_some());
    }

    #[test]
    fn spec_example_parses() {
        let text = r#"
sources = ["registry/agents.json"]
[registry]
key = ["agent_id"]
local_account_id = "843074507558"
extra_attributes = ["owner", "updated_at"]
[rules]
select = ["ALL"]
ignore = ["RG302"]
severity = { RG104 = "error" }
[[rules.exceptions]]
key = { agent_id = "PEGHWIVI5Y" }
rules = ["RG104"]
reason = "staging agent stays on the draft alias"
[verify]
role_arn = "arn:aws:iam::{account_id}:role/RegistryVerifier"
external_id_env = "REGLINT_EXTERNAL_ID"
session_name = "reglint"
concurrency = 8
[verify.accounts."152864141302"]
role_arn = "arn:aws:iam::152864141302:role/cmcCrossAccountBedrockInvokeRole"
region = "us-east-1"
"#;
        let c = Config::parse(Path::new("reglint.toml"), text.into()).unwrap();
        assert_eq!(c.file.rules.exceptions.len(), 1);
        assert_eq!(c.file.verify.concurrency, Some(8));
    }
}
