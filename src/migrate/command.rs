//! The `reglint migrate` subcommands: thin — read the options, the config and the migrations,
//! call the planner, hand the result to the renderer.

use std::path::{Path, PathBuf};

use super::error::MigrateError;
use super::file::{load_dir, Migration};
use super::plan::{self, Budget, MigrationPlan};
use super::sum;
pub use crate::cli::migrate::{MigrateArgs, MigrateCommand, PlanFormat, TargetArgs};
use crate::config::Config;
use crate::lint::Linter;
use crate::model::Item;
use crate::report::migrate as render;
use crate::source::{FileReader, SourceSpec};

/// Runs a migrate subcommand; errors are printed here and exit 2.
pub fn run(args: &MigrateArgs, quiet: bool) -> u8 {
    let result = match &args.command {
        MigrateCommand::New { name } => run_new(args, name, quiet),
        MigrateCommand::Hash => run_hash(args, quiet),
        MigrateCommand::Lint(t) => run_lint(args, t),
        MigrateCommand::Plan(t) => run_plan(args, t),
        MigrateCommand::Status(s) => run_status(args, s),
        MigrateCommand::Stamp(s) => run_stamp(args, s, quiet),
        MigrateCommand::Apply(a) => run_apply(args, a),
        MigrateCommand::Undo(u) => run_undo(args, u, quiet),
    };
    result.unwrap_or_else(|e| {
        crate::report::print_error(&e);
        match e {
            MigrateError::IntroducesErrors { .. } => 1,
            _ => 2,
        }
    })
}

/// The config, the migrations folder and the migrations in it.
pub struct Project {
    pub config: Config,
    pub dir: PathBuf,
}

impl Project {
    pub fn load(args: &MigrateArgs) -> Result<Project, MigrateError> {
        let config = crate::config::load_nearest(args.config.as_ref())
            .map_err(crate::error::RunError::from)?;
        let dir =
            base_dir(&config).join(config.file.migrate.dir.as_deref().unwrap_or("migrations"));
        Ok(Project { config, dir })
    }

    pub fn migrations(&self) -> Result<Vec<Migration>, MigrateError> {
        load_dir(&self.dir, &self.config.schema)
    }

    /// The linter of the project's config.
    pub fn linter(&self) -> Result<Linter, MigrateError> {
        linter(&self.config)
    }

    /// The targets: the arguments, else `[migrate] targets`, else `sources` (with
    /// `config_sources`, only the latter: `migrate lint` simulates over the seed files).
    /// Relative paths from the config are taken from the config's folder.
    pub fn targets(
        &self,
        given: &[String],
        config_sources: bool,
    ) -> Result<Vec<(String, SourceSpec)>, MigrateError> {
        let file = &self.config.file;
        let names: Vec<(String, bool)> = if !given.is_empty() {
            given.iter().map(|s| (s.clone(), false)).collect()
        } else if !config_sources && !file.migrate.targets.is_empty() {
            file.migrate
                .targets
                .iter()
                .map(|s| (s.clone(), true))
                .collect()
        } else {
            file.sources.iter().map(|s| (s.clone(), true)).collect()
        };
        if names.is_empty() && !config_sources {
            return Err(MigrateError::Usage(
                "nothing to plan: name a TARGET, or set `[migrate] targets` or `sources` in reglint.toml".into(),
            ));
        }
        #[cfg(not(feature = "aws"))]
        if let Some((name, _)) = names
            .iter()
            .find(|(n, _)| matches!(SourceSpec::parse(n), SourceSpec::Table(_)))
        {
            return Err(crate::error::RunError::from(crate::offline::NoAws::new(name)).into());
        }
        let base = base_dir(&self.config);
        Ok(names
            .into_iter()
            .map(|(name, from_config)| {
                let spec = match SourceSpec::parse(&name) {
                    SourceSpec::Path(p) if from_config && p.is_relative() => {
                        SourceSpec::Path(base.join(p))
                    }
                    other => other,
                };
                (name, spec)
            })
            .collect())
    }
}

fn base_dir(config: &Config) -> PathBuf {
    config
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or_default()
}

const TEMPLATE: &str = "description = \"\"\n\n# Every op is a precondition plus a transform; see docs/migrations.md.\n[[op]]\nkind = \"set\"\nattribute = \"protocol\"\nvalue = { S = \"bedrock\" }\n";

fn run_new(args: &MigrateArgs, name: &str, quiet: bool) -> Result<u8, MigrateError> {
    let project = Project::load(args)?;
    let mut migrations = project.migrations()?;
    let next = migrations.last().map_or(1, |m| m.version + 1);
    let file_name = format!("{next:04}_{name}.toml");
    let path = project.dir.join(&file_name);
    if super::file::parse_file_name(&file_name).is_none() {
        return Err(MigrateError::BadName {
            path: path.display().to_string(),
        });
    }
    std::fs::create_dir_all(&project.dir).map_err(|e| MigrateError::io(&project.dir, e))?;
    std::fs::write(&path, TEMPLATE).map_err(|e| MigrateError::io(&path, e))?;
    migrations.push(super::file::load_file(&path, &project.config.schema)?);
    sum::write(&project.dir, &migrations)?;
    say(quiet, &format!("wrote {}", path.display()))
}

fn run_hash(args: &MigrateArgs, quiet: bool) -> Result<u8, MigrateError> {
    let project = Project::load(args)?;
    let migrations = project.migrations()?;
    sum::write(&project.dir, &migrations)?;
    let path = project.dir.join(sum::SUM_FILE);
    say(
        quiet,
        &format!("wrote {} ({} migrations)", path.display(), migrations.len()),
    )
}

fn say(quiet: bool, line: &str) -> Result<u8, MigrateError> {
    if !quiet {
        render::line(line, &mut std::io::stdout().lock())
            .map_err(|e| MigrateError::io(Path::new("stdout"), e))?;
    }
    Ok(0)
}

/// A target and the plan of every migration over it.
pub struct TargetPlan {
    pub target: String,
    pub migrations: Vec<MigrationPlan>,
}

fn run_lint(args: &MigrateArgs, t: &TargetArgs) -> Result<u8, MigrateError> {
    let project = Project::load(args)?;
    let migrations = project.migrations()?;
    let mut problems = sum::problems(&migrations, &sum::read(&project.dir)?);
    let (tables, files): (Vec<String>, Vec<String>) = t
        .targets
        .iter()
        .cloned()
        .partition(|s| matches!(SourceSpec::parse(s), SourceSpec::Table(_)));
    if !tables.is_empty() {
        problems.extend(ledger_problems(&project, &migrations, tables, &t.ledger)?);
    }
    let file_args = TargetArgs {
        targets: files,
        ..t.clone()
    };
    let only_tables = file_args.targets.is_empty() && !t.targets.is_empty();
    let targets = if only_tables {
        Vec::new()
    } else {
        plan_targets(&project, &migrations, &file_args, true)?
    };
    for target in &targets {
        for m in &target.migrations {
            if !m.introduced_errors.is_empty() {
                problems.push(format!(
                    "{:04}_{}.toml: on {} it would introduce errors: {}",
                    m.version,
                    m.name,
                    target.target,
                    m.introduced_errors.join(", ")
                ));
            }
        }
    }
    render::lint(&problems, migrations.len(), &mut std::io::stdout().lock())
        .map_err(|e| MigrateError::io(Path::new("stdout"), e))?;
    Ok(u8::from(!problems.is_empty()))
}

fn run_plan(args: &MigrateArgs, t: &TargetArgs) -> Result<u8, MigrateError> {
    let project = Project::load(args)?;
    let migrations = project.migrations()?;
    let targets = plan_targets(&project, &migrations, t, false)?;
    let doc = document(&targets);
    let mut out = std::io::stdout().lock();
    match t.format {
        PlanFormat::Json => render::json(&doc, &mut out),
        PlanFormat::Text => render::plan_text(&doc, &mut out),
    }
    .map_err(|e| MigrateError::io(Path::new("stdout"), e))?;
    let introduces = targets
        .iter()
        .flat_map(|t| &t.migrations)
        .any(|m| !m.introduced_errors.is_empty());
    Ok(u8::from(introduces))
}

/// Plans every target (see [`Project::targets`]).
fn plan_targets(
    project: &Project,
    migrations: &[Migration],
    t: &TargetArgs,
    config_sources: bool,
) -> Result<Vec<TargetPlan>, MigrateError> {
    let file = &project.config.file;
    let linter = linter(&project.config)?;
    let budget = Budget {
        max_rcu: t.max_rcu.or(file.migrate.max_rcu),
        max_wcu: t.max_wcu.or(file.migrate.max_wcu),
    };
    let checksums = sum::checksums(migrations);
    let mut out = Vec::new();
    for (name, spec) in project.targets(&t.targets, config_sources)? {
        let (target, items) = read_items(&project.config, &name, &spec, &t.ledger)?;
        out.push(TargetPlan {
            target,
            migrations: plan::plan(migrations, &checksums, items, &linter, budget),
        });
    }
    Ok(out)
}

/// A target's name (a file's path, a table's ARN) and its items, read through its store.
fn read_items(
    config: &Config,
    name: &str,
    spec: &SourceSpec,
    #[cfg_attr(not(feature = "aws"), allow(unused_variables))]
    ledger: &super::ledger_command::LedgerArgs,
) -> Result<(String, Vec<Item>), MigrateError> {
    let mut items = Vec::new();
    #[cfg(not(feature = "aws"))]
    if let SourceSpec::Table(_) = spec {
        return Err(crate::error::RunError::from(crate::offline::NoAws::new(name)).into());
    }
    #[cfg(feature = "aws")]
    if let SourceSpec::Table(t) = spec {
        let uri = crate::source::uri::TableUri::parse(t)
            .map_err(|e| MigrateError::Usage(format!("{name}: {}", e.message)))?;
        let options = crate::store::TableOptions {
            quiet: true,
            ..Default::default()
        };
        let settings = uri.aws_args(&ledger.aws.settings());
        let mut store = crate::store::TableSource::open(&settings, &uri.table, 0, options)?;
        crate::engine::Store::read(&mut store, &mut |r| items.push(r.item))?;
        let (arn, account, region) = store.info();
        return Ok((format!("{arn} (account {account}, region {region})"), items));
    }
    let reader = FileReader {
        format: config.file.registry.input_format.unwrap_or_default(),
    };
    reader
        .read(spec, &mut |si| items.push(si.item))
        .map_err(crate::error::RunError::from)?;
    Ok((spec.display(), items))
}

/// The linter the project's config describes (its select, extend_select and ignore).
fn linter(config: &Config) -> Result<Linter, MigrateError> {
    let rules = &config.file.rules;
    let codes =
        |v: &[toml::Spanned<String>]| v.iter().map(|s| s.get_ref().clone()).collect::<Vec<_>>();
    let selection = crate::select::Selection::new(
        rules.select.as_deref().map(codes),
        codes(&rules.extend_select),
        codes(&rules.ignore),
    );
    Ok(Linter::new(config, &selection, false))
}

/// The `reglint-migrate/1` document (spec §8.4).
pub fn document(targets: &[TargetPlan]) -> serde_json::Value {
    use serde_json::json;
    json!({
        "schema": "reglint-migrate/1",
        "targets": targets.iter().map(|t| json!({
            "target": t.target,
            "migrations": t.migrations.iter().map(plan_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// One migration's plan in the `reglint-migrate/1` document.
fn plan_json(m: &MigrationPlan) -> serde_json::Value {
    use serde_json::json;
    json!({
            "version": m.version,
            "name": m.name,
            "checksum": m.checksum,
            "state": m.state(),
            "ops": m.ops.iter().map(|o| json!({
                "kind": o.kind,
                "attribute": o.attribute,
                "matches": o.matches,
                "samples": o.samples.iter().map(|(b, a)| json!({"before": b, "after": a})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "items": m.items,
            "items_to_write": m.items_to_write,
            "written": 0,
            "unchanged": 0,
            "conflicts": 0,
            "lint": {"fixed": m.fixed, "introduced": m.introduced, "introduced_errors": m.introduced_errors},
            "estimate": {"rcu": m.estimate.rcu, "wcu": m.estimate.wcu, "seconds": m.estimate.seconds},
    })
}

fn run_apply(args: &MigrateArgs, a: &super::apply::ApplyArgs) -> Result<u8, MigrateError> {
    let project = Project::load(args)?;
    let (runs, code) = super::apply::run(&project, a)?;
    let doc = document_applied(&runs);
    let mut out = std::io::stdout().lock();
    match a.format {
        PlanFormat::Json => render::json(&doc, &mut out),
        PlanFormat::Text => render::apply_text(&doc, &mut out),
    }
    .map_err(|e| MigrateError::io(Path::new("stdout"), e))?;
    Ok(code)
}

#[cfg(feature = "aws")]
fn run_undo(
    args: &MigrateArgs,
    u: &super::undo::UndoArgs,
    quiet: bool,
) -> Result<u8, MigrateError> {
    let project = Project::load(args)?;
    let done = super::undo::run(&project, u)?;
    let mut out = std::io::stdout().lock();
    let mut show = || -> std::io::Result<()> {
        render::line(&crate::report::escape_terminal(&done.target), &mut out)?;
        if done.migrations.is_empty() {
            render::line("  nothing to undo", &mut out)?;
        }
        for (version, report) in &done.migrations {
            render::line(&format!("migration {version:04}:"), &mut out)?;
            crate::undo::render_undo(report, quiet, &mut out)?;
        }
        Ok(())
    };
    show().map_err(|e| MigrateError::io(Path::new("stdout"), e))?;
    Ok(done.code)
}

/// `migrate undo` reverts a table from its journals (files have none: git keeps their history).
#[cfg(not(feature = "aws"))]
fn run_undo(
    _: &MigrateArgs,
    _: &crate::cli::migrate::MigrateUndoArgs,
    _: bool,
) -> Result<u8, MigrateError> {
    let no_aws = crate::offline::NoAws::new("reglint migrate undo");
    Err(crate::error::RunError::from(no_aws).into())
}

/// The `reglint-migrate/1` document of `apply`: what each migration did per target.
pub fn document_applied(runs: &[super::apply::TargetRun]) -> serde_json::Value {
    use serde_json::json;
    json!({
        "schema": "reglint-migrate/1",
        "targets": runs.iter().map(|t| json!({
            "target": t.target,
            "migrations": t.migrations.iter().map(applied_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// One migration's outcome: its plan's members (when the run planned it) with what was done.
fn applied_json(m: &super::apply::Applied) -> serde_json::Value {
    let mut doc = m
        .plan
        .as_ref()
        .map(plan_json)
        .unwrap_or_else(|| serde_json::json!({}));
    let outcome = serde_json::json!({
        "version": m.version,
        "name": m.name,
        "checksum": m.checksum,
        "state": m.state,
        "scanned": m.counts.scanned,
        "written": m.counts.written,
        "unchanged": m.counts.unchanged,
        "conflicts": m.counts.conflicts,
        "invalid": m.invalid,
        "journals": m.journals,
        "notes": m.notes,
    });
    if let (Some(doc), Some(outcome)) = (doc.as_object_mut(), outcome.as_object()) {
        doc.extend(outcome.clone());
    }
    doc
}

fn run_status(
    args: &MigrateArgs,
    s: &super::ledger_command::StatusArgs,
) -> Result<u8, MigrateError> {
    let project = Project::load(args)?;
    let migrations = project.migrations()?;
    let ledger = project.config.file.migrate.ledger_table.clone();
    let checksums = sum::checksums(&migrations);
    let (doc, _changed) =
        super::ledger_command::run_status(&migrations, &checksums, s, ledger.as_deref())?;
    let mut out = std::io::stdout().lock();
    match s.format {
        PlanFormat::Json => render::json(&doc, &mut out),
        PlanFormat::Text => render::status_text(&doc, &mut out),
    }
    .map_err(|e| MigrateError::io(Path::new("stdout"), e))?;
    Ok(0)
}

fn run_stamp(
    args: &MigrateArgs,
    s: &super::ledger_command::StampArgs,
    quiet: bool,
) -> Result<u8, MigrateError> {
    let project = Project::load(args)?;
    let migrations = project.migrations()?;
    let ledger = project.config.file.migrate.ledger_table.clone();
    let checksums = sum::checksums(&migrations);
    let n = super::ledger_command::run_stamp(&migrations, &checksums, s, ledger.as_deref())?;
    say(
        quiet,
        &format!("stamped {n} migrations as applied on {}", s.target),
    )
}

/// The `reglint-migrate/1` document of `status`: each migration's state per target.
pub fn document_states(
    targets: &[(String, Vec<super::ledger_command::StateRow>)],
) -> serde_json::Value {
    use serde_json::json;
    json!({
        "schema": "reglint-migrate/1",
        "targets": targets.iter().map(|(target, states)| json!({
            "target": target,
            "migrations": states.iter().map(|(v, name, sum, state)| json!({
                "version": v, "name": name, "checksum": sum, "state": state,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// `migrate lint` over table targets: every applied migration whose checksum differs from the ledger's.
fn ledger_problems(
    project: &Project,
    migrations: &[Migration],
    tables: Vec<String>,
    ledger: &super::ledger_command::LedgerArgs,
) -> Result<Vec<String>, MigrateError> {
    let status = super::ledger_command::StatusArgs {
        targets: tables,
        format: PlanFormat::Json,
        ledger: ledger.clone(),
    };
    let default = project.config.file.migrate.ledger_table.clone();
    let checksums = sum::checksums(migrations);
    let (doc, _) =
        super::ledger_command::run_status(migrations, &checksums, &status, default.as_deref())?;
    let mut out = Vec::new();
    for t in doc["targets"].as_array().into_iter().flatten() {
        for m in t["migrations"].as_array().into_iter().flatten() {
            if m["state"] == "changed" {
                out.push(format!(
                    "{:04}_{}.toml: applied on {} with another checksum; an applied migration must not change — add a new one",
                    m["version"].as_u64().unwrap_or(0),
                    m["name"].as_str().unwrap_or_default(),
                    t["target"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}
