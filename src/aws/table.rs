//! The registry table in DynamoDB: its key schema, a (parallel) scan, and compare-and-swap
//! writes. Every failure becomes a message a person can act on; nothing above this module sees
//! an SDK client or an SDK error.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, KeyType, Put, ReturnConsumedCapacity,
    ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::budget::{write_units, Budget, Units};
use super::config::{region_of, sdk_config};
use super::convert::{same_item, same_value, SdkItem};
use super::errors::{classify, AwsFailure};
use crate::aws::config::AwsSettings;

/// A table operation that failed in a way the run cannot go on from (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TableError(pub String);

/// What DescribeTable says about the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    pub arn: String,
    /// Key attribute names, partition key first.
    pub key_schema: Vec<String>,
    pub status: String,
}

impl TableInfo {
    /// The account in the table's ARN.
    pub fn account(&self) -> &str {
        self.arn.split(':').nth(4).unwrap_or("")
    }
}

/// The result of one conditional write.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteResult {
    Written,
    /// The item no longer holds what was read; `current` is what it holds now (None: gone).
    Changed {
        current: Option<SdkItem>,
    },
    /// A key change whose new key is already used by `existing`.
    KeyTaken {
        existing: Option<SdkItem>,
    },
    /// A transaction cancelled for a reason other than a failed condition (a conflict with
    /// another transaction, throttling); `current` is the item when it was read again.
    Conflict {
        current: Option<SdkItem>,
    },
}

/// Where a segment of a paged scan stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    /// Its first page is still to be read.
    Start,
    /// The next page starts after this key (the last page's `LastEvaluatedKey`).
    After(SdkItem),
    Done,
}

/// The registry table of a run.
#[derive(Debug, Clone)]
pub struct TableStore {
    client: aws_sdk_dynamodb::Client,
    pub name: String,
    pub region: String,
    /// The endpoint in use when it is not AWS's own.
    pub endpoint: Option<String>,
    /// Calls made, by API (retries not counted).
    calls: Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>>,
    /// The capacity the run may consume (`--max-wcu`, `--max-rcu`).
    budget: Arc<Budget>,
}

/// An UpdateItem that sets and removes exactly the attributes that differ between two images
/// of an item, on condition that each still holds its value in the first image.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionalUpdate {
    pub key: SdkItem,
    pub update_expression: String,
    pub condition_expression: String,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
    /// The attributes it sets or removes, sorted.
    pub touched: Vec<String>,
    /// Estimated write units (the larger image, in 1 KB steps).
    pub units: f64,
}

impl ConditionalUpdate {
    /// Whether `current` already holds what this update writes: every touched attribute set
    /// to its new value or absent when removed. A retried request whose first attempt was
    /// applied (its answer lost on the way back) fails its condition on exactly such an item.
    pub fn holds_result(&self, current: &SdkItem) -> bool {
        self.touched.iter().enumerate().all(|(i, attr)| {
            match (current.get(attr), self.values.get(&format!(":v{i}"))) {
                (Some(now), Some(new)) => same_value(now, new),
                (None, None) => true,
                _ => false,
            }
        })
    }
}

/// A key change as one transaction: put the new image on condition that its key is free,
/// delete the old item on condition that it still holds every attribute that was read.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionalMove {
    pub put_item: SdkItem,
    pub put_condition: String,
    pub put_names: HashMap<String, String>,
    pub delete_key: SdkItem,
    pub delete_condition: String,
    pub delete_names: HashMap<String, String>,
    pub delete_values: HashMap<String, AttributeValue>,
    /// Estimated write units of the transaction.
    pub units: f64,
}

/// The key attributes of an item.
pub fn key_of(key_schema: &[String], item: &SdkItem) -> SdkItem {
    key_schema
        .iter()
        .filter_map(|k| item.get(k).map(|v| (k.clone(), v.clone())))
        .collect()
}

/// Whether two images of an item have different keys.
pub fn key_changes(key_schema: &[String], from: &SdkItem, to: &SdkItem) -> bool {
    key_schema.iter().any(|k| match (from.get(k), to.get(k)) {
        (Some(a), Some(b)) => !same_value(a, b),
        (None, None) => false,
        _ => true,
    })
}

/// The UpdateItem turning `from` into `to` (same key), or None when they hold the same data.
pub fn conditional_update(
    key_schema: &[String],
    from: &SdkItem,
    to: &SdkItem,
) -> Option<ConditionalUpdate> {
    let mut names = HashMap::new();
    let mut values = HashMap::new();
    let mut conditions = Vec::new();
    if let Some(pk) = key_schema.first() {
        names.insert("#k0".to_string(), pk.clone());
        // UpdateItem on a missing key would create an item: it must still exist.
        conditions.push("attribute_exists(#k0)".to_string());
    }
    let mut all: Vec<&String> = from
        .keys()
        .chain(to.keys())
        .filter(|a| !key_schema.contains(a))
        .collect();
    all.sort();
    all.dedup();
    let (mut sets, mut removes, mut touched) = (Vec::new(), Vec::new(), Vec::new());
    for attr in all {
        let old = from.get(attr);
        let new = to.get(attr);
        if let (Some(a), Some(b)) = (old, new) {
            if same_value(a, b) {
                continue;
            }
        }
        let i = touched.len();
        let name = format!("#a{i}");
        names.insert(name.clone(), attr.clone());
        match old {
            Some(v) => {
                conditions.push(format!("{name} = :o{i}"));
                values.insert(format!(":o{i}"), v.clone());
            }
            None => conditions.push(format!("attribute_not_exists({name})")),
        }
        match new {
            Some(v) => {
                sets.push(format!("{name} = :v{i}"));
                values.insert(format!(":v{i}"), v.clone());
            }
            None => removes.push(name),
        }
        touched.push(attr.clone());
    }
    if touched.is_empty() {
        return None;
    }
    let mut update = Vec::new();
    if !sets.is_empty() {
        update.push(format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        update.push(format!("REMOVE {}", removes.join(", ")));
    }
    Some(ConditionalUpdate {
        key: key_of(key_schema, from),
        update_expression: update.join(" "),
        condition_expression: conditions.join(" AND "),
        names,
        values,
        touched,
        units: write_units(item_size(from).max(item_size(to)), false),
    })
}

/// The transaction moving `from` to the (different) key of `to`.
pub fn conditional_move(key_schema: &[String], from: &SdkItem, to: &SdkItem) -> ConditionalMove {
    let pk = key_schema.first().cloned().unwrap_or_default();
    let put_names = HashMap::from([("#k0".to_string(), pk.clone())]);
    let mut delete_names = put_names.clone();
    let mut delete_values = HashMap::new();
    let mut conditions = vec!["attribute_exists(#k0)".to_string()];
    let mut attrs: Vec<&String> = from.keys().filter(|a| !key_schema.contains(a)).collect();
    attrs.sort();
    for (i, attr) in attrs.into_iter().enumerate() {
        delete_names.insert(format!("#a{i}"), attr.clone());
        delete_values.insert(format!(":o{i}"), from[attr].clone());
        conditions.push(format!("#a{i} = :o{i}"));
    }
    ConditionalMove {
        put_item: to.clone(),
        put_condition: "attribute_not_exists(#k0)".into(),
        put_names,
        delete_key: key_of(key_schema, from),
        delete_condition: conditions.join(" AND "),
        delete_names,
        delete_values,
        units: write_units(item_size(from), true) + write_units(item_size(to), true),
    }
}

/// Read units of a scan page, when DynamoDB does not say: 4 KB steps, half for eventually consistent.
fn read_units(items: &[SdkItem], consistent: bool) -> f64 {
    let bytes: usize = items.iter().map(item_size).sum();
    let units = bytes.div_ceil(4096) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

/// An item's size as DynamoDB counts it: attribute names plus values.
pub fn item_size(item: &SdkItem) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) | AttributeValue::N(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Ss(l) | AttributeValue::Ns(l) => l.iter().map(String::len).sum(),
        AttributeValue::Bs(l) => l.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// The IAM actions an API call needs, for messages.
fn iam_actions(op: &str) -> String {
    match op {
        // A transaction is authorised action by action.
        "TransactWriteItems" => "the IAM actions dynamodb:PutItem and dynamodb:DeleteItem".into(),
        _ => format!("the IAM action dynamodb:{op}"),
    }
}

fn non_empty<K, V>(m: &HashMap<K, V>) -> Option<HashMap<K, V>>
where
    K: Clone + Eq + std::hash::Hash,
    V: Clone,
{
    (!m.is_empty()).then(|| m.clone())
}

/// The endpoint DynamoDB calls go to when it is not AWS's own: `--endpoint-url`, else
/// `AWS_ENDPOINT_URL_DYNAMODB`, else the configuration's global endpoint.
fn endpoint_in_use(args: &AwsSettings, config: &aws_config::SdkConfig) -> Option<String> {
    if let Some(url) = &args.endpoint_url {
        return Some(url.clone());
    }
    let ignore = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if !ignore {
        if let Ok(url) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
            if !url.is_empty() {
                return Some(url);
            }
        }
    }
    config.endpoint_url().map(str::to_string)
}

impl TableStore {
    /// Builds the client for `table` from the run's AWS options. Fails without a region.
    pub async fn connect(args: &AwsSettings, table: &str) -> Result<TableStore, TableError> {
        let config = sdk_config(args).await;
        let region = region_of(&config).map_err(TableError)?;
        let endpoint = endpoint_in_use(args, &config);
        Ok(TableStore {
            client: aws_sdk_dynamodb::Client::new(&config),
            name: table.to_string(),
            region,
            endpoint,
            calls: Arc::default(),
            budget: Arc::default(),
        })
    }

    /// Paces every later call of this store (and its clones) to the budget.
    pub fn with_budget(mut self, budget: Arc<Budget>) -> TableStore {
        self.budget = budget;
        self
    }

    /// Waits until everything consumed so far is within the budget.
    pub async fn drain_budget(&self) {
        self.budget.drain().await;
    }

    fn count(&self, api: &str) {
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry(api.to_string()).or_default() += 1;
        }
    }

    /// The calls made so far, by API (`DescribeTable`, `Scan`, `UpdateItem`, …).
    pub fn calls(&self) -> std::collections::BTreeMap<String, u64> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn where_(&self) -> String {
        match &self.endpoint {
            Some(e) => format!("region {}, endpoint {e}", self.region),
            None => format!("region {}", self.region),
        }
    }

    /// A failed call as a message naming what to check.
    fn failure<E, R>(&self, op: &str, err: &SdkError<E, R>) -> TableError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let table = &self.name;
        let text = match classify(err) {
            AwsFailure::NotFound { .. } => format!(
                "table {table} was not found ({}): check the table name, --region and --profile \
                 (or --endpoint-url)",
                self.where_()
            ),
            AwsFailure::AccessDenied { message } => format!(
                "access denied: {op} on table {table} ({}) was refused; the credentials need {} \
                 on this table. AWS said: {message}",
                self.where_(),
                iam_actions(op)
            ),
            AwsFailure::Credentials { message } => format!(
                "the AWS credentials were not accepted for {op} on table {table} ({}): they are \
                 missing, expired or invalid; refresh them (for example `aws sso login`, or new \
                 session keys) or pick a profile with --profile. Details: {message}",
                self.where_()
            ),
            AwsFailure::Unavailable { message } => format!(
                "cannot reach DynamoDB for {op} on table {table} ({}): check --endpoint-url or \
                 AWS_ENDPOINT_URL, the region and the network. Details: {message}",
                self.where_()
            ),
            AwsFailure::Throttled { message } => format!(
                "DynamoDB kept throttling {op} on table {table} past the retries: try again \
                 later, or with fewer --segments. Details: {message}"
            ),
            AwsFailure::Validation { message } => {
                format!(
                    "DynamoDB refused {op} on table {table} ({}): {message}",
                    self.where_()
                )
            }
            AwsFailure::ConditionFailed { message } => {
                format!("{op} on table {table}: a condition did not hold: {message}")
            }
            AwsFailure::Other { code, message } if code.is_empty() => {
                format!(
                    "{op} on table {table} ({}) failed: {message}",
                    self.where_()
                )
            }
            AwsFailure::Other { code, message } => {
                format!(
                    "{op} on table {table} ({}) failed: {code}: {message}",
                    self.where_()
                )
            }
        };
        TableError(text)
    }

    /// DescribeTable: the ARN and key schema.
    pub async fn describe(&self) -> Result<TableInfo, TableError> {
        self.count("DescribeTable");
        // The first call of a run: a wrong endpoint or a closed port should be reported in a
        // moment, not after the full backoff meant for throttled writes.
        let quick = aws_sdk_dynamodb::config::Builder::default().retry_config(
            aws_config::retry::RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_millis(200))
                .with_max_backoff(std::time::Duration::from_secs(2)),
        );
        let out = self
            .client
            .describe_table()
            .table_name(&self.name)
            .customize()
            .config_override(quick)
            .send()
            .await
            .map_err(|e| self.failure("DescribeTable", &e))?;
        let Some(table) = out.table() else {
            return Err(TableError(format!(
                "DescribeTable on {} returned no table description",
                self.name
            )));
        };
        let mut key_schema = Vec::new();
        for kind in [KeyType::Hash, KeyType::Range] {
            for k in table.key_schema() {
                if *k.key_type() == kind {
                    key_schema.push(k.attribute_name().to_string());
                }
            }
        }
        if key_schema.is_empty() {
            return Err(TableError(format!(
                "DescribeTable on {} returned no key schema",
                self.name
            )));
        }
        Ok(TableInfo {
            arn: table.table_arn().unwrap_or_default().to_string(),
            key_schema,
            status: table
                .table_status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        })
    }

    /// Scans the whole table: every page of every segment (segments run concurrently), until
    /// each segment's LastEvaluatedKey is absent. `each` gets the items as they arrive.
    pub async fn scan(
        &self,
        segments: u32,
        consistent_read: bool,
        limit: Option<i32>,
        mut each: impl FnMut(SdkItem),
    ) -> Result<(), TableError> {
        let (tx, mut rx) =
            tokio::sync::mpsc::channel::<Result<Vec<SdkItem>, TableError>>(segments as usize * 2);
        let mut tasks = tokio::task::JoinSet::new();
        for segment in 0..segments {
            let store = self.clone();
            let tx = tx.clone();
            tasks.spawn(async move {
                let request = store.scan_request(segment, segments, consistent_read, limit);
                let mut pages = request.into_paginator().send();
                loop {
                    // A page's units are known only once it is read: each page waits for the last.
                    store.budget.reserve(Units::Read, 0.0).await;
                    let Some(page) = pages.next().await else {
                        break;
                    };
                    store.count("Scan");
                    if let Ok(p) = &page {
                        store.charge_page(p, consistent_read);
                    }
                    let page = page
                        .map(|p| p.items.unwrap_or_default())
                        .map_err(|e| store.failure("Scan", &e));
                    let failed = page.is_err();
                    if tx.send(page).await.is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(tx);
        while let Some(page) = rx.recv().await {
            // Dropping `tasks` on an error stops the other segments.
            for item in page? {
                each(item);
            }
        }
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done {
                return Err(TableError(format!(
                    "a scan segment of {} stopped: {e}",
                    self.name
                )));
            }
        }
        Ok(())
    }

    /// A Scan of one segment of `total` (the whole table when `total` is 1), its consumed
    /// capacity reported.
    fn scan_request(
        &self,
        segment: u32,
        total: u32,
        consistent_read: bool,
        limit: Option<i32>,
    ) -> aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder {
        let request = self
            .client
            .scan()
            .table_name(&self.name)
            .consistent_read(consistent_read)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .set_limit(limit);
        if total > 1 {
            request.segment(segment as i32).total_segments(total as i32)
        } else {
            request
        }
    }

    /// Charges a page's read units to the budget: what DynamoDB reports, else the estimate.
    fn charge_page(&self, page: &aws_sdk_dynamodb::operation::scan::ScanOutput, consistent: bool) {
        let used = page.consumed_capacity().and_then(|c| c.capacity_units());
        let read = read_units(page.items(), consistent);
        self.budget.settle(Units::Read, 0.0, used.or(Some(read)));
    }

    /// One page of each unfinished segment, read concurrently: `cursors[i]` is `None` before
    /// segment i's first page and `Some(key)` after a page that ended at `key`. Returns the
    /// items and each segment's next cursor (`Done` when the segment has no more pages).
    pub async fn scan_pages(
        &self,
        cursors: &[Cursor],
        consistent_read: bool,
        limit: Option<i32>,
    ) -> Result<(Vec<SdkItem>, Vec<Cursor>), TableError> {
        let total = cursors.len() as i32;
        let mut tasks = tokio::task::JoinSet::new();
        for (segment, cursor) in cursors.iter().enumerate() {
            let start = match cursor {
                Cursor::Done => continue,
                Cursor::Start => None,
                Cursor::After(key) => Some(key.clone()),
            };
            let store = self.clone();
            tasks.spawn(async move {
                let request = store
                    .scan_request(segment as u32, total as u32, consistent_read, limit)
                    .set_exclusive_start_key(start);
                store.budget.reserve(Units::Read, 0.0).await;
                store.count("Scan");
                let page = request
                    .send()
                    .await
                    .map_err(|e| store.failure("Scan", &e))?;
                store.charge_page(&page, consistent_read);
                let next = match page.last_evaluated_key {
                    Some(key) if !key.is_empty() => Cursor::After(key),
                    _ => Cursor::Done,
                };
                Ok::<_, TableError>((segment, page.items.unwrap_or_default(), next))
            });
        }
        let mut next = cursors.to_vec();
        let mut items = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let (segment, page, cursor) = done.map_err(|e| {
                TableError(format!("a scan segment of {} stopped: {e}", self.name))
            })??;
            items.extend(page);
            next[segment] = cursor;
        }
        Ok((items, next))
    }

    /// GetItem, strongly consistent.
    pub async fn get(&self, key: &SdkItem) -> Result<Option<SdkItem>, TableError> {
        self.count("GetItem");
        let out = self
            .client
            .get_item()
            .table_name(&self.name)
            .set_key(Some(key.clone()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.failure("GetItem", &e))?;
        Ok(out.item)
    }

    /// Sends a conditional UpdateItem.
    pub async fn update(&self, u: &ConditionalUpdate) -> Result<WriteResult, TableError> {
        self.budget.reserve(Units::Write, u.units).await;
        self.count("UpdateItem");
        let sent = self
            .client
            .update_item()
            .table_name(&self.name)
            .set_key(Some(u.key.clone()))
            .update_expression(&u.update_expression)
            .condition_expression(&u.condition_expression)
            .set_expression_attribute_names(non_empty(&u.names))
            .set_expression_attribute_values(non_empty(&u.values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        let consumed = sent.as_ref().ok().and_then(|o| o.consumed_capacity());
        self.budget.settle(
            Units::Write,
            u.units,
            consumed.and_then(|c| c.capacity_units()),
        );
        match sent {
            Ok(_) => Ok(WriteResult::Written),
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(ccf))
                    if ccf.item().is_some_and(|now| u.holds_result(now)) =>
                {
                    // An earlier attempt of this request was applied; its answer was lost.
                    Ok(WriteResult::Written)
                }
                Some(UpdateItemError::ConditionalCheckFailedException(ccf)) => {
                    Ok(WriteResult::Changed {
                        current: ccf.item().cloned(),
                    })
                }
                _ => Err(self.failure("UpdateItem", &e)),
            },
        }
    }

    /// Sends a key change as one TransactWriteItems.
    pub async fn move_item(&self, m: &ConditionalMove) -> Result<WriteResult, TableError> {
        let build = |e: aws_smithy_types::error::operation::BuildError| {
            TableError(format!("cannot build the transaction: {e}"))
        };
        let put = Put::builder()
            .table_name(&self.name)
            .set_item(Some(m.put_item.clone()))
            .condition_expression(&m.put_condition)
            .set_expression_attribute_names(non_empty(&m.put_names))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(build)?;
        let delete = Delete::builder()
            .table_name(&self.name)
            .set_key(Some(m.delete_key.clone()))
            .condition_expression(&m.delete_condition)
            .set_expression_attribute_names(non_empty(&m.delete_names))
            .set_expression_attribute_values(non_empty(&m.delete_values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(build)?;
        self.budget.reserve(Units::Write, m.units).await;
        self.count("TransactWriteItems");
        let sent = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .transact_items(TransactWriteItem::builder().delete(delete).build())
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        let consumed = sent.as_ref().ok().map(|o| {
            o.consumed_capacity()
                .iter()
                .filter_map(|c| c.capacity_units())
                .sum::<f64>()
        });
        self.budget
            .settle(Units::Write, m.units, consumed.filter(|c| *c > 0.0));
        let err = match sent {
            Ok(_) => return Ok(WriteResult::Written),
            Err(e) => e,
        };
        if let Some(TransactWriteItemsError::TransactionCanceledException(tce)) =
            err.as_service_error()
        {
            if let Some(result) = self.cancelled(m, tce.cancellation_reasons()).await? {
                return Ok(result);
            }
        }
        Err(self.failure("TransactWriteItems", &err))
    }

    /// What a cancelled move means, from the cancellation reasons (put first, delete second);
    /// `None` when it is a failure to report.
    async fn cancelled(
        &self,
        m: &ConditionalMove,
        reasons: &[aws_sdk_dynamodb::types::CancellationReason],
    ) -> Result<Option<WriteResult>, TableError> {
        let failed = |i: usize| {
            reasons
                .get(i)
                .filter(|r| r.code() == Some("ConditionalCheckFailed"))
        };
        // An earlier attempt of this transaction was applied and its answer lost: the new
        // key holds exactly the put image and the old key is gone.
        let moved = failed(0)
            .and_then(|r| r.item())
            .is_some_and(|existing| same_item(existing, &m.put_item));
        if moved && self.get(&m.delete_key).await?.is_none() {
            return Ok(Some(WriteResult::Written));
        }
        // A taken key decides the outcome whatever the old item holds: the move cannot be
        // made either way.
        if let Some(r) = failed(0) {
            return Ok(Some(WriteResult::KeyTaken {
                existing: r.item().cloned(),
            }));
        }
        if let Some(r) = failed(1) {
            return Ok(Some(WriteResult::Changed {
                current: r.item().cloned(),
            }));
        }
        let transient = reasons.iter().any(|r| {
            matches!(
                r.code(),
                Some("TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded")
            )
        });
        Ok(transient.then_some(WriteResult::Conflict { current: None }))
    }
}

/// A shared store for concurrent writers.
pub type SharedStore = Arc<TableStore>;

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    fn item(pairs: &[(&str, AttributeValue)]) -> SdkItem {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn update_sets_and_removes_only_what_changed_with_a_condition_on_each() {
        let keys = vec!["agent_id".to_string()];
        let from = item(&[
            ("agent_id", s("A")),
            ("alias_id", s("X\"")),
            ("name", s("n")),
            ("capabilites", AttributeValue::L(vec![s("c")])),
        ]);
        let to = item(&[
            ("agent_id", s("A")),
            ("alias_id", s("X")),
            ("name", s("n")),
            ("capabilities", AttributeValue::L(vec![s("c")])),
        ]);
        let u = conditional_update(&keys, &from, &to).unwrap();
        assert_eq!(u.key, item(&[("agent_id", s("A"))]));
        assert_eq!(u.touched, ["alias_id", "capabilites", "capabilities"]);
        assert_eq!(u.update_expression, "SET #a0 = :v0, #a2 = :v2 REMOVE #a1");
        assert_eq!(
            u.condition_expression,
            "attribute_exists(#k0) AND #a0 = :o0 AND #a1 = :o1 AND attribute_not_exists(#a2)"
        );
        assert_eq!(u.names["#k0"], "agent_id");
        assert_eq!(u.names["#a1"], "capabilites");
        assert_eq!(u.values[":o0"], s("X\""));
        assert_eq!(u.values[":v0"], s("X"));
        assert_eq!(u.values.len(), 4);
        assert!(conditional_update(&keys, &from, &from).is_none());
    }

    #[test]
    fn a_key_change_moves_the_item_on_conditions() {
        let keys = vec!["agent_id".to_string()];
        let from = item(&[("agent_id", s("A ")), ("name", s("n"))]);
        let to = item(&[("agent_id", s("A")), ("name", s("n"))]);
        assert!(key_changes(&keys, &from, &to));
        assert!(!key_changes(&keys, &to, &to));
        let m = conditional_move(&keys, &from, &to);
        assert_eq!(m.put_item, to);
        assert_eq!(m.put_condition, "attribute_not_exists(#k0)");
        assert_eq!(m.delete_key, item(&[("agent_id", s("A "))]));
        assert_eq!(m.delete_condition, "attribute_exists(#k0) AND #a0 = :o0");
        assert_eq!(m.delete_names["#a0"], "name");
        assert_eq!(m.delete_values[":o0"], s("n"));
    }

    #[test]
    fn the_account_comes_from_the_arn() {
        let info = TableInfo {
            arn: "arn:aws:dynamodb:eu-west-1:012345678901:table/reg".into(),
            key_schema: vec!["agent_id".into()],
            status: "ACTIVE".into(),
        };
        assert_eq!(info.account(), "012345678901");
    }
}
