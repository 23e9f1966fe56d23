#!/usr/bin/env bash
# `make run`: the whole pipeline on this machine. Starts the local Kafka (if it is not up) and a
# worker running all three stages, replays seeds/, prints each enriched article and each dead
# letter, then stops the worker and the broker it started. Ctrl-C stops everything too.
# Environment: SEEDS (default seeds/), NEWS_PIPELINE_METRICS_PORT (9108), KAFKA_BOOTSTRAP_SERVERS.
set -uo pipefail
cd "$(dirname "$0")/../.."
broker=deploy/kafka/broker.sh
seeds=${SEEDS:-seeds}
metrics_port=${NEWS_PIPELINE_METRICS_PORT:-9108}
log_dir=.kafka/logs
mkdir -p "$log_dir"

started_broker=0
worker_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
    echo "stopping the worker..." >&2
    kill -TERM "$worker_pid"
    for _ in $(seq 30); do kill -0 "$worker_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$worker_pid" 2>/dev/null || true
  fi
  [ "$started_broker" = 1 ] && "$broker" stop
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] && ! "$broker" status; then
  "$broker" start || exit 1
  started_broker=1
fi

echo "starting a worker (all stages; log: $log_dir/worker.log)" >&2
NEWS_PIPELINE_METRICS_PORT=$metrics_port news-pipeline worker > "$log_dir/worker.log" 2>&1 &
worker_pid=$!
for _ in $(seq 120); do
  grep -q "Worker]: Ready" "$log_dir/worker.log" 2>/dev/null && break
  if ! kill -0 "$worker_pid" 2>/dev/null; then
    echo "the worker exited; its log ends with:" >&2; tail -20 "$log_dir/worker.log" >&2; exit 1
  fi
  sleep 1
done

since=$(date +%s)
news-pipeline replay "$seeds" || exit 1
sent=$(python3 - "$seeds" <<'PY'
import sys; from pathlib import Path
from pipeline.sources import read_records, SourceError
print(sum(not isinstance(r, SourceError) for r in read_records([Path(sys.argv[1])])))
PY
)
echo
echo "== results: news.enriched and news.deadletter =="
# Each replayed article ends as exactly one enriched record or one dead letter.
news-pipeline tail enriched deadletter --since "$since" --idle-timeout 60 --limit "$sent"
echo
echo "metrics: http://127.0.0.1:$metrics_port/metrics   (watch any topic: news-pipeline tail TOPIC)"
