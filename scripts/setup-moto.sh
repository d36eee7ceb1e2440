#!/usr/bin/env bash
# Install the pinned moto server used by the integration tests into .venv/
# (git-ignored) at the repository root. Safe to run repeatedly: when the
# pinned version is already installed it does nothing but print the path of
# the venv's python.
#
#   scripts/setup-moto.sh            # -> /path/to/repo/.venv/bin/python
#
# Environment: PYTHON (default python3) picks the interpreter for the venv.
set -euo pipefail

# moto reads the AWS API models from botocore and serves through werkzeug /
# flask, so those are pinned with it: a newer botocore can change routing.
PINS=(
    "moto[server]==5.2.5"
    "boto3==1.44.8"
    "botocore==1.44.8"
    "werkzeug==3.1.9"
    "flask==3.1.3"
    "flask-cors==6.0.5"
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
py="$venv/bin/python"

installed() {
    [ -x "$py" ] || return 1
    "$py" - "${PINS[@]}" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    assert version(name.split("[")[0]) == wanted, pin
PY
}

if ! installed; then
    if [ ! -x "$py" ]; then
        rm -rf "$venv"
        "${PYTHON:-python3}" -m venv "$venv"
    fi
    "$py" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
    if ! installed; then
        echo "setup-moto: ${PINS[*]} did not install into $venv" >&2
        exit 1
    fi
fi

echo "$py"
