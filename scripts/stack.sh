#!/usr/bin/env bash
# Brings up what the product needs and is not already reachable: PostgreSQL, Redis and a
# real Kafka broker (scripts/kafka.sh), then creates the topics with their partitions.
#   scripts/stack.sh up | down | status
# `down` stops only what `up` started (recorded under .stack/started).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stack=${STACK_DIR:-$root/.stack}
mkdir -p "$stack"
started=$stack/started
touch "$started"

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}

say() { echo "[stack] $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
host_of() { sed -E 's#^[a-z]+://([^@/]*@)?([^:/]+).*#\2#' <<<"$1"; }
port_of() { local p; p=$(sed -nE 's#^[a-z]+://([^@/]*@)?[^:/]+:([0-9]+).*#\2#p' <<<"$1"); echo "${p:-$2}"; }

postgres_up() {
  local host port; host=$(host_of "$DATABASE_URL"); port=$(port_of "$DATABASE_URL" 5432)
  if port_open "$host" "$port"; then return 0; fi
  local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    say "PostgreSQL is not reachable at $host:$port and no server binaries were found."
    say "Install them (Debian: apt-get install -y postgresql) or set DATABASE_URL to a running server."
    exit 3
  fi
  local data=$stack/postgres
  if [ ! -f "$data/PG_VERSION" ]; then
    say "initialising a local PostgreSQL cluster in $data"
    "$bin/initdb" -D "$data" -U postgres --auth=trust >"$stack/postgres-init.log" 2>&1
  fi
  say "starting PostgreSQL on $port"
  "$bin/pg_ctl" -D "$data" -l "$stack/postgres.log" -o "-p $port -k $stack -c listen_addresses=127.0.0.1" -w start >/dev/null
  echo postgres >>"$started"
}

redis_up() {
  local host port; host=$(host_of "$REDIS_URL"); port=$(port_of "$REDIS_URL" 6379)
  if port_open "$host" "$port"; then return 0; fi
  if ! command -v redis-server >/dev/null; then
    say "Redis is not reachable at $host:$port and redis-server is not installed."
    say "Install it (Debian: apt-get install -y redis-server) or set REDIS_URL to a running server."
    exit 3
  fi
  mkdir -p "$stack/redis"
  say "starting Redis on $port"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$stack/redis" --pidfile "$stack/redis/redis.pid" \
    --logfile "$stack/redis/redis.log" --save '' --appendonly no
  for _ in $(seq 1 50); do port_open "$host" "$port" && break; sleep 0.1; done
  echo redis >>"$started"
}

kafka_up() {
  local first=${KAFKA_BROKERS%%,*}
  if port_open "${first%%:*}" "${first##*:}"; then return 0; fi
  KAFKA_PORT=${first##*:} bash "$root/scripts/kafka.sh" start
  echo kafka >>"$started"
}

case "${1:-}" in
  up)
    postgres_up
    redis_up
    kafka_up
    node "$root/scripts/run-ts.cjs" "$root/scripts/create-topics.ts"
    ;;
  down)
    if grep -qx kafka "$started"; then bash "$root/scripts/kafka.sh" stop; fi
    if grep -qx redis "$started" && [ -f "$stack/redis/redis.pid" ]; then kill "$(cat "$stack/redis/redis.pid")" 2>/dev/null || true; fi
    if grep -qx postgres "$started"; then
      bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); "$bin/pg_ctl" -D "$stack/postgres" -m fast stop >/dev/null || true
    fi
    : >"$started"
    ;;
  status)
    echo "postgres: $(port_open "$(host_of "$DATABASE_URL")" "$(port_of "$DATABASE_URL" 5432)" && echo up || echo down)"
    echo "redis:    $(port_open "$(host_of "$REDIS_URL")" "$(port_of "$REDIS_URL" 6379)" && echo up || echo down)"
    first=${KAFKA_BROKERS%%,*}
    echo "kafka:    $(port_open "${first%%:*}" "${first##*:}" && echo up || echo down)"
    ;;
  *) echo "usage: scripts/stack.sh up|down|status" >&2; exit 2 ;;
esac
