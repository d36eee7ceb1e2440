//! Migration files (`migrations/NNNN_name.toml`, spec §8.1): read strictly, every op checked,
//! every problem reported with its file, line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::error::MigrateError;
use super::ops::{self, Op, OpKind};
use crate::schema::EffectiveSchema;

/// One parsed migration.
#[derive(Debug, Clone)]
pub struct Migration {
    pub version: u32,
    pub name: String,
    /// `0003_protocol_and_lists.toml`
    pub file_name: String,
    pub path: PathBuf,
    pub description: String,
    pub ops: Vec<Op>,
    /// The canonical form of the parsed content the checksum is taken over.
    pub canonical: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    op: Vec<Spanned<RawOp>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOp {
    kind: Spanned<String>,
    attribute: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    to: Option<Spanned<String>>,
    split: Option<Spanned<String>>,
    value: Option<Spanned<toml::Value>>,
    if_absent: Option<Spanned<bool>>,
    map: Option<Spanned<BTreeMap<String, String>>>,
    key: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    #[serde(rename = "where")]
    filter: Option<Spanned<BTreeMap<String, toml::Value>>>,
}

/// The fields each kind takes (besides `kind` and `where`) and which of them it needs.
const FIELDS: [(&str, &[&str], &[&str]); 7] = [
    (
        "convert",
        &["attribute", "from", "to", "split"],
        &["attribute", "from", "to"],
    ),
    (
        "set",
        &["attribute", "value", "if_absent"],
        &["attribute", "value"],
    ),
    ("rename", &["from", "to"], &["from", "to"]),
    ("map_values", &["attribute", "map"], &["attribute", "map"]),
    ("remove", &["attribute"], &["attribute"]),
    ("copy", &["from", "to"], &["from", "to"]),
    ("move", &["key"], &["key"]),
];

/// Where problems are reported.
struct Ctx<'a> {
    path: &'a str,
    text: &'a str,
    schema: &'a EffectiveSchema,
    problems: Vec<MigrateError>,
}

impl Ctx<'_> {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems
            .push(MigrateError::at(self.path, self.text, span, message));
    }
}

/// `0003_protocol_and_lists.toml` → (3, "protocol_and_lists").
pub fn parse_file_name(file_name: &str) -> Option<(u32, String)> {
    let stem = file_name.strip_suffix(".toml")?;
    let (digits, name) = stem.split_once('_')?;
    let good_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) || !good_name {
        return None;
    }
    Some((digits.parse().ok()?, name.to_string()))
}

/// Every migration of a folder, in version order; all problems of all files together.
pub fn load_dir(dir: &Path, schema: &EffectiveSchema) -> Result<Vec<Migration>, MigrateError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(MigrateError::io(dir, e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut migrations = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match load_file(&path, schema) {
            Ok(m) => migrations.push(m),
            Err(MigrateError::Many { related }) => problems.extend(related),
            Err(e) => problems.push(e),
        }
    }
    MigrateError::collect(problems)?;
    migrations.sort_by_key(|m| m.version);
    Ok(migrations)
}

/// Reads one migration file.
pub fn load_file(path: &Path, schema: &EffectiveSchema) -> Result<Migration, MigrateError> {
    let file_name = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let shown = path.display().to_string();
    let (version, name) = parse_file_name(&file_name).ok_or(MigrateError::BadName {
        path: shown.clone(),
    })?;
    let text = std::fs::read_to_string(path).map_err(|e| MigrateError::io(path, e))?;
    let (description, ops, canonical) = parse_text(&shown, &text, schema)?;
    Ok(Migration {
        version,
        name,
        file_name,
        path: path.to_path_buf(),
        description,
        ops,
        canonical,
    })
}

/// Parses a migration's text: its description, its ops and its canonical form.
pub fn parse_text(
    path: &str,
    text: &str,
    schema: &EffectiveSchema,
) -> Result<(String, Vec<Op>, String), MigrateError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        MigrateError::at(
            path,
            text,
            e.span().unwrap_or(0..0),
            e.message().to_string(),
        )
    })?;
    let mut ctx = Ctx {
        path,
        text,
        schema,
        problems: Vec::new(),
    };
    if raw.op.is_empty() {
        ctx.problem(0..0, "a migration needs at least one [[op]]");
    }
    let ops: Vec<Op> = raw
        .op
        .into_iter()
        .filter_map(|o| build_op(&mut ctx, o))
        .collect();
    MigrateError::collect(ctx.problems)?;
    let canonical =
        super::sum::canonical(text).map_err(|e| MigrateError::at(path, text, 0..0, e))?;
    Ok((raw.description.unwrap_or_default(), ops, canonical))
}

impl RawOp {
    /// The fields written, with their spans.
    fn present(&self) -> Vec<(&'static str, Range<usize>)> {
        let s = |o: &Option<Spanned<String>>| o.as_ref().map(|v| v.span());
        [
            ("attribute", s(&self.attribute)),
            ("from", s(&self.from)),
            ("to", s(&self.to)),
            ("split", s(&self.split)),
            ("value", self.value.as_ref().map(|v| v.span())),
            ("if_absent", self.if_absent.as_ref().map(|v| v.span())),
            ("map", self.map.as_ref().map(|v| v.span())),
            ("key", self.key.as_ref().map(|v| v.span())),
        ]
        .into_iter()
        .filter_map(|(name, span)| span.map(|s| (name, s)))
        .collect()
    }
}

fn text(field: &Option<Spanned<String>>) -> String {
    field
        .as_ref()
        .map(|s| s.get_ref().clone())
        .unwrap_or_default()
}

/// Checks the op's fields against its kind and builds it; `None` after reporting a problem.
fn build_op(ctx: &mut Ctx, raw: Spanned<RawOp>) -> Option<Op> {
    let raw = raw.into_inner();
    let kind = raw.kind.get_ref().as_str();
    let Some((_, allowed, required)) = FIELDS.iter().find(|(k, _, _)| *k == kind) else {
        let known: Vec<&str> = FIELDS.iter().map(|(k, _, _)| *k).collect();
        ctx.problem(
            raw.kind.span(),
            format!(
                "unknown op kind {kind:?}; the kinds are {}",
                known.join(", ")
            ),
        );
        return None;
    };
    let present = raw.present();
    let before = ctx.problems.len();
    for (field, span) in &present {
        if !allowed.contains(field) {
            ctx.problem(
                span.clone(),
                format!("`{field}` does not apply to a `{kind}` op"),
            );
        }
    }
    for field in *required {
        if !present.iter().any(|(f, _)| f == field) {
            ctx.problem(raw.kind.span(), format!("a `{kind}` op needs `{field}`"));
        }
    }
    if ctx.problems.len() > before {
        return None;
    }
    let filter = build_filter(ctx, &raw)?;
    let kind = build_kind(ctx, kind, &raw)?;
    Some(Op { kind, filter })
}

fn build_filter(ctx: &mut Ctx, raw: &RawOp) -> Option<Vec<(String, serde_json::Value)>> {
    let Some(filter) = &raw.filter else {
        return Some(Vec::new());
    };
    let mut out = Vec::new();
    for (name, value) in filter.get_ref() {
        match serde_json::to_value(value) {
            Ok(v) if v.is_string() || v.is_number() || v.is_boolean() => {
                out.push((name.clone(), v))
            }
            _ => {
                ctx.problem(
                    filter.span(),
                    format!(
                        "`where` compares plain values; {name} is not a string, number or boolean"
                    ),
                );
                return None;
            }
        }
    }
    Some(out)
}

fn build_kind(ctx: &mut Ctx, kind: &str, raw: &RawOp) -> Option<OpKind> {
    Some(match kind {
        "convert" => OpKind::Convert(build_convert(ctx, raw)?),
        "set" => OpKind::Set(build_set(ctx, raw)?),
        "rename" => OpKind::Rename(ops::Rename {
            from: text(&raw.from),
            to: text(&raw.to),
        }),
        "map_values" => OpKind::MapValues(ops::MapValues {
            attribute: text(&raw.attribute),
            map: raw
                .map
                .as_ref()
                .map(|m| m.get_ref().clone())
                .unwrap_or_default(),
        }),
        "remove" => OpKind::Remove(ops::Remove {
            attribute: text(&raw.attribute),
        }),
        "copy" => OpKind::Copy(ops::Copy {
            from: text(&raw.from),
            to: text(&raw.to),
        }),
        _ => OpKind::Move(build_move(ctx, raw)?),
    })
}

fn build_convert(ctx: &mut Ctx, raw: &RawOp) -> Option<ops::Convert> {
    let (from, to) = (raw.from.as_ref()?, raw.to.as_ref()?);
    if !ops::convert::supports(from.get_ref(), to.get_ref()) {
        let pairs: Vec<String> = ops::convert::CONVERSIONS
            .iter()
            .map(|(f, t)| format!("{f}→{t}"))
            .collect();
        ctx.problem(
            from.span().start..to.span().end.max(from.span().end),
            format!(
                "convert cannot turn {:?} into {:?}; it knows {}",
                from.get_ref(),
                to.get_ref(),
                pairs.join(", ")
            ),
        );
        return None;
    }
    Some(ops::Convert {
        attribute: text(&raw.attribute),
        from: from.get_ref().clone(),
        to: to.get_ref().clone(),
        split: raw.split.as_ref().map(|s| s.get_ref().clone()),
    })
}

fn build_set(ctx: &mut Ctx, raw: &RawOp) -> Option<ops::Set> {
    let value = raw.value.as_ref()?;
    match typed_value(value.get_ref()) {
        Ok(v) => Some(ops::Set {
            attribute: text(&raw.attribute),
            value: v,
            if_absent: raw.if_absent.as_ref().is_none_or(|b| *b.get_ref()),
        }),
        Err(message) => {
            ctx.problem(value.span(), message);
            None
        }
    }
}

/// A typed value written as DynamoDB JSON in TOML (`{ S = "bedrock" }`).
fn typed_value(value: &toml::Value) -> Result<crate::model::Value, String> {
    let json = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let doc = format!("{{\"value\":{json}}}");
    let raw: &serde_json::value::RawValue =
        serde_json::from_str(&doc).map_err(|e| e.to_string())?;
    let item = crate::source::json::parse_item(&doc, raw, crate::model::Format::Dynamodb)
        .map_err(|e| e.message)?;
    match item.value("value") {
        Some(crate::model::Value::Invalid(reason)) => Err(format!("not a typed value: {reason}")),
        Some(v) => Ok(ops::without_spans(v.clone())),
        None => Err("not a typed value".into()),
    }
}

fn build_move(ctx: &mut Ctx, raw: &RawOp) -> Option<ops::Move> {
    let key = raw.key.as_ref()?;
    let mut out = Vec::new();
    let before = ctx.problems.len();
    for (attr, template) in key.get_ref() {
        if ops::move_key::parse_template(template.get_ref()).is_none() {
            ctx.problem(
                template.span(),
                format!(
                    "{:?} is not a template: braces must pair around an attribute name",
                    template.get_ref()
                ),
            );
            continue;
        }
        for name in ops::move_key::template_attributes(template.get_ref()) {
            if !ctx.schema.is_known(&name) {
                ctx.problem(
                    template.span(),
                    format!("the template names {name:?}, which the schema does not have"),
                );
            }
        }
        out.push((attr.clone(), template.get_ref().clone()));
    }
    (ctx.problems.len() == before).then_some(ops::Move { key: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Op>, MigrateError> {
        parse_text("m/0001_x.toml", text, &EffectiveSchema::builtin()).map(|(_, ops, _)| ops)
    }

    fn messages(err: MigrateError) -> Vec<(usize, usize, String)> {
        let all = match err {
            MigrateError::Many { related } => related,
            other => vec![other],
        };
        all.into_iter()
            .map(|e| match e {
                MigrateError::Invalid {
                    line,
                    column,
                    message,
                    ..
                } => (line, column, message),
                other => (0, 0, other.to_string()),
            })
            .collect()
    }

    #[test]
    fn the_spec_example_parses() {
        let text = include_str!("../../fixtures/migrate/spec_example.toml");
        let ops = parse(text).unwrap();
        let kinds: Vec<_> = ops.iter().map(Op::kind_name).collect();
        assert_eq!(
            kinds,
            [
                "convert",
                "set",
                "rename",
                "map_values",
                "remove",
                "copy",
                "move"
            ]
        );
        assert_eq!(
            ops[1].filter,
            vec![("agent_type".into(), serde_json::json!("bedrock_agent"))]
        );
    }

    #[test]
    fn every_problem_has_its_line_and_column() {
        let text = "[[op]]\nkind = \"conver\"\nattribute = \"x\"\n\n[[op]]\nkind = \"set\"\nattribute = \"p\"\nsplit = \",\"\n\n[[op]]\nkind = \"move\"\nkey = { agent_id = \"{acount_id}#{agent_id}\" }\n";
        let got = messages(parse(text).unwrap_err());
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!((got[0].0, got[0].1), (2, 8));
        assert!(got[0].2.contains("unknown op kind \"conver\""));
        assert_eq!((got[1].0, got[1].1), (8, 9));
        assert!(got[1].2.contains("`split` does not apply to a `set` op"));
        assert_eq!((got[2].0, got[2].1), (6, 8));
        assert!(got[2].2.contains("needs `value`"));
        assert_eq!(got[3].0, 12);
        assert!(got[3].2.contains("\"acount_id\""));
    }

    #[test]
    fn unknown_fields_and_impossible_conversions_are_errors() {
        let got = messages(parse("[[op]]\nkind = \"remove\"\nattribut = \"x\"\n").unwrap_err());
        assert_eq!(got[0].0, 3);
        let got = messages(
            parse("[[op]]\nkind = \"convert\"\nattribute = \"x\"\nfrom = \"M\"\nto = \"L\"\n")
                .unwrap_err(),
        );
        assert_eq!((got[0].0, got[0].1), (4, 8));
        assert!(got[0].2.contains("cannot turn \"M\" into \"L\""));
        let got = messages(
            parse("[[op]]\nkind = \"set\"\nattribute = \"x\"\nvalue = { Q = 1 }\n").unwrap_err(),
        );
        assert_eq!(got[0].0, 4);
    }

    #[test]
    fn file_names_carry_the_version() {
        assert_eq!(
            parse_file_name("0003_protocol_and_lists.toml"),
            Some((3, "protocol_and_lists".into()))
        );
        assert_eq!(parse_file_name("3_x.toml"), None);
        assert_eq!(parse_file_name("0003_X.toml"), None);
        assert_eq!(parse_file_name("0003.toml"), None);
    }
}
