//! The engine: the one loop ([`drive`]) that reads, plans, writes, settles and hands every item
//! on, and the planners that say what to write.

mod check;
mod driver;
mod plan;

pub use check::{registry_findings, registry_findings_at, Checker, Observer};
pub use driver::{
    drive, touched_attributes, Change, Mode, Outcome, Planner, Read, Settled, SkipReason, Store,
};
pub use plan::{FixPlanner, GivenFixes, NoChanges};
