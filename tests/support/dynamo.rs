//! Helpers for the live-table tests: tables and items made with the Rust SDK in a DynamoDB
//! server (moto or dynoxide: [`Server`]), the `reglint` binary pointed at it, and a loopback
//! HTTP proxy between the two that can see, delay, hold, answer or drop each DynamoDB request.
//!
//! Include after `support/moto.rs` and `support/dynoxide.rs`:
//!
//! ```ignore
//! #[path = "support/moto.rs"]
//! mod moto;
//! #[path = "support/dynoxide.rs"]
//! mod dynoxide;
//! #[path = "support/dynamo.rs"]
//! mod dynamo;
//! ```
//!
//! A table test written once as `async fn name(db: &impl Server)` runs on both servers with
//! `dynamo::on_each_server!(name);` (tests `name::moto` and `name::dynoxide`).
#![allow(
    dead_code,
    unused_macros,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, PutRequest,
    ScalarAttributeType, WriteRequest,
};

use super::dynoxide::Dynoxide;
use super::moto::{Moto, BASE_ACCOUNT, REGION};

/// A DynamoDB endpoint the table tests talk to: moto (a Python process, which also serves
/// STS and Bedrock) or dynoxide (embedded, DynamoDB only).
pub trait Server: Sync {
    /// `"moto"` or `"dynoxide"`.
    fn name(&self) -> &'static str;
    /// `http://127.0.0.1:<port>`
    fn endpoint(&self) -> &str;
    fn port(&self) -> u16;
    /// The ARN the server reports for `table` in DescribeTable.
    fn table_arn(&self, table: &str) -> String;
    /// The account in [`Server::table_arn`].
    fn arn_account(&self) -> &'static str;
}

impl Server for Moto {
    fn name(&self) -> &'static str {
        "moto"
    }
    fn endpoint(&self) -> &str {
        &self.endpoint
    }
    fn port(&self) -> u16 {
        self.port
    }
    fn table_arn(&self, table: &str) -> String {
        format!("arn:aws:dynamodb:{REGION}:{BASE_ACCOUNT}:table/{table}")
    }
    fn arn_account(&self) -> &'static str {
        BASE_ACCOUNT
    }
}

impl Server for Dynoxide {
    fn name(&self) -> &'static str {
        "dynoxide"
    }
    fn endpoint(&self) -> &str {
        &self.endpoint
    }
    fn port(&self) -> u16 {
        self.port
    }
    fn table_arn(&self, table: &str) -> String {
        Dynoxide::table_arn(self, table)
    }
    fn arn_account(&self) -> &'static str {
        super::dynoxide::ARN_ACCOUNT
    }
}

/// `on_each_server!(a, b)`: for each `async fn a(db: &impl Server)`, the tests `a::moto` and
/// `a::dynoxide`. The moto one fails when moto is missing (see `support/moto.rs`).
macro_rules! on_each_server {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn moto() {
                let Some(server) = crate::moto::Moto::shared() else { return };
                super::$name(server).await;
            }
            #[tokio::test]
            async fn dynoxide() {
                super::$name(crate::dynoxide::Dynoxide::shared()).await;
            }
        }
    )*};
}
pub(crate) use on_each_server;

/// `on_dynoxide!(a, b)`: the test `a::dynoxide` for each `async fn a(db: &impl Server)`. For
/// DynamoDB-only tests that depend on no server behaviour moto could add and run faster on
/// dynoxide; `on_each_server!` moves one back onto both.
macro_rules! on_dynoxide {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn dynoxide() {
                super::$name(crate::dynoxide::Dynoxide::shared()).await;
            }
        }
    )*};
}
pub(crate) use on_dynoxide;

pub type Item = HashMap<String, AttributeValue>;

/// A name no other test uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

pub fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn list(v: &[&str]) -> AttributeValue {
    AttributeValue::L(v.iter().map(|x| s(x)).collect())
}

/// A valid bedrock_agent entry with key `agent_id`.
pub fn entry(agent_id: &str, alias_id: &str) -> Item {
    HashMap::from([
        ("agent_id".to_string(), s(agent_id)),
        ("alias_id".to_string(), s(alias_id)),
        ("name".to_string(), s(&format!("agent {agent_id}"))),
        ("description".to_string(), s("routes requests")),
        ("agent_type".to_string(), s("bedrock_agent")),
        ("enabled".to_string(), AttributeValue::Bool(true)),
        ("capabilities".to_string(), list(&["search"])),
    ])
}

/// SDK config for `server` with the base (`testing`) credentials in us-east-1.
pub async fn sdk_config(server: &impl Server) -> aws_config::SdkConfig {
    let creds = aws_credential_types::Credentials::new("testing", "testing", None, None, "test");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(server.endpoint())
        .region(aws_config::Region::new(REGION))
        .credentials_provider(creds)
        .load()
        .await
}

pub async fn client(server: &impl Server) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config(server).await)
}

/// Creates an on-demand table whose key is `hash` (S) and optionally `range` (S).
pub async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    name: &str,
    hash: &str,
    range: Option<&str>,
) {
    let mut req = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for (attr, kind) in [(Some(hash), KeyType::Hash), (range, KeyType::Range)] {
        let Some(attr) = attr else { continue };
        req = req
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attr)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(attr)
                    .key_type(kind)
                    .build()
                    .unwrap(),
            );
    }
    req.send().await.expect("CreateTable");
}

/// BatchWriteItem, 25 at a time.
pub async fn put_items(client: &aws_sdk_dynamodb::Client, table: &str, items: &[Item]) {
    for chunk in items.chunks(25) {
        let mut pending: Vec<WriteRequest> = chunk
            .iter()
            .map(|item| {
                WriteRequest::builder()
                    .put_request(
                        PutRequest::builder()
                            .set_item(Some(item.clone()))
                            .build()
                            .unwrap(),
                    )
                    .build()
            })
            .collect();
        while !pending.is_empty() {
            let out = client
                .batch_write_item()
                .request_items(table, pending)
                .send()
                .await
                .expect("BatchWriteItem");
            pending = out
                .unprocessed_items
                .and_then(|mut m| m.remove(table))
                .unwrap_or_default();
        }
    }
}

/// Every item of the table, keyed by `key` (an S attribute).
pub async fn all_items(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    key: &str,
) -> HashMap<String, Item> {
    let pages: Vec<_> = client
        .scan()
        .table_name(table)
        .consistent_read(true)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("Scan");
    pages
        .into_iter()
        .flat_map(|p| p.items.unwrap_or_default())
        .map(|item| (item[key].as_s().unwrap().clone(), item))
        .collect()
}

pub async fn get(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    key: &str,
    value: &str,
) -> Option<Item> {
    client
        .get_item()
        .table_name(table)
        .key(key, s(value))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem")
        .item
}

/// The reglint binary with the environment of `endpoint` (the server, or a proxy in front of
/// it), run in `dir`.
pub fn reglint(server: &impl Server, endpoint: &str, dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_reglint"));
    for key in super::moto::ENV_REMOVE {
        cmd.env_remove(key);
    }
    cmd.envs(super::moto::client_env(server.endpoint()))
        .env("AWS_ENDPOINT_URL", endpoint)
        .env_remove("REGLINT_LOG")
        .env_remove("NO_COLOR")
        .current_dir(dir);
    cmd
}

/// The same as a std command, for runs the test kills.
pub fn reglint_process(
    server: &impl Server,
    endpoint: &str,
    dir: &std::path::Path,
) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_reglint"));
    for key in super::moto::ENV_REMOVE {
        cmd.env_remove(key);
    }
    cmd.envs(super::moto::client_env(server.endpoint()))
        .env("AWS_ENDPOINT_URL", endpoint)
        .env_remove("REGLINT_LOG")
        .current_dir(dir);
    cmd
}

/// A raw DynamoDB JSON call to the server, outside reglint and the SDK (for a "concurrent
/// writer" that must act from inside a proxy hook).
pub fn raw_call(
    server: &impl Server,
    operation: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    let target = format!("DynamoDB_20120810.{operation}");
    let auth = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, \
                SignedHeaders=host, Signature=0";
    let (status, text) = super::moto::http_request(
        server.port(),
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.0"),
            ("X-Amz-Target", &target),
            // DynamoDB (and dynoxide) refuse an Authorization header without a date.
            ("X-Amz-Date", "20260101T000000Z"),
            ("Authorization", auth),
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{operation} failed: {text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

// ---------------------------------------------------------------------------------------------
// The proxy
// ---------------------------------------------------------------------------------------------

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The DynamoDB operation (`Scan`, `UpdateItem`, …) from `X-Amz-Target`.
    pub operation: String,
    pub body: serde_json::Value,
}

/// What the proxy does with a request.
pub enum Action {
    Forward,
    /// Answer with this DynamoDB error (`AccessDeniedException`, …) without forwarding.
    Error {
        status: u16,
        code: String,
        message: String,
    },
    /// Close the connection without an answer.
    Drop,
    /// Wait, then forward.
    Delay(Duration),
    /// Forward to the server (the request takes effect), then close the connection without
    /// passing the answer on: the client cannot know whether it was applied.
    ForwardThenDrop,
    /// Forward, then pass on the head (with the server's Content-Length) and only part of the
    /// body before closing.
    ForwardTruncated,
}

pub type Hook = Arc<dyn Fn(&Request) -> Action + Send + Sync>;

/// A loopback proxy in front of a server. Counts requests by operation.
pub struct Proxy {
    pub endpoint: String,
    counts: Arc<Mutex<HashMap<String, u64>>>,
    /// Forwarded requests whose answer came back from the server.
    answered: Arc<Mutex<HashMap<String, u64>>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Proxy {
    /// Forwards everything.
    pub fn start(server: &impl Server) -> Proxy {
        Proxy::with_hook(server, Arc::new(|_| Action::Forward))
    }

    pub fn with_hook(server: &impl Server, hook: Hook) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let upstream = server.port();
        let counts: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
        let answered: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (c, a, st) = (counts.clone(), answered.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (hook, c, a) = (hook.clone(), c.clone(), a.clone());
                std::thread::spawn(move || serve(conn, upstream, &hook, &c, &a));
            }
        });
        Proxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            counts,
            answered,
            stop,
            port,
        }
    }

    /// How many requests of `operation` reached the proxy.
    pub fn count(&self, operation: &str) -> u64 {
        self.counts
            .lock()
            .unwrap()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    /// How many requests of `operation` were forwarded and answered by the server.
    pub fn answered(&self, operation: &str) -> u64 {
        self.answered
            .lock()
            .unwrap()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Serves one client connection: each request is answered on a fresh upstream connection and
/// the client connection is closed after the answer (`Connection: close`).
fn serve(
    mut conn: TcpStream,
    upstream: u16,
    hook: &Hook,
    counts: &Mutex<HashMap<String, u64>>,
    answered: &Mutex<HashMap<String, u64>>,
) {
    let Some((head, body)) = read_request(&mut conn) else {
        return;
    };
    let operation = header(&head, "x-amz-target")
        .and_then(|t| t.split('.').nth(1).map(str::to_string))
        .unwrap_or_default();
    *counts.lock().unwrap().entry(operation.clone()).or_default() += 1;
    let request = Request {
        operation: operation.clone(),
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
    };
    let mut action = hook(&request);
    if let Action::Delay(pause) = action {
        std::thread::sleep(pause);
        action = Action::Forward;
    }
    match action {
        Action::Delay(_) => {}
        Action::Drop => {
            let _ = conn.shutdown(Shutdown::Both);
        }
        Action::Error {
            status,
            code,
            message,
        } => {
            let payload = serde_json::json!({
                "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"),
                "message": message,
            })
            .to_string();
            let response = format!(
                "HTTP/1.1 {status} Error\r\nContent-Type: application/x-amz-json-1.0\r\n\
                 x-amzn-ErrorType: {code}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
                payload.len()
            );
            let _ = conn.write_all(response.as_bytes());
        }
        Action::Forward | Action::ForwardThenDrop | Action::ForwardTruncated => {
            let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            let head = set_connection_close(&head);
            if up.write_all(head.as_bytes()).is_err() || up.write_all(&body).is_err() {
                return;
            }
            let mut response = Vec::new();
            if up.read_to_end(&mut response).is_err() {
                return;
            }
            *answered.lock().unwrap().entry(operation).or_default() += 1;
            let split = response
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(response.len(), |i| i + 4);
            let head = set_connection_close(&String::from_utf8_lossy(&response[..split]));
            match action {
                Action::ForwardThenDrop => {
                    let _ = conn.shutdown(Shutdown::Both);
                    return;
                }
                Action::ForwardTruncated => {
                    let body = &response[split..];
                    let _ = conn.write_all(head.as_bytes());
                    let _ = conn.write_all(&body[..body.len() / 2]);
                    let _ = conn.flush();
                    let _ = conn.shutdown(Shutdown::Both);
                    return;
                }
                _ => {}
            }
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&response[split..]);
        }
    }
    let _ = conn.flush();
    let _ = conn.shutdown(Shutdown::Write);
}

fn read_request(conn: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    conn.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let read = conn.read(&mut buf).ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..read]);
    };
    let head = String::from_utf8_lossy(&data[..end]).into_owned();
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = data[end..].to_vec();
    while body.len() < length {
        let read = conn.read(&mut buf).ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&buf[..read]);
    }
    Some((head, body))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The head with any Connection header replaced by `Connection: close`.
fn set_connection_close(head: &str) -> String {
    let mut lines: Vec<&str> = head
        .trim_end_matches("\r\n")
        .split("\r\n")
        .filter(|l| {
            !l.split_once(':')
                .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("connection"))
        })
        .collect();
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

/// A free loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A gate for requests: the first `open` pass, later ones wait until `release`, then are
/// dropped unanswered.
pub struct Gate {
    passed: AtomicU32,
    held: AtomicU32,
    open: u32,
    released: AtomicBool,
}

impl Gate {
    pub fn new(open: u32) -> Arc<Gate> {
        Arc::new(Gate {
            passed: AtomicU32::new(0),
            held: AtomicU32::new(0),
            open,
            released: AtomicBool::new(false),
        })
    }

    /// Called from a hook: Forward for the first `open` calls, else hold, then Drop.
    pub fn pass(&self) -> Action {
        if self.passed.fetch_add(1, Ordering::SeqCst) < self.open {
            return Action::Forward;
        }
        self.held.fetch_add(1, Ordering::SeqCst);
        while !self.released.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        Action::Drop
    }

    pub fn held(&self) -> u32 {
        self.held.load(Ordering::SeqCst)
    }

    pub fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
    }
}

// ---------------------------------------------------------------------------------------------
// Fault injection
// ---------------------------------------------------------------------------------------------

/// Rates (0.0–1.0) of each fault, drawn per request from a fixed seed.
#[derive(Debug, Clone, Copy, Default)]
pub struct FaultRates {
    /// Close the connection before forwarding (nothing applied).
    pub reset: f64,
    /// Forward, then close without answering (applied, answer lost).
    pub lost_answer: f64,
    /// Wait up to `max_delay` before forwarding.
    pub delay: f64,
    /// HTTP 500 InternalServerError.
    pub http500: f64,
    /// HTTP 400 ThrottlingException.
    pub throttling: f64,
    /// HTTP 400 ProvisionedThroughputExceededException.
    pub throughput: f64,
    /// Forward, then cut the answer's body short.
    pub truncate: f64,
    pub max_delay: Duration,
}

/// What the fault plan did, by fault.
#[derive(Debug, Default, Clone)]
pub struct FaultTally {
    pub requests: u64,
    pub by_fault: HashMap<&'static str, u64>,
}

/// A seeded plan of faults for the operations in `ops` (all operations when empty).
pub struct Faults {
    rates: FaultRates,
    ops: Vec<String>,
    seq: std::sync::atomic::AtomicU64,
    seed: u64,
    tally: Mutex<FaultTally>,
}

/// splitmix64: a fixed, portable sequence from a seed.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Faults {
    pub fn new(seed: u64, rates: FaultRates, ops: &[&str]) -> Arc<Faults> {
        Arc::new(Faults {
            rates,
            ops: ops.iter().map(|o| o.to_string()).collect(),
            seq: std::sync::atomic::AtomicU64::new(0),
            seed,
            tally: Mutex::new(FaultTally::default()),
        })
    }

    /// The action for one request.
    pub fn decide(&self, req: &Request) -> Action {
        if !self.ops.is_empty() && !self.ops.contains(&req.operation) {
            return Action::Forward;
        }
        let n = self.seq.fetch_add(1, Ordering::SeqCst);
        let r = mix(self.seed ^ mix(n));
        let roll = (r >> 11) as f64 / (1u64 << 53) as f64;
        let pause =
            Duration::from_millis(mix(r) % (self.rates.max_delay.as_millis() as u64).max(1));
        let rt = &self.rates;
        let table: [(f64, &'static str); 7] = [
            (rt.reset, "reset"),
            (rt.lost_answer, "lost_answer"),
            (rt.delay, "delay"),
            (rt.http500, "http500"),
            (rt.throttling, "throttling"),
            (rt.throughput, "throughput"),
            (rt.truncate, "truncate"),
        ];
        let mut acc = 0.0;
        let mut chosen = "none";
        for (rate, name) in table {
            acc += rate;
            if roll < acc {
                chosen = name;
                break;
            }
        }
        {
            let mut t = self.tally.lock().unwrap();
            t.requests += 1;
            *t.by_fault.entry(chosen).or_default() += 1;
        }
        let error = |status: u16, code: &str, message: &str| Action::Error {
            status,
            code: code.into(),
            message: message.into(),
        };
        match chosen {
            "reset" => Action::Drop,
            "lost_answer" => Action::ForwardThenDrop,
            "delay" => Action::Delay(pause),
            "http500" => error(500, "InternalServerError", "Internal server error"),
            "throttling" => error(400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
            "throughput" => error(
                400,
                "ProvisionedThroughputExceededException",
                "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
            ),
            "truncate" => Action::ForwardTruncated,
            _ => Action::Forward,
        }
    }

    pub fn hook(self: &Arc<Self>) -> Hook {
        let me = self.clone();
        Arc::new(move |req| me.decide(req))
    }

    pub fn tally(&self) -> FaultTally {
        self.tally.lock().unwrap().clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Fixable tables and their expected images
// ---------------------------------------------------------------------------------------------

/// `count` items, each with two safe fixes (a stray quote on alias_id, account_id as N) and
/// attributes no fix touches. Keys are `AG%08d`.
pub fn fixable_items(count: usize) -> Vec<Item> {
    (0..count)
        .map(|i| {
            let mut item = entry(&format!("AG{i:08}"), &format!("AL{i:08}\""));
            item.insert("account_id".into(), n(&format!("{}", 1000 + i)));
            item.insert("owner".into(), s(&format!("team-{}", i % 7)));
            item.insert(
                "tags".into(),
                AttributeValue::Ss(vec!["x".into(), "y".into()]),
            );
            item
        })
        .collect()
}

/// What `--fix --select RG101,RG105` makes of [`fixable_items`]`(count)[i]`.
pub fn fixed_image(item: &Item) -> Item {
    let mut after = item.clone();
    let alias = item["alias_id"]
        .as_s()
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    after.insert("alias_id".into(), s(&alias));
    let account: u64 = item["account_id"].as_n().unwrap().parse().unwrap();
    after.insert("account_id".into(), s(&format!("{account:012}")));
    after
}

/// Sets in a fixed order, so that items compare with `==`.
pub fn sorted_sets(mut items: HashMap<String, Item>) -> HashMap<String, Item> {
    for item in items.values_mut() {
        sort_sets(item);
    }
    items
}

pub fn sort_sets(item: &mut Item) {
    for v in item.values_mut() {
        if let AttributeValue::Ss(v) | AttributeValue::Ns(v) = v {
            v.sort();
        }
    }
}

/// Items by their `agent_id`, sets sorted.
pub fn by_key(items: &[Item]) -> HashMap<String, Item> {
    sorted_sets(
        items
            .iter()
            .map(|i| (i["agent_id"].as_s().unwrap().clone(), i.clone()))
            .collect(),
    )
}

/// The journal's entries (`op` lines) and outcomes by seq.
pub fn journal_lines(path: &std::path::Path) -> (Vec<serde_json::Value>, HashMap<u64, String>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut entries = Vec::new();
    let mut outcomes = HashMap::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v.get("op").is_some() {
            entries.push(v);
        } else if let Some(o) = v.get("outcome").and_then(|o| o.as_str()) {
            let seq = v["seq"].as_u64().unwrap();
            assert!(
                outcomes.insert(seq, o.to_string()).is_none(),
                "two outcomes for write {seq}"
            );
        }
    }
    (entries, outcomes)
}
