//! What the audit formats (`emf`, `openmetrics`, `html`, and the `--history` line) need beyond
//! the summary: counts by source, rule, severity and account, kept as findings are added so that
//! `emf` and `openmetrics` hold no finding at all, and the facts of the run known only at its
//! end (its time, its exit status, the namespace, the runs of the history file).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Severity};

/// The rules whose findings mean an item could not be verified.
const UNVERIFIABLE_RULES: [&str; 2] = ["RG409", "RG410"];

/// Where findings that belong to no source (the configuration's) are counted.
pub const NO_SOURCE: usize = usize::MAX;

/// Findings and errors of one (source, account).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountCount {
    pub findings: usize,
    pub errors: usize,
}

/// Counts kept for every report.
#[derive(Debug, Clone, Default)]
pub struct AuditCounts {
    /// (source index, rule, severity) → findings.
    pub by_rule: BTreeMap<(usize, &'static str, Severity), usize>,
    /// source index → account → counts; findings whose item names no account are not here.
    pub by_account: BTreeMap<usize, BTreeMap<String, AccountCount>>,
    /// Items (source, index) with a finding that says they could not be verified.
    pub unverifiable: BTreeSet<(usize, usize)>,
}

impl AuditCounts {
    pub fn count(&mut self, d: &Diagnostic) {
        let source = d.item.as_ref().map_or(NO_SOURCE, |i| i.source);
        *self
            .by_rule
            .entry((source, d.rule, d.severity))
            .or_default() += 1;
        if let Some(account) = &d.account {
            let accounts = self.by_account.entry(source).or_default();
            let c = match accounts.get_mut(account.as_str()) {
                Some(c) => c,
                None => accounts.entry(account.clone()).or_default(),
            };
            c.findings += 1;
            c.errors += usize::from(d.severity == Severity::Error);
        }
        if let Some(item) = d.item.as_ref() {
            if UNVERIFIABLE_RULES.contains(&d.rule) {
                self.unverifiable.insert((item.source, item.index));
            }
        }
    }

    /// Findings and errors of one source.
    pub fn source_totals(&self, source: usize) -> (usize, usize) {
        self.by_rule
            .range((source, "", Severity::Info)..)
            .take_while(|((s, _, _), _)| *s == source)
            .fold((0, 0), |(f, e), ((_, _, sev), n)| {
                (f + n, e + if *sev == Severity::Error { *n } else { 0 })
            })
    }

    /// Items of one source that could not be verified.
    pub fn unverifiable_in(&self, source: usize) -> usize {
        self.unverifiable
            .range((source, 0)..=(source, usize::MAX))
            .count()
    }

    /// Findings by account over every source.
    pub fn accounts(&self) -> BTreeMap<&str, AccountCount> {
        let mut out: BTreeMap<&str, AccountCount> = BTreeMap::new();
        for accounts in self.by_account.values() {
            for (a, c) in accounts {
                let t = out.entry(a.as_str()).or_default();
                t.findings += c.findings;
                t.errors += c.errors;
            }
        }
        out
    }
}

/// Facts of the run the audit formats print, set once the run is over.
#[derive(Debug, Clone, Default)]
pub struct AuditRun {
    /// When the run ended.
    pub time: Option<chrono::DateTime<chrono::Utc>>,
    /// The run's exit status.
    pub exit_code: Option<u8>,
    /// CloudWatch namespace of `emf` (`[audit] namespace`, default `Reglint`).
    pub namespace: Option<String>,
    /// The runs of the `--history` file, this one last, for the `html` trend chart.
    pub history: Vec<crate::report::runs::Run>,
}

impl AuditRun {
    pub fn time(&self) -> chrono::DateTime<chrono::Utc> {
        self.time.unwrap_or_else(chrono::Utc::now)
    }

    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("Reglint")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::ItemRef;

    fn finding(
        rule: &'static str,
        severity: Severity,
        source: usize,
        index: usize,
        account: Option<&str>,
    ) -> Diagnostic {
        let mut d = crate::report::json::tests::sample(false);
        d.rule = rule;
        d.severity = severity;
        d.item = Some(ItemRef {
            source,
            index,
            key: serde_json::Map::new(),
        });
        d.account = account.map(str::to_string);
        d
    }

    #[test]
    fn counts_by_source_rule_severity_account_and_unverifiable_items() {
        let mut c = AuditCounts::default();
        c.count(&finding(
            "RG101",
            Severity::Error,
            0,
            1,
            Some("111111111111"),
        ));
        c.count(&finding(
            "RG101",
            Severity::Error,
            0,
            2,
            Some("111111111111"),
        ));
        c.count(&finding(
            "RG203",
            Severity::Warning,
            0,
            2,
            Some("222222222222"),
        ));
        c.count(&finding("RG409", Severity::Warning, 1, 5, None));
        c.count(&finding("RG410", Severity::Warning, 1, 5, None));
        c.count(&finding("RG409", Severity::Warning, 1, 6, None));
        assert_eq!(c.source_totals(0), (3, 2));
        assert_eq!(c.source_totals(1), (3, 0));
        assert_eq!(c.by_rule[&(0, "RG101", Severity::Error)], 2);
        assert_eq!(c.unverifiable_in(0), 0);
        assert_eq!(c.unverifiable_in(1), 2);
        let a = c.accounts();
        assert_eq!(
            a["111111111111"],
            AccountCount {
                findings: 2,
                errors: 2
            }
        );
        assert_eq!(
            a["222222222222"],
            AccountCount {
                findings: 1,
                errors: 0
            }
        );
        assert_eq!(a.len(), 2);
    }
}
