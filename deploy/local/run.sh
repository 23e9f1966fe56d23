#!/usr/bin/env bash
# `make run`: the whole pipeline on this machine. Starts the local Kafka (if it is not up), then
# `news-pipeline demo`: a worker running every stage (trends too), a replay of seeds/, each enriched
# article and each dead letter printed; the worker stops at the end and so does the broker this
# script started. Ctrl-C stops everything too.
# Environment: SEEDS (default seeds/), NEWS_PIPELINE_METRICS_PORT (9108), KAFKA_BOOTSTRAP_SERVERS.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec deploy/local/with-broker.sh news-pipeline demo "${SEEDS:-seeds}"
