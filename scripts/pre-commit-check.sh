#!/usr/bin/env bash
# Proves the pre-commit hook with the real pre-commit (PyPI): installs it into a temporary
# virtualenv, makes a temporary git repository with one good template, one bad template and one
# non-template YAML file, and runs `pre-commit try-repo` against this checkout. The bad template
# must fail the hook with its finding in the output; the good one and the CI config must pass.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pre-commit
export PATH="$work/venv/bin:$PATH"
mkdir "$work/project" && cd "$work/project"
git init --quiet
git config user.email ci@example.invalid && git config user.name ci
cp "$repo/fixtures/TR001/good.yaml" good.yaml
cp "$repo/fixtures/TR001/bad.yaml" bad.yaml
printf 'name: ci\non: push\njobs: {}\n' > ci.yml
git add . && git commit --quiet -m fixtures
echo "== good template and a non-template: the hook passes"
pre-commit try-repo "$repo" cfn-cognito-lint --files good.yaml ci.yml
echo "== bad template: the hook fails with the finding"
if out=$(pre-commit try-repo "$repo" cfn-cognito-lint --files bad.yaml 2>&1); then
  echo "$out"; echo "FAIL: the bad template passed"; exit 1
fi
echo "$out" | grep -q "TR001" || { echo "$out"; echo "FAIL: no TR001 in the output"; exit 1; }
echo "$out" | tail -20
echo "pre-commit check: 2 passed, 0 failed"
