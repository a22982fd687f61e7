#!/usr/bin/env bash
# Editor latency: the time from `didChange` to `publishDiagnostics` of `cfn-cognito-lint
# server` for a 500-resource template (bench/gen-stress.py), one edit at a time, with the
# default debounce (100 ms) and without one (what linting and the protocol cost).
# Usage: bench/lsp-latency.sh [EDITS]
set -euo pipefail
cd "$(dirname "$0")/.."
edits=${1:-40}
cargo build --release --quiet --example lsp_latency
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/.git"
python3 bench/gen-stress.py 500 > "$work/stress.yaml"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d)"
for debounce in 100 0; do
  "$target/release/examples/lsp_latency" "$target/release/cfn-cognito-lint" "$work/stress.yaml" "$edits" "$debounce"
done
