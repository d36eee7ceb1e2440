//! `--verify`: the remote rules (RG401–RG410).
//!
//! Three steps. [`Plan`] keeps, for every item whose identifiers pass the offline rules, what to
//! ask the control plane and where the item came from. [`gather`] asks each distinct question
//! once: one session per account, one GetAgent per (account, Region, agent), one GetAgentAlias
//! per alias, one ListAgentAliases per agent with a missing alias, one GetAgentRuntime and
//! GetAgentRuntimeEndpoint per runtime and qualifier, and — for agents missing from their
//! account — GetAgent in the local account and the run's other accounts. [`findings`] turns the
//! gathered [`Facts`] into findings, purely.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::aws::bedrock::{
    AgentFacts, AliasFacts, AliasSummary, CallFailure, EndpointFacts, FailureKind, Lookup,
    RuntimeFacts,
};
pub mod judge;

pub use judge::{is_transitional, joined_reasons};

use crate::aws::config::AwsSettings;
use crate::aws::sessions::{AccountOptions, SessionError, Sessions, VerifyOptions};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::engine::{drive, GivenFixes, Mode, Outcome};
use crate::error::RunError;
use crate::lint::{ItemOrigin, Linter};
use crate::model::{Item, Value};
use crate::report::Report;
use crate::rules::remote::{RG401, RG402, RG403, RG404, RG405, RG406, RG407, RG408, RG409, RG410};
use crate::rules::{Rule, Violation};
use crate::schema::{
    agent_type_of, is_account_id, is_agent_id, is_alias_id, is_region, parse_runtime_arn,
    AgentType, ACCOUNT_ID, AGENT_ID, ALIAS_ID, QUALIFIER, REGION, RUNTIME_ARN,
};
use crate::store::FileStore;

/// The test alias every agent has; it routes to the working draft.
pub const DRAFT_ALIAS: &str = "TSTALIASID";
/// The AgentCore endpoint used when an item names none.
pub const DEFAULT_QUALIFIER: &str = "DEFAULT";

static ENDPOINT_NAME_RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    regex::Regex::new(r"^[a-zA-Z][a-zA-Z0-9_]{0,47}$").expect("a valid pattern")
});

/// What an item routes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Agent {
        agent_id: String,
        alias_id: String,
    },
    Runtime {
        runtime_arn: String,
        qualifier: String,
    },
}

/// Where an item's target lives and what it is, read from the item as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTarget {
    /// `None`: the local account.
    pub account: Option<String>,
    /// `None`: the account's or the run's Region.
    pub region: Option<String>,
    pub target: Target,
}

impl ItemTarget {
    /// The target of an item, or `None` when an identifier fails its offline rule (those items
    /// are not verified: RG1xx already reports them).
    pub fn of(item: &Item) -> Option<ItemTarget> {
        let text = |name: &str| match item.value(name) {
            None => Ok(None),
            Some(Value::S(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(()),
        };
        let account = text(ACCOUNT_ID).ok()?;
        if account.is_some_and(|a| !is_account_id(a)) {
            return None;
        }
        let region = text(REGION).ok()?;
        if region.is_some_and(|r| !is_region(r)) {
            return None;
        }
        match agent_type_of(item)? {
            AgentType::BedrockAgent => {
                let agent_id = text(AGENT_ID).ok()??;
                let alias_id = text(ALIAS_ID).ok()??;
                if !is_agent_id(agent_id) || !is_alias_id(alias_id) {
                    return None;
                }
                Some(ItemTarget {
                    account: account.map(str::to_string),
                    region: region.map(str::to_string),
                    target: Target::Agent {
                        agent_id: agent_id.to_string(),
                        alias_id: alias_id.to_string(),
                    },
                })
            }
            AgentType::AgentCore => {
                let arn = text(RUNTIME_ARN).ok()??;
                let parts = parse_runtime_arn(arn)?;
                let (arn_region, arn_account) = (parts.region, parts.account);
                if account.is_some_and(|a| a != arn_account) {
                    return None; // RG108
                }
                let qualifier = match text(QUALIFIER) {
                    Ok(Some(q)) if !q.trim().is_empty() => q.to_string(),
                    Ok(_) => DEFAULT_QUALIFIER.to_string(),
                    Err(()) => return None,
                };
                Some(ItemTarget {
                    account: Some(arn_account.to_string()),
                    region: Some(arn_region.to_string()),
                    target: Target::Runtime {
                        runtime_arn: arn.to_string(),
                        qualifier,
                    },
                })
            }
        }
    }
}

/// One item to verify: where it came from, its identifier attributes (for pointing at them),
/// and its target.
#[derive(Debug, Clone)]
pub struct PlannedItem {
    pub origin: ItemOrigin,
    pub attrs: Item,
    pub target: ItemTarget,
}

/// The items of a run to verify.
#[derive(Debug, Default)]
pub struct Plan {
    pub items: Vec<PlannedItem>,
}

impl Plan {
    /// Adds an item when it can be verified; returns whether it was added.
    pub fn observe(&mut self, item: &Item, origin: &ItemOrigin) -> bool {
        let Some(target) = ItemTarget::of(item) else {
            return false;
        };
        let mut attrs = Item::new(item.format);
        attrs.span = item.span;
        attrs.attrs = item
            .attrs
            .iter()
            .filter(|a| {
                [
                    AGENT_ID,
                    ALIAS_ID,
                    RUNTIME_ARN,
                    QUALIFIER,
                    ACCOUNT_ID,
                    REGION,
                ]
                .contains(&a.name.as_ref())
            })
            .cloned()
            .collect();
        self.items.push(PlannedItem {
            origin: origin.clone(),
            attrs,
            target,
        });
        true
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// An item's target with its account and Region resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    pub account: String,
    pub region: String,
}

/// The account and region an item's calls go to.
pub fn place_of(target: &ItemTarget, sessions: &Sessions) -> Place {
    let account = target
        .account
        .clone()
        .unwrap_or_else(|| sessions.local_account.clone());
    let region =
        sessions
            .options
            .region_for(&account, target.region.as_deref(), &sessions.default_region);
    Place { account, region }
}

type AgentKey = (Place, String);
type AliasKey = (Place, String, String);
type RuntimeKey = (Place, String);
type EndpointKey = (Place, String, String);

/// Everything the control plane said, keyed by question.
#[derive(Debug, Default)]
pub struct Facts {
    pub sessions: HashMap<String, Result<(), SessionError>>,
    /// The role each account's session assumed (`None`: base credentials).
    pub roles: HashMap<String, Option<String>>,
    pub agents: HashMap<AgentKey, Lookup<AgentFacts>>,
    pub aliases: HashMap<AliasKey, Lookup<AliasFacts>>,
    pub alias_lists: HashMap<AgentKey, Lookup<Vec<AliasSummary>>>,
    pub runtimes: HashMap<RuntimeKey, Lookup<RuntimeFacts>>,
    pub endpoints: HashMap<EndpointKey, Lookup<EndpointFacts>>,
    /// Where an agent missing from its account was found instead.
    pub elsewhere: HashMap<AgentKey, Option<String>>,
    /// The local account, the base identity's ARN and each item's place.
    pub local_account: String,
    pub caller_arn: String,
    pub places: Vec<Place>,
}

/// Each distinct question answered once, however many tasks ask it at the same time.
struct Memo<K, V>(Mutex<HashMap<K, Arc<OnceCell<V>>>>);

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    fn new() -> Self {
        Memo(Mutex::new(HashMap::new()))
    }

    async fn get<F, Fut>(&self, key: &K, f: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = {
            let mut map = match self.0.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            map.entry(key.clone()).or_default().clone()
        };
        cell.get_or_init(f).await.clone()
    }

    fn into_map(self) -> HashMap<K, V> {
        let map = match self.0.into_inner() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        map.into_iter()
            .filter_map(|(k, cell)| cell.get().cloned().map(|v| (k, v)))
            .collect()
    }
}

struct Gatherer<'a> {
    sessions: &'a Sessions,
    agents: Memo<AgentKey, Lookup<AgentFacts>>,
    aliases: Memo<AliasKey, Lookup<AliasFacts>>,
    alias_lists: Memo<AgentKey, Lookup<Vec<AliasSummary>>>,
    runtimes: Memo<RuntimeKey, Lookup<RuntimeFacts>>,
    endpoints: Memo<EndpointKey, Lookup<EndpointFacts>>,
    /// The accounts of the run with a working session, local first.
    accounts: Vec<String>,
    progress: &'a indicatif::ProgressBar,
}

impl Gatherer<'_> {
    async fn agent(&self, place: &Place, agent_id: &str) -> Option<Lookup<AgentFacts>> {
        let session = self.sessions.session(&place.account).await.ok()?;
        let key = (place.clone(), agent_id.to_string());
        Some(
            self.agents
                .get(&key, || async {
                    let plane = self.sessions.control_plane(&session, &place.region);
                    plane.get_agent(agent_id).await
                })
                .await,
        )
    }

    /// GetAgent, then its aliases, then (for a missing agent) the other accounts.
    async fn check_agent(
        &self,
        place: &Place,
        agent_id: &str,
        aliases: &BTreeSet<String>,
    ) -> Option<String> {
        let agent = self.agent(place, agent_id).await?;
        let session = self.sessions.session(&place.account).await.ok()?;
        let plane = self.sessions.control_plane(&session, &place.region);
        match agent {
            Lookup::Found(_) => {
                let mut missing = false;
                for alias_id in aliases {
                    let key = (place.clone(), agent_id.to_string(), alias_id.clone());
                    let alias = self
                        .aliases
                        .get(&key, || plane.get_agent_alias(agent_id, alias_id))
                        .await;
                    missing |= matches!(alias, Lookup::NotFound(_));
                    self.progress.inc(1);
                }
                if missing {
                    let key = (place.clone(), agent_id.to_string());
                    self.alias_lists
                        .get(&key, || plane.list_agent_aliases(agent_id))
                        .await;
                }
                None
            }
            Lookup::NotFound(_) => {
                self.progress.inc(aliases.len() as u64);
                first_account_with(&self.accounts, place, |there| async move {
                    self.agent(&there, agent_id).await
                })
                .await
            }
            Lookup::Failed(_) => {
                self.progress.inc(aliases.len() as u64);
                None
            }
        }
    }

    async fn check_runtime(&self, place: &Place, arn: &str, qualifiers: &BTreeSet<String>) {
        let Ok(session) = self.sessions.session(&place.account).await else {
            return;
        };
        let plane = self.sessions.control_plane(&session, &place.region);
        let key = (place.clone(), arn.to_string());
        let runtime = self
            .runtimes
            .get(&key, || plane.get_agent_runtime(arn))
            .await;
        if runtime.found().is_some() {
            for q in qualifiers.iter().filter(|q| ENDPOINT_NAME_RE.is_match(q)) {
                let key = (place.clone(), arn.to_string(), q.clone());
                self.endpoints
                    .get(&key, || plane.get_agent_runtime_endpoint(arn, q))
                    .await;
            }
        }
        self.progress.inc(1);
    }
}

/// Where a missing agent is looked for: the local account first, then the others in order.
/// RG403's search: the first of `accounts` (other than `place`'s) whose control plane has the
/// agent, in `place`'s Region.
pub async fn first_account_with<F, Fut>(
    accounts: &[String],
    place: &Place,
    lookup: F,
) -> Option<String>
where
    F: Fn(Place) -> Fut,
    Fut: std::future::Future<Output = Option<Lookup<AgentFacts>>>,
{
    for other in accounts.iter().filter(|a| **a != place.account) {
        let there = Place {
            account: other.clone(),
            region: place.region.clone(),
        };
        if let Some(Lookup::Found(_)) = lookup(there).await {
            return Some(other.clone());
        }
    }
    None
}

/// RG403's search for one agent the data plane did not find (`doctor --invoke`): the local
/// account, then `place`'s.
pub async fn search_elsewhere(
    sessions: &Sessions,
    place: &Place,
    agent_id: &str,
) -> Option<String> {
    let accounts = search_order(sessions, std::slice::from_ref(&place.account)).await;
    first_account_with(&accounts, place, |there| async move {
        let session = sessions.session(&there.account).await.ok()?;
        let plane = sessions.control_plane(&session, &there.region);
        Some(plane.get_agent(agent_id).await)
    })
    .await
}

/// The accounts a search for a missing agent asks, local first.
async fn search_order(sessions: &Sessions, working: &[String]) -> Vec<String> {
    let mut search = Vec::new();
    if sessions.session(&sessions.local_account).await.is_ok() {
        search.push(sessions.local_account.clone());
    }
    search.extend(
        working
            .iter()
            .filter(|a| **a != sessions.local_account)
            .cloned(),
    );
    search
}

type AgentQuestions = HashMap<AgentKey, BTreeSet<String>>;
type RuntimeQuestions = HashMap<RuntimeKey, BTreeSet<String>>;

/// The distinct questions of the plan's items whose account has a working session: per agent
/// its aliases, per runtime its qualifiers.
fn questions(
    plan: &Plan,
    places: &[Place],
    working: &[String],
) -> (AgentQuestions, RuntimeQuestions) {
    let mut agents: AgentQuestions = HashMap::new();
    let mut runtimes: RuntimeQuestions = HashMap::new();
    for (item, place) in plan.items.iter().zip(places) {
        if !working.contains(&place.account) {
            continue;
        }
        match &item.target.target {
            Target::Agent { agent_id, alias_id } => {
                agents
                    .entry((place.clone(), agent_id.clone()))
                    .or_default()
                    .insert(alias_id.clone());
            }
            Target::Runtime {
                runtime_arn,
                qualifier,
            } => {
                runtimes
                    .entry((place.clone(), runtime_arn.clone()))
                    .or_default()
                    .insert(qualifier.clone());
            }
        }
    }
    (agents, runtimes)
}

/// Asks every distinct question of the plan once. `progress` counts targets done.
pub async fn gather(plan: &Plan, sessions: &Sessions, progress: &indicatif::ProgressBar) -> Facts {
    let places: Vec<Place> = plan
        .items
        .iter()
        .map(|i| place_of(&i.target, sessions))
        .collect();
    let accounts: BTreeSet<&str> = places.iter().map(|p| p.account.as_str()).collect();
    let opened = futures_util::future::join_all(accounts.iter().map(|a| async move {
        let session = sessions.session(a).await;
        (a.to_string(), session)
    }))
    .await;
    let mut facts = Facts {
        local_account: sessions.local_account.clone(),
        caller_arn: sessions.base_identity.arn.clone(),
        ..Facts::default()
    };
    let mut working: Vec<String> = Vec::new();
    for (account, session) in opened {
        match session {
            Ok(s) => {
                facts.roles.insert(account.clone(), s.role_arn.clone());
                facts.sessions.insert(account.clone(), Ok(()));
                working.push(account);
            }
            Err(e) => {
                facts.sessions.insert(account, Err(e));
            }
        }
    }
    let search = search_order(sessions, &working).await;
    let (agents, runtimes) = questions(plan, &places, &working);
    progress
        .set_length((agents.values().map(BTreeSet::len).sum::<usize>() + runtimes.len()) as u64);

    let gatherer = Gatherer {
        sessions,
        agents: Memo::new(),
        aliases: Memo::new(),
        alias_lists: Memo::new(),
        runtimes: Memo::new(),
        endpoints: Memo::new(),
        accounts: search,
        progress,
    };
    // The sorted order interleaves nothing on purpose: the concurrency bound and the per-account
    // pace decide what runs when.
    let mut agent_keys: Vec<_> = agents.iter().collect();
    agent_keys.sort();
    let agent_checks = futures_util::future::join_all(agent_keys.into_iter().map(
        |((place, agent_id), aliases)| {
            let g = &gatherer;
            async move {
                let found = g.check_agent(place, agent_id, aliases).await;
                ((place.clone(), agent_id.clone()), found)
            }
        },
    ));
    let mut runtime_keys: Vec<_> = runtimes.iter().collect();
    runtime_keys.sort();
    let runtime_checks = futures_util::future::join_all(
        runtime_keys
            .into_iter()
            .map(|((place, arn), qualifiers)| gatherer.check_runtime(place, arn, qualifiers)),
    );
    let (elsewhere, _) = futures_util::future::join(agent_checks, runtime_checks).await;
    facts.elsewhere = elsewhere.into_iter().collect();
    facts.agents = gatherer.agents.into_map();
    facts.aliases = gatherer.aliases.into_map();
    facts.alias_lists = gatherer.alias_lists.into_map();
    facts.runtimes = gatherer.runtimes.into_map();
    facts.endpoints = gatherer.endpoints.into_map();
    facts.places = places;
    progress.finish_and_clear();
    facts
}

/// A finding of a remote rule; `transitional` findings are warnings whatever the rule's severity.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub violation: Violation,
    pub transitional: bool,
}

fn finding(v: Violation) -> Finding {
    Finding {
        violation: v,
        transitional: false,
    }
}

/// Points a finding at an attribute of the item, or at the item when it has none.
fn at(v: Violation, item: &Item, attribute: &str) -> Violation {
    match item.get(attribute) {
        Some(a) => v.on(a),
        None => v.about(attribute, item),
    }
}

/// Statuses on their way somewhere: reported as warnings.
/// RG409 or RG410 for a call that could not be answered.
fn unverified(
    f: &CallFailure,
    what: &str,
    role: Option<&str>,
    item: &Item,
    attribute: &str,
) -> Finding {
    let v = match f.kind {
        FailureKind::AccessDenied => {
            let who = role.map_or_else(|| "the base credentials".to_string(), |r| format!("role {r}"));
            Violation::new(
                &RG409,
                format!(
                    "{who} may not {} on {}; the {what} was not verified ({})",
                    f.action, f.resource, f.message
                ),
            )
            .with_help(format!("allow {} on {} in the policy of {who}", f.action, f.resource))
        }
        _ => Violation::new(
            &RG410,
            format!(
                "{} on {} failed: {}; the {what} was not verified",
                f.action,
                f.resource,
                f.reason()
            ),
        )
        .with_help("rerun later; if it persists lower [verify] concurrency or check the network path to AWS"),
    };
    finding(at(v, item, attribute))
}

fn session_finding(err: &SessionError, facts: &Facts, item: &Item) -> Finding {
    let v = match err {
        SessionError::NoRole { account } => Violation::new(
            &RG401,
            format!("no role to assume in account {account}: pass --role-arn TEMPLATE, or set [verify] role_arn or [verify.accounts.\"{account}\"] role_arn"),
        ),
        SessionError::AssumeRoleDenied {
            role_arn,
            external_id_sent,
            cause,
        } => {
            let ext = if *external_id_sent {
                "an ExternalId was sent"
            } else {
                "no ExternalId was sent"
            };
            Violation::new(&RG401, format!("AssumeRole {role_arn} was refused ({ext}): {cause}")).with_help(format!(
                "check that the role exists and its trust policy allows {} to sts:AssumeRole; that its sts:ExternalId condition matches the ExternalId sent ({ext}); and that the caller's own policy allows sts:AssumeRole on {role_arn}",
                if facts.caller_arn.is_empty() { "the caller" } else { facts.caller_arn.as_str() }
            ))
        }
        SessionError::IdentityMismatch {
            account,
            role_arn: Some(role),
            identity,
        } => Violation::new(
            &RG402,
            format!(
                "assuming {role} gives {} in account {}, not account {account}",
                identity.arn, identity.account
            ),
        )
        .with_help(format!("point the role ARN for account {account} at a role in that account")),
        SessionError::IdentityMismatch {
            account,
            role_arn: None,
            identity,
        } => Violation::new(
            &RG402,
            format!(
                "the base credentials are {} in account {}, not the local account {account}",
                identity.arn, identity.account
            ),
        )
        .with_help("run with the hub account's credentials, or correct --local-account / registry.local_account_id"),
        SessionError::Unavailable { what, cause } => Violation::new(
            &RG410,
            format!("{what} failed: {cause}; the item was not verified"),
        ),
    };
    finding(at(v, item, ACCOUNT_ID))
}

/// The findings of one item, from the facts.
pub fn findings(item: &PlannedItem, place: &Place, facts: &Facts) -> Vec<Finding> {
    let mut found = findings_of(item, place, facts);
    // Counted by the account the calls went to (audits count findings by account).
    for f in &mut found {
        if f.violation.account.is_none() {
            f.violation.account = Some(place.account.clone());
        }
    }
    found
}

fn findings_of(item: &PlannedItem, place: &Place, facts: &Facts) -> Vec<Finding> {
    let attrs = &item.attrs;
    match facts.sessions.get(&place.account) {
        Some(Err(e)) => return vec![session_finding(e, facts, attrs)],
        Some(Ok(())) => {}
        None => return Vec::new(),
    }
    let role = facts.roles.get(&place.account).cloned().flatten();
    match &item.target.target {
        Target::Agent { agent_id, alias_id } => {
            agent_findings(place, agent_id, alias_id, role.as_deref(), facts, attrs)
        }
        Target::Runtime {
            runtime_arn,
            qualifier,
        } => runtime_findings(place, runtime_arn, qualifier, role.as_deref(), facts, attrs),
    }
}

fn agent_findings(
    place: &Place,
    agent_id: &str,
    alias_id: &str,
    role: Option<&str>,
    facts: &Facts,
    item: &Item,
) -> Vec<Finding> {
    let key = (place.clone(), agent_id.to_string());
    let Some(agent) = facts.agents.get(&key) else {
        return Vec::new();
    };
    let agent = match agent {
        Lookup::Found(a) => a,
        Lookup::NotFound(_) => return vec![agent_not_found(place, agent_id, facts, item)],
        Lookup::Failed(f) => return vec![unverified(f, "agent", role, item, AGENT_ID)],
    };
    let mut out = Vec::new();
    let alias_key = (place.clone(), agent_id.to_string(), alias_id.to_string());
    let alias = facts.aliases.get(&alias_key);
    if let judge::AgentReadiness::NotReady {
        status,
        routes_to_draft,
        transitional,
    } = judge::agent_readiness(agent, alias_id, alias)
    {
        let why = if routes_to_draft && status != "DELETING" {
            format!(", and alias {alias_id} routes to its draft")
        } else {
            String::new()
        };
        out.push(Finding {
            violation: at(
                Violation::new(
                    &RG404,
                    format!(
                        "agent {agent_id} in account {} is {status}{}{why}",
                        place.account,
                        joined_reasons(&agent.failure_reasons)
                    ),
                ),
                item,
                AGENT_ID,
            )
            .with_help(format!(
                "prepare the agent (aws bedrock-agent prepare-agent --agent-id {agent_id}) or register an alias that routes to a published version"
            )),
            transitional,
        });
    }
    match alias {
        Some(Lookup::Found(a)) => out.extend(alias_usable(agent_id, alias_id, a, item)),
        Some(Lookup::NotFound(_)) => {
            out.push(alias_not_found(place, agent_id, alias_id, facts, item));
        }
        Some(Lookup::Failed(f)) => out.push(unverified(f, "alias", role, item, ALIAS_ID)),
        None => {}
    }
    out
}

fn agent_not_found(place: &Place, agent_id: &str, facts: &Facts, item: &Item) -> Finding {
    let key = (place.clone(), agent_id.to_string());
    let found = facts.elsewhere.get(&key).cloned().flatten();
    let mut message = format!(
        "agent {agent_id} was not found in account {} ({})",
        place.account, place.region
    );
    let mut v = match judge::found_elsewhere(found.as_deref(), &facts.local_account) {
        Some(judge::FoundElsewhere { account: other, local }) => {
            let local = if local { " (the local account)" } else { "" };
            message.push_str(&format!("; it exists in account {other}{local}"));
            Violation::new(&RG403, message).with_fix(Some(Fix::unsafe_(
                format!("Register the agent under account {other}"),
                vec![Edit::set(ACCOUNT_ID, Value::S(other.clone()))],
            )))
        }
        None => Violation::new(&RG403, message).with_help(
            "the agent was deleted or the ID is wrong; it was not found in the local account or the run's other accounts either",
        ),
    };
    v = at(v, item, AGENT_ID);
    finding(v)
}

fn alias_not_found(
    place: &Place,
    agent_id: &str,
    alias_id: &str,
    facts: &Facts,
    item: &Item,
) -> Finding {
    let mut message = format!(
        "alias {alias_id} of agent {agent_id} was not found in account {}",
        place.account
    );
    let key = (place.clone(), agent_id.to_string());
    match facts.alias_lists.get(&key) {
        Some(Lookup::Found(list)) if !list.is_empty() => {
            let sorted = judge::nearest_aliases(list, alias_id);
            let show = |a: &AliasSummary| format!("{} ({}, {})", a.id, a.name, a.status);
            message.push_str(&format!("; nearest: {}", show(sorted[0])));
            let all: Vec<String> = sorted.iter().map(|a| show(a)).collect();
            message.push_str(&format!("; the agent's aliases: {}", all.join(", ")));
        }
        Some(Lookup::Found(_)) => message.push_str("; the agent has no aliases"),
        Some(Lookup::Failed(f)) => message.push_str(&format!(
            "; its aliases could not be listed: {}",
            f.reason()
        )),
        _ => {}
    }
    finding(at(Violation::new(&RG405, message), item, ALIAS_ID))
}

fn alias_usable(agent_id: &str, alias_id: &str, alias: &AliasFacts, item: &Item) -> Vec<Finding> {
    judge::alias_problems(alias)
        .into_iter()
        .map(|problem| {
            let (message, transitional) = match problem {
                judge::AliasProblem::NotPrepared {
                    status,
                    transitional,
                } => (
                    format!(
                        "alias {alias_id} of agent {agent_id} is {status}{}",
                        joined_reasons(&alias.failure_reasons)
                    ),
                    transitional,
                ),
                judge::AliasProblem::RejectsInvocations => (
                    format!("alias {alias_id} of agent {agent_id} rejects invocations (REJECT_INVOCATIONS)"),
                    false,
                ),
                judge::AliasProblem::NoRouting => (
                    format!("alias {alias_id} of agent {agent_id} routes to no version"),
                    false,
                ),
            };
            Finding {
                violation: at(Violation::new(&RG406, message), item, ALIAS_ID),
                transitional,
            }
        })
        .collect()
}

/// The findings for a runtime item: the runtime (RG407, RG408), its endpoint's name and the
/// endpoint (RG408), and calls that could not be answered (RG409, RG410).
fn runtime_findings(
    place: &Place,
    arn: &str,
    qualifier: &str,
    role: Option<&str>,
    facts: &Facts,
    item: &Item,
) -> Vec<Finding> {
    let id = crate::aws::bedrock::runtime_id(arn);
    let key = (place.clone(), arn.to_string());
    let runtime = match facts.runtimes.get(&key) {
        None => return Vec::new(),
        Some(Lookup::Found(r)) => r,
        Some(Lookup::NotFound(_)) => return vec![runtime_not_found(place, id, item)],
        Some(Lookup::Failed(f)) => return vec![unverified(f, "runtime", role, item, RUNTIME_ARN)],
    };
    let mut out = Vec::new();
    out.extend(runtime_not_ready(runtime, id, item));
    let on = if item.get(QUALIFIER).is_some() {
        QUALIFIER
    } else {
        RUNTIME_ARN
    };
    if !ENDPOINT_NAME_RE.is_match(qualifier) {
        out.push(finding(at(
            Violation::new(
                &RG408,
                format!("qualifier {qualifier:?} is not an endpoint name of runtime {id}"),
            ),
            item,
            on,
        )));
        return out;
    }
    let key = (place.clone(), arn.to_string(), qualifier.to_string());
    let endpoint = facts.endpoints.get(&key);
    out.extend(endpoint_finding(endpoint, id, qualifier, role, item, on));
    out
}

/// RG407 for a runtime (id `id`) that is not in the account it was looked for in.
fn runtime_not_found(place: &Place, id: &str, item: &Item) -> Finding {
    finding(at(
        Violation::new(
            &RG407,
            format!(
                "runtime {id} was not found in account {} ({})",
                place.account, place.region
            ),
        ),
        item,
        RUNTIME_ARN,
    ))
}

/// RG408 for a runtime (id `id`) whose status is not ready.
fn runtime_not_ready(runtime: &RuntimeFacts, id: &str, item: &Item) -> Option<Finding> {
    let not_ready = judge::runtime_readiness(runtime)?;
    Some(Finding {
        violation: at(
            Violation::new(&RG408, format!("runtime {id} is {}", not_ready.describe())),
            item,
            RUNTIME_ARN,
        ),
        transitional: not_ready.transitional,
    })
}

/// The finding for the endpoint `qualifier` of runtime `id`, from its lookup, pointed at `on`:
/// RG408 when it is missing or not ready, RG409 or RG410 when the call was not answered.
fn endpoint_finding(
    endpoint: Option<&Lookup<EndpointFacts>>,
    id: &str,
    qualifier: &str,
    role: Option<&str>,
    item: &Item,
    on: &str,
) -> Option<Finding> {
    match endpoint? {
        Lookup::Found(e) => {
            let not_ready = judge::endpoint_readiness(e)?;
            Some(Finding {
                violation: at(
                    Violation::new(
                        &RG408,
                        format!(
                            "endpoint {qualifier} of runtime {id} is {}",
                            not_ready.describe()
                        ),
                    ),
                    item,
                    on,
                ),
                transitional: not_ready.transitional,
            })
        }
        Lookup::NotFound(_) => Some(finding(at(
            Violation::new(
                &RG408,
                format!("endpoint {qualifier} of runtime {id} does not exist"),
            ),
            item,
            on,
        ))),
        Lookup::Failed(f) => Some(unverified(f, "runtime endpoint", role, item, on)),
    }
}

/// Adds the findings of every planned item to the report (through the linter: selection,
/// severities, exceptions) and counts the unverified items. With `fixing`, findings of file
/// items whose fix the run may apply are returned instead, to be written by
/// [`write_remote_fixes`].
pub fn report_findings(
    plan: &Plan,
    facts: &Facts,
    linter: &Linter,
    report: &mut Report,
    fixing: bool,
) -> Vec<(usize, Diagnostic)> {
    let mut to_fix = Vec::new();
    for (i, (item, place)) in plan.items.iter().zip(&facts.places).enumerate() {
        let mut unverifiable = false;
        for f in findings(item, place, facts) {
            let code = f.violation.code;
            if !linter.is_enabled(code) {
                continue;
            }
            let Some(mut d) = linter.diagnostic(f.violation, &item.origin) else {
                continue;
            };
            if f.transitional {
                d.severity = d.severity.min(Severity::Warning);
            }
            unverifiable |= code == RG409.code || code == RG410.code;
            let applicable = d
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Safe || linter.unsafe_fixes);
            if fixing && applicable && item.origin.chunk.is_some() {
                to_fix.push((i, d));
            } else {
                report.push(d);
            }
        }
        if unverifiable {
            report.count_unverifiable();
        }
    }
    to_fix
}

/// `--fix --verify`: writes the fixes of remote findings (RG403: register the agent under the
/// account that has it) into their files through the engine, each file read again (the offline
/// fixes may have rewritten it) and replaced only when unchanged. A finding whose fix is not
/// written is reported.
pub fn write_remote_fixes(
    plan: &Plan,
    fixes: Vec<(usize, Diagnostic)>,
    linter: &Linter,
    format: crate::source::InputFormat,
    report: &mut Report,
) -> Result<(), RunError> {
    let mut by_file: BTreeMap<(usize, String), Vec<(usize, Diagnostic)>> = BTreeMap::new();
    for (i, d) in fixes {
        let origin = &plan.items[i].origin;
        by_file
            .entry((origin.source, origin.label.clone()))
            .or_default()
            .push((origin.index, d));
    }
    for ((source, path), fixes) in by_file {
        let spec = crate::source::SourceSpec::Path(path.into());
        let mut store = FileStore::in_memory(linter, source, &spec, format, true)?;
        let mut planner = GivenFixes::default();
        for (index, d) in &fixes {
            if let Some(fix) = &d.fix {
                planner
                    .by_index
                    .entry(*index)
                    .or_default()
                    .push(fix.clone());
            }
        }
        let mut written = std::collections::HashSet::new();
        drive(&mut store, &planner, Mode::Fix, report, &mut |s, _| {
            if matches!(s.outcome, Some(Outcome::Written)) {
                written.insert(s.read.origin.index);
            }
        })?;
        for (index, d) in fixes {
            if !written.contains(&index) {
                report.push(d);
            }
        }
    }
    Ok(())
}

/// Whether any remote rule is selected.
pub fn any_remote_rule(linter: &Linter) -> bool {
    let remote: [&Rule; 10] = [
        &RG401, &RG402, &RG403, &RG404, &RG405, &RG406, &RG407, &RG408, &RG409, &RG410,
    ];
    remote.iter().any(|r| linter.is_enabled(r.code))
}

/// The `--verify` and `doctor` options: the command line over the config file (`--region`
/// over `[verify] region`), every role ARN, session name and ExternalId checked.
pub fn resolve_options(
    args: &crate::cli::VerifyArgs,
    region: Option<&str>,
    config: &crate::config::VerifyConfig,
    config_local_account: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<VerifyOptions, String> {
    let from_env = |name: &Option<String>| name.as_deref().and_then(&env).filter(|v| !v.is_empty());
    let external_id = args
        .external_id
        .clone()
        .filter(|v| !v.is_empty())
        .or_else(|| from_env(&config.external_id_env));
    let mut accounts = BTreeMap::new();
    for (id, acct) in &config.accounts {
        if !is_account_id(id) {
            return Err(format!(
                "[verify.accounts.{id:?}]: not a 12-digit account ID"
            ));
        }
        accounts.insert(
            id.clone(),
            AccountOptions {
                role_arn: acct.role_arn.clone(),
                region: acct.region.clone(),
                external_id: from_env(&acct.external_id_env),
            },
        );
    }
    let options = VerifyOptions {
        role_template: args.role_arn.clone().or_else(|| config.role_arn.clone()),
        accounts,
        external_id,
        session_name: config
            .session_name
            .clone()
            .unwrap_or_else(|| crate::aws::sessions::DEFAULT_SESSION_NAME.to_string()),
        local_account: args
            .local_account
            .clone()
            .or_else(|| config_local_account.map(str::to_string)),
        region: region.map(str::to_string).or_else(|| config.region.clone()),
        concurrency: config
            .concurrency
            .unwrap_or(crate::aws::sessions::DEFAULT_CONCURRENCY),
    };
    options.validate()?;
    Ok(options)
}

/// `check --verify`: verifies the planned items and adds the findings and the AWS call counts
/// to the report. Only a failure of the base credentials stops the run (exit 2).
pub fn run(
    plan: &Plan,
    aws: &AwsSettings,
    options: VerifyOptions,
    linter: &Linter,
    report: &mut Report,
    quiet: bool,
    fixing: Option<crate::source::InputFormat>,
) -> Result<(), RunError> {
    use crate::aws::sessions::{bearer_token_set, CallCounter, BEARER_TOKEN_VARIABLE};

    if plan.is_empty() || !any_remote_rule(linter) {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Aws(format!("cannot start the async runtime: {e}")))?;
    let counter = Arc::new(CallCounter::default());
    let facts = runtime.block_on(async {
        let base = crate::aws::config::sdk_config(aws).await;
        let sessions = Sessions::start(base, options, counter.clone())
            .await
            .map_err(RunError::Aws)?;
        let progress = if quiet {
            indicatif::ProgressBar::hidden()
        } else {
            let style = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            indicatif::ProgressBar::new(0)
                .with_style(style)
                .with_message("verifying")
        };
        Ok::<_, RunError>(gather(plan, &sessions, &progress).await)
    })?;
    let to_fix = report_findings(plan, &facts, linter, report, fixing.is_some());
    if let Some(format) = fixing {
        write_remote_fixes(plan, to_fix, linter, format, report)?;
    }
    report.add_aws_calls(counter.snapshot());
    if bearer_token_set() {
        report.note(format!(
            "{BEARER_TOKEN_VARIABLE} is set; the control-plane calls were signed with SigV4 by each account's session and the token was not used"
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod options_tests {
    use super::*;
    use crate::cli::VerifyArgs;
    use crate::config::VerifyConfig;

    fn options(role: Option<&str>) -> VerifyOptions {
        let args = VerifyArgs {
            role_arn: role.map(str::to_string),
            ..VerifyArgs::default()
        };
        let mut config = VerifyConfig::default();
        config.accounts.insert(
            "152864141302".into(),
            crate::config::AccountConfig {
                role_arn: Some("arn:aws:iam::152864141302:role/Special".into()),
                region: Some("eu-west-1".into()),
                external_id_env: Some("SPECIAL_EXT".into()),
            },
        );
        config.external_id_env = Some("GLOBAL_EXT".into());
        resolve_options(&args, None, &config, None, |name| match name {
            "SPECIAL_EXT" => Some("special-id".into()),
            "GLOBAL_EXT" => Some("global-id".into()),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn role_comes_from_the_override_else_the_template() {
        let o = options(Some("arn:aws:iam::{account_id}:role/RegistryVerifier"));
        assert_eq!(
            o.role_for("152864141302").as_deref(),
            Some("arn:aws:iam::152864141302:role/Special")
        );
        assert_eq!(
            o.role_for("210987654321").as_deref(),
            Some("arn:aws:iam::210987654321:role/RegistryVerifier")
        );
        assert_eq!(options(None).role_for("210987654321"), None);
        assert_eq!(
            o.external_id_for("152864141302").as_deref(),
            Some("special-id")
        );
        assert_eq!(
            o.external_id_for("210987654321").as_deref(),
            Some("global-id")
        );
        assert_eq!(o.region_for("152864141302", None, "us-east-1"), "eu-west-1");
        assert_eq!(
            o.region_for("152864141302", Some("us-west-2"), "us-east-1"),
            "us-west-2"
        );
        assert_eq!(o.region_for("210987654321", None, "us-east-1"), "us-east-1");
        assert_eq!(o.session_name, "reglint");
        assert_eq!(o.concurrency, 8);
    }

    #[test]
    fn the_command_line_region_wins_over_the_config() {
        let config = VerifyConfig {
            region: Some("eu-west-1".into()),
            ..VerifyConfig::default()
        };
        let args = VerifyArgs::default();
        let o = resolve_options(&args, Some("us-west-2"), &config, None, |_| None).unwrap();
        assert_eq!(o.region.as_deref(), Some("us-west-2"));
        let o = resolve_options(&args, None, &config, None, |_| None).unwrap();
        assert_eq!(o.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn bad_templates_and_session_names_are_refused() {
        let args = VerifyArgs {
            role_arn: Some("arn:aws:iam::{account_id}:user/Bob".into()),
            ..VerifyArgs::default()
        };
        let err =
            resolve_options(&args, None, &VerifyConfig::default(), None, |_| None).unwrap_err();
        assert!(err.contains("is not an IAM role ARN"), "{err}");
        let config = VerifyConfig {
            session_name: Some("x".into()),
            ..VerifyConfig::default()
        };
        let err =
            resolve_options(&VerifyArgs::default(), None, &config, None, |_| None).unwrap_err();
        assert!(err.contains("session name"), "{err}");
        let args = VerifyArgs {
            external_id: Some("has space".into()),
            ..VerifyArgs::default()
        };
        let err =
            resolve_options(&args, None, &VerifyConfig::default(), None, |_| None).unwrap_err();
        assert!(
            !err.contains("has space"),
            "the ExternalId must not be printed: {err}"
        );
    }
}
