//! What the engine does with every item as it is now: lint it with the item rules and the
//! registry rules, and push the findings into the report.

use super::Read;
use crate::diagnostic::{Applicability, Fix};
use crate::lint::{ItemOrigin, Linter};
use crate::model::Item;
use crate::report::Report;
use crate::rules::registry::{Claims, RegistryIndex, Seen};

/// Called with every checked item and where it came from.
pub type Observer<'a> = &'a dyn Fn(&Item, &ItemOrigin);

/// Lints what the engine settles: item rules, registry rules, and the items `--verify` checks.
pub struct Checker<'a> {
    pub linter: &'a Linter,
    pub registry: &'a mut RegistryIndex,
    /// Called with every checked item (`--verify` records what it will ask about).
    pub observe: Option<Observer<'a>>,
    /// A table's key attributes: a fix that touches one is a move, never safe.
    pub protected: &'a [String],
}

impl Checker<'_> {
    /// Lints one item as it is now into the report.
    pub fn take(&mut self, read: &Read, report: &mut Report) {
        let linter = self.linter;
        for v in linter.lint(&read.item) {
            if let Some(mut d) = linter.diagnostic(v, &read.origin) {
                mark_key_fixes_unsafe(d.fix.as_mut(), self.protected);
                report.push(d);
            }
        }
        if let Some(observe) = self.observe {
            observe(&read.item, &read.origin);
        }
        if linter.registry_rules_enabled() {
            let local = linter.settings.local_account.as_deref();
            let claims = Claims::of(&read.item, local);
            self.registry_claims(&claims, &read.item, &read.origin, report);
        }
    }

    /// The registry rules for an item whose claims are known; items come in source order.
    pub fn registry_claims(
        &mut self,
        claims: &Claims,
        item: &Item,
        origin: &ItemOrigin,
        report: &mut Report,
    ) {
        registry_findings(self.linter, self.registry, claims, item, origin, report);
    }
}

/// The registry rules for an item whose claims are known, into the report; items come in
/// source order.
pub fn registry_findings(
    linter: &Linter,
    registry: &mut RegistryIndex,
    claims: &Claims,
    item: &Item,
    origin: &ItemOrigin,
    report: &mut Report,
) {
    let described;
    let here = match (&origin.chunk, item.span) {
        (Some(chunk), Some(span)) => Seen::At {
            label: &origin.label,
            index: origin.index,
            line: Some(chunk.line_col(span.start).0),
        },
        (Some(_), None) => Seen::At {
            label: &origin.label,
            index: origin.index,
            line: None,
        },
        (None, _) => {
            described = origin.describe(item);
            Seen::Text(&described)
        }
    };
    registry_findings_at(
        linter,
        registry,
        claims,
        item,
        here,
        &mut || origin.clone(),
        report,
    );
}

/// [`registry_findings`] for a caller that knows where the item is seen without building its
/// origin: the origin (a copy of the item's text) is made only for a finding. Most items have
/// none, and this runs once per item of a million-item file.
pub fn registry_findings_at(
    linter: &Linter,
    registry: &mut RegistryIndex,
    claims: &Claims,
    item: &Item,
    here: Seen,
    origin: &mut dyn FnMut() -> ItemOrigin,
    report: &mut Report,
) {
    let local = linter.settings.local_account.as_deref();
    let found = registry.observe_claims(claims, item, local, here);
    if found.is_empty() {
        return;
    }
    let origin = origin();
    for v in found {
        if linter.is_enabled(v.code) {
            if let Some(d) = linter.diagnostic(v, &origin) {
                report.push(d);
            }
        }
    }
}

/// A fix that changes a key attribute is a delete and a put: never safe.
fn mark_key_fixes_unsafe(fix: Option<&mut Fix>, keys: &[String]) {
    let Some(fix) = fix else { return };
    let touches_key = fix
        .edits
        .iter()
        .flat_map(|e| e.attributes())
        .any(|a| keys.iter().any(|k| k == a));
    if touches_key {
        fix.applicability = Applicability::Unsafe;
    }
}
