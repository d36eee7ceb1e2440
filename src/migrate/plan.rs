//! The plan (spec §8.3): every pending migration simulated over a target's items, in order —
//! per op the items it matches and three samples before → after, and the lint delta: the rules
//! run on every before- and after-image, findings fixed and introduced by rule. Pure: no I/O.

use std::collections::BTreeMap;

use crate::diagnostic::Severity;
use crate::lint::Linter;
use crate::model::{Format, Item};

use super::file::Migration;

/// How many before → after samples each op keeps.
pub const SAMPLES: usize = 3;

/// One op's share of a plan.
#[derive(Debug, Clone)]
pub struct OpPlan {
    pub kind: &'static str,
    pub attribute: String,
    pub matches: usize,
    pub samples: Vec<(serde_json::Value, serde_json::Value)>,
}

/// Findings by rule code.
pub type Counts = BTreeMap<String, usize>;

/// What one migration would do to a target.
#[derive(Debug, Clone)]
pub struct MigrationPlan {
    pub version: u32,
    pub name: String,
    pub checksum: String,
    pub ops: Vec<OpPlan>,
    pub items: usize,
    pub items_to_write: usize,
    pub fixed: Counts,
    pub introduced: Counts,
    /// Codes among `introduced` whose severity is error.
    pub introduced_errors: Vec<String>,
    pub estimate: Estimate,
}

impl MigrationPlan {
    /// A file target has no ledger: a migration whose plan changes nothing is applied.
    pub fn state(&self) -> &'static str {
        if self.items_to_write == 0 {
            "applied"
        } else {
            "pending"
        }
    }
}

/// Read and write units a run would consume (as DynamoDB charges them), and the time a budget implies.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimate {
    pub rcu: f64,
    pub wcu: f64,
    pub seconds: f64,
}

/// The capacity a run may use per second (`--max-rcu`, `--max-wcu`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Budget {
    pub max_rcu: Option<f64>,
    pub max_wcu: Option<f64>,
}

/// The plan of every migration over `items`; each migration sees the images the earlier ones left.
pub fn plan(
    migrations: &[Migration],
    checksums: &[String],
    mut items: Vec<Item>,
    linter: &Linter,
    budget: Budget,
) -> Vec<MigrationPlan> {
    migrations
        .iter()
        .zip(checksums)
        .map(|(m, sum)| {
            let (plan, after) = plan_one(m, sum, &items, linter, budget);
            items = after;
            plan
        })
        .collect()
}

fn plan_one(
    m: &Migration,
    checksum: &str,
    items: &[Item],
    linter: &Linter,
    budget: Budget,
) -> (MigrationPlan, Vec<Item>) {
    let mut plan = MigrationPlan {
        version: m.version,
        name: m.name.clone(),
        checksum: checksum.to_string(),
        ops: m
            .ops
            .iter()
            .map(|o| OpPlan {
                kind: o.kind_name(),
                attribute: o.attribute(),
                matches: 0,
                samples: Vec::new(),
            })
            .collect(),
        items: items.len(),
        items_to_write: 0,
        fixed: Counts::new(),
        introduced: Counts::new(),
        introduced_errors: Vec::new(),
        estimate: Estimate::default(),
    };
    let mut sizes = Sizes::default();
    let after: Vec<Item> = items
        .iter()
        .map(|item| {
            sizes.read += item_size(item);
            match run_ops(m, item, &mut plan.ops) {
                Some(new) => {
                    plan.items_to_write += 1;
                    sizes.write_units += write_units(item, &new);
                    lint_delta(linter, item, &new, &mut plan);
                    new
                }
                None => item.clone(),
            }
        })
        .collect();
    plan.introduced_errors = plan
        .introduced
        .keys()
        .filter(|code| {
            crate::rules::rule(code).is_some_and(|r| linter.severity_of(r) == Severity::Error)
        })
        .cloned()
        .collect();
    plan.estimate = sizes.estimate(budget);
    (plan, after)
}

/// Runs the ops in order on one item, counting matches and keeping samples.
fn run_ops(m: &Migration, item: &Item, ops: &mut [OpPlan]) -> Option<Item> {
    let mut current: Option<Item> = None;
    for (op, tally) in m.ops.iter().zip(ops.iter_mut()) {
        let base = current.as_ref().unwrap_or(item);
        if let Some(next) = op.apply(base) {
            tally.matches += 1;
            if tally.samples.len() < SAMPLES {
                tally.samples.push((image(base), image(&next)));
            }
            current = Some(next);
        }
    }
    current
}

/// An item as it is written in its source.
fn image(item: &Item) -> serde_json::Value {
    match item.format {
        Format::Plain => item.to_plain_json(),
        Format::Dynamodb => item.to_typed_json(),
    }
}

fn by_code(linter: &Linter, item: &Item) -> Counts {
    let mut counts = Counts::new();
    for v in linter.lint(item) {
        *counts.entry(v.code.to_string()).or_default() += 1;
    }
    counts
}

fn lint_delta(linter: &Linter, before: &Item, after: &Item, plan: &mut MigrationPlan) {
    let (b, a) = (by_code(linter, before), by_code(linter, after));
    for (code, n) in &b {
        let left = a.get(code).copied().unwrap_or(0);
        if *n > left {
            *plan.fixed.entry(code.clone()).or_default() += n - left;
        }
    }
    for (code, n) in &a {
        let had = b.get(code).copied().unwrap_or(0);
        if *n > had {
            *plan.introduced.entry(code.clone()).or_default() += n - had;
        }
    }
}

/// An item's size as DynamoDB counts it, near enough for an estimate: names plus values.
fn item_size(item: &Item) -> usize {
    item.to_typed_json().to_string().len()
}

/// WCU of one UpdateItem: the larger of the two images, in 1 KB steps.
fn write_units(before: &Item, after: &Item) -> f64 {
    let bytes = item_size(before).max(item_size(after));
    bytes.div_ceil(1024).max(1) as f64
}

#[derive(Default)]
struct Sizes {
    read: usize,
    write_units: f64,
}

impl Sizes {
    /// An eventually consistent scan costs half a unit per 4 KB read.
    fn estimate(&self, budget: Budget) -> Estimate {
        let rcu = (self.read as f64 / 4096.0).ceil() * 0.5;
        let wcu = self.write_units;
        let time =
            |units: f64, cap: Option<f64>| cap.filter(|c| *c > 0.0).map_or(0.0, |c| units / c);
        Estimate {
            rcu,
            wcu,
            seconds: time(rcu, budget.max_rcu).max(time(wcu, budget.max_wcu)),
        }
    }
}
