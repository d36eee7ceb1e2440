//! `migrate status` and `migrate stamp` on `dynamodb://` targets: what the ledger records for
//! each migration, and adopting an existing table by recording 1..N as applied.

#[cfg(feature = "aws")]
use std::path::Path;

#[cfg(feature = "aws")]
use super::command::document_states;
use super::error::MigrateError;
use super::file::Migration;
use crate::aws::ledger::Entry;
#[cfg(feature = "aws")]
use crate::aws::ledger::{Ledger, DEFAULT_TABLE};
pub use crate::cli::migrate::{LedgerArgs, StampArgs, StatusArgs};
#[cfg(feature = "aws")]
use crate::source::SourceSpec;

/// A table target, its ARN and the ledger.
#[cfg(feature = "aws")]
pub(super) struct Connected {
    pub arn: String,
    pub ledger: Ledger,
    /// The table's name and the AWS settings that reach it (the target's own query
    /// parameters over the run's options).
    pub table: String,
    pub settings: crate::aws::config::AwsSettings,
    pub config: aws_config::SdkConfig,
}

#[cfg(feature = "aws")]
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, MigrateError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| MigrateError::io(Path::new("runtime"), e))
}

#[cfg(feature = "aws")]
pub(super) fn aws_error(e: impl std::fmt::Display) -> MigrateError {
    MigrateError::Run(Box::new(crate::error::RunError::Aws(e.to_string())))
}

#[cfg(feature = "aws")]
pub(super) async fn connect(
    target: &str,
    args: &LedgerArgs,
    default_ledger: Option<&str>,
) -> Result<Connected, MigrateError> {
    let SourceSpec::Table(spec) = SourceSpec::parse(target) else {
        return Err(MigrateError::Usage(format!("{target}: the ledger is for dynamodb:// targets; a file is applied when its plan changes nothing")));
    };
    let uri = crate::source::uri::TableUri::parse(&spec)
        .map_err(|e| MigrateError::Usage(format!("dynamodb://{}: {}", e.spec, e.message)))?;
    let settings = uri.aws_args(&args.aws.settings());
    let store = crate::aws::table::TableStore::connect(&settings, &uri.table)
        .await
        .map_err(aws_error)?;
    let info = store.describe().await.map_err(aws_error)?;
    let config = crate::aws::config::sdk_config(&settings).await;
    let table = args
        .ledger_table
        .as_deref()
        .or(default_ledger)
        .unwrap_or(DEFAULT_TABLE);
    let ledger = Ledger::new(&config, table);
    if args.create_ledger {
        ledger.create().await.map_err(aws_error)?;
    }
    Ok(Connected {
        arn: info.arn,
        ledger,
        table: uri.table,
        settings,
        config,
    })
}

/// One migration on one target: version, name, checksum and state.
pub type StateRow = (u32, String, String, &'static str);

/// The state of each migration on a target from its ledger entries.
pub fn states(migrations: &[Migration], checksums: &[String], entries: &[Entry]) -> Vec<StateRow> {
    migrations
        .iter()
        .zip(checksums)
        .map(|(m, sum)| {
            let state = match entries.iter().find(|e| e.version == m.version) {
                None => "pending",
                Some(e) if e.status == "applied" && &e.checksum != sum => "changed",
                Some(e) => match e.status.as_str() {
                    "applied" => "applied",
                    "running" => "running",
                    "failed" => "failed",
                    _ => "undone",
                },
            };
            (m.version, m.name.clone(), sum.clone(), state)
        })
        .collect()
}

/// `migrate status`: per target, each migration's state.
#[cfg(feature = "aws")]
pub fn run_status(
    migrations: &[Migration],
    checksums: &[String],
    args: &StatusArgs,
    default_ledger: Option<&str>,
) -> Result<(serde_json::Value, bool), MigrateError> {
    let rt = runtime()?;
    let mut targets = Vec::new();
    let mut changed = false;
    for target in &args.targets {
        let c = rt.block_on(connect(target, &args.ledger, default_ledger))?;
        let entries = rt.block_on(c.ledger.entries(&c.arn)).map_err(aws_error)?;
        let st = states(migrations, checksums, &entries);
        changed |= st.iter().any(|s| s.3 == "changed");
        targets.push((c.arn, st));
    }
    Ok((document_states(&targets), changed))
}

/// `migrate stamp TARGET N`: records 1..N as applied where the ledger has no entry yet.
#[cfg(feature = "aws")]
pub fn run_stamp(
    migrations: &[Migration],
    checksums: &[String],
    args: &StampArgs,
    default_ledger: Option<&str>,
) -> Result<usize, MigrateError> {
    if args.upto as usize > migrations.len() {
        return Err(MigrateError::Usage(format!(
            "there is no migration {:04}; the last is {:04}",
            args.upto,
            migrations.len()
        )));
    }
    let rt = runtime()?;
    let c = rt.block_on(connect(&args.target, &args.ledger, default_ledger))?;
    let now = chrono::Utc::now().to_rfc3339();
    let mut stamped = 0;
    for (m, sum) in migrations.iter().zip(checksums).take(args.upto as usize) {
        let entry = Entry {
            version: m.version,
            checksum: sum.clone(),
            status: "applied".into(),
            caller: "stamp".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            started: now.clone(),
            ended: now.clone(),
            run: "stamp".into(),
            journal: String::new(),
            counts: Default::default(),
            message: String::new(),
            segments: 0,
            checkpoints: String::new(),
        };
        stamped += usize::from(
            rt.block_on(c.ledger.stamp(&c.arn, &entry))
                .map_err(aws_error)?,
        );
    }
    Ok(stamped)
}

/// `migrate status` reads the targets' ledger, which needs AWS.
#[cfg(not(feature = "aws"))]
pub fn run_status(
    _: &[Migration],
    _: &[String],
    args: &StatusArgs,
    _: Option<&str>,
) -> Result<(serde_json::Value, bool), MigrateError> {
    let what = args.targets.join(" ");
    Err(crate::error::RunError::from(crate::offline::NoAws::new(what)).into())
}

/// `migrate stamp` writes the target's ledger, which needs AWS.
#[cfg(not(feature = "aws"))]
pub fn run_stamp(
    _: &[Migration],
    _: &[String],
    args: &StampArgs,
    _: Option<&str>,
) -> Result<usize, MigrateError> {
    Err(crate::error::RunError::from(crate::offline::NoAws::new(&args.target)).into())
}
