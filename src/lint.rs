//! The linter: selected rules, severities, exceptions and settings applied to items, and the
//! fix loop. Pure: no I/O.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostic::{
    fingerprint, item_identity, Applicability, Diagnostic, Fix, ItemRef, Location, Severity,
    Snippet, SourceNames,
};
use crate::fix::apply_fix;
use crate::model::{Item, Span};
use crate::rules::registry::RG900;
use crate::rules::{check_item, rule, Check, Rule, Settings, Violation};
use crate::select::Selection;
use crate::source::TextChunk;

/// A configured exception, with how often it was used.
#[derive(Debug)]
pub struct ExceptionRule {
    pub key: serde_json::Map<String, serde_json::Value>,
    pub rules: Vec<String>,
    pub reason: String,
    /// Where it is in the config file.
    pub location: Option<Location>,
    pub used: AtomicUsize,
}

impl ExceptionRule {
    fn matches(&self, key: &serde_json::Map<String, serde_json::Value>, code: &str) -> bool {
        let rule_ok = self.rules.is_empty()
            || self.rules.iter().any(|r| {
                r.eq_ignore_ascii_case("ALL")
                    || code
                        .to_ascii_uppercase()
                        .starts_with(&r.to_ascii_uppercase())
            });
        rule_ok && self.key.iter().all(|(k, v)| key.get(k) == Some(v))
    }
}

/// Where an item came from, for turning its findings into diagnostics.
#[derive(Debug, Clone)]
pub struct ItemOrigin {
    pub source: usize,
    /// The source as the report names it (`path` or `dynamodb://table`).
    pub label: String,
    pub index: usize,
    pub key: serde_json::Map<String, serde_json::Value>,
    pub chunk: Option<Arc<TextChunk>>,
    /// Where the item is in the chunk; findings on values a fix rewrote point here.
    pub item_span: Option<Span>,
}

impl ItemOrigin {
    /// "item 3 of agents.json (line 14)" for messages about other items.
    pub fn describe(&self, item: &Item) -> String {
        let mut s = format!("item {} of {}", self.index, self.label);
        if !self.key.is_empty() {
            s.push_str(&format!(
                " (key {})",
                serde_json::Value::Object(self.key.clone())
            ));
        }
        if let (Some(chunk), Some(span)) = (&self.chunk, item.span) {
            let (line, _) = chunk.line_col(span.start);
            s.push_str(&format!(" at line {line}"));
        }
        s
    }
}

/// Everything a run lints with.
#[derive(Debug)]
pub struct Linter {
    pub rules: Vec<&'static Rule>,
    pub settings: Settings,
    pub severity: HashMap<&'static str, Severity>,
    pub exceptions: Vec<ExceptionRule>,
    /// Attributes that identify a file item.
    pub key_attributes: Vec<String>,
    pub unsafe_fixes: bool,
    /// How fingerprints name sources: relative to the config file's folder.
    pub source_names: SourceNames,
}

impl Linter {
    pub fn new(config: &Config, selection: &Selection, unsafe_fixes: bool) -> Linter {
        let file = &config.file;
        let mut severity = HashMap::new();
        for (code, sev) in &file.rules.severity {
            for r in crate::rules::RULES {
                if r.code
                    .to_ascii_uppercase()
                    .starts_with(&code.get_ref().to_ascii_uppercase())
                    || code.get_ref().eq_ignore_ascii_case("ALL")
                {
                    severity.insert(r.code, *sev);
                }
            }
        }
        let path = config.path.as_ref().map(|p| p.display().to_string());
        let exceptions = file
            .rules
            .exceptions
            .iter()
            .map(|ex| {
                let location = path.as_ref().map(|p| {
                    // Point at the `[[rules.exceptions]]` header the entry belongs to.
                    let start = ex.get_ref().reason.span().start;
                    let header = config.text[..start.min(config.text.len())]
                        .rfind("[[")
                        .unwrap_or(start);
                    let (line, column) = config.line_col(header);
                    Location {
                        path: p.clone(),
                        line,
                        column,
                    }
                });
                let e = ex.get_ref();
                ExceptionRule {
                    key: e
                        .key
                        .iter()
                        .map(|(k, v)| (k.clone(), toml_to_json(v)))
                        .collect(),
                    rules: e.rules.iter().map(|r| r.get_ref().clone()).collect(),
                    reason: e.reason.get_ref().clone(),
                    location,
                    used: AtomicUsize::new(0),
                }
            })
            .collect();
        Linter {
            rules: selection.rules(),
            settings: Settings {
                extra_attributes: file.registry.extra_attributes.clone(),
                local_account: file
                    .registry
                    .local_account_id
                    .as_ref()
                    .map(|s| s.get_ref().clone()),
                schema: config.schema.clone(),
            },
            severity,
            exceptions,
            key_attributes: file
                .registry
                .key
                .clone()
                .unwrap_or_else(|| vec![crate::schema::AGENT_ID.to_string()]),
            unsafe_fixes,
            source_names: SourceNames::for_config(config.path.as_deref()),
        }
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        self.rules.iter().any(|r| r.code == code)
    }

    /// The item-rule findings for an item (enabled rules only).
    pub fn lint(&self, item: &Item) -> Vec<Violation> {
        let mut found = check_item(item, &self.settings, &self.rules);
        if !found.is_empty() {
            let account = crate::rules::account_of(item);
            for v in &mut found {
                v.account.clone_from(&account);
            }
        }
        found
    }

    /// The key of a file item: the configured key attributes it has, as plain JSON.
    pub fn file_key(&self, item: &Item) -> serde_json::Map<String, serde_json::Value> {
        self.key_attributes
            .iter()
            .filter_map(|k| item.value(k).map(|v| (k.clone(), v.to_plain_json())))
            .collect()
    }

    fn suppressed(&self, key: &serde_json::Map<String, serde_json::Value>, code: &str) -> bool {
        match self.exceptions.iter().find(|e| e.matches(key, code)) {
            Some(e) => {
                e.used.fetch_add(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    fn applicable(&self, fix: &Fix) -> bool {
        fix.applicability == Applicability::Safe || self.unsafe_fixes
    }

    /// Applies fixes until nothing more is fixable. Returns the fixed item and the fixes applied.
    pub fn fix_item(
        &self,
        item: &Item,
        key: &serde_json::Map<String, serde_json::Value>,
    ) -> (Item, Vec<Fix>) {
        self.fix_item_protecting(item, key, &[])
    }

    /// [`Linter::fix_item`], where a fix that touches one of the `protected` attributes (a
    /// table's key attributes) counts as unsafe whatever the rule says.
    pub fn fix_item_protecting(
        &self,
        item: &Item,
        key: &serde_json::Map<String, serde_json::Value>,
        protected: &[String],
    ) -> (Item, Vec<Fix>) {
        let mut current = item.clone();
        let mut applied = Vec::new();
        for _round in 0..10 {
            let mut touched: HashSet<String> = HashSet::new();
            let mut changed = false;
            for v in self.lint(&current) {
                let Some(fix) = v.fix else { continue };
                let attrs: Vec<String> = fix
                    .edits
                    .iter()
                    .flat_map(|e| e.attributes())
                    .map(str::to_string)
                    .collect();
                let protected_hit = attrs.iter().any(|a| protected.contains(a));
                if !self.applicable(&fix)
                    || protected_hit && !self.unsafe_fixes
                    || self.exceptions.iter().any(|e| e.matches(key, v.code))
                {
                    continue;
                }
                if attrs.iter().any(|a| touched.contains(a)) {
                    continue;
                }
                let before = current.clone();
                apply_fix(&mut current, &fix);
                if current.same_data(&before) && names(&current) == names(&before) {
                    continue;
                }
                touched.extend(attrs);
                applied.push(fix);
                changed = true;
            }
            if !changed {
                break;
            }
        }
        (current, applied)
    }

    /// Turns a finding into a diagnostic, or `None` when an exception suppresses it.
    pub fn diagnostic(&self, v: Violation, origin: &ItemOrigin) -> Option<Diagnostic> {
        if self.suppressed(&origin.key, v.code) {
            return None;
        }
        let r = rule(v.code)?;
        let (location, snippet) = match (
            &origin.chunk,
            v.span
                .or(origin.item_span.map(|s| Span::new(s.start, s.start + 1))),
        ) {
            (Some(chunk), Some(span)) => (
                Some(location(chunk, span)),
                Some(Snippet {
                    chunk: chunk.clone(),
                    start: span.start,
                    end: span.end,
                }),
            ),
            _ => (None, None),
        };
        let item = item_identity(&origin.key, || {
            let (chunk, span) = (origin.chunk.as_ref()?, origin.item_span?);
            chunk.text.get(span.start..span.end).map(str::to_string)
        });
        let fingerprint = fingerprint(
            v.code,
            &self.source_names.name(&origin.label),
            &item,
            v.attribute.as_deref(),
            &v.value,
        );
        Some(Diagnostic {
            rule: r.code,
            name: r.name,
            severity: self.severity_of(r),
            message: v.message,
            item: Some(ItemRef {
                source: origin.source,
                index: origin.index,
                key: origin.key.clone(),
            }),
            origin: origin.label.clone(),
            attribute: v.attribute,
            location,
            snippet,
            fingerprint,
            fix: v.fix,
            help: v.help,
            account: v.account.or_else(|| key_account(&origin.key)),
            baseline: None,
        })
    }

    pub fn severity_of(&self, r: &Rule) -> Severity {
        self.severity.get(r.code).copied().unwrap_or(r.severity)
    }

    /// RG900 for every exception that matched nothing.
    pub fn unused_exceptions(&self) -> Vec<Diagnostic> {
        if !self.is_enabled(RG900.code) {
            return Vec::new();
        }
        self.exceptions
            .iter()
            .filter(|e| e.used.load(Ordering::Relaxed) == 0)
            .map(|e| {
                let key = serde_json::Value::Object(e.key.clone());
                Diagnostic {
                    rule: RG900.code,
                    name: RG900.name,
                    severity: self.severity_of(&RG900),
                    message: format!("the exception for {key} ({}) matched nothing", e.reason),
                    item: None,
                    origin: e
                        .location
                        .as_ref()
                        .map_or_else(String::new, |l| l.path.clone()),
                    attribute: None,
                    location: e.location.clone(),
                    snippet: None,
                    fingerprint: fingerprint(
                        RG900.code,
                        "config",
                        &serde_json::Value::Object(e.key.clone()).to_string(),
                        None,
                        &e.rules.join(","),
                    ),
                    fix: None,
                    help: Some("remove the exception: the problem it excused is gone".into()),
                    account: None,
                    baseline: None,
                }
            })
            .collect()
    }

    /// Whether any registry rule is enabled.
    pub fn registry_rules_enabled(&self) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(r.check, Check::Registry))
    }
}

/// The account in an item's key, when the key holds `account_id`.
fn key_account(key: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    match key.get(crate::schema::ACCOUNT_ID)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn names(item: &Item) -> Vec<&str> {
    item.attrs.iter().map(|a| a.name.as_ref()).collect()
}

/// The file location of a span in a chunk.
pub fn location(chunk: &TextChunk, span: Span) -> Location {
    let (line, column) = chunk.line_col(span.start);
    Location {
        path: chunk.path.to_string(),
        line,
        column,
    }
}

fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.iter().map(toml_to_json).collect(),
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| (k.clone(), toml_to_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}
