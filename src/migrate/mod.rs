//! `reglint migrate` (spec §8): versioned, declarative migrations of registry files and tables.
//! [`file`] reads migration files into typed [`ops`], [`sum`] keeps `reglint.sum`, [`plan`]
//! simulates migrations over items, [`command`] runs the subcommands.

pub mod apply;
pub mod command;
pub mod config;
pub mod error;
pub mod file;
pub mod ledger_command;
#[cfg(feature = "aws")]
mod lock;
pub mod ops;
pub mod plan;
pub mod sum;
#[cfg(feature = "aws")]
pub mod undo;

pub use error::MigrateError;
pub use file::Migration;
