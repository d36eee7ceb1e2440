//! Why a run could not be carried out (exit 2): one enum for every command, each variant with
//! the help a person needs.

use std::path::Path;

use crate::config::ConfigError;
use crate::source::SourceError;

/// Why a run could not be carried out: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(Box<ConfigError>),
    #[error("{0}")]
    #[diagnostic(
        code(reglint::usage),
        help("`reglint --help` lists the commands and options")
    )]
    Usage(String),
    #[error("{source_name} cannot be changed in place: stdin, gzip files and DynamoDB exports are read-only")]
    #[diagnostic(
        code(reglint::read_only),
        help("`--diff` shows the changes of stdin and gzip files; fix the seed file (or the table) they come from")
    )]
    ReadOnlySource { source_name: String },
    #[error("cannot write {path}: {source}")]
    #[diagnostic(
        code(reglint::io),
        help("check that the folder exists and is writable, and that the disk is not full")
    )]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    #[diagnostic(code(reglint::aws))]
    Aws(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    NoAws(#[from] crate::offline::NoAws),
    #[error("internal error: {what}")]
    #[diagnostic(
        code(reglint::internal),
        help("nothing was written; please report this with the input that caused it")
    )]
    Internal { what: String },
}

impl RunError {
    /// A write to `path` failed.
    pub fn write(path: &Path, source: std::io::Error) -> RunError {
        RunError::Write {
            path: path.display().to_string(),
            source,
        }
    }

    /// A write to stdout failed.
    pub fn stdout(source: std::io::Error) -> RunError {
        RunError::Write {
            path: "stdout".into(),
            source,
        }
    }
}

impl From<ConfigError> for RunError {
    fn from(e: ConfigError) -> Self {
        RunError::Config(Box::new(e))
    }
}
