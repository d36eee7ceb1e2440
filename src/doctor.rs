//! `reglint doctor`: the cross-account checklist for one registry entry, step by step — base
//! identity, role, AssumeRole, assumed identity, then the agent and its alias (or the runtime and
//! its endpoint) — each step passed or failed with what to check next. Exit 0 when every step
//! passes, 1 otherwise, 2 when the entry cannot be found or the options are wrong.

mod invoke;

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::aws::bedrock::{AliasFacts, AliasSummary, FailureKind, Lookup};
use crate::aws::convert::item_from_sdk;
use crate::aws::invoke::Invocation;
use crate::aws::sessions::{assume_role, caller_identity, CallCounter, Sessions, VerifyOptions};
use crate::aws::table::TableStore;
use crate::cli::{DoctorArgs, DoctorFormat};
use crate::error::RunError;
use crate::lint::ItemOrigin;
use crate::model::{Item, Value};
use crate::report::doctor::{
    render_header, render_json, render_step, render_summary, Step, StepStatus,
};
use crate::schema::{is_account_id, is_agent_id, is_alias_id, parse_runtime_arn};
use crate::source::{FileReader, SourceSpec};
use crate::verify::{
    gather, judge, Facts, ItemTarget, Place, Plan, PlannedItem, Target, DEFAULT_QUALIFIER,
};

/// Runs `reglint doctor`.
pub fn run(args: &DoctorArgs) -> Result<u8, RunError> {
    let config = crate::config::load_nearest(args.config.as_ref())?;
    let local = args.verify_args.local_account.clone().or_else(|| {
        config
            .file
            .registry
            .local_account_id
            .as_ref()
            .map(|s| s.get_ref().clone())
    });
    let options = crate::verify::resolve_options(
        &args.verify_args,
        args.aws.region.as_deref(),
        &config.file.verify,
        local.as_deref(),
        |name| std::env::var(name).ok(),
    )
    .map_err(RunError::Usage)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Aws(format!("cannot start the async runtime: {e}")))?;
    let target = entry_target(args, &config, &runtime)?;
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut printer = Printer {
        out: stdout.lock(),
        color,
        json: args.format == DoctorFormat::Json,
        entry: String::new(),
        steps: Vec::new(),
        last: Instant::now(),
    };
    let base = runtime.block_on(crate::aws::config::sdk_config(&args.aws.settings()));
    let default_region = options
        .region
        .clone()
        .or_else(|| base.region().map(|r| r.to_string()))
        .ok_or_else(|| {
            RunError::Usage(
                "no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile"
                    .into(),
            )
        })?;
    let reached = runtime
        .block_on(checklist(
            base,
            default_region,
            options,
            &target,
            &mut printer,
        ))
        .map_err(write_error)?;
    if let Some(text) = &args.invoke {
        let invocation = Invocation {
            text: text.clone(),
            timeout: args.invoke_timeout,
            max_bytes: usize::try_from(args.invoke_max_bytes).unwrap_or(usize::MAX),
        };
        runtime
            .block_on(invoke::step(
                reached.as_ref(),
                &target,
                &invocation,
                &mut printer,
            ))
            .map_err(write_error)?;
    }
    printer.finish().map_err(write_error)?;
    let failed = printer.steps.iter().any(|s| s.status != StepStatus::Passed);
    Ok(u8::from(failed))
}

fn write_error(source: std::io::Error) -> RunError {
    RunError::Write {
        path: "stdout".into(),
        source,
    }
}

/// Prints each step as it completes (text), or the whole checklist at the end (JSON).
struct Printer<W: Write> {
    out: W,
    color: bool,
    json: bool,
    /// The entry examined, as the header names it.
    entry: String,
    steps: Vec<Step>,
    /// When the step before ended.
    last: Instant,
}

impl<W: Write> Printer<W> {
    fn header(&mut self, entry: String) -> io::Result<()> {
        if !self.json {
            render_header(&entry, &mut self.out)?;
        }
        self.entry = entry;
        Ok(())
    }

    fn step(
        &mut self,
        name: &str,
        status: StepStatus,
        detail: impl Into<String>,
        next: Option<String>,
    ) -> io::Result<()> {
        self.push(Step {
            name: name.to_string(),
            status,
            detail: detail.into(),
            next,
            duration: Duration::ZERO,
            answer: None,
        })
    }

    /// Records a step, its duration measured from the end of the one before.
    fn push(&mut self, mut step: Step) -> io::Result<()> {
        step.duration = self.last.elapsed();
        self.last = Instant::now();
        if !self.json {
            render_step(self.steps.len() + 1, &step, self.color, &mut self.out)?;
            self.out.flush()?;
        }
        self.steps.push(step);
        Ok(())
    }

    fn failed(&self) -> bool {
        self.steps.iter().any(|s| s.status == StepStatus::Failed)
    }

    /// The closing line, or the JSON document.
    fn finish(&mut self) -> io::Result<()> {
        if self.json {
            render_json(&self.entry, &self.steps, &mut self.out)?;
        } else {
            render_summary(&self.steps, &mut self.out)?;
        }
        self.out.flush()
    }

    fn pass(&mut self, name: &str, detail: impl Into<String>) -> io::Result<()> {
        self.step(name, StepStatus::Passed, detail, None)
    }

    fn fail(
        &mut self,
        name: &str,
        detail: impl Into<String>,
        next: impl Into<String>,
    ) -> io::Result<()> {
        self.step(name, StepStatus::Failed, detail, Some(next.into()))
    }

    fn skip(&mut self, names: &[&str]) -> io::Result<()> {
        for name in names {
            self.step(name, StepStatus::Skipped, "an earlier step failed", None)?;
        }
        Ok(())
    }
}

/// The entry named on the command line: from a source by `--key`, or by its identifiers.
fn entry_target(
    args: &DoctorArgs,
    config: &crate::config::Config,
    runtime: &tokio::runtime::Runtime,
) -> Result<ItemTarget, RunError> {
    if let Some(source) = &args.source {
        let item = find_entry(source, args, config, runtime)?;
        return ItemTarget::of(&item).ok_or_else(|| {
            RunError::Usage(format!(
                "the entry {} has malformed identifiers; `reglint check {source}` says which",
                key_text(&args.key)
            ))
        });
    }
    if let Some(arn) = &args.runtime_arn {
        let parts = parse_runtime_arn(arn).ok_or_else(|| {
            RunError::Usage(format!(
                "--runtime-arn {arn:?} is not an AgentCore runtime ARN"
            ))
        })?;
        let account = Some(parts.account.to_string());
        if let (Some(given), Some(in_arn)) = (&args.account, &account) {
            if given != in_arn {
                return Err(RunError::Usage(format!(
                    "--account {given} differs from the runtime ARN's account {in_arn}"
                )));
            }
        }
        return Ok(ItemTarget {
            account,
            region: Some(parts.region.to_string()),
            target: Target::Runtime {
                runtime_arn: arn.clone(),
                qualifier: args
                    .qualifier
                    .clone()
                    .unwrap_or_else(|| DEFAULT_QUALIFIER.to_string()),
            },
        });
    }
    let (Some(agent_id), Some(alias_id)) = (&args.agent_id, &args.alias_id) else {
        return Err(RunError::Usage(
            "name the entry: --source FILE --key ATTR=VALUE, --agent-id ID --alias-id ID [--account ID], or --runtime-arn ARN".into(),
        ));
    };
    if !is_agent_id(agent_id) {
        return Err(RunError::Usage(format!(
            "--agent-id {agent_id:?} is not a Bedrock agent ID (10 letters and digits)"
        )));
    }
    if !is_alias_id(alias_id) {
        return Err(RunError::Usage(format!(
            "--alias-id {alias_id:?} is not an agent alias ID"
        )));
    }
    if let Some(a) = &args.account {
        if !is_account_id(a) {
            return Err(RunError::Usage(format!(
                "--account {a:?} is not a 12-digit account ID"
            )));
        }
    }
    Ok(ItemTarget {
        account: args.account.clone(),
        // An entry given by its IDs names no Region of its own: like an item without `region`,
        // it is checked in the run's Region (`--region`, else `[verify] region`, else the SDK's).
        region: None,
        target: Target::Agent {
            agent_id: agent_id.clone(),
            alias_id: alias_id.clone(),
        },
    })
}

fn key_text(key: &[String]) -> String {
    key.join(" ")
}

/// The one item of `source` whose attributes hold the `--key` values.
fn find_entry(
    source: &str,
    args: &DoctorArgs,
    config: &crate::config::Config,
    runtime: &tokio::runtime::Runtime,
) -> Result<Item, RunError> {
    let key = &args.key;
    if key.is_empty() {
        return Err(RunError::Usage(
            "--source needs --key ATTR=VALUE to pick the entry".into(),
        ));
    }
    let mut wanted = Vec::new();
    for k in key {
        let (attr, value) = k
            .split_once('=')
            .ok_or_else(|| RunError::Usage(format!("--key {k:?}: write ATTR=VALUE")))?;
        wanted.push((attr.to_string(), value.to_string()));
    }
    let matches = |item: &Item| {
        wanted.iter().all(|(attr, value)| match item.value(attr) {
            Some(Value::S(s)) | Some(Value::N(s)) => s == value,
            Some(Value::Bool(b)) => b.to_string() == *value,
            _ => false,
        })
    };
    let mut found: Vec<Item> = Vec::new();
    let spec = SourceSpec::parse(source);
    if let SourceSpec::Table(table) = &spec {
        // A registry table is small: one scan, filtered here (the --key attributes need not be
        // the table's key).
        runtime
            .block_on(async {
                let store = TableStore::connect(&args.aws.settings(), table).await?;
                store
                    .scan(1, true, None, |sdk| {
                        let item = item_from_sdk(&sdk);
                        if matches(&item) {
                            found.push(item);
                        }
                    })
                    .await
            })
            .map_err(|e| RunError::Aws(e.0))?;
    } else {
        let reader = FileReader {
            format: config.file.registry.input_format.unwrap_or_default(),
        };
        reader.read(&spec, &mut |si| {
            if matches(&si.item) {
                found.push(si.item);
            }
        })?;
    }
    match found.len() {
        0 => Err(RunError::Usage(format!(
            "no item of {source} has {}",
            key_text(key)
        ))),
        1 => Ok(found.remove(0)),
        n => Err(RunError::Usage(format!(
            "{n} items of {source} have {}; add --key attributes until one matches",
            key_text(key)
        ))),
    }
}

const AGENT_STEPS: [&str; 5] = [
    "GetAgent",
    "agent status",
    "GetAgentAlias",
    "alias status",
    "routing and invocation state",
];
const RUNTIME_STEPS: [&str; 4] = [
    "GetAgentRuntime",
    "runtime status",
    "GetAgentRuntimeEndpoint",
    "endpoint status",
];

fn remaining(target: &ItemTarget) -> &'static [&'static str] {
    match target.target {
        Target::Agent { .. } => &AGENT_STEPS,
        Target::Runtime { .. } => &RUNTIME_STEPS,
    }
}

/// How far the checklist got: the account's session, for the invocation after it.
pub(crate) struct Reached {
    sessions: Sessions,
    session: crate::aws::sessions::AccountSession,
    place: Place,
    /// Whose credentials the calls used, for the advice.
    who: String,
}

async fn checklist<W: Write>(
    base: aws_config::SdkConfig,
    default_region: String,
    options: VerifyOptions,
    target: &ItemTarget,
    p: &mut Printer<W>,
) -> io::Result<Option<Reached>> {
    let counter = Arc::new(CallCounter::default());
    p.header(header_text(target, &options, &default_region))?;

    let mut after_identity = vec!["role ARN", "AssumeRole", "assumed identity"];
    after_identity.extend(remaining(target));
    let identity = match caller_identity(&base, &counter).await {
        Ok(id) => id,
        Err((_, cause)) => {
            p.fail(
                "base identity",
                format!("GetCallerIdentity failed: {cause}"),
                "check the credentials reglint runs with: AWS_PROFILE (and `aws sso login`), AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or the instance or task role",
            )?;
            p.skip(&after_identity)?;
            return Ok(None);
        }
    };
    p.pass(
        "base identity",
        format!("{} (account {})", identity.arn, identity.account),
    )?;
    let sessions = Sessions::with_identity(
        base.clone(),
        options,
        counter.clone(),
        identity.clone(),
        default_region,
    );
    let crate::verify::Place { account, region } = crate::verify::place_of(target, &sessions);

    let session = if sessions.uses_base_credentials(&account) {
        local_session(&sessions, &identity, &account, target, p).await?
    } else {
        let steps = StepsLeft {
            after_identity: &after_identity,
            target,
        };
        assumed_session(&base, &sessions, &identity, &account, &counter, &steps, p).await?
    };
    let Some(session) = session else {
        return Ok(None);
    };
    let who = session
        .role_arn
        .clone()
        .unwrap_or_else(|| "the base credentials".to_string());
    let place = crate::verify::Place { account, region };
    let facts = gather_one(target, &sessions).await;
    target_steps(&facts, &place, target, &who, p)?;
    Ok(Some(Reached {
        sessions,
        session,
        place,
        who,
    }))
}

/// The header's entry: what is examined, in which account and Region.
fn header_text(target: &ItemTarget, options: &VerifyOptions, default_region: &str) -> String {
    let planned_account = target
        .account
        .clone()
        .or_else(|| options.local_account.clone());
    let shown_region = options.region_for(
        planned_account.as_deref().unwrap_or_default(),
        target.region.as_deref(),
        default_region,
    );
    let shown_account = planned_account.map_or_else(
        || "the local account".to_string(),
        |a| format!("account {a}"),
    );
    describe(target, &shown_account, &shown_region)
}

/// The agent's and alias's steps, or the runtime's and endpoint's.
fn target_steps<W: Write>(
    facts: &Facts,
    place: &Place,
    target: &ItemTarget,
    who: &str,
    p: &mut Printer<W>,
) -> io::Result<()> {
    match &target.target {
        Target::Agent { agent_id, alias_id } => {
            agent_steps(facts, place, agent_id, alias_id, who, p)
        }
        Target::Runtime {
            runtime_arn,
            qualifier,
        } => runtime_steps(facts, place, runtime_arn, qualifier, p),
    }
}

/// The steps still to come after the base identity, for skipping.
struct StepsLeft<'a> {
    after_identity: &'a [&'a str],
    target: &'a ItemTarget,
}

/// The local account: the base credentials are used, no role is assumed.
async fn local_session<W: Write>(
    sessions: &Sessions,
    identity: &crate::aws::sessions::CallerIdentity,
    account: &str,
    target: &ItemTarget,
    p: &mut Printer<W>,
) -> io::Result<Option<crate::aws::sessions::AccountSession>> {
    p.pass(
        "role ARN",
        format!("account {account} is the local account: the base credentials are used, no role is assumed"),
    )?;
    p.pass("AssumeRole", "not needed in the local account")?;
    if identity.account != account {
        p.fail(
            "assumed identity",
            format!("the base credentials are {} in account {}, not the local account {account}", identity.arn, identity.account),
            "run with the hub account's credentials, or correct --local-account / registry.local_account_id",
        )?;
        p.skip(remaining(target))?;
        return Ok(None);
    }
    p.pass(
        "assumed identity",
        format!("{} (account {account})", identity.arn),
    )?;
    match sessions.session(account).await {
        Ok(s) => Ok(Some(s)),
        Err(e) => {
            p.fail("session", session_error_text(&e), "rerun with -v")?;
            p.skip(remaining(target))?;
            Ok(None)
        }
    }
}

/// Another account: the role, AssumeRole and the assumed identity, each a step.
async fn assumed_session<W: Write>(
    base: &aws_config::SdkConfig,
    sessions: &Sessions,
    identity: &crate::aws::sessions::CallerIdentity,
    account: &str,
    counter: &Arc<CallCounter>,
    steps: &StepsLeft<'_>,
    p: &mut Printer<W>,
) -> io::Result<Option<crate::aws::sessions::AccountSession>> {
    let assumption = Assumption {
        base,
        sessions,
        identity,
        account,
        counter,
    };
    let Some(role) = assumption.role_step(steps.after_identity, p)? else {
        return Ok(None);
    };
    let Some(assumed) = assumption
        .assume_role_step(&role, steps.after_identity, p)
        .await?
    else {
        return Ok(None);
    };
    assumption
        .identity_step(role, assumed, steps.target, p)
        .await
}

/// The account whose role the doctor assumes, and what assuming it uses.
struct Assumption<'a> {
    base: &'a aws_config::SdkConfig,
    sessions: &'a Sessions,
    identity: &'a crate::aws::sessions::CallerIdentity,
    account: &'a str,
    counter: &'a Arc<CallCounter>,
}

impl Assumption<'_> {
    /// The "role ARN" step: the role configured for the account and where it comes from, or
    /// None (with the later steps skipped) when there is none.
    fn role_step<W: Write>(
        &self,
        after_identity: &[&str],
        p: &mut Printer<W>,
    ) -> io::Result<Option<String>> {
        let (sessions, account) = (self.sessions, self.account);
        let Some(role) = sessions.options.role_for(account) else {
            p.fail(
                "role ARN",
                format!("no role is configured for account {account}"),
                format!("pass --role-arn 'arn:aws:iam::{{account_id}}:role/NAME', or set [verify] role_arn or [verify.accounts.\"{account}\"] role_arn in reglint.toml"),
            )?;
            p.skip(&after_identity[1..])?;
            return Ok(None);
        };
        let from = if sessions.options.has_own_role(account) {
            format!("[verify.accounts.\"{account}\"] role_arn")
        } else {
            "the role ARN template".to_string()
        };
        p.pass("role ARN", format!("{role} (from {from})"))?;
        Ok(Some(role))
    }

    /// The "AssumeRole" step: `role` assumed with the base credentials, or None (with the later
    /// steps skipped) when STS refuses.
    async fn assume_role_step<W: Write>(
        &self,
        role: &str,
        after_identity: &[&str],
        p: &mut Printer<W>,
    ) -> io::Result<Option<Arc<crate::aws::sessions::AssumedCredentials>>> {
        let options = &self.sessions.options;
        let external_id = options.external_id_for(self.account);
        let sent = if external_id.is_some() {
            "an ExternalId was sent"
        } else {
            "no ExternalId was sent"
        };
        let assumed = match assume_role(
            self.base,
            role,
            external_id.as_deref(),
            &options.session_name,
            self.counter,
        )
        .await
        {
            Ok(assumed) => assumed,
            Err((_, cause)) => {
                p.fail(
                    "AssumeRole",
                    format!("refused ({sent}): {cause}"),
                    format!(
                        "check that {role} exists; that its trust policy allows {} (or its account's root) to sts:AssumeRole; that its sts:ExternalId condition matches the ExternalId sent ({sent}: --external-id, REGLINT_EXTERNAL_ID or external_id_env); and that the caller's own policy allows sts:AssumeRole on the role",
                        self.identity.arn
                    ),
                )?;
                p.skip(&after_identity[2..])?;
                return Ok(None);
            }
        };
        p.pass(
            "AssumeRole",
            format!("assumed as session {} ({sent})", options.session_name),
        )?;
        Ok(Some(assumed))
    }

    /// The "assumed identity" step: the assumed credentials' identity confirmed to be in the
    /// account, giving its session; None (with the target's steps skipped) otherwise.
    async fn identity_step<W: Write>(
        &self,
        role: String,
        assumed: Arc<crate::aws::sessions::AssumedCredentials>,
        target: &ItemTarget,
        p: &mut Printer<W>,
    ) -> io::Result<Option<crate::aws::sessions::AccountSession>> {
        let account = self.account;
        match self.sessions.confirm(account, role, assumed).await {
            Ok(s) => {
                p.pass(
                    "assumed identity",
                    format!("{} (account {account})", s.identity.arn),
                )?;
                Ok(Some(s))
            }
            Err(crate::aws::sessions::SessionError::IdentityMismatch { identity: got, .. }) => {
                p.fail(
                    "assumed identity",
                    format!(
                        "{} is in account {}, not account {account}",
                        got.arn, got.account
                    ),
                    format!(
                        "the role ARN for account {account} points into account {}: correct it",
                        got.account
                    ),
                )?;
                p.skip(remaining(target))?;
                Ok(None)
            }
            Err(e) => {
                p.fail(
                    "assumed identity",
                    session_error_text(&e),
                    "rerun later; check the network path to STS",
                )?;
                p.skip(remaining(target))?;
                Ok(None)
            }
        }
    }
}

/// The control-plane facts of the one entry, gathered exactly as `--verify` gathers them.
async fn gather_one(target: &ItemTarget, sessions: &Sessions) -> Facts {
    let mut plan = Plan::default();
    plan.items.push(PlannedItem {
        origin: ItemOrigin {
            source: 0,
            label: "doctor".into(),
            index: 0,
            key: serde_json::Map::new(),
            chunk: None,
            item_span: None,
        },
        attrs: Item::new(crate::model::Format::Plain),
        target: target.clone(),
    });
    gather(&plan, sessions, &indicatif::ProgressBar::hidden()).await
}

fn session_error_text(e: &crate::aws::sessions::SessionError) -> String {
    use crate::aws::sessions::SessionError;
    match e {
        SessionError::NoRole { account } => format!("no role for account {account}"),
        SessionError::AssumeRoleDenied { cause, .. } => cause.clone(),
        SessionError::IdentityMismatch { identity, .. } => {
            format!("{} in account {}", identity.arn, identity.account)
        }
        SessionError::Unavailable { what, cause } => format!("{what} failed: {cause}"),
    }
}

fn describe(target: &ItemTarget, account: &str, region: &str) -> String {
    match &target.target {
        Target::Agent { agent_id, alias_id } => {
            format!("agent {agent_id} alias {alias_id} in {account} ({region})")
        }
        Target::Runtime {
            runtime_arn,
            qualifier,
        } => format!("runtime {runtime_arn} endpoint {qualifier}"),
    }
}

fn failure_next(f: &crate::aws::bedrock::CallFailure, who: &str) -> String {
    match f.kind {
        FailureKind::AccessDenied => format!(
            "allow {} on {} in the policy of {who}",
            f.action, f.resource
        ),
        _ => "rerun later; check the network path to the Bedrock endpoints".into(),
    }
}

fn agent_steps<W: Write>(
    facts: &Facts,
    place: &Place,
    agent_id: &str,
    alias_id: &str,
    who: &str,
    p: &mut Printer<W>,
) -> io::Result<()> {
    let agent_key = (place.clone(), agent_id.to_string());
    let agent = match facts.agents.get(&agent_key) {
        Some(Lookup::Found(a)) => a,
        Some(Lookup::Failed(f)) => {
            p.fail("GetAgent", f.reason(), failure_next(f, who))?;
            return p.skip(&AGENT_STEPS[1..]);
        }
        _ => {
            let found = facts.elsewhere.get(&agent_key).cloned().flatten();
            let next = missing_agent_next(found.as_deref(), place, facts);
            p.fail(
                "GetAgent",
                format!(
                    "agent {agent_id} was not found in account {} ({})",
                    place.account, place.region
                ),
                next,
            )?;
            return p.skip(&AGENT_STEPS[1..]);
        }
    };
    p.pass("GetAgent", format!("{} ({})", agent.name, agent.arn))?;
    let alias = facts
        .aliases
        .get(&(place.clone(), agent_id.to_string(), alias_id.to_string()));
    agent_status_step(agent, agent_id, alias_id, alias, p)?;
    let alias = match alias {
        Some(Lookup::Found(a)) => a,
        Some(Lookup::Failed(f)) => {
            p.fail("GetAgentAlias", f.reason(), failure_next(f, who))?;
            return p.skip(&AGENT_STEPS[3..]);
        }
        _ => {
            let next = missing_alias_next(facts.alias_lists.get(&agent_key), alias_id);
            p.fail(
                "GetAgentAlias",
                format!("alias {alias_id} of agent {agent_id} was not found"),
                next,
            )?;
            return p.skip(&AGENT_STEPS[3..]);
        }
    };
    p.pass("GetAgentAlias", format!("{} ({alias_id})", alias.name))?;
    alias_steps(alias, agent_id, alias_id, p)
}

/// What to check when the agent is not in its account: where the search found it, else the
/// ID, the Region and (for an entry of the local account) `account_id`.
fn missing_agent_next(found: Option<&str>, place: &Place, facts: &Facts) -> String {
    match judge::found_elsewhere(found, &facts.local_account) {
        Some(judge::FoundElsewhere { account, local }) => {
            let which = if local { "the local account" } else { "account" };
            format!("the agent exists in {which} {account}: register it there (account_id {account})")
        }
        None if place.account == facts.local_account => "check the agent ID and the region (--region or the entry's region); an entry without account_id is looked up in the local account: if the agent lives in another account, set account_id".to_string(),
        None => "check the agent ID and the region (--region or the entry's region)".to_string(),
    }
}

fn missing_alias_next(listed: Option<&Lookup<Vec<AliasSummary>>>, alias_id: &str) -> String {
    match listed {
        Some(Lookup::Found(list)) if !list.is_empty() => {
            let all: Vec<String> = judge::nearest_aliases(list, alias_id)
                .iter()
                .map(|a| format!("{} ({})", a.id, a.name))
                .collect();
            format!(
                "the agent's aliases: {}; nearest: {}",
                all.join(", "),
                all[0]
            )
        }
        Some(Lookup::Found(_)) => "the agent has no aliases: create one".to_string(),
        Some(Lookup::NotFound(m)) => m.clone(),
        Some(Lookup::Failed(f)) => format!("its aliases could not be listed: {}", f.reason()),
        None => "its aliases were not listed".to_string(),
    }
}

fn agent_status_step<W: Write>(
    agent: &crate::aws::bedrock::AgentFacts,
    agent_id: &str,
    alias_id: &str,
    alias: Option<&Lookup<AliasFacts>>,
    p: &mut Printer<W>,
) -> io::Result<()> {
    match judge::agent_readiness(agent, alias_id, alias) {
        judge::AgentReadiness::Prepared => p.pass("agent status", "PREPARED"),
        judge::AgentReadiness::DraftNotUsed { status, version } => p.pass(
            "agent status",
            format!("the draft is {status}, but alias {alias_id} routes to version {version}, which the draft does not affect"),
        ),
        judge::AgentReadiness::NotReady { status, .. } => p.fail(
            "agent status",
            format!("{status}{}", judge::joined_reasons(&agent.failure_reasons)),
            format!("prepare the agent: aws bedrock-agent prepare-agent --agent-id {agent_id}"),
        ),
    }
}

fn alias_steps<W: Write>(
    alias: &AliasFacts,
    agent_id: &str,
    alias_id: &str,
    p: &mut Printer<W>,
) -> io::Result<()> {
    let problems = judge::alias_problems(alias);
    let not_prepared = problems.iter().find_map(|pr| match pr {
        judge::AliasProblem::NotPrepared { status, .. } => Some(status.clone()),
        _ => None,
    });
    match not_prepared {
        None => p.pass("alias status", "PREPARED")?,
        Some(status) => p.fail(
            "alias status",
            format!("{status}{}", judge::joined_reasons(&alias.failure_reasons)),
            format!("repair or recreate the alias: aws bedrock-agent get-agent-alias --agent-id {agent_id} --agent-alias-id {alias_id}"),
        )?,
    }
    let state = alias
        .invocation_state
        .as_deref()
        .unwrap_or("ACCEPT_INVOCATIONS");
    if problems.contains(&judge::AliasProblem::NoRouting) {
        p.fail(
            "routing and invocation state",
            "the alias routes to no version",
            "associate a version with the alias (aws bedrock-agent update-agent-alias --routing-configuration)",
        )
    } else if problems.contains(&judge::AliasProblem::RejectsInvocations) {
        p.fail(
            "routing and invocation state",
            format!("routes to version {}, but rejects invocations (REJECT_INVOCATIONS)", alias.routing.join(", ")),
            "resume the alias: aws bedrock-agent update-agent-alias --alias-invocation-state ACCEPT_INVOCATIONS",
        )
    } else {
        p.pass(
            "routing and invocation state",
            format!("routes to version {}; {state}", alias.routing.join(", ")),
        )
    }
}

fn runtime_steps<W: Write>(
    facts: &Facts,
    place: &Place,
    arn: &str,
    qualifier: &str,
    p: &mut Printer<W>,
) -> io::Result<()> {
    let id = crate::aws::bedrock::runtime_id(arn);
    let runtime = match facts.runtimes.get(&(place.clone(), arn.to_string())) {
        Some(Lookup::Found(r)) => r,
        Some(Lookup::Failed(f)) => {
            p.fail(
                "GetAgentRuntime",
                f.reason(),
                failure_next(f, "the session's role"),
            )?;
            return p.skip(&RUNTIME_STEPS[1..]);
        }
        _ => {
            p.fail(
                "GetAgentRuntime",
                format!(
                    "runtime {id} was not found in account {} ({})",
                    place.account, place.region
                ),
                "check the runtime ARN: aws bedrock-agentcore-control list-agent-runtimes",
            )?;
            return p.skip(&RUNTIME_STEPS[1..]);
        }
    };
    p.pass(
        "GetAgentRuntime",
        format!("{id} version {}", runtime.version),
    )?;
    match judge::runtime_readiness(runtime) {
        None => p.pass("runtime status", "READY")?,
        Some(not_ready) => p.fail(
            "runtime status",
            not_ready.describe(),
            "see the runtime's failure reason; update or recreate the runtime",
        )?,
    }
    let endpoint = facts
        .endpoints
        .get(&(place.clone(), arn.to_string(), qualifier.to_string()));
    endpoint_steps(endpoint, id, qualifier, p)
}

fn endpoint_steps<W: Write>(
    endpoint: Option<&Lookup<crate::aws::bedrock::EndpointFacts>>,
    id: &str,
    qualifier: &str,
    p: &mut Printer<W>,
) -> io::Result<()> {
    match endpoint {
        Some(Lookup::Found(e)) => {
            p.pass("GetAgentRuntimeEndpoint", qualifier.to_string())?;
            match judge::endpoint_readiness(e) {
                None => {
                    let live = e
                        .live_version
                        .as_ref()
                        .map_or_else(String::new, |v| format!(", live version {v}"));
                    p.pass("endpoint status", format!("READY{live}"))
                }
                Some(not_ready) => p.fail(
                    "endpoint status",
                    not_ready.describe(),
                    "see the endpoint's failure reason; update the endpoint",
                ),
            }
        }
        Some(Lookup::Failed(f)) => {
            p.fail(
                "GetAgentRuntimeEndpoint",
                f.reason(),
                failure_next(f, "the session's role"),
            )?;
            p.skip(&RUNTIME_STEPS[3..])
        }
        _ => {
            p.fail(
                "GetAgentRuntimeEndpoint",
                format!("endpoint {qualifier} of runtime {id} does not exist"),
                "use an endpoint that exists (DEFAULT follows the latest version): aws bedrock-agentcore-control list-agent-runtime-endpoints",
            )?;
            p.skip(&RUNTIME_STEPS[3..])
        }
    }
}
