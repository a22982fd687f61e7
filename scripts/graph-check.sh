#!/usr/bin/env bash
# Checks the access graph (`cfn-cognito-lint graph`) with the tools that read it:
#   - mermaid: every fixture stack's diagram rendered by the Mermaid CLI (@mermaid-js/mermaid-cli
#     from npm, no browser download: Debian's Chromium through a puppeteer config), so GitHub's
#     renderer (the same library) reads it too;
#   - dot: every stack's digraph rendered by Graphviz (`dot -Tsvg`);
#   - html: the seed stack's page opened in headless Chromium with the network cut (a proxy that
#     does not exist, every host name unresolvable), its screenshot written to
#     docs/graph-seed.png, and the page (as written and as the browser's DOM) checked for
#     external URLs in src/href/url()/@import.
# Not part of cargo test or .ci/run: it installs Chromium and Graphviz from Debian's packages
# when they are missing (apt-get, as root or through sudo) and the Mermaid CLI into
# $GRAPH_CHECK_DIR (default target/graph-check).
#
# Usage: scripts/graph-check.sh [--no-screenshot]
# Environment: CFN_COGNITO_LINT (the binary; default: built with cargo, debug profile),
#              CARGO_TARGET_DIR, GRAPH_CHECK_DIR.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
screenshot=1
[[ "${1:-}" == "--no-screenshot" ]] && screenshot=0

target="${CARGO_TARGET_DIR:-$root/target}"
work="${GRAPH_CHECK_DIR:-$target/graph-check}"
out="$work/out"
rm -rf "$out"
mkdir -p "$out"

bin="${CFN_COGNITO_LINT:-}"
if [[ -z "$bin" ]]; then
  cargo build --quiet --bin cfn-cognito-lint
  bin="$target/debug/cfn-cognito-lint"
fi

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v dot >/dev/null || missing+=(graphviz)
if ((${#missing[@]})); then
  echo "installing ${missing[*]} from Debian's packages"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
chromium_bin="$(command -v chromium)"

# The Mermaid CLI, pinned; puppeteer downloads no browser.
mmdc="$work/node_modules/.bin/mmdc"
if [[ ! -x "$mmdc" ]]; then
  echo "installing @mermaid-js/mermaid-cli into $work"
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund --prefix "$work" \
    @mermaid-js/mermaid-cli@12.2.0 >/dev/null
fi
cat >"$work/puppeteer.json" <<EOF
{"executablePath": "$chromium_bin", "args": ["--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]}
EOF

stacks=(fixtures/seeds fixtures/graph/*.yaml)
fail=0
for s in "${stacks[@]}"; do
  name="$(basename "$s" .yaml)"
  "$bin" graph --format mermaid "$s" -o "$out/$name.mmd"
  "$bin" graph --format dot "$s" -o "$out/$name.dot"
  if ! "$mmdc" -q -p "$work/puppeteer.json" -i "$out/$name.mmd" -o "$out/$name.mermaid.svg" 2>"$out/$name.mmdc.log"; then
    echo "FAIL mermaid $s:"; cat "$out/$name.mmdc.log"; fail=1
  elif ! grep -q '<svg' "$out/$name.mermaid.svg"; then
    echo "FAIL mermaid $s: no SVG"; fail=1
  else
    echo "ok   mermaid $s"
  fi
  if ! dot -Tsvg "$out/$name.dot" -o "$out/$name.dot.svg" 2>"$out/$name.dot.log" || [[ -s "$out/$name.dot.log" ]]; then
    echo "FAIL dot $s:"; cat "$out/$name.dot.log"; fail=1
  else
    echo "ok   dot $s"
  fi
done
# Several stacks at once: Markdown with a diagram per stack, one digraph per stack.
"$bin" graph --format mermaid fixtures/graph -o "$out/all.md"
if "$mmdc" -q -p "$work/puppeteer.json" -i "$out/all.md" -o "$out/all-out.md" 2>"$out/all.log"; then
  echo "ok   mermaid fixtures/graph (Markdown, $(ls "$out"/all-out-*.svg | wc -l) diagrams)"
else
  echo "FAIL mermaid fixtures/graph:"; cat "$out/all.log"; fail=1
fi
"$bin" graph --format dot fixtures/graph -o "$out/all.dot"
if dot -Tsvg "$out/all.dot" >"$out/all.dot.svg" 2>"$out/all.dot.log" && [[ ! -s "$out/all.dot.log" ]]; then
  echo "ok   dot fixtures/graph ($(grep -c '^<svg' "$out/all.dot.svg") graphs)"
else
  echo "FAIL dot fixtures/graph:"; cat "$out/all.dot.log"; fail=1
fi

# The html page: no external URL where a browser would fetch it, in the file and in the DOM.
html="$out/seed.html"
"$bin" graph --format html fixtures/seeds -o "$html"
external='(src|href|xlink:href|action|poster|srcset)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:)?//|url\([[:space:]]*["'"'"']?[[:space:]]*(https?:)?//|@import'
chrome=("$chromium_bin" --headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --disable-default-apps
  --proxy-server=127.0.0.1:9 "--host-resolver-rules=MAP * ~NOTFOUND" --hide-scrollbars)
# (The check itself must catch what it looks for.)
for sample in '<script src="https://cdn.example/x.js">' "<img src='//example.com/a.png'>" \
  '<a href=http://example.com>' 'style="background:url( https://example.com/a.png)"' '@import "x.css";'; do
  if ! grep -Eiq "$external" <<<"$sample"; then echo "FAIL: the URL check misses $sample"; fail=1; fi
done
if grep -Eiq "$external" <<<'<p>see https://example.com in the text</p>'; then
  echo "FAIL: the URL check flags a URL in text"; fail=1
fi
if grep -Eiq "$external" "$html"; then
  echo "FAIL html: external URL in the page:"; grep -Eio "$external[^ >]*" "$html" | head; fail=1
else
  echo "ok   html: no external URL in the page"
fi
# (`#select=` opens the role's panel: the page's script ran when its statements are in the DOM.)
page="file://$html#select=role:CognitoAuthorizedRole"
"${chrome[@]}" --dump-dom "$page" >"$out/seed.dom.html" 2>"$out/chromium.log" || true
if ! grep -q 'class="node' "$out/seed.dom.html"; then
  echo "FAIL html: the DOM has no graph"; fail=1
elif ! grep -q 'Statements (1)' "$out/seed.dom.html"; then
  echo "FAIL html: clicking a role shows no statements"; fail=1
elif grep -Eiq "$external" "$out/seed.dom.html"; then
  echo "FAIL html: external URL in the DOM"; fail=1
else
  echo "ok   html: the DOM ($(grep -o 'class="node ' "$out/seed.dom.html" | wc -l) nodes) has no external URL"
fi
if ((screenshot)); then
  mkdir -p docs
  "${chrome[@]}" --window-size=1400,900 --screenshot="$root/docs/graph-seed.png" "$page" \
    2>>"$out/chromium.log" >/dev/null || true
  if [[ -s docs/graph-seed.png ]]; then
    echo "ok   screenshot docs/graph-seed.png"
  else
    echo "FAIL screenshot"; tail "$out/chromium.log"; fail=1
  fi
fi
echo "outputs in $out"
exit "$fail"
