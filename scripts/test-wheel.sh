#!/usr/bin/env bash
# Proves the Python wheel (pyproject.toml, maturin `bindings = "bin"`): builds it (or takes the one
# in $WHEEL_DIR), installs it into a fresh virtualenv with a PATH that has no cargo or rustc, and
# runs the installed `cfn-cognito-lint`: --version names Cargo.toml's version, a template with
# findings exits 1 with them, a clean template exits 0.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=scripts/lib/packaging.sh
. "$repo/scripts/lib/packaging.sh"

version=$(crate_version)
wheel=$(ensure_wheel)
pass "wheel $(basename "$wheel")"

python=$(real_python)
nopath=$(no_rust_path)
venv="$work/venv"
"$python" -m venv "$venv"
export PATH="$venv/bin:$nopath"
hash -r
if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
  fail "cargo or rustc is still on PATH: $(command -v cargo rustc | tr '\n' ' ')"
fi
pass "no cargo or rustc on PATH"

# --no-index: the wheel itself, never a source build.
pip install --quiet --no-index "$wheel" || fail "pip install of the wheel"
[ "$(command -v cfn-cognito-lint)" = "$venv/bin/cfn-cognito-lint" ] \
  || fail "cfn-cognito-lint is not the virtualenv's: $(command -v cfn-cognito-lint || echo none)"
pass "pip install --no-index of the wheel puts cfn-cognito-lint in the virtualenv"

out=$(cfn-cognito-lint --version) || fail "--version exited $?"
[ "$out" = "cfn-cognito-lint $version" ] || fail "--version printed '$out', expected 'cfn-cognito-lint $version'"
pass "--version: $out"

cd "$repo"
set +e
out=$(cfn-cognito-lint --format parseable fixtures/seeds/user-pool.yaml 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || { echo "$out"; fail "fixtures/seeds/user-pool.yaml exited $code, expected 1"; }
echo "$out" | grep -q '^fixtures/seeds/user-pool.yaml:138:18:.*:UP001:warning:' \
  || { echo "$out"; fail "no UP001 at fixtures/seeds/user-pool.yaml:138:18"; }
echo "$out" | grep -q ':TM004:error:' || { echo "$out"; fail "no TM004 in the seed's findings"; }
pass "fixtures/seeds/user-pool.yaml exits 1 with its findings ($(echo "$out" | grep -c ':[A-Z][A-Z][0-9][0-9][0-9]:') lines)"

set +e
out=$(cfn-cognito-lint fixtures/TR001/good.yaml 2>&1)
code=$?
set -e
[ "$code" -eq 0 ] || { echo "$out"; fail "fixtures/TR001/good.yaml exited $code, expected 0"; }
pass "fixtures/TR001/good.yaml exits 0"

echo "PASS test-wheel"
