#!/usr/bin/env bash
# Long fault-injection runs: the tests of tests/faults.rs with many seeds and more items.
#   scripts/fault-soak.sh [SEEDS] [ITEMS]      (defaults: 20 seeds, 1000 items)
# Every run must keep the invariants (each item whole, journaled, undone exactly); the
# script prints the seeds used and the test result.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-20}
items=${2:-1000}
list=$(seq -s, 1 "$seeds")
echo "fault soak: seeds 1..$seeds, $items items per table"
start=$(date +%s)
FAULT_SEEDS=$list FAULT_ITEMS=$items cargo test --release --test faults -- --nocapture --test-threads 1 2>&1 \
  | grep -E '^(scan|fix|key change): exit|test result|panicked' | tee /tmp/fault-soak.$$.log
echo "runs: $(grep -c ': exit' /tmp/fault-soak.$$.log), exit 2 (clear failures): $(grep -c 'exit Some(2)' /tmp/fault-soak.$$.log), seconds: $(( $(date +%s) - start ))"
grep -q 'test result: ok' /tmp/fault-soak.$$.log
