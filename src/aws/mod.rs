//! Everything that talks to AWS lives here: building the SDK configuration, the registry table,
//! and (with `--verify`) the per-account sessions and control-plane calls. Nothing above this
//! module sees an SDK client.
//!
//! Without the `aws` feature only the SDK-free parts are built: the settings a table source
//! names, number comparison and the ledger's records.

#[cfg(feature = "aws")]
pub mod bedrock;
#[cfg(feature = "aws")]
pub mod budget;
pub mod config;
#[cfg(feature = "aws")]
pub mod convert;
#[cfg(feature = "aws")]
pub mod errors;
#[cfg(feature = "aws")]
pub mod invoke;
#[cfg(feature = "aws")]
pub mod journal;
pub mod ledger;
pub mod number;
#[cfg(feature = "aws")]
pub mod sessions;
#[cfg(feature = "aws")]
pub mod table;
