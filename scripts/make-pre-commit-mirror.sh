#!/usr/bin/env bash
# Makes the pre-commit mirror repository for one released version: copies pre-commit-mirror/
# into OUTDIR, writes VERSION where the template says @VERSION@, and makes a git repository with
# one commit tagged vVERSION. Publishing it (pushing to the mirror's remote) is left to the caller.
#   scripts/make-pre-commit-mirror.sh 0.2.0 /tmp/cfn-cognito-lint-pre-commit
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 VERSION OUTDIR" >&2
  exit 2
fi
version=$1
out=$2
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$ ]]; then
  echo "error: '$version' is not a version such as 0.2.0" >&2
  exit 2
fi
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  echo "error: $out exists and is not empty" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
cp -R "$repo/pre-commit-mirror/." "$out/"
while IFS= read -r -d '' file; do
  sed "s/@VERSION@/$version/g" "$file" > "$file.tmp" && mv "$file.tmp" "$file"
done < <(find "$out" -type f -print0)
if grep -rq '@VERSION@' "$out"; then
  echo "error: @VERSION@ left in $out" >&2
  exit 1
fi
cd "$out"
git init --quiet --initial-branch=main
# An identity for this one commit when the machine has none configured.
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-$(git config user.name || echo cfn-cognito-lint release)}"
export GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-$(git config user.email || echo release@example.invalid)}"
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}"
export GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}"
git add -A
git commit --quiet -m "cfn-cognito-lint $version"
git tag -a "v$version" -m "cfn-cognito-lint $version"
echo "mirror for $version in $out (tag v$version)"
