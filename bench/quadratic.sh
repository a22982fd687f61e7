#!/usr/bin/env bash
# The inputs whose cost used to grow with the square of their size (issue 12), each at two
# sizes, every output format, one invocation each (best of REPEATS), report to /dev/null:
#   sub N       one Fn::Sub string with N distinct undefined variables (N TM005 findings)
#   minified N  one-line JSON with N resources, two findings each
#   cycle N     one dependency cycle of N resources (one TM006 with N labels)
# Acceptance: for each case, the larger size costs about (larger / smaller) times the smaller
# (the ratio column), in every format, not its square.
# Usage: bench/quadratic.sh [REPEATS]   (BIN=path/to/binary to time another build)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-1}
if [ -z "${BIN:-}" ]; then cargo build --release --quiet; fi
bin=${BIN:-${CARGO_TARGET_DIR:-target}/release/cfn-cognito-lint}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'limits: {max-file-size: 1GiB}\n' > "$work/config.yaml"
formats="human json sarif github junit parseable"
# case small large extension
cases="sub:10000:100000:yaml minified:2000:20000:json cycle:1000:10000:yaml"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d), best of $repeats"
printf '| case | size | findings |'
for f in $formats; do printf ' %s |' "$f"; done
printf '\n|---|---|---|'
for f in $formats; do printf -- '---|'; done
printf '\n'
time_ms() {
  local best="" s e ms
  for _ in $(seq "$repeats"); do
    s=$(date +%s%N)
    "$bin" --config "$work/config.yaml" --fail-level none --format "$1" -o /dev/null "$2"
    e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}
declare -A at
for c in $cases; do
  IFS=: read -r name small large ext <<< "$c"
  for n in $small $large; do
    t="$work/$name$n.$ext"
    python3 bench/gen-quadratic.py "$name" "$n" > "$t"
    findings=$("$bin" --config "$work/config.yaml" --fail-level none --format parseable "$t" | wc -l)
    printf '| %s | %s (%s MB) | %s |' "$name" "$n" \
      "$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$t")/1e6}")" "$findings"
    for f in $formats; do
      at[$name,$n,$f]=$(time_ms "$f" "$t")
      printf ' %s ms |' "${at[$name,$n,$f]}"
    done
    printf '\n'
  done
  printf '| %s | ratio %s× | |' "$name" "$(( large / small ))"
  for f in $formats; do
    printf ' %s× |' "$(awk "BEGIN{printf \"%.1f\", ${at[$name,$large,$f]}/(${at[$name,$small,$f]}>0?${at[$name,$small,$f]}:1)}")"
  done
  printf '\n'
done
