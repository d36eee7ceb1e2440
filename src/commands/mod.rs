//! Commands built on the engine: each parses nothing itself (clap did), builds the pieces,
//! runs the engine and hands the result to a renderer.

pub mod baseline;
pub mod diff;
