#!/usr/bin/env bash
# Packs Proofgate as a host would receive it and runs examples/express-host's own tests against
# the installed tarball (not a workspace link): build, npm pack, npm install, the example's
# HTTP tests and its Chromium flow. TEST_DATABASE_URL, when set, puts both on PostgreSQL.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
example="$repo/examples/express-host"
cd "$repo"
rm -f proofgate-*.tgz
# prepack runs npm run build:lib (JavaScript, declarations, proofgate/react).
npm pack --silent >/dev/null
tarball="$(ls proofgate-*.tgz)"
echo "example-host: packed $tarball"
cd "$example"
rm -rf node_modules/proofgate
npm install --no-audit --no-fund --prefer-offline --no-package-lock
if [ -L node_modules/proofgate ]; then
  echo "example-host: node_modules/proofgate is a link, not the installed tarball" >&2
  exit 1
fi
test -f node_modules/proofgate/dist/lib/index.js
test ! -e node_modules/proofgate/src/server/index.ts
npm run build --silent
npx vitest run
