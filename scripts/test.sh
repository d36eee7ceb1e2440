#!/usr/bin/env bash
# Runs every test: installs the pinned moto server the AWS tests talk to (into .venv/), what the
# audit-report tests need (scripts/setup-audit.sh: OpenMetrics and EMF checkers, Chromium) and the
# checker of the CI recipes (scripts/setup-ci-tools.sh), then builds reglint in release mode and
# runs the whole suite against the release binary.
# Extra arguments go to `cargo test` (for example a test name).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup-moto.sh >/dev/null
# prometheus_client and jsonschema (into .venv/) and Chromium (apt-get) for the audit-report tests.
bash scripts/setup-audit.sh
bash scripts/setup-ci-tools.sh >/dev/null
cargo test --release --locked --no-fail-fast "$@"
