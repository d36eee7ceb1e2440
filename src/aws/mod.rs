//! Everything that talks to AWS lives here: building the SDK configuration, the registry table,
//! and (with `--verify`) the per-account sessions and control-plane calls. Nothing above this
//! module sees an SDK client.

pub mod bedrock;
pub mod budget;
pub mod config;
pub mod convert;
pub mod errors;
pub mod invoke;
pub mod journal;
pub mod ledger;
pub mod sessions;
pub mod table;
