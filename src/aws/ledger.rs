//! The migration ledger (spec §8.2): its own DynamoDB table, never the registry. One item per
//! (target table ARN, version) and one lease item per target, written with conditions only.

#[cfg(feature = "aws")]
use std::collections::HashMap;

#[cfg(feature = "aws")]
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
#[cfg(feature = "aws")]
use aws_sdk_dynamodb::Client;

pub const DEFAULT_TABLE: &str = "reglint-migrations";
#[cfg(feature = "aws")]
const PK: &str = "target";
#[cfg(feature = "aws")]
const SK: &str = "entry";
#[cfg(feature = "aws")]
const LOCK: &str = "lock";

/// A ledger call that failed, or a lock another run holds (exit 2 either way).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger table {table}: {message}")]
    Call { table: String, message: String },
    #[error("{target} is locked by {owner} until {expires} (unix time); wait, or take an abandoned lock with --break-lock")]
    LockHeld {
        target: String,
        owner: String,
        expires: i64,
    },
    #[error("ledger entry for version {version} of {target} changed underneath: {message}")]
    Conflict {
        target: String,
        version: u32,
        message: String,
    },
}

/// One migration's record on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub version: u32,
    pub checksum: String,
    /// `running`, `applied`, `failed`, `undone`.
    pub status: String,
    pub caller: String,
    pub tool_version: String,
    pub started: String,
    pub ended: String,
    /// The run that wrote the entry last.
    pub run: String,
    /// The journal of the run's writes (empty for `stamp`).
    pub journal: String,
    pub counts: Counts,
    /// Why the run failed, when it did.
    pub message: String,
    /// The scan segments of the run, and where each stood when every write of its pages so
    /// far was acknowledged (JSON: `null` not begun, `"done"`, or the next page's start key).
    pub segments: u32,
    pub checkpoints: String,
}

/// What an apply did, per item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub scanned: u64,
    pub written: u64,
    pub unchanged: u64,
    pub conflicts: u64,
}

/// The ledger table.
#[cfg(feature = "aws")]
pub struct Ledger {
    client: Client,
    pub table: String,
}

#[cfg(feature = "aws")]
fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

#[cfg(feature = "aws")]
fn entry_key(version: u32) -> String {
    format!("migration#{version:04}")
}

#[cfg(feature = "aws")]
impl Ledger {
    pub fn new(config: &aws_config::SdkConfig, table: &str) -> Ledger {
        Ledger {
            client: Client::new(config),
            table: table.to_string(),
        }
    }

    fn fail(&self, e: impl std::error::Error) -> LedgerError {
        LedgerError::Call {
            table: self.table.clone(),
            message: super::errors::full_chain(&e),
        }
    }

    /// Creates the ledger table (PAY_PER_REQUEST) unless it exists, and waits until it is active.
    pub async fn create(&self) -> Result<(), LedgerError> {
        if self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        let mut req = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest);
        for (name, kind) in [(PK, KeyType::Hash), (SK, KeyType::Range)] {
            let def = AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|e| self.fail(e))?;
            let key = KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(|e| self.fail(e))?;
            req = req.attribute_definitions(def).key_schema(key);
        }
        req.send().await.map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Every migration entry of a target, by version.
    pub async fn entries(&self, target: &str) -> Result<Vec<Entry>, LedgerError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#t = :t AND begins_with(#e, :m)")
            .expression_attribute_names("#t", PK)
            .expression_attribute_names("#e", SK)
            .expression_attribute_values(":t", s(target))
            .expression_attribute_values(":m", s("migration#"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.fail(e))?;
        let mut entries: Vec<Entry> = out.items().iter().filter_map(decode).collect();
        entries.sort_by_key(|e| e.version);
        Ok(entries)
    }

    /// Records a migration as applied without running it (`stamp`); only where no entry is.
    pub async fn stamp(&self, target: &str, entry: &Entry) -> Result<bool, LedgerError> {
        let mut item = encode(entry);
        item.insert(PK.into(), s(target));
        let res = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#t)")
            .expression_attribute_names("#t", PK)
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if is_condition_failure(&e) => Ok(false),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Records that `entry`'s run starts (or resumes) the migration: only where it is not
    /// already applied (the run holds the lock, so no other run writes meanwhile).
    pub async fn begin(&self, target: &str, entry: &Entry) -> Result<(), LedgerError> {
        self.put(target, entry, "attribute_not_exists(#t) OR #s <> :applied")
            .await
    }

    /// Records how the run ended: only where the entry is still this run's.
    pub async fn finish(&self, target: &str, entry: &Entry) -> Result<(), LedgerError> {
        self.put(target, entry, "#r = :run").await
    }

    /// Marks a migration undone (its entry must exist).
    pub async fn undone(&self, target: &str, entry: &Entry) -> Result<(), LedgerError> {
        self.put(target, entry, "attribute_exists(#t)").await
    }

    async fn put(&self, target: &str, entry: &Entry, condition: &str) -> Result<(), LedgerError> {
        let mut item = encode(entry);
        item.insert(PK.into(), s(target));
        let mut req = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition);
        if condition.contains("#t") {
            req = req.expression_attribute_names("#t", PK);
        }
        if condition.contains("#s") {
            req = req
                .expression_attribute_names("#s", "status")
                .expression_attribute_values(":applied", s("applied"));
        }
        if condition.contains("#r") {
            req = req
                .expression_attribute_names("#r", "run")
                .expression_attribute_values(":run", s(&entry.run));
        }
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Err(LedgerError::Conflict {
                target: target.to_string(),
                version: entry.version,
                message: format!("the entry did not hold ({condition})"),
            }),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Extends `owner`'s lease to `now + ttl` (the heartbeat); fails when another run took it.
    pub async fn renew(
        &self,
        target: &str,
        owner: &str,
        now: i64,
        ttl: i64,
    ) -> Result<(), LedgerError> {
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PK, s(target))
            .key(SK, s(LOCK))
            .update_expression("SET #x = :x, #h = :h")
            .condition_expression("#o = :o")
            .expression_attribute_names("#o", "owner")
            .expression_attribute_names("#x", "expires")
            .expression_attribute_names("#h", "heartbeat")
            .expression_attribute_values(":o", s(owner))
            .expression_attribute_values(":x", AttributeValue::N((now + ttl).to_string()))
            .expression_attribute_values(":h", AttributeValue::N(now.to_string()))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Err(self.holder(target).await),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Takes the target's lease for `owner` until `now + ttl`: where there is none, where it
    /// has expired, or (`break_lock`) whoever holds it.
    pub async fn acquire(
        &self,
        target: &str,
        owner: &str,
        now: i64,
        ttl: i64,
        break_lock: bool,
    ) -> Result<(), LedgerError> {
        let item = HashMap::from([
            (PK.to_string(), s(target)),
            (SK.to_string(), s(LOCK)),
            ("owner".to_string(), s(owner)),
            (
                "expires".to_string(),
                AttributeValue::N((now + ttl).to_string()),
            ),
            ("heartbeat".to_string(), AttributeValue::N(now.to_string())),
        ]);
        let mut req = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item));
        if !break_lock {
            req = req
                .condition_expression("attribute_not_exists(#t) OR #x < :now")
                .expression_attribute_names("#t", PK)
                .expression_attribute_names("#x", "expires")
                .expression_attribute_values(":now", AttributeValue::N(now.to_string()));
        }
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Err(self.holder(target).await),
            Err(e) => Err(self.fail(e)),
        }
    }

    async fn holder(&self, target: &str) -> LedgerError {
        let got = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PK, s(target))
            .key(SK, s(LOCK))
            .consistent_read(true)
            .send()
            .await;
        let item = got.ok().and_then(|o| o.item).unwrap_or_default();
        LedgerError::LockHeld {
            target: target.to_string(),
            owner: text(&item, "owner"),
            expires: text(&item, "expires").parse().unwrap_or(0),
        }
    }

    /// Gives the lease back, only if `owner` still holds it.
    pub async fn release(&self, target: &str, owner: &str) -> Result<(), LedgerError> {
        let res = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(PK, s(target))
            .key(SK, s(LOCK))
            .condition_expression("#o = :o")
            .expression_attribute_names("#o", "owner")
            .expression_attribute_values(":o", s(owner))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_condition_failure(&e) => Err(self.holder(target).await),
            Err(e) => Err(self.fail(e)),
        }
    }
}

#[cfg(feature = "aws")]
fn is_condition_failure<E, R>(e: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|s| s.code())
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}

#[cfg(feature = "aws")]
fn text(item: &HashMap<String, AttributeValue>, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(v)) | Some(AttributeValue::N(v)) => v.clone(),
        _ => String::new(),
    }
}

#[cfg(feature = "aws")]
fn encode(e: &Entry) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (SK.to_string(), s(&entry_key(e.version))),
        (
            "version".to_string(),
            AttributeValue::N(e.version.to_string()),
        ),
        ("checksum".to_string(), s(&e.checksum)),
        ("status".to_string(), s(&e.status)),
        ("caller".to_string(), s(&e.caller)),
        ("tool_version".to_string(), s(&e.tool_version)),
        ("started".to_string(), s(&e.started)),
        ("ended".to_string(), s(&e.ended)),
        ("run".to_string(), s(&e.run)),
        ("journal".to_string(), s(&e.journal)),
        ("message".to_string(), s(&e.message)),
        ("scanned".to_string(), n(e.counts.scanned)),
        ("written".to_string(), n(e.counts.written)),
        ("unchanged".to_string(), n(e.counts.unchanged)),
        ("conflicts".to_string(), n(e.counts.conflicts)),
        ("segments".to_string(), n(u64::from(e.segments))),
        ("checkpoints".to_string(), s(&e.checkpoints)),
    ])
}

#[cfg(feature = "aws")]
fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

#[cfg(feature = "aws")]
fn decode(item: &HashMap<String, AttributeValue>) -> Option<Entry> {
    Some(Entry {
        version: text(item, "version").parse().ok()?,
        checksum: text(item, "checksum"),
        status: text(item, "status"),
        caller: text(item, "caller"),
        tool_version: text(item, "tool_version"),
        started: text(item, "started"),
        ended: text(item, "ended"),
        run: text(item, "run"),
        journal: text(item, "journal"),
        message: text(item, "message"),
        counts: Counts {
            scanned: text(item, "scanned").parse().unwrap_or(0),
            written: text(item, "written").parse().unwrap_or(0),
            unchanged: text(item, "unchanged").parse().unwrap_or(0),
            conflicts: text(item, "conflicts").parse().unwrap_or(0),
        },
        segments: text(item, "segments").parse().unwrap_or(0),
        checkpoints: text(item, "checkpoints"),
    })
}
