//! A moto server for integration tests: the real AWS SDK for Rust, or the
//! `reglint` binary, talk to it over HTTP on a loopback port.
//!
//! Include it from an integration test with
//!
//! ```ignore
//! #[path = "support/moto.rs"]
//! mod moto;
//! ```
//!
//! `scripts/setup-moto.sh` installs the pinned moto into `.venv/`; this module
//! only looks for `.venv/bin/python` under the crate root (or the Python named
//! by `REGLINT_MOTO_PYTHON`) and starts `tests/harness/moto_server.py` with it
//! (see that file for what it changes in moto and for its test-only
//! endpoints).
//!
//! A test that needs moto fails when moto cannot be started: [`Moto::start`]
//! and [`Moto::shared`] panic with the reason. Only when the person running the
//! tests asked for it with `REGLINT_SKIP_AWS_TESTS=1` do they return `None`
//! (the test returns early), after printing `skipped <test name>: …` on
//! stderr. A moto test never passes silently.
//!
//! Running the binary against it:
//!
//! ```ignore
//! let Some(moto) = moto::Moto::start() else { return };
//! let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_reglint"));
//! moto.apply_env(&mut cmd);
//! // or, with assert_cmd / any builder that has env/env_remove:
//! //   cmd.envs(moto.env()); for k in moto::ENV_REMOVE { cmd.env_remove(k); }
//! ```
//!
//! Roles for AssumeRole are created with IAM `CreateRole` in the role's own
//! account ([`Moto::create_role`]); the harness enforces their trust policies.
//! Status of agents, aliases, versions, runtimes and endpoints is set with
//! tags at creation (`reglint:status`, `reglint:invocation-state`,
//! `reglint:endpoint-status`) or later with [`Moto::set_status`].
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

/// The account of the base (`testing`) credentials.
pub const BASE_ACCOUNT: &str = "123456789012";
/// The region every client uses.
pub const REGION: &str = "us-east-1";

/// Variables a child process must not inherit: each could send the SDK to a
/// real account, a profile, another endpoint or bearer auth.
pub const ENV_REMOVE: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_BEARER_TOKEN_BEDROCK",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_BEDROCK_AGENT",
    "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "REGLINT_EXTERNAL_ID",
];

const STARTUP_TIMEOUT: Duration = Duration::from_secs(90);

/// A running moto server; the process is killed on drop.
pub struct Moto {
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
    pub port: u16,
    child: Child,
    // Held open: the server exits when this pipe closes, even if the test
    // process dies without running Drop.
    _stdin: Option<ChildStdin>,
}

impl Moto {
    /// Starts a fresh server on a free port. Panics when moto cannot be
    /// started (run `scripts/setup-moto.sh`), or returns `None` after saying
    /// so on stderr when `REGLINT_SKIP_AWS_TESTS=1`.
    pub fn start() -> Option<Moto> {
        match Moto::try_start() {
            Ok(moto) => Some(moto),
            Err(why) => unavailable(&why),
        }
    }

    /// Starts a fresh server, or says why it cannot.
    pub fn try_start() -> Result<Moto, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let python = std::env::var_os("REGLINT_MOTO_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(".venv/bin/python"));
        if !python.is_file() {
            return Err(format!("{} not found", python.display()));
        }
        spawn(&python, &root.join("tests/harness/moto_server.py"))
    }

    /// One server shared by every test of this test binary (it exits with
    /// the binary). Call counts on it are shared too: tests that assert
    /// counts should use [`Moto::start`] or filter by a fresh account.
    /// Missing moto is handled as in [`Moto::start`], for every test that asks.
    pub fn shared() -> Option<&'static Moto> {
        static SHARED: OnceLock<Result<Moto, String>> = OnceLock::new();
        match SHARED.get_or_init(Moto::try_start) {
            Ok(moto) => Some(moto),
            Err(why) => unavailable(why),
        }
    }

    /// Environment for a child process (the `reglint` binary) that must talk
    /// to this server with the base credentials. Also remove [`ENV_REMOVE`].
    pub fn env(&self) -> Vec<(String, String)> {
        client_env(&self.endpoint)
    }

    /// The names to remove from a child's environment (same as [`ENV_REMOVE`]).
    pub fn env_remove(&self) -> &'static [&'static str] {
        ENV_REMOVE
    }

    /// Sets [`Moto::env`] on `cmd` and removes [`ENV_REMOVE`] from it.
    pub fn apply_env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        for key in ENV_REMOVE {
            cmd.env_remove(key);
        }
        cmd.envs(self.env())
    }

    /// SDK config for the base account (`123456789012`): static `testing`
    /// credentials, us-east-1, every client pointed at this server.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        let creds =
            aws_credential_types::Credentials::new("testing", "testing", None, None, "moto");
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(aws_config::Region::new(REGION))
            .credentials_provider(creds)
            .load()
            .await
    }

    /// SDK config whose credentials come from AssumeRole on `role_arn` with
    /// the base credentials (the role must exist and trust the base account).
    pub async fn assumed_config(&self, role_arn: &str) -> aws_config::SdkConfig {
        self.assumed_config_with(role_arn, None).await
    }

    /// [`Moto::assumed_config`] with an ExternalId.
    pub async fn assumed_config_with(
        &self,
        role_arn: &str,
        external_id: Option<&str>,
    ) -> aws_config::SdkConfig {
        let base = self.sdk_config().await;
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("reglint-test")
            .configure(&base);
        if let Some(id) = external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        base.to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .build()
    }

    /// IAM CreateRole in the account of `role_arn`
    /// (`arn:aws:iam::<acct>:role[/path]/<name>`) with `trust_policy` as its
    /// AssumeRolePolicyDocument. Panics if moto refuses.
    pub fn create_role(&self, role_arn: &str, trust_policy: &serde_json::Value) {
        let (account, path, name) = split_role_arn(role_arn);
        let form = format!(
            "Action=CreateRole&Version=2010-05-08&RoleName={}&Path={}&AssumeRolePolicyDocument={}",
            urlencode(&name),
            urlencode(&path),
            urlencode(&trust_policy.to_string()),
        );
        let auth = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, \
                    SignedHeaders=host, Signature=0";
        let (status, body) = self.request(
            "POST",
            "/",
            &[
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
                ("Authorization", auth),
                ("x-moto-account-id", &account),
            ],
            form.as_bytes(),
        );
        assert_eq!(status, 200, "CreateRole {role_arn} failed: {body}");
    }

    /// A role in its own account that the base account may assume, with
    /// `sts:ExternalId` required when `external_id` is given.
    pub fn create_cross_account_role(&self, role_arn: &str, external_id: Option<&str>) {
        self.create_role(role_arn, &trust_policy(BASE_ACCOUNT, external_id));
    }

    /// Changes the status of an agent, version, alias, runtime or endpoint
    /// (`POST /_reglint/status`, body as documented in moto_server.py), e.g.
    /// `json!({"account": acct, "agentId": id, "status": "FAILED"})`.
    /// Panics unless the server answers 200.
    pub fn set_status(&self, body: &serde_json::Value) {
        let (status, text) = self.request(
            "POST",
            "/_reglint/status",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        );
        assert_eq!(status, 200, "set_status {body} failed: {text}");
    }

    /// Calls per `"<service>:<Operation>"` across all calling accounts.
    pub fn calls(&self) -> serde_json::Value {
        self.get_json("/_reglint/calls")
    }

    /// Calls made with credentials of `account`.
    pub fn calls_in(&self, account: &str) -> serde_json::Value {
        self.get_json(&format!("/_reglint/calls?account={account}"))
    }

    /// `{"<account>": {"<service>:<Operation>": n}}`.
    pub fn calls_by_account(&self) -> serde_json::Value {
        self.get_json("/_reglint/calls?by_account=1")
    }

    /// How often `key` (e.g. `"bedrock-agent:GetAgent"`) was called; 0 if never.
    pub fn call_count(&self, key: &str) -> u64 {
        self.calls()
            .get(key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    }

    /// Zeroes the call counter.
    pub fn reset_calls(&self) {
        let (status, body) = self.request("POST", "/_reglint/calls/reset", &[], b"");
        assert_eq!(status, 200, "reset_calls failed: {body}");
    }

    /// Clears all moto state (resources, roles); not the call counter.
    pub fn reset_state(&self) {
        let (status, body) = self.request("POST", "/moto-api/reset", &[], b"");
        assert_eq!(status, 200, "moto reset failed: {body}");
    }

    fn get_json(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.request("GET", path, &[], b"");
        assert_eq!(status, 200, "GET {path} failed: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: bad JSON {e}: {body}"))
    }

    /// A minimal HTTP/1.1 request (Connection: close); returns status and body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String) {
        http_request(self.port, method, path, headers, body)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Environment for a child process that must talk to the server at `endpoint` with the
/// base (`testing`) credentials. Also remove [`ENV_REMOVE`].
pub fn client_env(endpoint: &str) -> Vec<(String, String)> {
    [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", REGION),
        ("AWS_DEFAULT_REGION", REGION),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent/reglint-test/config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/reglint-test/credentials",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A minimal HTTP/1.1 request to a loopback server (Connection: close); returns status and
/// body.
pub fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the test server");
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
        port,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .expect("write to the test server");
    stream.write_all(body).expect("write to the test server");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .expect("read from the test server");
    parse_response(&raw)
}

/// Trust policy letting `account` assume the role, optionally only with
/// `sts:ExternalId == external_id`.
pub fn trust_policy(account: &str, external_id: Option<&str>) -> serde_json::Value {
    let mut statement = serde_json::json!({
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
        "Action": "sts:AssumeRole",
    });
    if let Some(id) = external_id {
        statement["Condition"] = serde_json::json!({"StringEquals": {"sts:ExternalId": id}});
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": [statement]})
}

/// The variable with which the person running the tests asks to skip those that need a test
/// server (moto) instead of failing them.
pub const SKIP_VAR: &str = "REGLINT_SKIP_AWS_TESTS";

/// Whether `REGLINT_SKIP_AWS_TESTS=1` asks to skip tests whose server is missing.
pub fn skip_requested() -> bool {
    std::env::var(SKIP_VAR).is_ok_and(|v| v == "1")
}

/// The running test's name (libtest names each test's thread after it).
pub fn test_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("<unnamed test>")
        .to_string()
}

/// A test's server is missing: fail the test, or, when skipping was asked for, say that it
/// was skipped and return `None`.
pub fn unavailable<T>(why: &str) -> Option<T> {
    let msg = format!("moto is not available ({why}); run scripts/setup-moto.sh to install it");
    if !skip_requested() {
        panic!("{msg} (set {SKIP_VAR}=1 to skip the tests that need it)");
    }
    // Straight to the process's stderr: libtest does not capture it, so the line shows up
    // without --nocapture.
    let _ = writeln!(
        std::io::stderr(),
        "skipped {}: {msg} ({SKIP_VAR}=1)",
        test_name()
    );
    None
}

fn spawn(python: &PathBuf, script: &Path) -> Result<Moto, String> {
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .arg("0")
        .arg("--exit-on-stdin-eof")
        .env_remove("MOTO_ACCOUNT_ID")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = match rx.recv_timeout(STARTUP_TIMEOUT) {
        Ok(line) => line,
        Err(_) => {
            let _ = child.kill();
            return Err("moto did not start in time".into());
        }
    };
    let port = line
        .trim()
        .strip_prefix("READY ")
        .and_then(|p| p.parse::<u16>().ok());
    let Some(port) = port else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "moto launcher failed (said {:?}; see its stderr above)",
            line.trim()
        ));
    };
    let stdin = child.stdin.take();
    Ok(Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        port,
        child,
        _stdin: stdin,
    })
}

fn split_role_arn(role_arn: &str) -> (String, String, String) {
    let parts: Vec<&str> = role_arn.splitn(6, ':').collect();
    assert!(
        parts.len() == 6 && parts[2] == "iam" && parts[5].starts_with("role/"),
        "not a role ARN: {role_arn}"
    );
    let resource = &parts[5]["role/".len()..];
    let (path, name) = match resource.rfind('/') {
        Some(i) => (
            format!("/{}/", &resource[..i]),
            resource[i + 1..].to_string(),
        ),
        None => ("/".to_string(), resource.to_string()),
    };
    (parts[4].to_string(), path, name)
}

fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn parse_response(raw: &[u8]) -> (u16, String) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body_start = (split + 4).min(raw.len());
    let body = &raw[body_start..];
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:")
            && l.to_ascii_lowercase().contains("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_vec()
    };
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}
