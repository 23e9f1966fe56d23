#!/usr/bin/env bash
# Run a command with the local Kafka up. If this script started the broker, it stops it again
# when the command ends, whatever the outcome; a broker that was already up is left alone.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
broker="$here/../kafka/broker.sh"

if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ] && [ "${KAFKA_BOOTSTRAP_SERVERS}" != "127.0.0.1:9092" ]; then
  exec "$@"   # an external cluster: nothing of ours to start
fi
started=0
if ! "$broker" status; then
  "$broker" start || exit 1
  started=1
fi
cleanup() { [ "$started" = 1 ] && "$broker" stop; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$@"
