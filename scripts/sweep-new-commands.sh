#!/usr/bin/env bash
# Robustness and precision sweep of the newer commands over the shared corpus (../shared/corpus):
# `graph` (4 formats), `--diff/--fix --unsafe-fixes` (on a temporary copy), `--write-baseline`/
# `--baseline`, the language server (`server`) and the GitHub job summary. The checks are in
# scripts/sweep_new_commands.py (its docstring lists them); this builds the release binary and
# runs them. Not part of CI: it takes a few minutes (about 5 on 2 cores) and needs the corpus.
# Graphviz (`dot`) and patch(1) are used when installed.
#
# Usage: scripts/sweep-new-commands.sh [graph|fix|baseline|server|summary]...
# Environment: CFN_COGNITO_LINT (the binary; default: a release build), CORPUS (default
#              ../shared/corpus), SWEEP_JOBS (default 2), SWEEP_SEED, SWEEP_KEEP=1 (keep outputs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus="${CORPUS:-$repo/../shared/corpus}"
if [[ ! -f "$corpus/MANIFEST.tsv" ]]; then
  echo "skip: no corpus at $corpus (set CORPUS)"
  exit 0
fi
bin="${CFN_COGNITO_LINT:-}"
if [[ -z "$bin" ]]; then
  (cd "$repo" && cargo build --release --locked --quiet)
  bin="${CARGO_TARGET_DIR:-$repo/target}/release/cfn-cognito-lint"
fi
exec python3 "$repo/scripts/sweep_new_commands.py" "$bin" "$corpus" "$@"
