//! Stores: where items are read from and written back to, behind the engine's [`Store`] seam.
//! Files are edited at the values' spans and replaced whole; tables take one compare-and-swap
//! write per item, journalled first.
//!
//! [`Store`]: crate::engine::Store

mod file;
#[cfg(feature = "aws")]
mod table;

pub use file::FileStore;
#[cfg(feature = "aws")]
pub use table::{plain_key, TableOptions, TableSource, WRITE_CONCURRENCY};
