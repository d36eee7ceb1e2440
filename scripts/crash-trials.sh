#!/usr/bin/env bash
# Crash trials: `--fix` of ITEMS items killed with SIGKILL at random moments, TRIALS times
# (alternately after a random delay and after a random number of writes held by the proxy);
# after each kill: every item whole and journaled, a re-run converges to an uninterrupted
# run's table, and undo restores the original exactly.
#   scripts/crash-trials.sh [TRIALS] [ITEMS] [SEED]      (defaults: 20, 1000, 11)
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-20}
items=${2:-1000}
seed=${3:-11}
echo "crash trials: $trials trials of $items items, seed $seed"
start=$(date +%s)
log=$(mktemp)
status=0
CRASH_TRIALS=$trials CRASH_ITEMS=$items CRASH_SEED=$seed \
  cargo test --release --test crash -- --nocapture 2>&1 \
  | grep -E '^trial |^crash trials:|test result|panicked|left:|right:' | tee "$log" || true
grep -q 'test result: ok' "$log" || status=1
echo "seconds: $(( $(date +%s) - start )); result: $([ $status = 0 ] && echo 'no failures' || echo FAILED)"
rm -f "$log"
exit $status
