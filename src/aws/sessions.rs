//! One session per account for `--verify` and `doctor`.
//!
//! An account's session is the base credentials (the local account) or an assumed role: the
//! `{account_id}` template or the account's own `role_arn`, with an ExternalId when one is
//! configured, under one session name. aws-config's `AssumeRoleProvider` is built once per
//! account and shared by every client of that account. Its credentials are resolved eagerly, so
//! a refused AssumeRole is reported as such (RG401) instead of surfacing later as a dispatch
//! failure of some Bedrock call; then `GetCallerIdentity` confirms the account (RG402) before
//! any other call. Each account's clients get their own lazy identity cache: one cache has only
//! 64 partitions.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::identity::IdentityCache;
use aws_config::retry::{RetryConfig, RetryMode};
use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_smithy_runtime_api::client::auth::AuthSchemeId;
use aws_smithy_runtime_api::client::identity::SharedIdentityCache;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use regex::Regex;
use tokio::sync::{OnceCell, Semaphore};

use super::bedrock::{ControlPlane, ControlPlaneClients};
use super::errors::{classify, full_chain, AwsFailure};
use super::invoke::{DataPlane, DataPlaneClients};

/// The default `RoleSessionName`.
pub const DEFAULT_SESSION_NAME: &str = "reglint";
/// The default bound on control-plane calls in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// SigV4: the Bedrock calls are always signed with the session's credentials.
const SIGV4: AuthSchemeId = AuthSchemeId::new("sigv4");
/// The variable that switches aws-sdk-bedrockagent to bearer auth.
pub const BEARER_TOKEN_VARIABLE: &str = "AWS_BEARER_TOKEN_BEDROCK";
/// Assumed credentials this close to expiry are fetched anew.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

static ROLE_ARN_RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(
        r"^arn:aws(?:-[a-z]+)*:iam::([0-9]{12}):role/(?:[\x21-\x7E]+/)?[A-Za-z0-9_+=,.@-]{1,64}$",
    )
    .expect("a valid pattern")
});
static SESSION_NAME_RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"^[A-Za-z0-9_+=,.@-]{2,64}$").expect("a valid pattern")
});
static EXTERNAL_ID_RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r"^[A-Za-z0-9_+=,.@:/-]{2,1224}$").expect("a valid pattern")
});

/// AWS calls made, by API (`AssumeRole`, `GetAgent`, …), as the report counts them.
#[derive(Debug, Default)]
pub struct CallCounter(Mutex<BTreeMap<String, u64>>);

impl CallCounter {
    pub fn add(&self, key: &str) {
        let mut calls = match self.0.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *calls.entry(key.to_string()).or_default() += 1;
    }

    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        match self.0.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
}

/// Counts every attempt a client transmits (retries count separately, as AWS bills them).
#[derive(Debug)]
pub struct CountCalls(pub Arc<CallCounter>);

impl Intercept for CountCalls {
    fn name(&self) -> &'static str {
        "reglint::CountCalls"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(md) = cfg.load::<Metadata>() {
            self.0.add(md.name());
        }
        Ok(())
    }
}

/// Who a set of credentials is (GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
}

/// A role's credentials: resolved eagerly once, then served until shortly before they expire,
/// then fetched anew. One per account, shared by all its clients; the `AssumeRoleProvider`
/// inside does not cache.
#[derive(Debug)]
pub struct AssumedCredentials {
    provider: aws_config::sts::AssumeRoleProvider,
    current: Mutex<Option<Credentials>>,
    fetching: tokio::sync::Mutex<()>,
    counter: Arc<CallCounter>,
}

impl AssumedCredentials {
    fn fresh(&self) -> Option<Credentials> {
        let current = match self.current.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        current
            .as_ref()
            .filter(|c| {
                c.expiry()
                    .is_none_or(|e| e > SystemTime::now() + EXPIRY_MARGIN)
            })
            .cloned()
    }

    /// The credentials, from STS when there are none or they are about to expire.
    pub async fn resolve(&self) -> Result<Credentials, CredentialsError> {
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        let _single_flight = self.fetching.lock().await;
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        self.counter.add("AssumeRole");
        let creds = self.provider.provide_credentials().await?;
        if let Ok(mut current) = self.current.lock() {
            *current = Some(creds.clone());
        }
        Ok(creds)
    }

    /// Forgets the credentials (after a call said they expired).
    pub fn invalidate(&self) {
        if let Ok(mut current) = self.current.lock() {
            *current = None;
        }
    }
}

/// The account's [`AssumedCredentials`] as every client of the account shares them.
#[derive(Debug, Clone)]
struct SharedAssumed(Arc<AssumedCredentials>);

impl ProvideCredentials for SharedAssumed {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.0.resolve())
    }
}

/// What `--verify` needs to know about roles and accounts, from the command line and the config.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// `arn:aws:iam::{account_id}:role/Name`
    pub role_template: Option<String>,
    pub accounts: BTreeMap<String, AccountOptions>,
    pub external_id: Option<String>,
    pub session_name: String,
    /// The hub's account, when configured (else the base identity's).
    pub local_account: Option<String>,
    /// The Region of items that name none (else the SDK's).
    pub region: Option<String>,
    pub concurrency: usize,
}

/// `[verify.accounts."ID"]`
#[derive(Debug, Clone, Default)]
pub struct AccountOptions {
    pub role_arn: Option<String>,
    pub region: Option<String>,
    pub external_id: Option<String>,
}

impl VerifyOptions {
    /// Checks every role ARN, Region and the session name.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(t) = &self.role_template {
            let sample = t.replace("{account_id}", "123456789012");
            if !ROLE_ARN_RE.is_match(&sample) {
                return Err(format!(
                    "role ARN template {t:?} is not an IAM role ARN (arn:aws:iam::{{account_id}}:role/NAME)"
                ));
            }
        }
        for (id, acct) in &self.accounts {
            if let Some(arn) = &acct.role_arn {
                if !ROLE_ARN_RE.is_match(arn) {
                    return Err(format!(
                        "[verify.accounts.\"{id}\"] role_arn {arn:?} is not an IAM role ARN"
                    ));
                }
            }
            if let Some(r) = &acct.region {
                if !crate::schema::is_region(r) {
                    return Err(format!(
                        "[verify.accounts.\"{id}\"] region {r:?} is not an AWS region"
                    ));
                }
            }
        }
        if !SESSION_NAME_RE.is_match(&self.session_name) {
            return Err(format!(
                "session name {:?} must be 2 to 64 characters of letters, digits and +=,.@_-",
                self.session_name
            ));
        }
        let ids = self
            .accounts
            .values()
            .filter_map(|a| a.external_id.as_ref())
            .chain(&self.external_id);
        for id in ids {
            if !EXTERNAL_ID_RE.is_match(id) {
                // The value is not printed: some teams treat it as a secret.
                return Err(
                    "the ExternalId must be 2 to 1224 characters of letters, digits and +=,.@:/_-"
                        .into(),
                );
            }
        }
        if let Some(acct) = &self.local_account {
            if !crate::schema::is_account_id(acct) {
                return Err(format!(
                    "local account {acct:?} is not a 12-digit account ID"
                ));
            }
        }
        if self.concurrency == 0 {
            return Err("[verify] concurrency must be at least 1".into());
        }
        Ok(())
    }

    /// The role to assume in `account`: its own `role_arn`, else the template.
    pub fn role_for(&self, account: &str) -> Option<String> {
        self.accounts
            .get(account)
            .and_then(|a| a.role_arn.clone())
            .or_else(|| {
                self.role_template
                    .as_ref()
                    .map(|t| t.replace("{account_id}", account))
            })
    }

    /// Whether the account has its own `role_arn` (which wins over the local account's base
    /// credentials).
    pub fn has_own_role(&self, account: &str) -> bool {
        self.accounts
            .get(account)
            .is_some_and(|a| a.role_arn.is_some())
    }

    pub fn external_id_for(&self, account: &str) -> Option<String> {
        self.accounts
            .get(account)
            .and_then(|a| a.external_id.clone())
            .or_else(|| self.external_id.clone())
    }

    /// The Region of an item: its own, else its account's, else `[verify] region`, else `default`.
    pub fn region_for(&self, account: &str, item_region: Option<&str>, default: &str) -> String {
        item_region
            .map(str::to_string)
            .or_else(|| self.accounts.get(account).and_then(|a| a.region.clone()))
            .or_else(|| self.region.clone())
            .unwrap_or_else(|| default.to_string())
    }
}

/// Why an account has no session: every item of the account gets this finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// No `--role-arn` template and no `role_arn` for the account (RG401).
    NoRole { account: String },
    /// STS refused AssumeRole (RG401).
    AssumeRoleDenied {
        role_arn: String,
        external_id_sent: bool,
        /// `AccessDenied: User: … is not authorized …`
        cause: String,
    },
    /// The assumed (or base) identity is in another account (RG402).
    IdentityMismatch {
        account: String,
        role_arn: Option<String>,
        identity: CallerIdentity,
    },
    /// STS could not be reached or answered 5xx or throttled past retries (RG410).
    Unavailable { what: String, cause: String },
}

/// `code: message` of an error, or the whole chain when it has no code.
fn describe<E, R>(err: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::ServiceError(se) => match (se.err().code(), se.err().message()) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c.to_string(),
            _ => full_chain(err),
        },
        _ => full_chain(err),
    }
}

/// The STS error inside a credentials error of the AssumeRoleProvider.
fn assume_role_failure(err: &CredentialsError) -> (AwsFailure, String) {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    while let Some(e) = cur {
        if let Some(sdk) = e.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>() {
            return (classify(sdk), describe(sdk));
        }
        cur = e.source();
    }
    let text = full_chain(err);
    (
        AwsFailure::Other {
            code: String::new(),
            message: text.clone(),
        },
        text,
    )
}

/// GetCallerIdentity with the given configuration.
pub async fn caller_identity(
    config: &SdkConfig,
    counter: &Arc<CallCounter>,
) -> Result<CallerIdentity, (AwsFailure, String)> {
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .interceptor(CountCalls(counter.clone()))
            .build(),
    );
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| (classify(&e), describe(&e)))?;
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_string(),
        arn: out.arn().unwrap_or_default().to_string(),
    })
}

/// Assumes `role_arn` with the base credentials, eagerly. The error is STS's answer.
pub async fn assume_role(
    base: &SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    session_name: &str,
    counter: &Arc<CallCounter>,
) -> Result<Arc<AssumedCredentials>, (AwsFailure, String)> {
    let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
        .session_name(session_name)
        .configure(base);
    if let Some(id) = external_id {
        builder = builder.external_id(id);
    }
    let assumed = Arc::new(AssumedCredentials {
        provider: builder.build().await,
        current: Mutex::new(None),
        fetching: tokio::sync::Mutex::new(()),
        counter: counter.clone(),
    });
    match assumed.resolve().await {
        Ok(_) => Ok(assumed),
        Err(e) => Err(assume_role_failure(&e)),
    }
}

/// An SDK config whose clients use `credentials` (with their own identity cache).
fn with_credentials(base: &SdkConfig, credentials: &SharedCredentialsProvider) -> SdkConfig {
    base.to_builder()
        .credentials_provider(credentials.clone())
        .identity_cache(IdentityCache::lazy().build())
        .build()
}

/// An account's credentials, confirmed to be in that account.
#[derive(Debug, Clone)]
pub struct AccountSession {
    pub account: String,
    /// The role assumed; `None` for the base credentials.
    pub role_arn: Option<String>,
    pub identity: CallerIdentity,
    credentials: SharedCredentialsProvider,
    assumed: Option<Arc<AssumedCredentials>>,
}

/// An account's session, made once however many checks ask for it at the same time.
type SessionCell = Arc<OnceCell<Result<AccountSession, SessionError>>>;

/// Everything `--verify` and `doctor` share: the base configuration, the options, the sessions
/// made so far, and the call counter.
pub struct Sessions {
    base: SdkConfig,
    pub options: VerifyOptions,
    pub counter: Arc<CallCounter>,
    pub base_identity: CallerIdentity,
    /// The hub's account.
    pub local_account: String,
    /// The Region of items that name none and whose account has none configured.
    pub default_region: String,
    permits: Arc<Semaphore>,
    sessions: Mutex<HashMap<String, SessionCell>>,
    planes: Mutex<HashMap<(String, String), Arc<ControlPlane>>>,
}

impl Sessions {
    /// Confirms the base credentials (GetCallerIdentity). An error here stops the run: nothing
    /// can be verified.
    pub async fn start(
        base: SdkConfig,
        options: VerifyOptions,
        counter: Arc<CallCounter>,
    ) -> Result<Sessions, String> {
        let default_region = options
            .region
            .clone()
            .or_else(|| base.region().map(|r| r.to_string()))
            .ok_or(
                "no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile",
            )?;
        let base_identity = caller_identity(&base, &counter)
            .await
            .map_err(|(_, cause)| {
                format!("the base AWS credentials do not work (GetCallerIdentity: {cause})")
            })?;
        Ok(Sessions::with_identity(
            base,
            options,
            counter,
            base_identity,
            default_region,
        ))
    }

    /// Sessions on top of an already confirmed base identity.
    pub fn with_identity(
        base: SdkConfig,
        options: VerifyOptions,
        counter: Arc<CallCounter>,
        base_identity: CallerIdentity,
        default_region: String,
    ) -> Sessions {
        let local_account = options
            .local_account
            .clone()
            .unwrap_or_else(|| base_identity.account.clone());
        Sessions {
            permits: Arc::new(Semaphore::new(options.concurrency)),
            base,
            options,
            counter,
            base_identity,
            local_account,
            default_region,
            sessions: Mutex::new(HashMap::new()),
            planes: Mutex::new(HashMap::new()),
        }
    }

    pub fn base(&self) -> &SdkConfig {
        &self.base
    }

    /// Whether the account is served by the base credentials.
    pub fn uses_base_credentials(&self, account: &str) -> bool {
        account == self.local_account && !self.options.has_own_role(account)
    }

    /// The session of an account, made on first use (AssumeRole once per account per run).
    pub async fn session(&self, account: &str) -> Result<AccountSession, SessionError> {
        let cell = {
            let mut sessions = match self.sessions.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            sessions.entry(account.to_string()).or_default().clone()
        };
        cell.get_or_init(|| self.open(account)).await.clone()
    }

    async fn open(&self, account: &str) -> Result<AccountSession, SessionError> {
        if self.uses_base_credentials(account) {
            let identity = self.base_identity.clone();
            if identity.account != account {
                return Err(SessionError::IdentityMismatch {
                    account: account.to_string(),
                    role_arn: None,
                    identity,
                });
            }
            let credentials =
                self.base
                    .credentials_provider()
                    .ok_or_else(|| SessionError::Unavailable {
                        what: "the base credentials".into(),
                        cause: "no credentials provider".into(),
                    })?;
            return Ok(AccountSession {
                account: account.to_string(),
                role_arn: None,
                identity,
                credentials,
                assumed: None,
            });
        }
        let role_arn = self
            .options
            .role_for(account)
            .ok_or_else(|| SessionError::NoRole {
                account: account.to_string(),
            })?;
        let external_id = self.options.external_id_for(account);
        tracing::debug!(%account, %role_arn, external_id_sent = external_id.is_some(), "assuming role");
        let assumed = assume_role(
            &self.base,
            &role_arn,
            external_id.as_deref(),
            &self.options.session_name,
            &self.counter,
        )
        .await
        .map_err(|(failure, cause)| match failure {
            AwsFailure::Throttled { .. } | AwsFailure::Unavailable { .. } => {
                SessionError::Unavailable {
                    what: format!("AssumeRole {role_arn}"),
                    cause,
                }
            }
            _ => SessionError::AssumeRoleDenied {
                role_arn: role_arn.clone(),
                external_id_sent: external_id.is_some(),
                cause,
            },
        })?;
        self.confirm(account, role_arn, assumed).await
    }

    /// Confirms that assumed credentials are in `account` (GetCallerIdentity) and makes them the
    /// account's session.
    pub async fn confirm(
        &self,
        account: &str,
        role_arn: String,
        assumed: Arc<AssumedCredentials>,
    ) -> Result<AccountSession, SessionError> {
        let credentials = SharedCredentialsProvider::new(SharedAssumed(assumed.clone()));
        let identity = caller_identity(&with_credentials(&self.base, &credentials), &self.counter)
            .await
            .map_err(|(_, cause)| SessionError::Unavailable {
                what: format!("GetCallerIdentity as {role_arn}"),
                cause,
            })?;
        if identity.account != account {
            return Err(SessionError::IdentityMismatch {
                account: account.to_string(),
                role_arn: Some(role_arn),
                identity,
            });
        }
        let session = AccountSession {
            account: account.to_string(),
            role_arn: Some(role_arn),
            identity,
            credentials,
            assumed: Some(assumed),
        };
        // The confirmed session is the account's session from now on: nothing assumes the
        // role a second time.
        let cell = {
            let mut sessions = match self.sessions.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            sessions.entry(account.to_string()).or_default().clone()
        };
        let _ = cell.set(Ok(session.clone()));
        Ok(session)
    }

    /// The control plane of a session's account in a Region (one per pair, with its own pace).
    pub fn control_plane(&self, session: &AccountSession, region: &str) -> Arc<ControlPlane> {
        let mut planes = match self.planes.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        planes
            .entry((session.account.clone(), region.to_string()))
            .or_insert_with(|| {
                let build = builder_of(&self.base, session, region, &self.counter, control_clients);
                let assumed = session.assumed.clone();
                let rebuild =
                    builder_of(&self.base, session, region, &self.counter, control_clients);
                Arc::new(ControlPlane::new(
                    session.account.clone(),
                    region,
                    build(),
                    Box::new(move || {
                        if let Some(a) = &assumed {
                            a.invalidate();
                        }
                        rebuild()
                    }),
                    self.permits.clone(),
                ))
            })
            .clone()
    }

    /// The data plane of a session's account in a Region (`doctor --invoke`): clients of this
    /// session alone, made for this call, never shared with another account.
    pub fn data_plane(&self, session: &AccountSession, region: &str) -> DataPlane {
        let build = builder_of(&self.base, session, region, &self.counter, data_clients);
        let assumed = session.assumed.clone();
        let first = build();
        DataPlane::new(
            first,
            Box::new(move || {
                if let Some(a) = &assumed {
                    a.invalidate();
                }
                build()
            }),
        )
    }

    /// AWS calls made so far, by API.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.counter.snapshot()
    }
}

/// One service's client of a session in a Region: SigV4 with the session's credentials (never
/// the bearer token of `AWS_BEARER_TOKEN_BEDROCK`), the given identity cache and retries, calls
/// counted.
macro_rules! session_client {
    ($sdk:ident, $parts:expr, $cache:expr, $retry:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from(&$parts.base)
                .region($parts.region.clone())
                .credentials_provider($parts.credentials.clone())
                .identity_cache($cache.clone())
                .retry_config($retry.clone())
                .auth_scheme_preference([SIGV4])
                .interceptor(CountCalls($parts.counter.clone()))
                .build(),
        )
    };
}

/// What a session's clients in a Region are made from.
struct ClientParts {
    base: SdkConfig,
    credentials: SharedCredentialsProvider,
    region: Region,
    counter: Arc<CallCounter>,
}

/// Builds a session's clients in a Region with `make`, each time with a fresh identity cache.
fn builder_of<T: 'static>(
    base: &SdkConfig,
    session: &AccountSession,
    region: &str,
    counter: &Arc<CallCounter>,
    make: fn(&ClientParts, &SharedIdentityCache) -> T,
) -> impl Fn() -> T + Send + Sync + 'static {
    let parts = ClientParts {
        base: base.clone(),
        credentials: session.credentials.clone(),
        region: Region::new(region.to_string()),
        counter: counter.clone(),
    };
    move || make(&parts, &IdentityCache::lazy().build())
}

/// The control-plane clients: the run's attempts and backoff in adaptive mode (throttling
/// slows the client down).
fn control_clients(parts: &ClientParts, cache: &SharedIdentityCache) -> ControlPlaneClients {
    let retry = parts
        .base
        .retry_config()
        .cloned()
        .unwrap_or_else(RetryConfig::standard)
        .with_retry_mode(RetryMode::Adaptive);
    ControlPlaneClients {
        agents: session_client!(aws_sdk_bedrockagent, parts, cache, retry),
        runtimes: session_client!(aws_sdk_bedrockagentcorecontrol, parts, cache, retry),
    }
}

/// The data-plane clients: one call, the run's attempts in standard mode (adaptive mode's rate
/// limiter would hold a throttled invocation back past its timeout).
fn data_clients(parts: &ClientParts, cache: &SharedIdentityCache) -> DataPlaneClients {
    let retry = parts
        .base
        .retry_config()
        .cloned()
        .unwrap_or_else(RetryConfig::standard);
    DataPlaneClients {
        agents: session_client!(aws_sdk_bedrockagentruntime, parts, cache, retry),
        runtimes: session_client!(aws_sdk_bedrockagentcore, parts, cache, retry),
    }
}

/// Whether `AWS_BEARER_TOKEN_BEDROCK` is set (reglint signs with SigV4 regardless, and says so).
pub fn bearer_token_set() -> bool {
    std::env::var_os(BEARER_TOKEN_VARIABLE).is_some_and(|v| !v.is_empty())
}
