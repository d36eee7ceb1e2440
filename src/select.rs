//! Rule selection with ruff's semantics: codes or prefixes (`RG1`, `RG101`, `ALL`); for each
//! rule the most specific selector wins, and `ignore` wins a tie.

use crate::rules::{Rule, RULES};

/// Whether `s` names at least one rule (a code, a prefix, or `ALL`).
pub fn is_selector(s: &str) -> bool {
    s.eq_ignore_ascii_case("ALL") || RULES.iter().any(|r| matches(s, r.code))
}

fn matches(selector: &str, code: &str) -> bool {
    selector.eq_ignore_ascii_case("ALL")
        || (selector.len() <= code.len() && code[..selector.len()].eq_ignore_ascii_case(selector))
}

/// How specific a selector is for a code: `None` when it does not match.
fn specificity(selector: &str, code: &str) -> Option<usize> {
    if selector.eq_ignore_ascii_case("ALL") {
        Some(0)
    } else if matches(selector, code) {
        Some(selector.len())
    } else {
        None
    }
}

/// The selectors of a run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// `select` (or ALL when empty) plus `extend_select`, minus `ignore`.
    pub fn new(
        select: Option<Vec<String>>,
        extend_select: Vec<String>,
        ignore: Vec<String>,
    ) -> Self {
        let mut select = select.unwrap_or_else(|| vec!["ALL".to_string()]);
        select.extend(extend_select);
        Selection { select, ignore }
    }

    pub fn is_enabled(&self, code: &str) -> bool {
        let best = |list: &[String]| list.iter().filter_map(|s| specificity(s, code)).max();
        match (best(&self.select), best(&self.ignore)) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// The enabled rules, in catalogue order.
    pub fn rules(&self) -> Vec<&'static Rule> {
        RULES
            .iter()
            .copied()
            .filter(|r| self.is_enabled(r.code))
            .collect()
    }
}

/// Splits a comma-separated option value.
pub fn split_codes(v: &[String]) -> Vec<String> {
    v.iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_wins_and_ignore_wins_ties() {
        let s = Selection::new(None, vec![], vec!["RG3".into()]);
        assert!(s.is_enabled("RG101"));
        assert!(!s.is_enabled("RG301"));
        let s = Selection::new(Some(vec!["RG301".into()]), vec![], vec!["RG3".into()]);
        assert!(s.is_enabled("RG301"));
        assert!(!s.is_enabled("RG302"));
        let s = Selection::new(
            Some(vec!["RG1".into()]),
            vec!["RG001".into()],
            vec!["RG1".into()],
        );
        assert!(!s.is_enabled("RG101"));
        assert!(s.is_enabled("RG001"));
        assert!(is_selector("rg10") && is_selector("ALL") && !is_selector("RG7"));
    }
}
