#!/usr/bin/env bash
# Copies GraphiQL's browser build (and the React it runs on) from the npm release pinned in
# package-lock.json into caseload/graphiql/static, which ships inside the Python package, so
# /graphql needs no CDN. Run it after changing a version in package.json
# (`npm install --package-lock-only` first), then commit both folders.
# `vendor.sh --check` only says whether the committed files are the pinned release's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
static="$here/../static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --silent)
modules="$work/node_modules"
out="$work/out"
mkdir "$out"
cp "$modules/graphiql/graphiql.min.js" "$modules/graphiql/graphiql.min.css" "$out/"
cp "$modules/react/umd/react.production.min.js" "$out/"
cp "$modules/react-dom/umd/react-dom.production.min.js" "$out/"
# A source map is fetched only by developer tools, and none ships: drop the comment.
sed -i '/^\/\/# sourceMappingURL=/d; s#//\# sourceMappingURL=[^ ]*$##' "$out"/*.js
for package in graphiql react react-dom; do
  version="$(node -p "require('$modules/$package/package.json').version")"
  echo "$package $version (MIT)"
  cp "$modules/$package/LICENSE" "$out/LICENSE-$package"
done > "$out/VERSIONS"

if [ "${1:-}" = "--check" ]; then
  for file in "$out"/*; do
    cmp -s "$file" "$static/$(basename "$file")" || { echo "differs: $(basename "$file")"; exit 1; }
  done
  echo "caseload/graphiql/static holds the pinned release"
  exit 0
fi
mkdir -p "$static"
cp "$out"/* "$static/"
echo "vendored into caseload/graphiql/static:"
cat "$out/VERSIONS"
