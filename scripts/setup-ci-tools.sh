#!/usr/bin/env bash
# Install the pinned tools the test suite checks the CI recipes with (check-jsonschema, which
# carries the published GitHub workflow and GitLab CI schemas) into .venv/, beside moto.
# Safe to run repeatedly: when the pinned versions are there it only prints the tool's path.
#
#   scripts/setup-ci-tools.sh        # -> /path/to/repo/.venv/bin/check-jsonschema
set -euo pipefail

PINS=(
    "check-jsonschema==0.39.0"
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$(bash "$root/scripts/setup-moto.sh")"
venv="$(dirname "$(dirname "$py")")"

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
    if ! installed; then
        echo "setup-ci-tools: ${PINS[*]} did not install into $venv" >&2
        exit 1
    fi
fi

echo "$venv/bin/check-jsonschema"
