#!/usr/bin/env bash
# Starts, stops and probes the project's local single-node Kafka (KRaft).
#   broker.sh start   resolve Kafka with Maven (once), format storage (once), start, wait until it answers
#   broker.sh stop    stop it (SIGTERM, then SIGKILL after a grace period)
#   broker.sh status  exit 0 when it answers on its port
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HOME_DIR (repo's .kafka/),
# KAFKA_START_TIMEOUT seconds (90), JAVA (java).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
home=${KAFKA_HOME_DIR:-$repo/.kafka}
timeout=${KAFKA_START_TIMEOUT:-90}
java=${JAVA:-java}
classpath_file=$home/classpath.txt
pid_file=$home/broker.pid

log() { echo "[broker] $*" >&2; }

answers() {
  # A TCP connect is enough: the listener opens only once the broker is serving.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

running_pid() {
  [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null && cat "$pid_file"
}

resolve() {
  if [ ! -s "$classpath_file" ] || [ "$here/pom.xml" -nt "$classpath_file" ]; then
    log "resolving Kafka from Maven Central (first run only)"
    mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$classpath_file.tmp" >&2
    mv "$classpath_file.tmp" "$classpath_file"
  fi
}

run_java() {
  "$java" -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$home/logs" -Dlog4j2.configurationFile="$here/log4j2.yaml" \
    -cp "$(cat "$classpath_file")" "$@"
}

start() {
  if answers; then log "already up on 127.0.0.1:$port"; return 0; fi
  mkdir -p "$home/logs"
  resolve
  sed -e "s#@DATA_DIR@#$home#" -e "s#@PORT@#$port#" -e "s#@CONTROLLER_PORT@#$controller_port#" \
    "$here/server.properties" > "$home/server.properties"
  if [ ! -f "$home/kraft-logs/meta.properties" ]; then
    log "formatting storage in $home/kraft-logs"
    run_java kafka.tools.StorageTool format --standalone -t "$(run_java kafka.tools.StorageTool random-uuid)" \
      -c "$home/server.properties" > "$home/logs/format.log" 2>&1
  fi
  log "starting on 127.0.0.1:$port (log: $home/logs/server.log)"
  nohup setsid bash -c "$(declare -f run_java); java='$java' home='$home' here='$here' classpath_file='$classpath_file' run_java kafka.Kafka '$home/server.properties'" \
    > "$home/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$pid_file"
  for _ in $(seq "$timeout"); do
    if answers; then log "up after ${SECONDS}s"; return 0; fi
    if ! running_pid > /dev/null; then log "broker exited; last lines of its output:"; tail -20 "$home/logs/stdout.log" >&2; return 1; fi
    sleep 1
  done
  log "did not answer within ${timeout}s"; return 1
}

stop() {
  local pid
  if ! pid=$(running_pid); then log "not running"; rm -f "$pid_file"; return 0; fi
  log "stopping (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; log "stopped"; return 0; }; sleep 1; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" || true
  rm -f "$pid_file"; log "killed after 30s"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
