#!/usr/bin/env bash
# `npm start`: the whole product with a demo, in one terminal. Installs what is missing,
# brings up PostgreSQL/Redis/Kafka where they are not reachable, starts the three services
# (each runs its migrations), creates the demo tenant, key and configuration, and runs a
# webhook receiver that prints each delivery. Ctrl-C stops what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logs=$root/.stack/logs
mkdir -p "$logs"

bash scripts/ensure-deps.sh
bash scripts/stack.sh up

export DEMO_RECEIVER_PORT=${DEMO_RECEIVER_PORT:-4000}
export DEMO_WEBHOOK_URL="http://127.0.0.1:$DEMO_RECEIVER_PORT/hooks"
secret_file=$root/.stack/demo-webhook-secret
[ -f "$secret_file" ] || node -e 'console.log("whsec_" + require("crypto").randomBytes(24).toString("base64"))' >"$secret_file"
export DEMO_WEBHOOK_SECRET=$(cat "$secret_file")
export NOTIFIER_WEBHOOK_ALLOW_HOSTS=${NOTIFIER_WEBHOOK_ALLOW_HOSTS:-127.0.0.1}

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "[start] stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  bash scripts/stack.sh down
  echo "[start] stopped"
}
trap cleanup INT TERM EXIT

node scripts/run-ts.cjs demo/webhook-receiver.ts &
pids+=($!)
for service in intake sla notifier; do
  node scripts/run-ts.cjs "apps/$service/src/main.ts" >"$logs/$service.log" 2>&1 &
  pids+=($!)
done

wait_ready() {
  local name=$1 port=$2
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "[start] $name did not become ready; last log lines:" >&2; tail -20 "$logs/$name.log" >&2; exit 1
}
wait_ready intake 3001; wait_ready sla 3002; wait_ready notifier 3003

npm run --silent cli -- tenants create demo --if-missing >/dev/null
key=$(npm run --silent cli -- keys create demo --scope ingest --scope read --scope respond --scope admin --label demo)
curl -fsS -X PUT http://127.0.0.1:3002/v1/config -H "Authorization: Bearer $key" -H 'Content-Type: application/yaml' \
  --data-binary @demo/demo.config.yaml >/dev/null

conversation="demo-$(date +%s)"
cat <<EOT

  promise-watch is running.

    intake    http://127.0.0.1:3001   (POST /v1/interactions, /health/ready)
    sla       http://127.0.0.1:3002   (PUT/GET /v1/config)
    notifier  http://127.0.0.1:3003
    receiver  $DEMO_WEBHOOK_URL   (prints each delivery below)
    logs      .stack/logs/*.log

  demo tenant API key (shown once):  $key

  Send an inbound e-mail; the demo policy wants a first response within 1 minute,
  so about a minute later the breach webhook arrives here:

    curl -s -X POST http://127.0.0.1:3001/v1/interactions -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d '{"id":"$conversation-m1","kind":"message","conversationId":"$conversation","customerId":"acme","channel":"email","direction":"inbound","occurredAt":"'"\$(date -u +%Y-%m-%dT%H:%M:%SZ)"'"}'

  Ctrl-C stops everything this command started.
EOT
wait -n "${pids[@]}"
