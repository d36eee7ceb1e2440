//! reglint: lint, verify and repair an AI-agent registry kept in DynamoDB.

pub mod app;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod doctor;
pub mod engine;
pub mod error;
pub mod fix;
pub mod fuzzing;
pub mod history;
pub mod generate;
pub mod iam;
pub mod init;
pub mod lint;
pub mod model;
pub mod report;
pub mod rules;
pub mod schema;
pub mod schema_command;
pub mod select;
pub mod source;
pub mod store;
pub mod undo;
pub mod verify;
