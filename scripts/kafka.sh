#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, single node) from the official jars on Maven Central,
# run with the machine's Java. Everything lives under .stack/kafka (ignored by git).
#   scripts/kafka.sh install | start | stop | status
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stack=${STACK_DIR:-$root/.stack}
home=$stack/kafka
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
pidfile=$home/kafka.pid

say() { echo "[kafka] $*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 || { say "needs '$1': $2"; exit 3; }
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install() {
  need java "install a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)"
  need mvn "install Apache Maven (Debian: apt-get install -y maven)"
  local version
  version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/infra/kafka/pom.xml")
  if [ -f "$home/libs/kafka_2.13-$version.jar" ]; then return 0; fi
  say "resolving Apache Kafka $version from Maven Central"
  rm -rf "$home/libs"; mkdir -p "$home/libs"
  mvn -q -B -f "$root/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$home/libs" -DincludeScope=runtime >"$home/maven.log" 2>&1 \
    || { say "Maven could not resolve the Kafka jars; see $home/maven.log"; exit 3; }
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  if running && port_open "$port"; then say "already running on 127.0.0.1:$port"; return 0; fi
  if port_open "$port"; then say "something already listens on 127.0.0.1:$port; using it"; return 0; fi
  install
  mkdir -p "$home/data" "$home/logs"
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@DATA_DIR@#$home/data#g" \
    "$root/infra/kafka/server.properties" >"$home/server.properties"
  local cp="$home/libs/*"
  local jvm=(-Xms256m -Xmx768m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    -Dkafka.logs.dir="$home/logs" -Dlog4j.configuration="file:$root/infra/kafka/log4j.properties")
  if [ ! -f "$home/data/meta.properties" ]; then
    say "formatting KRaft storage"
    java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format --ignore-formatted \
      -t "$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
      -c "$home/server.properties" >"$home/logs/format.log" 2>&1 \
      || { say "formatting failed; see $home/logs/format.log"; exit 3; }
  fi
  say "starting broker on 127.0.0.1:$port"
  nohup java "${jvm[@]}" -cp "$cp" kafka.Kafka "$home/server.properties" \
    >"$home/logs/stdout.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if port_open "$port"; then say "ready"; return 0; fi
    running || { say "broker exited; see $home/logs/server.log"; tail -20 "$home/logs/stdout.log" >&2; exit 3; }
    sleep 0.5
  done
  say "broker did not open 127.0.0.1:$port within 60 s; see $home/logs/server.log"; exit 3
}

stop() {
  if running; then
    local pid; pid=$(cat "$pidfile")
    say "stopping broker (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

status() { if running; then echo "running (pid $(cat "$pidfile"))"; else echo "stopped"; fi; }

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/kafka.sh install|start|stop|status" >&2; exit 2 ;;
esac
