#!/usr/bin/env bash
# SARIF of 200,000 findings in bounded memory (issue 14): one generated template with a single
# `Fn::Sub` of 200,000 undefined variables (bench/gen-quadratic.py sub: 200,000 TM005 findings,
# little lint work), reported with `--format sarif -o FILE` under /usr/bin/time -v.
# Acceptance: maximum resident set size under 300 MB (LIMIT_MB to change it).
# Usage: bench/sarif-memory.sh [N]   (BIN=path/to/binary to measure another build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200000}
limit_mb=${LIMIT_MB:-300}
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin=${BIN:-${CARGO_TARGET_DIR:-target}/release/cfn-cognito-lint}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'limits: {max-file-size: 1GiB}\n' > "$work/config.yaml"
python3 bench/gen-quadratic.py sub "$n" > "$work/many.yaml"
/usr/bin/time -v "$bin" --config "$work/config.yaml" --fail-level none --format sarif \
  -o "$work/report.sarif" "$work/many.yaml" 2> "$work/time.txt"
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
results=$(grep -c '"ruleId"' "$work/report.sarif")
size_mb=$(awk "BEGIN{printf \"%.0f\", $(stat -c %s "$work/report.sarif")/1e6}")
rss_mb=$(awk "BEGIN{printf \"%.0f\", $rss_kb/1024}")
echo "findings: $results, SARIF: $size_mb MB, wall: $wall, max RSS: $rss_mb MB (limit $limit_mb MB)"
if [ "$results" -ne "$n" ]; then echo "FAIL: expected $n results" >&2; exit 1; fi
if [ "$rss_kb" -ge $((limit_mb * 1024)) ]; then echo "FAIL: over $limit_mb MB" >&2; exit 1; fi
echo "ok"
