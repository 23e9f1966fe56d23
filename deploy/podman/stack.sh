#!/usr/bin/env bash
# The compose stack (deploy/compose.yaml) in podman containers on this machine, as a user runs
# it: the broker, the topics job, one worker per stage and Prometheus scraping them.
#   stack.sh up      build what is missing (images.sh), start everything, wait until every
#                    worker is healthy; the last lines are KAFKA_BOOTSTRAP_SERVERS= and
#                    PROMETHEUS_URL= for clients on the host
#   stack.sh down    remove every container, network and volume of the stack
#   stack.sh ps      the stack's containers
#   stack.sh compose ARGS...   podman-compose with the stack's files and project, e.g.
#                    `stack.sh compose run --rm --no-deps replay` (replays seeds/ from a container)
# Environment: STACK_PROJECT (news-pipeline-stack), STACK_KAFKA_PORT (21092) and
# STACK_PROMETHEUS_PORT (21090), both published on 127.0.0.1 only; STACK_TIMEOUT seconds a
# container may take to become healthy (300); PODMAN_COMPOSE (the one in .venv).
#
# podman-compose runs the same compose file, with deploy/podman/compose.podman.yaml over it
# (local images, a host listener on the broker). Podman here runs no health checks by itself
# and podman-compose ignores health conditions before podman 4.6, so this script starts the
# services in the order the conditions give and runs each health check itself until it passes.
# Grafana (no image here) and the one-shot replay service are not started.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
project=${STACK_PROJECT:-news-pipeline-stack}
kafka_port=${STACK_KAFKA_PORT:-21092}
prometheus_port=${STACK_PROMETHEUS_PORT:-21090}
timeout=${STACK_TIMEOUT:-300}
podman_compose=${PODMAN_COMPOSE:-$repo/.venv/bin/podman-compose}
workers=(normalise dedup tag stance trends)
compose_log=$repo/build/podman/stack.log

export STACK_KAFKA_PORT=$kafka_port PROMETHEUS_HOST_PORT=127.0.0.1:$prometheus_port

log() { echo "[stack] $*" >&2; }

compose() {
  "$podman_compose" --in-pod=false -p "$project" \
    -f "$repo/deploy/compose.yaml" -f "$here/compose.podman.yaml" "$@"
}

# podman-compose repeats podman's own chatter (no systemd for health-check timers, no syslog):
# kept in build/podman/stack.log, shown when a step fails.
compose_quietly() {
  mkdir -p "$(dirname "$compose_log")"
  compose "$@" >>"$compose_log" 2>&1 || { tail -20 "$compose_log" >&2; return 1; }
}

container_of() {  # service -> its container's name
  podman ps -a --filter "label=io.podman.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | head -1
}

wait_healthy() {  # service...
  local service name deadline=$((SECONDS + timeout))
  for service in "$@"; do
    name=$(container_of "$service")
    [ -n "$name" ] || { log "$service: no container"; return 1; }
    until podman healthcheck run "$name" >/dev/null 2>&1; do
      if [ $SECONDS -ge $deadline ]; then
        log "$service ($name) not healthy after ${timeout}s; its log ends with:"
        podman logs --tail 30 "$name" >&2 || true
        return 1
      fi
      sleep 2
    done
    log "$service healthy ($((timeout - deadline + SECONDS))s)"
  done
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

up() {
  for tool in podman runc "$podman_compose"; do
    command -v "$tool" >/dev/null || { log "$tool missing (make stack-up installs it)"; exit 1; }
  done
  "$here/images.sh" all
  if [ -n "$(container_of kafka)" ]; then
    log "the stack is already up (stack.sh down removes it)"
  else
    for port in "$kafka_port" "$prometheus_port"; do
      port_free "$port" || { log "127.0.0.1:$port is in use: set STACK_KAFKA_PORT / STACK_PROMETHEUS_PORT"; exit 1; }
    done
  fi
  local start=$SECONDS
  compose_quietly up -d --no-build --no-deps kafka
  wait_healthy kafka
  compose_quietly up -d --no-build --no-deps topics
  local topics code
  topics=$(container_of topics)
  code=$(podman wait "$topics")
  if [ "$code" != 0 ]; then
    log "the topics job failed ($code):"; podman logs --tail 30 "$topics" >&2; exit 1
  fi
  compose_quietly up -d --no-build --no-deps "${workers[@]}"
  wait_healthy "${workers[@]}"
  compose_quietly up -d --no-build --no-deps prometheus
  wait_healthy prometheus
  log "up in $((SECONDS - start))s"
  echo "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port"
  echo "PROMETHEUS_URL=http://127.0.0.1:$prometheus_port"
}

down() {
  compose_quietly down -v -t 40 || true
  # Whatever compose did not know about (a container started by hand, a failed `up`).
  local left
  left=$(podman ps -aq --filter "label=io.podman.compose.project=$project")
  [ -z "$left" ] || podman rm -f -t 10 $left >/dev/null
  left=$(podman volume ls -q --filter "label=io.podman.compose.project=$project")
  [ -z "$left" ] || podman volume rm -f $left >/dev/null
  podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  log "down: no container, volume or network of $project left"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  ps) podman ps -a --filter "label=io.podman.compose.project=$project" ;;
  compose) shift; compose "$@" ;;
  *) echo "usage: $0 up | down | ps | compose ARGS..." >&2; exit 2 ;;
esac
