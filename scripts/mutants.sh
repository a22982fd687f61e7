#!/usr/bin/env bash
# Mutation testing of rule and policy files with cargo-mutants: which changes to the code no
# test notices. Slow (a build and a test run per mutant), so not part of CI; run it by hand
# after changing a rule, on that rule's file, with the fastest test targets that cover it.
#
# Usage:
#   scripts/mutants.sh [options] FILE...
#
#   FILE...               source files to mutate (src/rules/trust.rs src/rules/client.rs ...)
#   --test TARGET         integration test target to run for each mutant (repeatable;
#                         default: fixtures, which runs every rule fixture and its snapshot)
#   --lib                 also run the library's unit tests
#   --in-diff DIFF|REV    mutate only lines a diff touches: a diff file, or a git revision
#                         to diff the work tree against (e.g. main)
#   -j, --jobs N          mutants built and tested at once (default 1; each needs a build)
#   --timeout-multiplier X  test timeout relative to the baseline test time (default 3)
#   --list                list the mutants and exit
#   -- ARGS...            passed to cargo mutants as they are
#
# Environment: mutants are built in `mutants/` under CARGO_TARGET_DIR (default `target`), not
# in the target directory itself: the mutated copies have the same package and file names, so
# cargo would later take their test binaries for fresh builds of the real tree. INSTA_UPDATE
# is set to `no`, so a changed snapshot fails the test instead of being written. Results go
# to mutants.out/ under $MUTANTS_OUT (default: that `mutants/` folder): caught.txt,
# missed.txt, timeout.txt, unviable.txt.
#
# Example (what issue 12 ran):
#   CARGO_TARGET_DIR=/work/wt/target-h3 scripts/mutants.sh src/rules/trust.rs src/rules/client.rs
set -euo pipefail

cd "$(dirname "$0")/.."

files=()
tests=()
lib=0
in_diff=""
jobs=1
multiplier=3
list=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --test) tests+=("$2"); shift 2 ;;
        --lib) lib=1; shift ;;
        --in-diff) in_diff="$2"; shift 2 ;;
        -j|--jobs) jobs="$2"; shift 2 ;;
        --timeout-multiplier) multiplier="$2"; shift 2 ;;
        --list) list=1; shift ;;
        --) shift; extra=("$@"); break ;;
        -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
        -*) echo "mutants.sh: unknown option $1" >&2; exit 2 ;;
        *) files+=("$1"); shift ;;
    esac
done
if [ ${#files[@]} -eq 0 ]; then
    echo "mutants.sh: name the files to mutate (e.g. src/rules/trust.rs)" >&2
    exit 2
fi
for f in "${files[@]}"; do
    [ -f "$f" ] || { echo "mutants.sh: no such file: $f" >&2; exit 2; }
done
[ ${#tests[@]} -gt 0 ] || tests=(fixtures)

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "mutants.sh: installing cargo-mutants (cargo install cargo-mutants --locked)" >&2
    cargo install cargo-mutants --locked
fi

args=(--no-shuffle --jobs "$jobs" --timeout-multiplier "$multiplier" --minimum-test-timeout 20)
for f in "${files[@]}"; do
    args+=(--file "$f")
done
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/mutants"
out="${MUTANTS_OUT:-$CARGO_TARGET_DIR}"
args+=(--output "$out")

diff_file=""
cleanup() { [ -z "$diff_file" ] || rm -f "$diff_file"; }
trap cleanup EXIT
if [ -n "$in_diff" ]; then
    if [ -f "$in_diff" ]; then
        args+=(--in-diff "$in_diff")
    else
        diff_file="$(mktemp)"
        git diff "$in_diff" -- "${files[@]}" >"$diff_file"
        if [ ! -s "$diff_file" ]; then
            echo "mutants.sh: the files do not differ from $in_diff: nothing to mutate" >&2
            exit 0
        fi
        args+=(--in-diff "$diff_file")
    fi
fi

if [ "$list" = 1 ]; then
    exec cargo mutants --list "${args[@]}" "${extra[@]}"
fi

# What cargo test runs for each mutant.
test_args=()
for t in "${tests[@]}"; do
    test_args+=(--test "$t")
done
[ "$lib" = 0 ] || test_args+=(--lib)

start=$(date +%s)
status=0
INSTA_UPDATE=no cargo mutants "${args[@]}" "${extra[@]}" -- "${test_args[@]}" || status=$?
end=$(date +%s)

dir="$out/mutants.out"
count() { [ -f "$dir/$1" ] && wc -l <"$dir/$1" | tr -d ' ' || echo 0; }
echo "mutants.sh: caught $(count caught.txt), missed $(count missed.txt), unviable $(count unviable.txt), timeouts $(count timeout.txt) in $(((end - start) / 60)) min $(((end - start) % 60)) s"
echo "mutants.sh: results in $dir (missed.txt lists what no test noticed)"
# cargo mutants exits 2 when mutants were missed, 3 on timeouts: pass that on.
exit "$status"
