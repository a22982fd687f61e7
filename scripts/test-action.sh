#!/usr/bin/env bash
# Proves action.yml's own steps (scripts/lib/run-action.cjs runs its `run` steps as the runner
# would; setup-python and upload-sarif are GitHub's and not run here): the install step takes the
# wheel of the action's own version (`version: auto`) from a local folder, with PIP_NO_INDEX=1 and
# no cargo on PATH; on a template with TR001 the annotations name it, a SARIF file is written with
# the finding, and the action fails with exit code 1; on a clean template with `fail-level: error`
# it passes; `version: X.Y.Z` installs that version.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=scripts/lib/packaging.sh
. "$repo/scripts/lib/packaging.sh"
command -v node >/dev/null 2>&1 || fail "the action test needs node (and npm)"

version=$(crate_version)
wheel=$(ensure_wheel)
pass "wheel $(basename "$wheel")"
(cd "$work" && npm install --silent --no-save --no-audit --no-fund --no-package-lock yaml@2 >/dev/null) \
  || fail "npm install yaml"

mkdir -p "$work/links" "$work/project"
cp "$wheel" "$work/links/"
cp "$repo/fixtures/TR001/bad.yaml" "$repo/fixtures/TR001/good.yaml" "$work/project/"
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/links"
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL
PATH=$(no_rust_path)
export PATH
command -v cargo >/dev/null 2>&1 && fail "cargo is still on PATH"
cd "$work/project"

run_action() { # INPUTS_JSON -> the runner's JSON line; the steps' output in $work/steps.log
  node "$repo/scripts/lib/run-action.cjs" "$work/node_modules" "$repo/action.yml" "$1" 2>"$work/steps.log" \
    > "$work/result.json" || { cat "$work/steps.log"; fail "run-action.cjs failed"; }
  cat "$work/result.json"
}
field() { "$(real_python)" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, d))' "$work/result.json" "$1"; }

export GITHUB_STEP_SUMMARY="$work/summary.md"
: > "$GITHUB_STEP_SUMMARY"
run_action '{"paths": "bad.yaml good.yaml", "upload-sarif": "false", "sarif-file": "out.sarif"}' >/dev/null
[ "$(field 'exit')" = 1 ] || { cat "$work/steps.log"; fail "the action's exit code on bad.yaml is $(field 'exit'), expected 1"; }
[ "$(field 'outputs["exit-code"]')" = 1 ] || { cat "$work/steps.log"; fail "output exit-code is not 1"; }
grep -q '^::error file=bad.yaml,line=18,col=13,.*title=TR001 trust-without-aud::' "$work/steps.log" \
  || { cat "$work/steps.log"; fail "no TR001 annotation at bad.yaml:18:13"; }
grep -q "^cfn-cognito-lint $version\$" "$work/steps.log" || { cat "$work/steps.log"; fail "the install step did not print version $version"; }
pass "version auto: the wheel $version from the local folder; bad.yaml annotated with TR001 at 18:13, exit code 1"

[ "$(field 'outputs["sarif-file"]')" = out.sarif ] || fail "output sarif-file is not out.sarif"
"$(real_python)" - <<'PY' || fail "out.sarif does not hold the TR001 result at bad.yaml:18"
import json
run = json.load(open("out.sarif"))["runs"][0]
hits = [r for r in run["results"] if r["ruleId"] == "TR001"]
loc = hits[0]["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"].endswith("bad.yaml") and loc["region"]["startLine"] == 18, loc
PY
pass "SARIF written to out.sarif with TR001 at bad.yaml:18 (upload not run here: upload-sarif false)"

run_action "{\"paths\": \"good.yaml\", \"fail-level\": \"error\", \"version\": \"$version\", \"sarif-file\": \"\", \"upload-sarif\": \"false\"}" >/dev/null
[ "$(field 'exit')" = 0 ] || { cat "$work/steps.log"; fail "the action failed on good.yaml with fail-level error"; }
grep -q -- '-- skipped: Lint (SARIF)' "$work/steps.log" || { cat "$work/steps.log"; fail "the SARIF step ran with sarif-file empty"; }
pass "version $version, fail-level error: good.yaml passes, no SARIF run without sarif-file"

run_action '{"paths": "bad.yaml", "args": "--ignore TR001,TR004,IP", "upload-sarif": "false"}' >/dev/null
grep -q 'TR001' "$work/steps.log" && { cat "$work/steps.log"; fail "args --ignore TR001 was not passed"; }
pass "args reach the tool (--ignore TR001,TR004,IP: no TR001; exit $(field 'exit'))"

run_action '{"paths": "bad.yaml", "sarif-file": "up.sarif"}' >/dev/null
grep -q '^::error ' "$work/steps.log" && { cat "$work/steps.log"; fail "annotations and an uploaded SARIF would show each finding twice"; }
grep -q 'TR001 trust-without-aud' "$work/steps.log" || { cat "$work/steps.log"; fail "no human report in the log when SARIF is uploaded"; }
[ "$(field 'exit')" = 1 ] || { cat "$work/steps.log"; fail "exit code $(field 'exit') with SARIF uploaded, expected 1"; }
run_action '{"paths": "bad.yaml", "sarif-file": "up.sarif", "annotations": "true"}' >/dev/null
grep -q '^::error file=bad.yaml,line=18' "$work/steps.log" || { cat "$work/steps.log"; fail "annotations: true gave no annotation"; }
pass "annotations auto: none when SARIF is uploaded (the human report in the log instead), on with annotations: true"

echo "PASS test-action"
