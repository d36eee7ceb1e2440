//! The commands: each builds its pieces from the options, calls the engine or the layer that
//! does the work, and hands the result to a renderer.

pub mod baseline;
pub mod check;
pub mod diff;

#[cfg(feature = "aws")]
use crate::cli::{AwsArgs, VerifyArgs};
use crate::cli::{IamPolicyArgs, RuleArgs, UndoArgs};
#[cfg(feature = "aws")]
use crate::config::Config;
use crate::error::RunError;
#[cfg(feature = "aws")]
use crate::lint::Linter;
use crate::report;

/// The `--verify` and `doctor` options: the command line over the config file (`--region`
/// over `[verify] region`), every role ARN, session name and ExternalId checked.
#[cfg(feature = "aws")]
pub fn verify_options(
    args: &VerifyArgs,
    aws: &AwsArgs,
    config: &Config,
    linter: &Linter,
) -> Result<crate::aws::sessions::VerifyOptions, RunError> {
    let local = linter.settings.local_account.as_deref();
    crate::verify::resolve_options(
        args,
        aws.region.as_deref(),
        &config.file.verify,
        local,
        |name| std::env::var(name).ok(),
    )
    .map_err(RunError::Usage)
}

/// `reglint undo`.
#[cfg(feature = "aws")]
pub fn undo(args: &UndoArgs, quiet: bool) -> Result<u8, RunError> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let (report, error) = match crate::undo::run_undo(args) {
        Ok(report) => (report, None),
        Err(crate::undo::Stopped { report, error }) => (report, Some(error)),
    };
    crate::undo::render_undo(&report, quiet, &mut lock)
        .and_then(|()| std::io::Write::flush(&mut lock))
        .map_err(RunError::stdout)?;
    match error {
        Some(e) => Err(e),
        None => Ok(report.exit_code()),
    }
}

/// `reglint undo` needs the table the journal names.
#[cfg(not(feature = "aws"))]
pub fn undo(_: &UndoArgs, _: bool) -> Result<u8, RunError> {
    Err(crate::offline::NoAws::new("reglint undo").into())
}

/// `reglint rule`.
pub fn rule(args: &RuleArgs) -> Result<u8, RunError> {
    let rules: Vec<_> = match (&args.code, args.all) {
        (Some(code), _) => vec![crate::rules::rule(code).ok_or_else(|| {
            RunError::Usage(format!("no rule {code:?}; `reglint rule --all` lists them"))
        })?],
        (None, true) => crate::rules::RULES.to_vec(),
        (None, false) => {
            return Err(RunError::Usage(
                "name a rule (`reglint rule RG101`) or use --all".into(),
            ))
        }
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    report::render_rules(&rules, args.format, &mut lock).map_err(RunError::stdout)?;
    Ok(0)
}

/// `reglint iam-policy`.
pub fn iam_policy(args: &IamPolicyArgs) -> Result<u8, RunError> {
    let config = crate::config::load_nearest(args.config.as_ref())?;
    let verify = &config.file.verify;
    let mut role_arns: Vec<String> = args
        .role_arn
        .clone()
        .or_else(|| verify.role_arn.clone())
        .into_iter()
        .collect();
    role_arns.extend(verify.accounts.values().filter_map(|a| a.role_arn.clone()));
    if role_arns.is_empty() {
        role_arns.push("arn:aws:iam::{account_id}:role/RegistryVerifier".into());
    }
    let local = config
        .file
        .registry
        .local_account_id
        .as_ref()
        .map(|s| s.get_ref().clone());
    let account = match (args.account.as_str(), local) {
        ("*", Some(local)) => local,
        (a, _) => a.to_string(),
    };
    if args.mode == crate::iam::PolicyMode::Target && account == "*" {
        return Err(RunError::Usage(
            "the target role's trust policy must name the hub's account: pass --account ID, or set [registry] local_account_id in reglint.toml (a principal of every account is refused by IAM, and `*` would let anyone assume the role)".into(),
        ));
    }
    let external_id = verify.external_id_env.is_some()
        || verify
            .accounts
            .values()
            .any(|a| a.external_id_env.is_some())
        || std::env::var_os("REGLINT_EXTERNAL_ID").is_some_and(|v| !v.is_empty());
    let inputs = crate::iam::PolicyInputs {
        table: args.table.clone(),
        region: args.region.clone(),
        account,
        role_arns,
        external_id,
    };
    let doc = crate::iam::policies(args.mode, &inputs);
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    report::render_json_value(&doc, &mut lock).map_err(RunError::stdout)?;
    Ok(0)
}

/// Writes a file whole or not at all: into a temporary file beside it, renamed over it at the
/// end (a reader such as node_exporter's textfile collector never sees half a report).
pub fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut tmp = temp_beside(path)?;
    write(tmp.as_file_mut())?;
    commit_atomically(tmp, path)
}

/// A temporary file in `path`'s folder, to become `path` by [`commit_atomically`].
pub fn temp_beside(path: &std::path::Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".reglint-").suffix(".tmp");
    #[cfg(unix)]
    {
        // A new file gets 0666 less the umask, as `std::fs::write` gives it (a temporary file
        // alone is 0600, unreadable to a collector running as another user).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Makes the temporary file `path`, flushed to disk; a file it replaces keeps its mode.
pub fn commit_atomically(
    tmp: tempfile::NamedTempFile,
    path: &std::path::Path,
) -> std::io::Result<()> {
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    if let Some(p) = existing {
        // A file that is replaced keeps its mode.
        tmp.as_file().set_permissions(p)?;
    }
    tmp.as_file().sync_data()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `reglint history FILE`: exit 0, or 2 when the file cannot be read or the report written.
pub fn history(args: &crate::cli::HistoryArgs) -> u8 {
    let history = match crate::report::runs::read(&args.file) {
        Ok(h) => h,
        Err(e) => {
            report::print_error(&e);
            return 2;
        }
    };
    let render = |out: &mut dyn std::io::Write| report::history::render(&history, args.format, out);
    let result = match &args.output {
        Some(path) => write_atomically(path, render),
        None => render(&mut std::io::stdout().lock()),
    };
    match result {
        Ok(()) => 0,
        Err(source) => {
            let path = args
                .output
                .as_ref()
                .map_or_else(|| "stdout".into(), |p| p.display().to_string());
            report::print_error(&RunError::Write { path, source });
            2
        }
    }
}
