//! A capacity budget (`--max-wcu`, `--max-rcu`): calls are paced so that the units they consume
//! never exceed the rate on average. Each call reserves its estimated units before it is sent
//! and waits its turn; the units DynamoDB reports (`ReturnConsumedCapacity`) then replace the
//! estimate, so the next call waits for what was really consumed.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Read and write paces; `None` is unlimited.
#[derive(Debug, Default)]
pub struct Budget {
    read: Option<Pace>,
    write: Option<Pace>,
}

/// Which units a call consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    Read,
    Write,
}

impl Budget {
    /// A budget of `max_rcu` read and `max_wcu` write units per second; zero or absent is no limit.
    pub fn new(max_rcu: Option<f64>, max_wcu: Option<f64>) -> Budget {
        let pace = |rate: Option<f64>| rate.filter(|r| *r > 0.0).map(Pace::new);
        Budget {
            read: pace(max_rcu),
            write: pace(max_wcu),
        }
    }

    fn pace(&self, units: Units) -> Option<&Pace> {
        match units {
            Units::Read => self.read.as_ref(),
            Units::Write => self.write.as_ref(),
        }
    }

    /// Waits until a call of `estimate` units may be sent, and reserves them.
    pub async fn reserve(&self, units: Units, estimate: f64) {
        if let Some(pace) = self.pace(units) {
            let start = pace.book(estimate);
            tokio::time::sleep_until(start).await;
        }
    }

    /// Replaces a reservation with what the call consumed (when DynamoDB said).
    pub fn settle(&self, units: Units, estimate: f64, consumed: Option<f64>) {
        if let (Some(pace), Some(used)) = (self.pace(units), consumed) {
            pace.shift(used - estimate);
        }
    }

    /// Waits until everything consumed so far is paid for: a run that ends here has consumed,
    /// on average over its whole length, no more than the rate.
    pub async fn drain(&self) {
        for pace in [&self.read, &self.write].into_iter().flatten() {
            let until = pace.next_free();
            tokio::time::sleep_until(until).await;
        }
    }
}

/// One rate: the moment the next call may start.
#[derive(Debug)]
struct Pace {
    per_unit: Duration,
    next: Mutex<Instant>,
}

impl Pace {
    fn new(rate: f64) -> Pace {
        Pace {
            per_unit: Duration::from_secs_f64(1.0 / rate),
            next: Mutex::new(Instant::now()),
        }
    }

    /// The start of a call of `units`; the one after it starts `units` later.
    fn book(&self, units: f64) -> Instant {
        let Ok(mut next) = self.next.lock() else {
            return Instant::now();
        };
        let start = (*next).max(Instant::now());
        *next = start + self.per_unit.mul_f64(units.max(0.0));
        start
    }

    fn shift(&self, units: f64) {
        if let Ok(mut next) = self.next.lock() {
            let by = self.per_unit.mul_f64(units.abs());
            *next = if units >= 0.0 {
                *next + by
            } else {
                next.checked_sub(by).unwrap_or(*next)
            };
        }
    }

    fn next_free(&self) -> Instant {
        self.next
            .lock()
            .map(|n| *n)
            .unwrap_or_else(|_| Instant::now())
    }
}

/// Write units of one write of an item of `bytes` (1 KB steps; a transaction costs twice).
pub fn write_units(bytes: usize, transactional: bool) -> f64 {
    let units = bytes.div_ceil(1024).max(1) as f64;
    if transactional {
        2.0 * units
    } else {
        units
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_are_paced_at_the_rate_and_reported_units_replace_the_estimate() {
        let budget = Budget::new(None, Some(100.0));
        let t0 = Instant::now();
        for _ in 0..20 {
            budget.reserve(Units::Write, 1.0).await;
        }
        // The 20th call starts after 19 units at 100 per second.
        assert!(
            t0.elapsed() >= Duration::from_millis(190),
            "{:?}",
            t0.elapsed()
        );
        budget.drain().await;
        assert!(t0.elapsed() >= Duration::from_millis(200));
        // A call reported at 11 units instead of 1 delays the next by the difference.
        budget.reserve(Units::Write, 1.0).await;
        budget.settle(Units::Write, 1.0, Some(11.0));
        let before = Instant::now();
        budget.reserve(Units::Write, 1.0).await;
        assert!(
            before.elapsed() >= Duration::from_millis(100),
            "{:?}",
            before.elapsed()
        );
        // Reads are not limited by a write budget.
        let before = Instant::now();
        budget.reserve(Units::Read, 1000.0).await;
        assert!(before.elapsed() < Duration::from_millis(50));
    }

    #[test]
    fn write_units_round_up_per_kilobyte_and_double_for_transactions() {
        assert_eq!(write_units(10, false), 1.0);
        assert_eq!(write_units(1025, false), 2.0);
        assert_eq!(write_units(1025, true), 4.0);
    }
}
