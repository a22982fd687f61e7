#!/usr/bin/env bash
# Times cfn-cognito-lint and cfn-lint on the same templates: the whole ../shared/corpus (every
# file of MANIFEST.tsv, robustness/ left out for cfn-lint, which aborts on one of them) and its
# Cognito subset. Prints wall time and peak RSS. Needs cfn-lint (pip install cfn-lint).
# Usage: bench/corpus.sh [--no-cfn-lint] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
run_cfn_lint=1
if [ "${1:-}" = "--no-cfn-lint" ]; then run_cfn_lint=0; shift; fi
repeats=${1:-5}
corpus=../shared/corpus
[ -f "$corpus/MANIFEST.tsv" ] || { echo "no $corpus/MANIFEST.tsv"; exit 1; }
cargo build --release --quiet
bin=target/release/cfn-cognito-lint
all=$(mktemp); cognito=$(mktemp)
tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | sed "s|^|$corpus/|" > "$all"
tail -n +2 "$corpus/MANIFEST.tsv" | awk -F'\t' '$6=="yes"{print $1}' | sed "s|^|$corpus/|" > "$cognito"
results=$(mktemp)
measure() { # label, command...
  local label=$1; shift
  local t out
  t=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>&1 || true
  out=$(tail -1 "$t"); rm -f "$t"
  echo "$label wall_s=${out% *} peak_rss_kb=${out#* }" | tee -a "$results"
}
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d)"
echo "files: $(wc -l < "$all") (cognito subset: $(wc -l < "$cognito"))"
for i in $(seq "$repeats"); do
  measure "cfn-cognito-lint corpus run$i" xargs -a "$all" -s 2000000 "$bin" --fail-level none --format json
  measure "cfn-cognito-lint cognito run$i" xargs -a "$cognito" -s 2000000 "$bin" --fail-level none --format json
done
if [ "$run_cfn_lint" = 1 ] && command -v cfn-lint >/dev/null; then
  measure "cfn-lint corpus" xargs -a "$all" -s 2000000 cfn-lint --
  measure "cfn-lint cognito" xargs -a "$cognito" -s 2000000 cfn-lint --
fi
# The README table: medians of our runs, cfn-lint's single run.
median() { grep "^$1 " "$results" | sed 's/.*wall_s=\([0-9.]*\).*/\1/' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
rss() { grep "^$1 " "$results" | sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/' | sort -n | tail -1; }
echo
echo "| input | cfn-cognito-lint (median) | cfn-lint |"
echo "|---|---|---|"
for set in corpus cognito; do
  theirs=$(median "cfn-lint $set"); theirs=${theirs:+$theirs s}
  echo "| $set | $(median "cfn-cognito-lint $set") s, $(( $(rss "cfn-cognito-lint $set") / 1024 )) MB | ${theirs:-not run} |"
done
rm -f "$all" "$cognito" "$results"
