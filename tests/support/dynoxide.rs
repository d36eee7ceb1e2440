//! dynoxide (crates.io `dynoxide-rs`): a second, independent DynamoDB implementation for the
//! table tests, SQLite-backed and checked against real DynamoDB by a public conformance suite.
//! It is embedded: the server runs inside the test process, on a loopback port, on its own
//! thread with its own Tokio runtime (so a test that blocks on the `reglint` binary does not
//! stop it). No Python, no child process; it starts in milliseconds.
//!
//! Include it with the other support modules (`support/dynamo.rs` needs it):
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
//! What it does differently from DynamoDB (and so from what reglint sees in production): its
//! table ARNs name region `dynoxide` and account `000000000000` whatever the request's region
//! and credentials ([`Dynoxide::table_arn`]). It implements DynamoDB only: no STS, no Bedrock.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

/// The region and account dynoxide puts in every table ARN.
pub const ARN_REGION: &str = "dynoxide";
pub const ARN_ACCOUNT: &str = "000000000000";

/// A dynoxide server with an in-memory database; it stops when dropped.
pub struct Dynoxide {
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
    pub port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Dynoxide {
    /// A fresh server with an empty database on a free loopback port. Panics if it cannot
    /// be started: it is compiled into the test, so there is nothing to skip.
    pub fn start() -> Dynoxide {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let db = ::dynoxide::Database::memory().expect("dynoxide in-memory database");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("dynoxide-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a Tokio runtime for dynoxide");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    let shutdown = async move {
                        let _ = stopped.await;
                    };
                    ::dynoxide::server::serve_with_shutdown(listener, db, shutdown)
                        .await
                        .expect("dynoxide server");
                });
            })
            .expect("a thread for dynoxide");
        Dynoxide {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// One server shared by every test of this test binary (tables are named per test).
    pub fn shared() -> &'static Dynoxide {
        static SHARED: OnceLock<Dynoxide> = OnceLock::new();
        SHARED.get_or_init(Dynoxide::start)
    }

    /// The ARN dynoxide reports for `table` (DynamoDB would name the real region and account).
    pub fn table_arn(&self, table: &str) -> String {
        format!("arn:aws:dynamodb:{ARN_REGION}:{ARN_ACCOUNT}:table/{table}")
    }
}

impl Drop for Dynoxide {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
