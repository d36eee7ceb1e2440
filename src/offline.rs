//! A reglint built without the `aws` feature (`cargo install --no-default-features`): the
//! offline linter for seed files. Every command parses as in the full build; what needs AWS (a
//! table source, `--verify`, `doctor`, `undo`, a table migration) stops with [`NoAws`], exit 2.

/// A run that needs AWS, in a reglint built without it: exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{what} needs AWS, and this reglint was built without AWS support")]
#[diagnostic(
    code(reglint::no_aws),
    help("install reglint with its default features: `cargo install --locked --path .` (no --no-default-features)")
)]
pub struct NoAws {
    /// What the run asked for: `dynamodb://TABLE`, `--verify`, `reglint doctor`, …
    pub what: String,
}

impl NoAws {
    pub fn new(what: impl Into<String>) -> NoAws {
        NoAws { what: what.into() }
    }
}

/// `--verify`'s plan in a build without AWS: there is none, as `check --verify` stops before
/// it reads anything.
#[cfg(not(feature = "aws"))]
#[derive(Debug)]
pub enum VerifyPlan {}

#[cfg(not(feature = "aws"))]
impl VerifyPlan {
    pub fn observe(&mut self, _: &crate::model::Item, _: &crate::lint::ItemOrigin) -> bool {
        match *self {}
    }
}
