# Shared by scripts/test-wheel.sh and scripts/test-pre-commit-mirror.sh (sourced, not run).
# Expects: `repo` (the checkout) and `work` (a temporary folder the caller removes on exit).

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Seconds since an $EPOCHREALTIME value, to a tenth.
elapsed() {
  awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# The crate's version, from Cargo.toml's [package] table.
crate_version() {
  sed -n '/^\[package\]/,/^\[/{s/^version *= *"\([^"]*\)".*/\1/p}' "$repo/Cargo.toml" | head -n 1
}

# A PATH on which cargo, rustc and rustup cannot be found: what a machine without Rust sees. A
# folder that holds one of them is replaced by a folder (under $work) of links to everything else
# in it, so that git, bash and the rest of, say, /usr/bin stay.
no_rust_path() {
  local out="" dir n=0 entry name
  local IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] && [ -d "$dir" ] || continue
    if [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ]; then
      n=$((n + 1))
      mkdir -p "$work/path-$n"
      for entry in "$dir"/*; do
        name=${entry##*/}
        case "$name" in
          cargo | cargo-* | rustc | rustdoc | rustup | rust-* | rustfmt | clippy-driver) continue ;;
        esac
        ln -s "$entry" "$work/path-$n/$name"
      done
      dir="$work/path-$n"
    fi
    out="${out:+$out:}$dir"
  done
  echo "$out"
}

# A Python 3 interpreter's real path (pyenv's shims are scripts that look for a version).
real_python() {
  python3 -c 'import sys; print(sys.executable)'
}

# Prints the path of the wheel for this checkout's version. With WHEEL_DIR set and a wheel of the
# version in it, that wheel is used (.ci/run builds it once for both scripts); otherwise it is
# built with maturin (installed into a virtualenv under $work when not on PATH) into WHEEL_DIR, or
# into $work/wheels, with the cargo profile WHEEL_PROFILE (default `release`, what ships; .ci/run
# uses `dev`, which reuses the test build: the packaging is the same, only the optimisation is not).
# Build output goes to standard error.
ensure_wheel() {
  local version dir wheel maturin
  version=$(crate_version)
  dir=${WHEEL_DIR:-$work/wheels}
  mkdir -p "$dir"
  wheel=$(find "$dir" -maxdepth 1 -name "cfn_cognito_lint-$version-*.whl" | head -n 1)
  if [ -z "$wheel" ]; then
    if command -v maturin >/dev/null 2>&1; then
      maturin=$(command -v maturin)
    else
      python3 -m venv "$work/maturin-venv" >&2
      "$work/maturin-venv/bin/pip" install --quiet "maturin>=1.5,<2" >&2
      maturin="$work/maturin-venv/bin/maturin"
    fi
    local start=$SECONDS
    (cd "$repo" && "$maturin" build --profile "${WHEEL_PROFILE:-release}" --locked --out "$dir") >&2
    echo "wheel built (profile ${WHEEL_PROFILE:-release}) in $((SECONDS - start)) s" >&2
    wheel=$(find "$dir" -maxdepth 1 -name "cfn_cognito_lint-$version-*.whl" | head -n 1)
  fi
  [ -n "$wheel" ] || fail "no wheel cfn_cognito_lint-$version-*.whl in $dir after the build"
  echo "$wheel"
}
