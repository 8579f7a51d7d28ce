#!/usr/bin/env bash
# The pages' JavaScript and styles (bpmn-js, form-js, properties panel) from npm, bundled into
# api/static/build. Idempotent and quick when nothing changed: `npm ci` runs when package.json or the
# lock file changed, the build when api/assets or the installed packages did. Nothing is fetched at
# run time. Install scripts are skipped: esbuild's binary comes from its platform package anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
installed=node_modules/.govflow-installed
if [ ! -f "$installed" ] || [ package.json -nt "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch "$installed"
fi
built=api/static/build/.built
if [ ! -f "$built" ] || [ -n "$(find api/assets "$installed" -newer "$built" -print -quit)" ]; then
  npm run --silent build
  touch "$built"
fi
