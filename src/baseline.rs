//! Baselines (spec §9): the findings a team has accepted, so that only new ones fail a run.
//!
//! A baseline file is one JSON document with one entry per line, sorted by source, item,
//! rule, attribute and fingerprint, so that it diffs well in git. An entry is keyed by the
//! finding's fingerprint (rule, source, item, attribute, offending value; see
//! [`crate::diagnostic::fingerprint`]) and keeps those parts readable beside it, with a count:
//! two identical findings on one item are two, not one.
//!
//! [`Matcher`] marks each finding of `check --baseline` as it is added to the report:
//! `unchanged` (an entry with that fingerprint has a count left), `updated` (an entry for the
//! same rule, item and attribute with another value has a count left), or `new`. Entries with
//! a count left at the end are RG901. [`Collector`] records the findings of `baseline write`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{
    fingerprint, fingerprint_slot, fingerprint_value, BaselineState, Diagnostic, Location,
    Severity, SourceNames,
};
use crate::report::Marker;
use crate::rules::registry::RG901;

pub const SCHEMA: &str = "reglint-baseline/1";

/// One accepted finding (or several identical ones: `count`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub source: String,
    pub key: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    pub value_hash: String,
    pub count: usize,
    /// Why and when an entry was added to an existing baseline (`--accept-new --reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    pub reason: String,
    pub date: String,
}

impl Entry {
    /// The entry for one finding, its source named by `names`.
    pub fn of(d: &Diagnostic, names: &SourceNames) -> Entry {
        Entry {
            fingerprint: d.fingerprint.clone(),
            rule: d.rule.to_string(),
            source: names.name(&d.origin).to_string(),
            key: d.item.as_ref().map(|i| i.key.clone()).unwrap_or_default(),
            attribute: d.attribute.clone(),
            value_hash: fingerprint_value(&d.fingerprint).to_string(),
            count: 1,
            accepted: None,
        }
    }

    /// Where the entry goes in the file.
    fn order(&self) -> (String, String, String, Option<String>, String) {
        (
            self.source.clone(),
            serde_json::Value::Object(self.key.clone()).to_string(),
            self.rule.clone(),
            self.attribute.clone(),
            self.fingerprint.clone(),
        )
    }

    fn describe(&self) -> String {
        let key = serde_json::Value::Object(self.key.clone());
        match &self.attribute {
            Some(a) => format!("{} on {a} of {key} in {}", self.rule, self.source),
            None => format!("{} on {key} in {}", self.rule, self.source),
        }
    }
}

/// A baseline that cannot be read or written, or that `write` may not grow: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    #[error("cannot read the baseline {path}: {source}")]
    #[diagnostic(
        code(reglint::baseline),
        help("write one with `reglint baseline write`")
    )]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not a reglint baseline: {message}")]
    #[diagnostic(
        code(reglint::baseline),
        help("a baseline is written by `reglint baseline write`; fix the file or write it again")
    )]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot write the baseline {path}: {source}")]
    #[diagnostic(code(reglint::io))]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{added} findings are not in {path} (for example {example}); nothing was written")]
    #[diagnostic(
        code(reglint::baseline),
        help(
            "a baseline only shrinks: fix the new findings, or accept them on purpose with \
             --accept-new --reason TEXT (the reason and date are recorded in each new entry)"
        )
    )]
    Grow {
        path: String,
        added: usize,
        example: String,
    },
}

impl From<BaselineError> for crate::error::RunError {
    fn from(e: BaselineError) -> Self {
        use crate::source::SourceError;
        match e {
            BaselineError::Parse {
                path,
                line,
                column,
                message,
            } => SourceError {
                path,
                line,
                column,
                message: format!("not a reglint baseline: {message}"),
            }
            .into(),
            BaselineError::Read { path, source } => {
                SourceError::io(Path::new(&path), source).into()
            }
            other => crate::error::RunError::Usage(other.to_string()),
        }
    }
}

/// A baseline file's entries, in file order, with the line each is on.
#[derive(Debug, Default, Clone)]
pub struct Baseline {
    pub entries: Vec<Entry>,
    pub lines: Vec<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    schema: String,
    entries: Vec<Entry>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
        Baseline::parse(&shown, &text)
    }

    pub fn parse(shown: &str, text: &str) -> Result<Baseline, BaselineError> {
        let parse_error = |line, column, message: String| BaselineError::Parse {
            path: shown.to_string(),
            line,
            column,
            message,
        };
        let doc: Document = serde_json::from_str(text)
            .map_err(|e| parse_error(e.line(), e.column(), e.to_string()))?;
        if doc.schema != SCHEMA {
            return Err(parse_error(
                1,
                1,
                format!("schema {:?}, expected {SCHEMA:?}", doc.schema),
            ));
        }
        let mut at: HashMap<&str, usize> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            if let Some(rest) = line.split("\"fingerprint\":").nth(1) {
                let fp = rest.trim_start().trim_start_matches('"');
                if let Some(end) = fp.find('"') {
                    at.entry(&fp[..end]).or_insert(i + 1);
                }
            }
        }
        let lines = doc
            .entries
            .iter()
            .map(|e| at.get(e.fingerprint.as_str()).copied().unwrap_or(1))
            .collect();
        Ok(Baseline {
            entries: doc.entries,
            lines,
        })
    }

    /// Entries from findings, identical ones counted together.
    pub fn from_entries(found: impl IntoIterator<Item = Entry>) -> Baseline {
        let mut by_fingerprint: BTreeMap<String, Entry> = BTreeMap::new();
        for e in found {
            match by_fingerprint.get_mut(&e.fingerprint) {
                Some(known) => known.count += e.count,
                None => {
                    by_fingerprint.insert(e.fingerprint.clone(), e);
                }
            }
        }
        let mut b = Baseline {
            entries: by_fingerprint.into_values().collect(),
            lines: Vec::new(),
        };
        b.sort();
        b
    }

    fn sort(&mut self) {
        self.entries.sort_by_cached_key(Entry::order);
        self.lines.clear();
    }

    /// The file's text: one entry per line, sorted.
    pub fn to_text(&self) -> String {
        let mut out = format!("{{\n  \"schema\": \"{SCHEMA}\",\n  \"entries\": [");
        for (i, e) in self.entries.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(e).unwrap_or_default());
        }
        if !self.entries.is_empty() {
            out.push_str("\n  ");
        }
        out.push_str("]\n}\n");
        out
    }

    /// Writes the file (through a temporary file in the same folder, then a rename).
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        // A new file gets the usual permissions (the temporary file's are private), so that
        // the baseline is committed like any other file.
        let created = match path.exists() {
            true => Ok(()),
            false => std::fs::File::create(path).map(drop),
        };
        created
            .and_then(|()| crate::fix::write_atomically(path, &self.to_text()))
            .map_err(|source| BaselineError::Write {
                path: path.display().to_string(),
                source,
            })
    }

    /// The total count of findings.
    pub fn findings(&self) -> usize {
        self.entries.iter().map(|e| e.count).sum()
    }
}

/// What `baseline write` does to an existing baseline: the entries today's findings give,
/// with the records of the entries kept; growing it needs a reason.
#[derive(Debug)]
pub struct Merge {
    pub baseline: Baseline,
    pub added: usize,
    pub removed: usize,
}

/// Merges today's findings into the baseline `old`. Entries (or counts) that `old` does not
/// have are refused unless `accept` gives a reason and date for them.
pub fn merge(
    old: &Baseline,
    today: Baseline,
    accept: Option<&Accepted>,
    shown: &str,
) -> Result<Merge, BaselineError> {
    let known: HashMap<&str, &Entry> = old
        .entries
        .iter()
        .map(|e| (e.fingerprint.as_str(), e))
        .collect();
    let mut added = 0usize;
    let mut example = None;
    let mut kept = 0usize;
    let mut entries = Vec::with_capacity(today.entries.len());
    for mut e in today.entries {
        let before = known.get(e.fingerprint.as_str());
        let had = before.map_or(0, |b| b.count);
        kept += had.min(e.count);
        e.accepted = before.and_then(|b| b.accepted.clone());
        if e.count > had {
            added += e.count - had;
            example.get_or_insert_with(|| e.describe());
            e.accepted = accept.cloned().or(e.accepted);
        }
        entries.push(e);
    }
    if added > 0 && accept.is_none() {
        return Err(BaselineError::Grow {
            path: shown.to_string(),
            added,
            example: example.unwrap_or_default(),
        });
    }
    Ok(Merge {
        removed: old.findings() - kept,
        added,
        baseline: Baseline {
            entries,
            lines: Vec::new(),
        },
    })
}

/// Marks each finding against a baseline (`check --baseline`, `baseline prune`).
#[derive(Debug)]
pub struct Matcher {
    baseline: Baseline,
    /// Where the baseline file is, as the report names it.
    shown: String,
    index: HashMap<String, usize>,
    by_slot: HashMap<String, Vec<usize>>,
    /// What each entry has left to match.
    left: Vec<usize>,
    /// How many findings matched each entry exactly; shared with `prune`.
    hits: Arc<Mutex<Vec<usize>>>,
    /// RG901's severity, or `None` when RG901 is not selected.
    stale_severity: Option<Severity>,
    hidden: bool,
    unchanged: usize,
}

impl Matcher {
    pub fn new(
        baseline: Baseline,
        shown: &str,
        stale_severity: Option<Severity>,
        hidden: bool,
    ) -> Matcher {
        let mut index = HashMap::new();
        let mut by_slot: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in baseline.entries.iter().enumerate() {
            index.entry(e.fingerprint.clone()).or_insert(i);
            by_slot
                .entry(fingerprint_slot(&e.fingerprint).to_string())
                .or_default()
                .push(i);
        }
        let left = baseline.entries.iter().map(|e| e.count).collect();
        let hits = Arc::new(Mutex::new(vec![0; baseline.entries.len()]));
        Matcher {
            baseline,
            shown: shown.to_string(),
            index,
            by_slot,
            left,
            hits,
            stale_severity,
            hidden,
            unchanged: 0,
        }
    }

    /// How many findings matched each entry exactly, once the run is over.
    pub fn hits(&self) -> Arc<Mutex<Vec<usize>>> {
        self.hits.clone()
    }

    /// The state of a finding with this fingerprint; counts it against the baseline.
    pub fn state(&mut self, fp: &str) -> BaselineState {
        if let Some(&i) = self.index.get(fp) {
            if self.left[i] > 0 {
                self.left[i] -= 1;
                if let Ok(mut hits) = self.hits.lock() {
                    hits[i] += 1;
                }
                self.unchanged += 1;
                return BaselineState::Unchanged;
            }
        }
        let same_slot = self.by_slot.get(fingerprint_slot(fp)).and_then(|list| {
            list.iter()
                .copied()
                .find(|&i| self.left[i] > 0 && self.baseline.entries[i].fingerprint != fp)
        });
        match same_slot {
            Some(i) => {
                self.left[i] -= 1;
                BaselineState::Updated
            }
            None => BaselineState::New,
        }
    }

    /// RG901 for an entry with `left` findings unmatched.
    fn stale(&self, i: usize, severity: Severity) -> Diagnostic {
        let e = &self.baseline.entries[i];
        let left = self.left[i];
        let mut message = format!("the baseline entry for {} matched nothing", e.describe());
        if e.count > 1 {
            message.push_str(&format!(" ({left} of its {} findings are gone)", e.count));
        }
        Diagnostic {
            rule: RG901.code,
            name: RG901.name,
            severity,
            message,
            item: None,
            origin: self.shown.clone(),
            attribute: None,
            location: Some(Location {
                path: self.shown.clone(),
                line: self.baseline.lines.get(i).copied().unwrap_or(1),
                column: 1,
            }),
            snippet: None,
            fingerprint: fingerprint(RG901.code, "baseline", &e.fingerprint, None, ""),
            fix: None,
            help: Some(
                "the finding it accepted is gone: `reglint baseline prune` drops the entry".into(),
            ),
            account: None,
            baseline: Some(BaselineState::Absent),
        }
    }
}

impl Marker for Matcher {
    fn mark(&mut self, d: &mut Diagnostic) {
        d.baseline = Some(self.state(&d.fingerprint));
    }

    fn finish(&mut self) -> (Vec<Diagnostic>, Vec<String>) {
        let stale = match self.stale_severity {
            Some(severity) => (0..self.left.len())
                .filter(|&i| self.left[i] > 0)
                .map(|i| self.stale(i, severity))
                .collect(),
            None => Vec::new(),
        };
        let mut notes = Vec::new();
        if self.hidden && self.unchanged > 0 {
            notes.push(format!(
                "{} findings accepted by the baseline {} are not shown (--show-baselined shows them)",
                self.unchanged, self.shown
            ));
        }
        (stale, notes)
    }
}

/// Records every finding of a run as a baseline entry (`baseline write`).
#[derive(Debug)]
pub struct Collector {
    names: SourceNames,
    found: Arc<Mutex<Vec<Entry>>>,
}

impl Collector {
    pub fn new(names: SourceNames) -> Collector {
        Collector {
            names,
            found: Arc::default(),
        }
    }

    /// The entries recorded, once the run is over.
    pub fn found(&self) -> Arc<Mutex<Vec<Entry>>> {
        self.found.clone()
    }
}

impl Marker for Collector {
    fn mark(&mut self, d: &mut Diagnostic) {
        if let Ok(mut found) = self.found.lock() {
            found.push(Entry::of(d, &self.names));
        }
    }

    fn finish(&mut self) -> (Vec<Diagnostic>, Vec<String>) {
        (Vec::new(), Vec::new())
    }
}

/// Sets up `check --baseline FILE`: the report marks each finding against the baseline, and
/// in the formats people read, keeps none the baseline accepts unless `--show-baselined`.
pub fn attach(
    report: &mut crate::report::Report,
    args: &crate::cli::CheckArgs,
    linter: &crate::lint::Linter,
) -> Result<(), crate::error::RunError> {
    use crate::report::OutputFormat as F;
    let Some(path) = &args.baseline else {
        return Ok(());
    };
    let baseline = Baseline::load(path)?;
    let hidden =
        !args.show_baselined && matches!(args.format, F::Text | F::Concise | F::Github | F::Junit);
    let stale = linter
        .is_enabled(RG901.code)
        .then(|| linter.severity_of(&RG901));
    let matcher = Matcher::new(baseline, &path.display().to_string(), stale, hidden);
    report.marker = Some(Box::new(matcher));
    report.hide_baselined = hidden;
    report.summary.baselined = Some(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fp: &str, count: usize) -> Entry {
        Entry {
            fingerprint: fp.into(),
            rule: "RG101".into(),
            source: "a.json".into(),
            key: serde_json::Map::new(),
            attribute: Some("alias_id".into()),
            value_hash: fingerprint_value(fp).into(),
            count,
            accepted: None,
        }
    }

    const A: &str = "1111111111111111aaaaaaaaaaaaaaaa";
    const A2: &str = "1111111111111111bbbbbbbbbbbbbbbb";
    const B: &str = "2222222222222222aaaaaaaaaaaaaaaa";

    #[test]
    fn counts_are_kept_and_the_text_reads_back() {
        let b = Baseline::from_entries([entry(B, 1), entry(A, 1), entry(A, 1)]);
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.findings(), 3);
        let text = b.to_text();
        assert_eq!(text.lines().count(), 7, "{text}");
        let back = Baseline::parse("b.json", &text).unwrap_or_default();
        assert_eq!(back.entries, b.entries);
        assert_eq!(back.lines, vec![4, 5]);
    }

    #[test]
    fn findings_are_unchanged_updated_or_new_and_leftovers_are_stale() {
        let b = Baseline::from_entries([entry(A, 2), entry(B, 1)]);
        let mut m = Matcher::new(b, "b.json", Some(Severity::Warning), true);
        assert_eq!(m.state(A), BaselineState::Unchanged);
        assert_eq!(m.state(A2), BaselineState::Updated);
        assert_eq!(m.state(A2), BaselineState::New);
        let (stale, notes) = m.finish();
        assert_eq!(stale.len(), 1);
        assert!(
            stale[0].message.contains("RG101 on alias_id"),
            "{}",
            stale[0].message
        );
        assert_eq!(stale[0].baseline, Some(BaselineState::Absent));
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn a_merge_may_shrink_but_grows_only_with_a_reason() {
        let old = Baseline::from_entries([entry(A, 2)]);
        let smaller = merge(&old, Baseline::from_entries([entry(A, 1)]), None, "b");
        assert!(matches!(
            smaller,
            Ok(Merge {
                removed: 1,
                added: 0,
                ..
            })
        ));
        let more = Baseline::from_entries([entry(A, 1), entry(B, 1)]);
        assert!(matches!(
            merge(&old, more.clone(), None, "b"),
            Err(BaselineError::Grow { added: 1, .. })
        ));
        let why = Accepted {
            reason: "legacy".into(),
            date: "2026-01-01".into(),
        };
        let merged = merge(&old, more, Some(&why), "b").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(merged.added, 1);
        let b = merged.baseline.entries.iter().find(|e| e.fingerprint == B);
        assert_eq!(b.and_then(|e| e.accepted.clone()), Some(why));
    }
}
