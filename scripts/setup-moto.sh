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

MOTO_VERSION="5.2.5"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
py="$venv/bin/python"

installed() {
    [ -x "$py" ] || return 1
    "$py" - "$MOTO_VERSION" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
assert version("moto") == sys.argv[1]
import flask, flask_cors  # the server extra
PY
}

if ! installed; then
    if [ ! -x "$py" ]; then
        rm -rf "$venv"
        "${PYTHON:-python3}" -m venv "$venv"
    fi
    "$py" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION"
    if ! installed; then
        echo "setup-moto: moto[server]==$MOTO_VERSION did not install into $venv" >&2
        exit 1
    fi
fi

echo "$py"
