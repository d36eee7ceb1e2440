#!/usr/bin/env bash
# Install what the audit-report tests need, when it is missing:
# - prometheus_client (its OpenMetrics parser reads `--format openmetrics`) and jsonschema
#   (validates `--format emf` against the EMF schema) into .venv/, beside moto;
# - Debian's chromium, the headless browser that renders `--format html` (needs root, as on
#   CI and the development machines: `apt-get update` then `apt-get install -y chromium`).
# Safe to run repeatedly: when everything is there it only checks versions and returns.
#
#   scripts/setup-audit.sh            # after scripts/setup-moto.sh, which makes .venv/
set -euo pipefail

PINS=(
    "prometheus-client==0.26.0"
    "jsonschema==4.26.0"
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$root/.venv/bin/python"
if [ ! -x "$py" ]; then
    py="$(bash "$root/scripts/setup-moto.sh")"
fi

installed() {
    "$py" - "${PINS[@]}" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    assert version(name) == wanted, pin
PY
}

if ! installed; then
    "$py" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
    installed || { echo "setup-audit: ${PINS[*]} did not install" >&2; exit 1; }
fi

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup-audit: chromium is missing; install it as root: apt-get update && apt-get install -y chromium" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
    command -v chromium >/dev/null 2>&1 || { echo "setup-audit: chromium did not install" >&2; exit 1; }
fi
