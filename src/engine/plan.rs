//! Planners: what the driver writes. The fixes of the selected rules (`check --fix`), and fixes
//! handed over by another producer (the remote findings of `--verify`).

use std::collections::HashMap;

use super::driver::{Planner, Read};
use crate::diagnostic::Fix;
use crate::fix::apply_fix;
use crate::lint::Linter;
use crate::model::Item;

/// The fixes of the linter's rules, applied until nothing more is fixable. A fix that touches
/// a `protected` attribute (a table's key) counts as unsafe whatever its rule says.
pub struct FixPlanner<'a> {
    pub linter: &'a Linter,
    pub protected: &'a [String],
}

impl Planner for FixPlanner<'_> {
    fn plan(&self, read: &Read) -> Option<(Item, Vec<Fix>)> {
        let (fixed, fixes) =
            self.linter
                .fix_item_protecting(&read.item, &read.origin.key, self.protected);
        (!fixes.is_empty()).then_some((fixed, fixes))
    }
}

/// Fixes chosen elsewhere, by the position of the item in its source.
#[derive(Debug, Default)]
pub struct GivenFixes {
    pub by_index: HashMap<usize, Vec<Fix>>,
}

impl Planner for GivenFixes {
    fn plan(&self, read: &Read) -> Option<(Item, Vec<Fix>)> {
        let fixes = self.by_index.get(&read.origin.index)?;
        let mut item = read.item.clone();
        for fix in fixes {
            apply_fix(&mut item, fix);
        }
        Some((item, fixes.clone()))
    }
}

/// Plans nothing: `check` without `--fix`.
pub struct NoChanges;

impl Planner for NoChanges {
    fn plan(&self, _read: &Read) -> Option<(Item, Vec<Fix>)> {
        None
    }
}
