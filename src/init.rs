//! `reglint init [SOURCE]` (spec §12): a `reglint.toml` for an existing registry. It reads the
//! source once and writes its `sources`, the key (the table's key schema, or the default key of
//! file items), the hub's account (`--local-account`, else the credentials' account when there
//! are credentials, else a commented placeholder), and a `[schema.attributes.NAME]` entry
//! (spec §3.1) with the observed type for every attribute beyond the built-in schema.
//!
//! It never overwrites a file: an existing `reglint.toml` is exit 2, and the file is created
//! with `create_new`, so a file that appears meanwhile is not replaced either.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
#[cfg(feature = "aws")]
use std::time::Duration;

use crate::cli::InitArgs;
use crate::model::{Item, Value};
use crate::report::Written;
use crate::source::{FileReader, SourceError, SourceSpec};

/// How long `init` waits for credentials and GetCallerIdentity before it writes a placeholder.
#[cfg(feature = "aws")]
const IDENTITY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why `init` wrote nothing: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InitError {
    #[error("{path} already exists; `reglint init` never overwrites a configuration")]
    #[diagnostic(
        code(reglint::init),
        help("edit it, or move it away and run `reglint init` again")
    )]
    Exists { path: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] SourceError),
    #[error("{0}")]
    #[diagnostic(code(reglint::aws))]
    Table(String),
    #[error("{0}")]
    #[diagnostic(code(reglint::usage))]
    Usage(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    NoAws(#[from] crate::offline::NoAws),
    #[error("cannot write {path}: {source}")]
    #[diagnostic(code(reglint::io))]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The types one attribute was seen with, counted per item.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AttributeTypes {
    /// Items holding the attribute, by DynamoDB type.
    pub by_type: BTreeMap<&'static str, usize>,
    /// Element types seen in its lists (`L`).
    pub elements: BTreeMap<&'static str, usize>,
}

/// What the source holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Observed {
    pub items: usize,
    /// Attributes beyond the built-in schema.
    pub attributes: BTreeMap<String, AttributeTypes>,
}

impl Observed {
    pub fn observe(&mut self, item: &Item) {
        self.items += 1;
        for attr in &item.attrs {
            if crate::schema::KNOWN_ATTRIBUTES.contains(&attr.name.as_ref()) {
                continue;
            }
            let value = &attr.node.value;
            if matches!(value, Value::Invalid(_)) {
                continue;
            }
            let types = self.attributes.entry(attr.name.to_string()).or_default();
            *types.by_type.entry(value.type_name()).or_default() += 1;
            if let Value::L(nodes) = value {
                for n in nodes {
                    *types.elements.entry(n.value.type_name()).or_default() += 1;
                }
            }
        }
    }
}

/// The types a declared attribute may have (spec §3.1).
pub const DECLARABLE_TYPES: [&str; 7] = ["S", "N", "BOOL", "L", "M", "SS", "NS"];

/// What `init` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The SOURCE as given (`None`: a starter file with a commented example).
    pub source: Option<String>,
    pub key: Vec<String>,
    /// The hub's account, or why it is not known.
    pub local_account: Result<String, String>,
    pub observed: Observed,
}

/// Runs `reglint init`; the exit status.
pub fn run(args: &InitArgs, quiet: bool) -> u8 {
    match init(args, Path::new(crate::config::FILE_NAME)) {
        Ok(written) => {
            if !quiet {
                let _ = crate::report::print_init_summary(&written);
            }
            0
        }
        Err(e) => {
            crate::report::print_error(&e);
            2
        }
    }
}

/// Reads the source and writes `path`.
pub fn init(args: &InitArgs, path: &Path) -> Result<Written, InitError> {
    refuse_existing(path)?;
    if let Some(acct) = &args.local_account {
        if !crate::schema::is_account_id(acct) {
            return Err(InitError::Usage(format!(
                "--local-account {acct:?} is not a 12-digit account ID"
            )));
        }
    }
    let plan = run_plan(args)?;
    let text = render(&plan);
    write_new(path, &text)?;
    Ok(Written {
        path: path.to_path_buf(),
        items: plan.observed.items,
        declared: declarations(&plan.observed).0.len(),
        local_account: plan.local_account.ok(),
    })
}

#[cfg(feature = "aws")]
fn run_plan(args: &InitArgs) -> Result<Plan, InitError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| InitError::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(plan(args))
}

/// Without AWS nothing in [`plan`] waits: it runs to its end at the first poll.
#[cfg(not(feature = "aws"))]
fn run_plan(args: &InitArgs) -> Result<Plan, InitError> {
    use futures_util::FutureExt;
    plan(args).now_or_never().unwrap_or_else(|| {
        Err(InitError::Usage(
            "reading the source did not finish at once".into(),
        ))
    })
}

fn refuse_existing(path: &Path) -> Result<(), InitError> {
    if path.exists() {
        return Err(InitError::Exists {
            path: path.display().to_string(),
        });
    }
    Ok(())
}

async fn plan(args: &InitArgs) -> Result<Plan, InitError> {
    let mut observed = Observed::default();
    let key = match args.source.as_deref().map(SourceSpec::parse) {
        Some(SourceSpec::Table(table)) => read_table(args, &table, &mut observed).await?,
        Some(spec) => {
            read_files(args, spec, &mut observed)?;
            vec![crate::schema::AGENT_ID.to_string()]
        }
        None => vec![crate::schema::AGENT_ID.to_string()],
    };
    let local_account = match &args.local_account {
        Some(acct) => Ok(acct.clone()),
        None => caller_account(&args.aws).await,
    };
    Ok(Plan {
        source: args.source.clone(),
        key,
        local_account,
        observed,
    })
}

fn read_files(args: &InitArgs, spec: SourceSpec, observed: &mut Observed) -> Result<(), InitError> {
    let reader = FileReader {
        format: args.input_format.unwrap_or_default(),
    };
    for file in spec.expand()? {
        reader.read(&file, &mut |si| observed.observe(&si.item))?;
    }
    Ok(())
}

/// DescribeTable for the key schema, then a scan of every item.
#[cfg(feature = "aws")]
async fn read_table(
    args: &InitArgs,
    table: &str,
    observed: &mut Observed,
) -> Result<Vec<String>, InitError> {
    let store = crate::aws::table::TableStore::connect(&args.aws.settings(), table)
        .await
        .map_err(|e| InitError::Table(e.0))?;
    let info = store.describe().await.map_err(|e| InitError::Table(e.0))?;
    store
        .scan(1, false, None, |item| {
            observed.observe(&crate::aws::convert::item_from_sdk(&item))
        })
        .await
        .map_err(|e| InitError::Table(e.0))?;
    Ok(info.key_schema)
}

#[cfg(not(feature = "aws"))]
async fn read_table(_: &InitArgs, table: &str, _: &mut Observed) -> Result<Vec<String>, InitError> {
    Err(crate::offline::NoAws::new(format!("dynamodb://{table}")).into())
}

/// Without AWS there are no credentials to ask.
#[cfg(not(feature = "aws"))]
async fn caller_account(_: &crate::cli::AwsArgs) -> Result<String, String> {
    Err("this reglint was built without AWS support".into())
}

/// The credentials' account (GetCallerIdentity), or why there is none.
#[cfg(feature = "aws")]
async fn caller_account(aws: &crate::cli::AwsArgs) -> Result<String, String> {
    use aws_credential_types::provider::ProvideCredentials;
    let config = crate::aws::config::sdk_config(&aws.settings()).await;
    let Some(provider) = config.credentials_provider() else {
        return Err("no AWS credentials were found".into());
    };
    match tokio::time::timeout(IDENTITY_TIMEOUT, provider.provide_credentials()).await {
        Ok(Ok(_)) => {}
        Ok(Err(_)) | Err(_) => return Err("no AWS credentials were found".into()),
    }
    let counter = std::sync::Arc::default();
    let identity = crate::aws::sessions::caller_identity(&config, &counter);
    match tokio::time::timeout(IDENTITY_TIMEOUT, identity).await {
        Ok(Ok(id)) if crate::schema::is_account_id(&id.account) => Ok(id.account),
        Ok(Ok(_)) => Err("GetCallerIdentity named no account".into()),
        Ok(Err((_, message))) => Err(format!("GetCallerIdentity failed: {message}")),
        Err(_) => Err("GetCallerIdentity did not answer in time".into()),
    }
}

/// A declared attribute: its type and, for lists of strings, the element type.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub name: String,
    pub type_: &'static str,
    pub items: Option<&'static str>,
    /// Items holding it, and the other types it was seen with.
    pub seen: usize,
    pub also: Vec<(&'static str, usize)>,
}

/// The `[schema.attributes.*]` entries, and the attributes that cannot be declared with a
/// type (only NULL, B or BS seen), which go to `extra_attributes`.
pub fn declarations(observed: &Observed) -> (Vec<Declaration>, Vec<String>) {
    let mut declared = Vec::new();
    let mut extra = Vec::new();
    for (name, types) in &observed.attributes {
        let best = types
            .by_type
            .iter()
            .filter(|(t, _)| DECLARABLE_TYPES.contains(t))
            .max_by_key(|(t, n)| (**n, std::cmp::Reverse(**t)));
        let Some((&type_, _)) = best else {
            extra.push(name.clone());
            continue;
        };
        let only_strings = types.elements.keys().all(|t| *t == "S");
        declared.push(Declaration {
            name: name.clone(),
            type_,
            items: (type_ == "L" && only_strings).then_some("S"),
            seen: types.by_type.values().sum(),
            also: types
                .by_type
                .iter()
                .filter(|(t, _)| **t != type_)
                .map(|(t, n)| (*t, *n))
                .collect(),
        });
    }
    (declared, extra)
}

/// The file's text.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    render_head(plan, &mut out);
    let (declared, extra) = declarations(&plan.observed);
    if !extra.is_empty() {
        out.push_str("# Seen only as NULL or binary values: known, with no type to declare.\n");
        out.push_str(&format!("extra_attributes = {}\n", string_array(&extra)));
    }
    for d in &declared {
        out.push('\n');
        out.push_str(&format!("# in {} of {} items", d.seen, plan.observed.items));
        for (t, n) in &d.also {
            out.push_str(&format!("; {n} as {t}"));
        }
        out.push('\n');
        out.push_str(&format!("[schema.attributes.{}]\n", toml_key(&d.name)));
        out.push_str(&format!("type = \"{}\"\n", d.type_));
        if let Some(items) = d.items {
            out.push_str(&format!("items = \"{items}\"\n"));
        }
    }
    out
}

fn render_head(plan: &Plan, out: &mut String) {
    match &plan.source {
        Some(source) => {
            out.push_str(&format!(
                "# Written by `reglint init` from {} items of {source}.\n",
                plan.observed.items
            ));
            out.push_str(&format!("sources = {}\n", string_array([source])));
        }
        None => {
            out.push_str("# Written by `reglint init`: name the registry `reglint check` reads.\n");
            out.push_str("# sources = [\"registry/agents.json\"]\n");
        }
    }
    out.push_str("\n[registry]\n");
    let from_table = plan
        .source
        .as_deref()
        .is_some_and(|s| s.starts_with("dynamodb://"));
    out.push_str(if from_table {
        "# The table's key schema.\n"
    } else {
        "# The identity of file items (a table uses its key schema).\n"
    });
    out.push_str(&format!("key = {}\n", string_array(&plan.key)));
    match &plan.local_account {
        Ok(acct) => out.push_str(&format!("local_account_id = \"{acct}\"\n")),
        Err(why) => {
            out.push_str(&format!(
                "# The hub's account ({why}): set it, or run `reglint init --local-account ID`.\n"
            ));
            out.push_str("# local_account_id = \"111122223333\"\n");
        }
    }
}

/// A TOML array of basic strings.
fn string_array<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let quoted: Vec<String> = items
        .into_iter()
        .map(|s| toml::Value::String(s.as_ref().to_string()).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// A bare key when TOML allows one, else a quoted key.
fn toml_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        name.to_string()
    } else {
        toml::Value::String(name.to_string()).to_string()
    }
}

fn write_new(path: &Path, text: &str) -> Result<(), InitError> {
    let shown = path.display().to_string();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => InitError::Exists {
                path: shown.clone(),
            },
            _ => InitError::Write {
                path: shown.clone(),
                source,
            },
        })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|source| InitError::Write {
            path: shown,
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attr, Format, Node};

    fn item(attrs: &[(&str, Value)]) -> Item {
        Item {
            attrs: attrs
                .iter()
                .map(|(name, value)| Attr {
                    name: crate::schema::attribute_name(name),
                    name_span: None,
                    node: Node::new(value.clone()),
                })
                .collect(),
            span: None,
            format: Format::Dynamodb,
        }
    }

    #[test]
    fn the_most_common_type_is_declared_and_others_are_noted() {
        let mut o = Observed::default();
        o.observe(&item(&[
            ("name", Value::S("x".into())),
            ("owner", Value::S("a".into())),
            ("tags", Value::list_of_strings(["a"])),
            ("blob", Value::B("AA==".into())),
        ]));
        o.observe(&item(&[
            ("owner", Value::N("1".into())),
            ("tags", Value::L(vec![])),
        ]));
        o.observe(&item(&[("owner", Value::S("b".into()))]));
        let (declared, extra) = declarations(&o);
        assert_eq!(extra, vec!["blob".to_string()]);
        assert_eq!(declared.len(), 2, "{declared:?}");
        assert_eq!(
            (
                declared[0].name.as_str(),
                declared[0].type_,
                declared[0].seen
            ),
            ("owner", "S", 3)
        );
        assert_eq!(declared[0].also, vec![("N", 1)]);
        assert_eq!((declared[1].type_, declared[1].items), ("L", Some("S")));
    }

    #[test]
    fn keys_that_are_not_bare_are_quoted() {
        assert_eq!(toml_key("owner_email-2"), "owner_email-2");
        for name in ["a.b", "say \"hi\"", "x y", "it's"] {
            let text = format!("{} = {}\n", toml_key(name), string_array([name]));
            let table: toml::Table = toml::from_str(&text).unwrap();
            assert_eq!(
                table[name],
                toml::Value::Array(vec![toml::Value::String(name.into())]),
                "{text}"
            );
        }
    }
}
