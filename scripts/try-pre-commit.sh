#!/usr/bin/env bash
# Runs this repository's pre-commit hook as a team would: pre-commit (PyPI, pinned, in a
# temporary virtual environment) installs the `reglint` hook from this checkout (`language:
# rust`: `cargo install --bins --root ENV --path .`) and runs it with `try-repo` on a throwaway
# git repository holding registry seed files: a bad registry fails the hook and names the
# finding, a clean one passes, and files that are not registries are not passed to it.
#
# Then it installs the offline linter as the README says (`cargo install --locked
# --no-default-features`) and runs the `reglint-system` hook with it on PATH.
#
# pre-commit builds the whole crate in release mode, from scratch (many minutes with the AWS
# SDK: pre-commit's `cargo install` cannot pass --no-default-features), so this script is not
# part of scripts/test.sh or CI.
#
#   scripts/try-pre-commit.sh                 # as pre-commit does it
#   scripts/try-pre-commit.sh --reuse-build   # the same, but cargo install builds with --debug
#                                             # --locked into this checkout's target/ (quicker)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = "--reuse-build" ]; then
    # A `cargo` first on PATH that turns pre-commit's `cargo install` into a debug build that
    # reuses target/; every other cargo command goes through unchanged.
    real_cargo="$(command -v cargo)"
    mkdir -p "$work/bin"
    cat > "$work/bin/cargo" <<WRAP
#!/usr/bin/env bash
if [ "\${1:-}" = install ]; then
    shift
    CARGO_TARGET_DIR="$root/target" exec "$real_cargo" install --debug --locked "\$@"
fi
exec "$real_cargo" "\$@"
WRAP
    chmod +x "$work/bin/cargo"
    export PATH="$work/bin:$PATH"
fi

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==4.7.0"
pre_commit="$work/venv/bin/pre-commit"
export PRE_COMMIT_HOME="$work/pre-commit-home"

"$pre_commit" validate-manifest "$root/.pre-commit-hooks.yaml"

repo="$work/registry-repo"
mkdir -p "$repo/registry"
cp "$root/fixtures/registry.json" "$repo/registry/agents.json"
printf "# seed files\n" > "$repo/README.md"
printf 'sources = ["registry/agents.json"]\n' > "$repo/reglint.toml"
cat > "$repo/.pre-commit-config.yaml" <<'CONF'
repos: []
CONF
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name=try -c user.email=try@example.invalid commit -qm "seed files"

try_hook() {
    (cd "$repo" && "$pre_commit" try-repo "$root" "${hook:-reglint}" --files "$@" --verbose)
}

echo "try-pre-commit: a registry with findings (building the hook first)"
set +e
try_hook registry/agents.json README.md > "$work/bad.log" 2>&1
bad=$?
set -e
cat "$work/bad.log"
if [ "$bad" -ne 1 ] || ! grep -q "RG101" "$work/bad.log" || ! grep -q "Failed" "$work/bad.log"; then
    echo "try-pre-commit: FAILED: a bad registry should fail the hook with RG101 (exit $bad)" >&2
    exit 1
fi

echo "try-pre-commit: a file that is not a registry"
set +e
try_hook README.md > "$work/other.log" 2>&1
other=$?
set -e
cat "$work/other.log"
if [ "$other" -ne 0 ] || ! grep -q "no files to check" "$work/other.log"; then
    echo "try-pre-commit: FAILED: README.md should not be passed to the hook" >&2
    exit 1
fi

echo "try-pre-commit: a clean registry"
cat > "$repo/registry/agents.json" <<'JSON'
[{"agent_id": "PEGHWIVI5Y", "alias_id": "IO1GTTHP0M", "name": "billing-agent",
  "description": "Answers questions about invoices", "agent_type": "bedrock_agent",
  "account_id": "843074507558", "enabled": true, "capabilities": ["billing"]}]
JSON
set +e
try_hook registry/agents.json README.md > "$work/good.log" 2>&1
good=$?
set -e
cat "$work/good.log"
if [ "$good" -ne 0 ] || ! grep -q "Passed" "$work/good.log"; then
    echo "try-pre-commit: FAILED: a clean registry should pass (exit $good)" >&2
    exit 1
fi
echo "try-pre-commit: the reglint-system hook with the offline build on PATH"
cat > "$repo/registry/agents.json" < "$root/fixtures/registry.json"
install=(cargo install --no-default-features --path "$root" --root "$work/offline")
if [ "${1:-}" = "--reuse-build" ]; then
    # The cargo wrapper above adds --debug --locked; the offline build has a target of its own.
    install+=(--target-dir "$root/target/offline")
else
    install+=(--locked)
fi
"${install[@]}"
set +e
PATH="$work/offline/bin:$PATH" hook=reglint-system try_hook registry/agents.json > "$work/system.log" 2>&1
system=$?
set -e
cat "$work/system.log"
if [ "$system" -ne 1 ] || ! grep -q "RG101" "$work/system.log"; then
    echo "try-pre-commit: FAILED: the offline build should fail the reglint-system hook with RG101 (exit $system)" >&2
    exit 1
fi
echo "try-pre-commit: ok"
