#!/usr/bin/env bash
# `npm test`: every test. Lint and types, unit tests (with the property-based ones), the
# spec's examples through the simulator, then integration and end-to-end tests against the
# real PostgreSQL, Redis and Kafka (brought up by scripts/stack.sh when not reachable).
#   scripts/test.sh            everything
#   scripts/test.sh unit       lint, types, unit tests and examples only
#   scripts/test.sh integration  integration and end-to-end only
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
what=${1:-all}
export NX_DAEMON=false NX_NO_CLOUD=true

bash scripts/ensure-deps.sh
step() { echo; echo "== $* =="; }

if [ "$what" = all ] || [ "$what" = unit ]; then
  step "lint (module boundaries included)"
  npx nx show projects >/dev/null
  npx eslint . --max-warnings=0
  step "types"
  npx tsc -p tsconfig.json
  step "unit tests"
  npx jest -c jest.config.cjs --ci
  step "spec examples"
  bash ../shared/spec/run-examples.sh
fi

if [ "$what" = all ] || [ "$what" = integration ]; then
  step "stack"
  stack_was=$(bash scripts/stack.sh status | grep -c down || true)
  bash scripts/stack.sh up
  [ "$stack_was" = 0 ] || trap 'bash scripts/stack.sh down' EXIT
  step "integration and end-to-end tests"
  export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/promise_watch_test}
  node scripts/run-ts.cjs scripts/ensure-database.ts
  npx jest -c jest.integration.config.cjs --ci --runInBand --testTimeout=180000 --forceExit
fi
