//! reglint: lint, verify and repair an AI-agent registry kept in DynamoDB.

pub mod app;
pub mod aws;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod doctor;
pub mod fix;
pub mod fuzzing;
pub mod iam;
pub mod lint;
pub mod migrate;
pub mod model;
pub mod report;
pub mod rules;
pub mod schema;
pub mod schema_command;
pub mod select;
pub mod source;
pub mod table;
pub mod undo;
pub mod verify;
