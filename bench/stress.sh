#!/usr/bin/env bash
# Scaling: single generated templates of 1k, 5k, 20k and 100k resources (bench/gen-stress.py).
# For each: wall time and peak RSS of the binary (best of REPEATS), and, in process on one
# thread, parse-only time against the whole lint (cargo run --example parse_throughput).
# Also the start-up cost: the binary on one small template.
# Usage: bench/stress.sh [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
cargo build --release --quiet --example parse_throughput
bin=target/release/cfn-cognito-lint
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'limits: {max-file-size: 1GiB}\n' > "$work/config.yaml"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d)"
for n in 1000 5000 20000 100000; do
  python3 bench/gen-stress.py "$n" > "$work/s$n.yaml"
  best=""
  for _ in $(seq "$repeats"); do
    /usr/bin/time -f '%e %M' -o "$work/t" "$bin" --config "$work/config.yaml" --format json --fail-level none "$work/s$n.yaml" > /dev/null
    read -r t rss < "$work/t"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; best_rss=$rss; fi
  done
  inproc=$(target/release/examples/parse_throughput "$work/s$n.yaml" | tail -2 | awk '{print $3}' | paste -sd' ')
  echo "resources=$n bytes=$(stat -c %s "$work/s$n.yaml") wall_s=$best peak_rss_kb=$best_rss parse_ms,lint_ms=$inproc"
done
small=fixtures/stacks/web-app.yaml
best=""
for _ in $(seq 20); do
  s=$(date +%s%N); "$bin" --fail-level none "$small" > /dev/null; e=$(date +%s%N)
  ms=$(( (e - s) / 1000000 )); if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "start-up (one small template, best of 20): ${best} ms"
