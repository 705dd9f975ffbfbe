#!/usr/bin/env bash
# Runs a benchmark that needs the stack. PostgreSQL and Redis are the usual ones (brought up
# when not reachable), with the benchmark's own database (promise_watch_bench unless
# DATABASE_URL says otherwise). Kafka is a broker of its own (port 19092, data under
# .stack-bench, deleted afterwards): a benchmark writes millions of records, and they must
# not become a backlog for the consumers of the demo and the tests on the usual broker.
#   scripts/bench.sh intake [options of bench/intake.bench.ts]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
name=$1
shift
bash scripts/ensure-deps.sh >&2
export STACK_DIR=$root/.stack-bench KAFKA_BROKERS=127.0.0.1:19092 KAFKA_CONTROLLER_PORT=19093
cleanup() {
  KAFKA_PORT=19092 bash scripts/kafka.sh stop >&2 || true
  rm -rf "$STACK_DIR/kafka/data" "$STACK_DIR/kafka/logs"
}
trap cleanup EXIT
bash scripts/stack.sh up >&2
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/promise_watch_bench}
node scripts/run-ts.cjs scripts/ensure-database.ts
node scripts/run-ts.cjs "bench/$name.bench.ts" "$@"
