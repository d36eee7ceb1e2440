//! The command line (spec §1).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod migrate;

use crate::report::OutputFormat;
use crate::source::InputFormat;

#[derive(Debug, Parser)]
#[command(
    name = "reglint",
    version,
    about = "Lint, verify and repair an AI-agent registry kept in DynamoDB",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Debug logging on stderr (-vv: trace); also REGLINT_LOG=debug|trace.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only the report: no progress or summary lines.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint registry sources; with --fix, repair them.
    Check(CheckArgs),
    /// Explain a rule, or list them all.
    Rule(RuleArgs),
    /// Put back what a --fix run on a table changed, from its journal.
    Undo(UndoArgs),
    /// Run the cross-account checklist for one entry, step by step.
    Doctor(DoctorArgs),
    /// Print the least-privilege IAM policies reglint needs.
    IamPolicy(IamPolicyArgs),
    /// Print the registry schema items are held to: built-in and declared attributes.
    Schema(SchemaArgs),
    /// Show the trend of past audits recorded with `check --history FILE`.
    History(HistoryArgs),
    /// Write a reglint.toml for an existing registry (never overwrites one).
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff), of reglint or of one of its commands.
    Man(ManArgs),
    /// Print the JSON Schema of reglint.toml, for editors.
    ConfigSchema,
    /// Record or prune accepted findings, so that only new ones fail `check --baseline`.
    Baseline(BaselineArgs),
    /// What differs between two registries (files, exports, tables).
    Diff(DiffArgs),
    /// Versioned, declarative data migrations of registry files.
    Migrate(migrate::MigrateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SchemaArgs {
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
    /// Configuration file (default: the nearest reglint.toml upward).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// The history file `check --history` appends to.
    pub file: PathBuf,
    #[arg(long, value_enum, default_value_t = crate::report::history::HistoryFormat::Text)]
    pub format: crate::report::history::HistoryFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The registry: a file, a directory, `-` for stdin, or dynamodb://TABLE.
    pub source: Option<String>,
    /// How to read item values (default: detected).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// The account the hub runs in (default: the credentials' account, when there are any).
    #[arg(long, value_name = "ID")]
    pub local_account: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// A command whose own page to print (`reglint man check` is reglint-check(1)).
    pub command: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct IamPolicyArgs {
    /// What the policy is for.
    #[arg(long, value_enum, default_value_t = crate::iam::PolicyMode::Check)]
    pub mode: crate::iam::PolicyMode,
    /// The registry table (default: any table).
    #[arg(long, default_value = "*")]
    pub table: String,
    /// The table's region (default: any region).
    #[arg(long, default_value = "*")]
    pub region: String,
    /// The hub's account ID (default: any account).
    #[arg(long, default_value = "*")]
    pub account: String,
    /// Role to assume in each account; `{account_id}` is substituted (default: the config's).
    #[arg(long, value_name = "TEMPLATE")]
    pub role_arn: Option<String>,
    /// Configuration file (default: the nearest reglint.toml upward).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<crate::diagnostic::Severity> {
        use crate::diagnostic::Severity;
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// Options shared by every command that talks to AWS.
#[derive(Debug, Clone, Default, Args)]
pub struct AwsArgs {
    /// AWS profile, as in the AWS CLI.
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region, as in the AWS CLI.
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (a local DynamoDB or test server).
    #[arg(long)]
    pub endpoint_url: Option<String>,
}

impl AwsArgs {
    /// The settings the AWS layer takes.
    pub fn settings(&self) -> crate::aws::config::AwsSettings {
        crate::aws::config::AwsSettings {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

/// Options of `--verify` and `doctor`.
#[derive(Debug, Clone, Default, Args)]
pub struct VerifyArgs {
    /// Role to assume in each account; `{account_id}` is substituted.
    #[arg(long, value_name = "TEMPLATE")]
    pub role_arn: Option<String>,
    /// ExternalId for AssumeRole.
    #[arg(long, env = "REGLINT_EXTERNAL_ID", hide_env_values = true)]
    pub external_id: Option<String>,
    /// The account the hub runs in (default: the base credentials' account).
    #[arg(long, value_name = "ID")]
    pub local_account: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files, directories, `-` for stdin, or dynamodb://TABLE. Default: `sources` in the config.
    pub sources: Vec<String>,
    /// The live table to read (same as dynamodb://TABLE).
    #[arg(long)]
    pub table: Option<String>,
    /// Rules to enable: comma-separated codes or prefixes, or ALL (replaces the config's select).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Rules to enable on top of the selection.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Apply safe fixes (files are rewritten in place; tables get conditional writes).
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print what --fix would change and write nothing; exit 1 if anything would change.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// Confirm every agent, alias and runtime exists and is ready in its account.
    #[arg(long)]
    pub verify: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the run fail (exit 1).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Counts per rule instead of each finding.
    #[arg(long)]
    pub statistics: bool,
    /// Configuration file (default: the nearest reglint.toml upward).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How to read item values (default: detected).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Parallel scan with N segments.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000000))]
    pub segments: Option<u32>,
    /// Strongly consistent scan.
    #[arg(long)]
    pub consistent_read: bool,
    /// Where --fix on a table records before and after images.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Append one JSON line for this run to FILE (`reglint history FILE` shows the trend).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Findings in this baseline (`reglint baseline write`) do not fail the run.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also show the findings the baseline accepts (text, concise, github, junit).
    #[arg(long, requires = "baseline")]
    pub show_baselined: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub verify_args: VerifyArgs,
}

#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// The rule's code (RG101).
    pub code: Option<String>,
    /// Every rule.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

pub use crate::report::RuleFormat;

#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// The journal a --fix run wrote.
    pub journal: PathBuf,
    /// Show what would be restored; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// A registry file or dynamodb://TABLE holding the entry.
    #[arg(long)]
    pub source: Option<String>,
    /// The entry's key, as attribute=value (repeatable).
    #[arg(long, value_name = "ATTR=VALUE")]
    pub key: Vec<String>,
    /// The account hosting the agent.
    #[arg(long)]
    pub account: Option<String>,
    #[arg(long)]
    pub agent_id: Option<String>,
    #[arg(long)]
    pub alias_id: Option<String>,
    #[arg(long)]
    pub runtime_arn: Option<String>,
    /// AgentCore endpoint name.
    #[arg(long)]
    pub qualifier: Option<String>,
    /// After every control-plane step passed, invoke the agent once with TEXT (default
    /// "Hello") through the account's session: InvokeAgent, or InvokeAgentRuntime for an
    /// AgentCore entry. It costs a model call, and the agent may act on the text.
    #[arg(long, value_name = "TEXT", num_args = 0..=1, default_missing_value = "Hello")]
    pub invoke: Option<String>,
    /// Seconds --invoke waits for the whole answer.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = positive_seconds)]
    pub invoke_timeout: std::time::Duration,
    /// Bytes of the answer --invoke reads at most.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20,
          value_parser = clap::value_parser!(u64).range(1..=1 << 30))]
    pub invoke_max_bytes: u64,
    /// Report format: the checklist as text, or one JSON document (every step with its status,
    /// detail and duration).
    #[arg(long, value_enum, default_value_t = DoctorFormat::Text)]
    pub format: DoctorFormat,
    /// Configuration file (default: the nearest reglint.toml upward).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub verify_args: VerifyArgs,
}

/// `reglint doctor --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    Text,
    Json,
}

/// A positive number of seconds.
fn positive_seconds(s: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!("{s} s: give more than 0 and at most 86400 seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[derive(Debug, Clone, Args)]
pub struct BaselineArgs {
    #[command(subcommand)]
    pub command: BaselineCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum BaselineCommand {
    /// Record today's findings; on an existing baseline, only remove entries (unless
    /// --accept-new --reason).
    Write(WriteArgs),
    /// Drop the entries that match no finding any more.
    Prune(PruneArgs),
}

#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// Files, directories, `-` for stdin, or dynamodb://TABLE. Default: `sources` in the config.
    pub sources: Vec<String>,
    /// Where to write the baseline.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = "reglint-baseline.json"
    )]
    pub output: PathBuf,
    /// Add the findings the existing baseline does not have (needs --reason).
    #[arg(long, requires = "reason")]
    pub accept_new: bool,
    /// Why the new findings are accepted; recorded with the date in each new entry.
    #[arg(long, value_name = "TEXT", requires = "accept_new")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PruneArgs {
    /// Files, directories, `-` for stdin, or dynamodb://TABLE. Default: `sources` in the config.
    pub sources: Vec<String>,
    /// The baseline to prune (rewritten in place).
    #[arg(long, value_name = "FILE", default_value = "reglint-baseline.json")]
    pub baseline: PathBuf,
    #[command(flatten)]
    pub lint: LintArgs,
}

/// The options of `check` that decide which findings a run has.
#[derive(Debug, Clone, Default, Args)]
pub struct LintArgs {
    /// The live table to read (same as dynamodb://TABLE).
    #[arg(long)]
    pub table: Option<String>,
    /// Rules to enable (replaces the config's select).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Rules to enable on top of the selection.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Configuration file (default: the nearest reglint.toml upward).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How to read item values (default: detected).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Parallel scan with N segments.
    #[arg(long, value_name = "N")]
    pub segments: Option<u32>,
    /// Strongly consistent scan.
    #[arg(long)]
    pub consistent_read: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The first registry: a file, a directory, an export, or dynamodb://TABLE?profile=…&region=…
    pub a: String,
    /// The second registry (may be `-` for stdin).
    pub b: String,
    /// Attributes to leave out of the comparison (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub ignore_attributes: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Configuration file (default: the nearest reglint.toml upward); gives the key of files.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// How to read item values (default: detected).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Parallel scan of a table with N segments.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000000))]
    pub segments: Option<u32>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}
