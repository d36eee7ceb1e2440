//! The data-plane calls of `doctor --invoke`: one `InvokeAgent` (bedrock-agent-runtime) or one
//! `InvokeAgentRuntime` (bedrock-agentcore), signed with one account's session, the answer read
//! to its end, to a byte limit, or to a timeout. Answers and failures come back as plain facts,
//! never SDK types. An expired token makes the clients re-resolve their credentials once.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_bedrockagentruntime::types::error::ResponseStreamError;
use aws_sdk_bedrockagentruntime::types::ResponseStream;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::errors::{classify_response, AwsFailure};

/// IAM actions, as the messages name them.
pub const INVOKE_AGENT: &str = "bedrock:InvokeAgent";
pub const INVOKE_AGENT_RUNTIME: &str = "bedrock-agentcore:InvokeAgentRuntime";

/// The data-plane clients of one account in one Region.
#[derive(Debug, Clone)]
pub struct DataPlaneClients {
    pub agents: aws_sdk_bedrockagentruntime::Client,
    pub runtimes: aws_sdk_bedrockagentcore::Client,
}

/// Builds fresh clients whose credentials are resolved anew (after an expired token).
pub type RebuildData = Box<dyn Fn() -> DataPlaneClients + Send + Sync>;

/// What to send and how long to listen.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub text: String,
    /// For the whole call: request, every chunk, the end of the stream.
    pub timeout: Duration,
    /// Bytes of answer read at most; the rest of the stream is not read.
    pub max_bytes: usize,
}

/// The answer, as far as it was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// The answer's text (invalid UTF-8 replaced), at most `max_bytes` of it.
    pub text: String,
    pub bytes: usize,
    /// The byte limit stopped the reading before the stream ended.
    pub truncated: bool,
    /// From sending the request to the first chunk of the answer.
    pub first_chunk: Option<Duration>,
    pub elapsed: Duration,
    /// The credentials were re-resolved once after an expired token.
    pub refreshed: bool,
}

/// Why an invocation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvokeFailureKind {
    AccessDenied,
    NotFound,
    Validation,
    /// The token expired again after the credentials were re-resolved.
    Credentials,
    Throttled,
    /// The stream ended with an error event.
    StreamError,
    Timeout,
    Unavailable,
    Other,
}

/// A failed invocation: what was called, on what, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeFailure {
    pub kind: InvokeFailureKind,
    pub action: &'static str,
    pub resource: String,
    /// The error code (`AccessDeniedException`, `throttlingException`), empty when none.
    pub code: String,
    pub message: String,
    /// What had arrived before the failure.
    pub partial: Answer,
}

impl InvokeFailure {
    /// "AccessDeniedException: User … is not authorized" and the like.
    pub fn reason(&self) -> String {
        match (self.code.as_str(), self.message.as_str()) {
            ("", m) => m.to_string(),
            (c, "") => c.to_string(),
            (c, m) => format!("{c}: {m}"),
        }
    }
}

/// The data plane of one account in one Region.
pub struct DataPlane {
    clients: Mutex<DataPlaneClients>,
    rebuild: RebuildData,
}

impl std::fmt::Debug for DataPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataPlane")
    }
}

/// Reads the answer's bytes as they come.
struct Collector {
    started: Instant,
    max_bytes: usize,
    answer: Vec<u8>,
    bytes: usize,
    first_chunk: Option<Duration>,
    truncated: bool,
}

impl Collector {
    fn new(max_bytes: usize) -> Collector {
        Collector {
            started: Instant::now(),
            max_bytes,
            answer: Vec::new(),
            bytes: 0,
            first_chunk: None,
            truncated: false,
        }
    }

    /// Takes a chunk; false once the byte limit is reached.
    fn push(&mut self, chunk: &[u8]) -> bool {
        self.first_chunk
            .get_or_insert_with(|| self.started.elapsed());
        self.bytes += chunk.len();
        let room = self.max_bytes.saturating_sub(self.answer.len());
        self.answer
            .extend_from_slice(&chunk[..chunk.len().min(room)]);
        if self.bytes >= self.max_bytes {
            self.truncated = self.bytes > self.max_bytes;
            return false;
        }
        true
    }

    fn answer(&self, refreshed: bool) -> Answer {
        Answer {
            text: String::from_utf8_lossy(&self.answer).into_owned(),
            bytes: self.bytes,
            truncated: self.truncated,
            first_chunk: self.first_chunk,
            elapsed: self.started.elapsed(),
            refreshed,
        }
    }
}

/// A failure before the answer began or while it was read.
struct Failed {
    kind: InvokeFailureKind,
    code: String,
    message: String,
}

fn failed_call<E>(
    err: &SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> Failed
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (failure, code, status) = classify_response(err);
    let kind = match &failure {
        AwsFailure::AccessDenied { .. } => InvokeFailureKind::AccessDenied,
        AwsFailure::NotFound { .. } => InvokeFailureKind::NotFound,
        AwsFailure::Validation { .. } => InvokeFailureKind::Validation,
        AwsFailure::Credentials { .. } => InvokeFailureKind::Credentials,
        AwsFailure::Throttled { .. } => InvokeFailureKind::Throttled,
        AwsFailure::Unavailable { .. } => InvokeFailureKind::Unavailable,
        AwsFailure::ConditionFailed { .. } | AwsFailure::Other { .. } => InvokeFailureKind::Other,
    };
    let message = match (failure.message(), status) {
        ("", Some(status)) if code.is_empty() => format!("HTTP {status}"),
        (m, _) => m.to_string(),
    };
    Failed {
        kind,
        code,
        message,
    }
}

/// The error event that ended the stream, by its name in the stream's model.
fn stream_error(
    err: &SdkError<ResponseStreamError, aws_smithy_types::event_stream::RawMessage>,
) -> Failed {
    let SdkError::ServiceError(se) = err else {
        return Failed {
            kind: InvokeFailureKind::Unavailable,
            code: String::new(),
            message: super::errors::full_chain(err),
        };
    };
    let e = se.err();
    let code = match e {
        ResponseStreamError::InternalServerException(_) => "internalServerException",
        ResponseStreamError::ValidationException(_) => "validationException",
        ResponseStreamError::ResourceNotFoundException(_) => "resourceNotFoundException",
        ResponseStreamError::ServiceQuotaExceededException(_) => "serviceQuotaExceededException",
        ResponseStreamError::ThrottlingException(_) => "throttlingException",
        ResponseStreamError::AccessDeniedException(_) => "accessDeniedException",
        ResponseStreamError::ConflictException(_) => "conflictException",
        ResponseStreamError::DependencyFailedException(_) => "dependencyFailedException",
        ResponseStreamError::BadGatewayException(_) => "badGatewayException",
        ResponseStreamError::ModelNotReadyException(_) => "modelNotReadyException",
        _ => e.code().unwrap_or("error event"),
    };
    Failed {
        kind: InvokeFailureKind::StreamError,
        code: code.to_string(),
        message: e.message().unwrap_or_default().to_string(),
    }
}

impl DataPlane {
    pub fn new(clients: DataPlaneClients, rebuild: RebuildData) -> DataPlane {
        DataPlane {
            clients: Mutex::new(clients),
            rebuild,
        }
    }

    fn current(&self) -> DataPlaneClients {
        match self.clients.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn refresh(&self) {
        let fresh = (self.rebuild)();
        match self.clients.lock() {
            Ok(mut g) => *g = fresh,
            Err(p) => *p.into_inner() = fresh,
        }
    }

    /// `InvokeAgent` on the alias, in a new session, with `invocation.text`.
    pub async fn invoke_agent(
        &self,
        alias_arn: &str,
        agent_id: &str,
        alias_id: &str,
        invocation: &Invocation,
    ) -> Result<Answer, InvokeFailure> {
        let call = Call::Agent { agent_id, alias_id };
        self.invoke(INVOKE_AGENT, alias_arn, &call, invocation)
            .await
    }

    /// `InvokeAgentRuntime` on the runtime's endpoint `qualifier`, with `{"prompt": text}`.
    pub async fn invoke_runtime(
        &self,
        runtime_arn: &str,
        qualifier: &str,
        invocation: &Invocation,
    ) -> Result<Answer, InvokeFailure> {
        let call = Call::Runtime {
            arn: runtime_arn,
            qualifier,
        };
        self.invoke(INVOKE_AGENT_RUNTIME, runtime_arn, &call, invocation)
            .await
    }

    /// Runs one invocation within the timeout; on an expired token, new credentials and one
    /// more try.
    async fn invoke(
        &self,
        action: &'static str,
        resource: &str,
        call: &Call<'_>,
        invocation: &Invocation,
    ) -> Result<Answer, InvokeFailure> {
        let mut refreshed = false;
        loop {
            let mut out = Collector::new(invocation.max_bytes);
            let clients = self.current();
            let attempt = call.attempt(&clients, &invocation.text, &mut out);
            let failed = match tokio::time::timeout(invocation.timeout, attempt).await {
                Ok(Ok(())) => return Ok(out.answer(refreshed)),
                Ok(Err(f)) => f,
                Err(_) => Failed {
                    kind: InvokeFailureKind::Timeout,
                    code: String::new(),
                    message: format!(
                        "the answer did not end within {}",
                        seconds(invocation.timeout)
                    ),
                },
            };
            if failed.kind == InvokeFailureKind::Credentials && !refreshed {
                refreshed = true;
                self.refresh();
                continue;
            }
            return Err(InvokeFailure {
                kind: failed.kind,
                action,
                resource: resource.to_string(),
                code: failed.code,
                message: failed.message,
                partial: out.answer(refreshed),
            });
        }
    }
}

/// "2 s", "0.5 s".
pub fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// The one call an invocation makes.
enum Call<'a> {
    Agent {
        agent_id: &'a str,
        alias_id: &'a str,
    },
    Runtime {
        arn: &'a str,
        qualifier: &'a str,
    },
}

impl Call<'_> {
    async fn attempt(
        &self,
        clients: &DataPlaneClients,
        text: &str,
        out: &mut Collector,
    ) -> Result<(), Failed> {
        match self {
            Call::Agent { agent_id, alias_id } => {
                read_agent(&clients.agents, agent_id, alias_id, text, out).await
            }
            Call::Runtime { arn, qualifier } => {
                read_runtime(&clients.runtimes, arn, qualifier, text, out).await
            }
        }
    }
}

/// Sends `InvokeAgent` and reads the `completion` stream's chunks to its end or the limit.
async fn read_agent(
    client: &aws_sdk_bedrockagentruntime::Client,
    agent_id: &str,
    alias_id: &str,
    text: &str,
    out: &mut Collector,
) -> Result<(), Failed> {
    let sent = client
        .invoke_agent()
        .agent_id(agent_id)
        .agent_alias_id(alias_id)
        .session_id(uuid::Uuid::new_v4().to_string())
        .input_text(text)
        .send()
        .await
        .map_err(|e| failed_call(&e))?;
    let mut completion = sent.completion;
    loop {
        match completion.recv().await {
            Ok(Some(ResponseStream::Chunk(part))) => {
                let bytes = part.bytes.as_ref().map_or(&[][..], |b| b.as_ref());
                if !out.push(bytes) {
                    return Ok(());
                }
            }
            // Traces, return-control and file events carry no answer text.
            Ok(Some(_)) => {}
            Ok(None) => return Ok(()),
            Err(e) => return Err(stream_error(&e)),
        }
    }
}

/// Sends `InvokeAgentRuntime` and reads the response body to its end or the limit.
async fn read_runtime(
    client: &aws_sdk_bedrockagentcore::Client,
    arn: &str,
    qualifier: &str,
    text: &str,
    out: &mut Collector,
) -> Result<(), Failed> {
    let payload = serde_json::json!({ "prompt": text }).to_string();
    let sent = client
        .invoke_agent_runtime()
        .agent_runtime_arn(arn)
        .qualifier(qualifier)
        // A runtime session ID has at least 33 characters; a UUID has 36.
        .runtime_session_id(uuid::Uuid::new_v4().to_string())
        .content_type("application/json")
        .accept("application/json, text/event-stream")
        .payload(aws_smithy_types::Blob::new(payload))
        .send()
        .await
        .map_err(|e| failed_call(&e))?;
    let mut body = sent.response;
    loop {
        match body.try_next().await {
            Ok(Some(chunk)) => {
                if !out.push(&chunk) {
                    return Ok(());
                }
            }
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(Failed {
                    kind: InvokeFailureKind::StreamError,
                    code: String::new(),
                    message: super::errors::full_chain(&e),
                })
            }
        }
    }
}
