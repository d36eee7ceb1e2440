//! reglint: lint, verify and repair an AI-agent registry kept in DynamoDB.

pub mod app;
pub mod aws;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod doctor;
pub mod fix;
pub mod fuzzing;
pub mod iam;
pub mod lint;
pub mod model;
pub mod report;
pub mod rules;
pub mod schema;
pub mod select;
pub mod source;
pub mod table;
pub mod undo;
pub mod verify;
