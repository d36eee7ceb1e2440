//! What can go wrong reading migrations and running the migrate commands.

use std::ops::Range;

use miette::{NamedSource, SourceSpan};

/// A migration that cannot be read, or a migrate command that cannot run: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum MigrateError {
    #[error("cannot read or write {path}: {source}")]
    #[diagnostic(code(reglint::migrate::io))]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    #[diagnostic(
        code(reglint::migrate::invalid),
        help("docs/migrations.md lists every op and its fields")
    )]
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
    #[error("{} problems in the migrations", related.len())]
    #[diagnostic(code(reglint::migrate::invalid))]
    Many {
        #[related]
        related: Vec<MigrateError>,
    },
    #[error("{path}: not a migration file name")]
    #[diagnostic(
        code(reglint::migrate::name),
        help("migration files are named NNNN_name.toml: four digits, an underscore, lower-case letters, digits and underscores")
    )]
    BadName { path: String },
    #[error("{0}")]
    #[diagnostic(code(reglint::migrate::usage))]
    Usage(String),
    #[error("{message}")]
    #[diagnostic(
        code(reglint::migrate::new_findings),
        help("see `reglint migrate plan` for the findings; fix the migration, or apply with --allow-new-findings")
    )]
    IntroducesErrors { message: String },
    #[error("{message}")]
    #[diagnostic(code(reglint::migrate::refused))]
    Refused {
        message: String,
        #[help]
        advice: String,
    },
    #[error(transparent)]
    #[diagnostic(
        code(reglint::migrate::ledger),
        help("`reglint iam-policy --mode migrate` lists what the ledger table needs")
    )]
    Ledger(#[from] crate::aws::ledger::LedgerError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Run(Box<crate::error::RunError>),
}

impl From<crate::error::RunError> for MigrateError {
    fn from(e: crate::error::RunError) -> Self {
        MigrateError::Run(Box::new(e))
    }
}

impl MigrateError {
    /// A run that will not go on, and what to do about it.
    pub fn refused(message: impl Into<String>, advice: impl Into<String>) -> Self {
        MigrateError::Refused {
            message: message.into(),
            advice: advice.into(),
        }
    }

    /// A problem at a byte range of a migration file.
    pub fn at(path: &str, text: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let message = message.into();
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        MigrateError::Invalid {
            path: path.to_string(),
            line,
            column,
            message,
            src: NamedSource::new(path, text.to_string()),
            span: (span.start, span.end.saturating_sub(span.start)).into(),
        }
    }

    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        MigrateError::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// One error, or all of them together.
    pub fn collect(mut problems: Vec<MigrateError>) -> Result<(), MigrateError> {
        match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            _ => Err(MigrateError::Many { related: problems }),
        }
    }
}
