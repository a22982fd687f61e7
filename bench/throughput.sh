#!/usr/bin/env bash
# Issue 11's throughput measure, in one run: the whole corpus in one invocation (every
# MANIFEST.tsv file; --format json and human), the cores it keeps busy ((user + sys) / wall),
# the parse-only limit (examples/parse_throughput.rs: one thread parses every file; two cores
# can at best halve that) and the ratio of the run to that limit, the floor of any run (a process
# that only reads and parses the same files on every core, examples/read_parse.rs: no rules, no
# stacks, no report) and start-up on a small template. Needs hyperfine and python3. Run it on a
# quiet machine.
# Usage: bench/throughput.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
corpus=../shared/corpus
[ -f "$corpus/MANIFEST.tsv" ] || { echo "no $corpus/MANIFEST.tsv"; exit 1; }
command -v hyperfine >/dev/null || { echo "needs hyperfine"; exit 1; }
cargo build --release --quiet
cargo build --release --quiet --example parse_throughput
cargo build --release --quiet --example read_parse
bin=target/release/cfn-cognito-lint
all=$(mktemp); out=$(mktemp -d)
trap 'rm -rf "$all" "$out"' EXIT
tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | sed "s|^|$corpus/|" > "$all"
cores=$(nproc)
echo "machine: $cores cores, $(date -u +%Y-%m-%d), $(wc -l < "$all") files"
parse_ms=$(target/release/examples/parse_throughput | sed -n 's/^parse only: \([0-9.]*\) ms.*/\1/p')
for format in json human; do
  hyperfine -N -w 3 -r "$runs" --export-json "$out/$format.json" \
    "xargs -a $all -s 2000000 $bin --fail-level none --format $format -o /dev/null" >/dev/null
done
hyperfine -N -w 3 -r "$runs" --export-json "$out/floor.json" \
  "xargs -a $all -s 2000000 target/release/examples/read_parse" >/dev/null
hyperfine -N -w 20 -r 300 --export-json "$out/startup.json" \
  "$bin fixtures/stacks/web-app.yaml" -i >/dev/null
python3 - "$out" "$parse_ms" "$cores" <<'EOF'
import json, sys
out, parse_ms, cores = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
limit = parse_ms / cores
def row(name):
    r = json.load(open(f"{out}/{name}.json"))["results"][0]
    return r["mean"] * 1000, r["stddev"] * 1000, (r["user"] + r["system"]) / r["mean"]
print(f"parse only, one thread: {parse_ms:.1f} ms; limit on {cores} cores: {limit:.1f} ms; target (1.5x): {1.5 * limit:.1f} ms")
print("| run | wall | cores busy | wall / limit |")
print("|---|---|---|---|")
for f in ("json", "human"):
    mean, sd, busy = row(f)
    print(f"| corpus, --format {f} | {mean:.1f} +- {sd:.1f} ms | {busy:.2f} | {mean / limit:.2f}x |")
mean, sd, busy = row("floor")
print(f"| floor: read + parse only, every core (examples/read_parse.rs) | {mean:.1f} +- {sd:.1f} ms | {busy:.2f} | {mean / limit:.2f}x |")
mean, sd, _ = row("startup")
print(f"| start-up, fixtures/stacks/web-app.yaml | {mean:.2f} +- {sd:.2f} ms | | |")
EOF
