#!/usr/bin/env bash
# Proves the pre-commit mirror (pre-commit-mirror/, scripts/make-pre-commit-mirror.sh) end to end
# without Rust and without a package index: builds the wheel (or takes the one in $WHEEL_DIR),
# puts it with setuptools and wheel (downloaded now, while preparing) in a local folder, generates
# the mirror for this version, and runs the real pre-commit's `try-repo` on a git repository with a
# template that has TR001. pre-commit installs the hook with PIP_NO_INDEX=1 and
# PIP_FIND_LINKS=<that folder>, with no cargo or rustc on PATH. The hook must fail with TR001, the
# binary it runs must be the wheel's (byte for byte: nothing was compiled), and a clean template
# must pass.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=scripts/lib/packaging.sh
. "$repo/scripts/lib/packaging.sh"

version=$(crate_version)
wheel=$(ensure_wheel)
pass "wheel $(basename "$wheel")"

links="$work/wheelhouse"
mkdir -p "$links"
cp "$wheel" "$links/"
python=$(real_python)
"$python" -m pip download --quiet --dest "$links" setuptools wheel
pass "local package folder: $(cd "$links" && ls | tr '\n' ' ')"

if command -v pre-commit >/dev/null 2>&1; then
  pre_commit=$(command -v pre-commit)
else
  "$python" -m venv "$work/pre-commit-venv"
  "$work/pre-commit-venv/bin/pip" install --quiet pre-commit
  pre_commit="$work/pre-commit-venv/bin/pre-commit"
fi

bash "$repo/scripts/make-pre-commit-mirror.sh" "$version" "$work/mirror" >/dev/null
[ "$(git -C "$work/mirror" describe --tags)" = "v$version" ] || fail "the mirror's HEAD is not tagged v$version"
grep -q "^dependencies = \[\"cfn-cognito-lint==$version\"\]$" "$work/mirror/pyproject.toml" \
  || fail "the mirror's package does not pin cfn-cognito-lint==$version"
pass "mirror generated for $version, tagged v$version"

mkdir "$work/project"
cd "$work/project"
git init --quiet
git config user.email ci@example.invalid
git config user.name ci
cp "$repo/fixtures/TR001/bad.yaml" bad.yaml
cp "$repo/fixtures/TR001/good.yaml" good.yaml
printf 'name: ci\non: push\njobs: {}\n' > ci.yml
git add .
git commit --quiet -m fixtures

export PATH
PATH=$(no_rust_path)
hash -r
if command -v cargo >/dev/null 2>&1 || command -v rustc >/dev/null 2>&1; then
  fail "cargo or rustc is still on PATH"
fi
export PRE_COMMIT_HOME="$work/pre-commit-home"
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$links"
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL
pass "no cargo or rustc on PATH, pip without an index"

start=$EPOCHREALTIME
set +e
out=$("$pre_commit" try-repo "$work/mirror" cfn-cognito-lint --all-files 2>&1)
code=$?
set -e
first=$(elapsed "$start")
[ "$code" -ne 0 ] || { echo "$out"; fail "the hook passed on a template with TR001"; }
echo "$out" | grep -q 'TR001' || { echo "$out"; fail "no TR001 in the hook's output"; }
echo "$out" | grep -q 'bad.yaml:18:' || { echo "$out"; fail "TR001 not reported at bad.yaml:18"; }
if echo "$out" | grep -qiE 'Compiling|cargo|rustc'; then
  echo "$out"; fail "the output mentions a compilation"
fi
pass "pre-commit try-repo, first run (hook installed from the wheel): fails with TR001 at bad.yaml:18 in $first s"

# As a user has it: the mirror named in .pre-commit-config.yaml at its tag. pre-commit keeps this
# environment in PRE_COMMIT_HOME (try-repo's is temporary), so it can be looked at.
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $work/mirror
    rev: v$version
    hooks:
      - id: cfn-cognito-lint
YAML
start=$EPOCHREALTIME
out=$("$pre_commit" run cfn-cognito-lint --files good.yaml ci.yml 2>&1) \
  || { echo "$out"; fail "the hook failed on a clean template and a non-template"; }
pass "pre-commit run at rev v$version: a clean template and a non-template pass ($(elapsed "$start") s with the install)"

# The binary the hook ran is the wheel's own file: pip installed the wheel, nothing was built.
installed=$(find "$PRE_COMMIT_HOME" -path '*/bin/cfn-cognito-lint' -type f | head -n 1)
[ -n "$installed" ] || fail "no cfn-cognito-lint in the hook's environment under $PRE_COMMIT_HOME"
"$python" - "$wheel" "$installed" <<'PY' || fail "the hook's binary $installed is not the wheel's"
import hashlib, sys, zipfile
wheel, installed = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".data/scripts/cfn-cognito-lint"))
    packed = hashlib.sha256(z.read(name)).hexdigest()
with open(installed, "rb") as f:
    local = hashlib.sha256(f.read()).hexdigest()
sys.exit(0 if packed == local else 1)
PY
pass "the hook's binary is the wheel's, byte for byte"

start=$EPOCHREALTIME
set +e
out=$("$pre_commit" run cfn-cognito-lint --files bad.yaml 2>&1)
code=$?
set -e
[ "$code" -ne 0 ] && echo "$out" | grep -q 'TR001' || { echo "$out"; fail "bad.yaml passed at rev v$version"; }
pass "pre-commit run at rev v$version: bad.yaml fails with TR001 ($(elapsed "$start") s, environment reused)"

echo "PASS test-pre-commit-mirror"
