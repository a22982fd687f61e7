#!/usr/bin/env bash
# Every output format on single generated templates of 1k, 5k, 20k and 50k resources where every
# resource has findings (bench/gen-stress.py --findings: 1.7 findings per resource), one
# invocation each (best of REPEATS), report to /dev/null. Acceptance: each format's time grows
# linearly (50k ≤ ~12× the 5k) and human is within 2× of JSON.
# Usage: bench/formats.sh [REPEATS]   (BIN=path/to/binary to time another build)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-1}
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin=${BIN:-target/release/cfn-cognito-lint}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'limits: {max-file-size: 1GiB}\n' > "$work/config.yaml"
formats="human json sarif github junit parseable"
sizes="1000 5000 20000 50000"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d), best of $repeats"
printf '| resources | size | findings |'
for f in $formats; do printf ' %s |' "$f"; done
printf ' human / json |\n|---|---|---|'
for f in $formats; do printf -- '---|'; done
printf -- '---|\n'
declare -A at
for n in $sizes; do
  t="$work/s$n.yaml"
  python3 bench/gen-stress.py "$n" --findings > "$t"
  findings=$("$bin" --config "$work/config.yaml" --fail-level none --format parseable "$t" | wc -l)
  printf '| %s | %s MB | %s |' "$n" "$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$t")/1e6}")" "$findings"
  for f in $formats; do
    best=""
    for _ in $(seq "$repeats"); do
      s=$(date +%s%N)
      "$bin" --config "$work/config.yaml" --fail-level none --format "$f" -o /dev/null "$t"
      e=$(date +%s%N)
      ms=$(( (e - s) / 1000000 ))
      if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    at[$f,$n]=$best
    printf ' %s ms |' "$best"
  done
  printf ' %s× |\n' "$(awk "BEGIN{printf \"%.2f\", ${at[human,$n]}/(${at[json,$n]}>0?${at[json,$n]}:1)}")"
done
printf '\n50k / 5k:'
for f in $formats; do
  printf ' %s %s×' "$f" "$(awk "BEGIN{printf \"%.1f\", ${at[$f,50000]}/(${at[$f,5000]}>0?${at[$f,5000]}:1)}")"
done
echo
