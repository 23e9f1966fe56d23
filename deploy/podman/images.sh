#!/usr/bin/env bash
# Builds the images the compose stack and the Kubernetes manifests run, locally with podman and
# no container registry:
#   images.sh [all | base | python | worker | kafka | prometheus]...   (default: all)
#
#   localhost/news-pipeline-debian:bookworm   `debootstrap --variant=minbase bookworm`, imported
#   localhost/news-pipeline-python:bookworm   Debian's Python 3.11 on it (python.Containerfile)
#   news-pipeline:0.1.0                       the repository's Dockerfile, PYTHON_IMAGE= the above,
#                                             pip fed from a wheelhouse built on the host
#   localhost/news-pipeline-kafka:4.4.0       Debian's JRE 17 and the jars deploy/kafka/pom.xml
#                                             resolves, configured from KAFKA_* like apache/kafka
#   localhost/news-pipeline-prometheus:bookworm  Debian's prometheus package
#
# Each image carries a label with a hash of its inputs and is rebuilt only when they change, so
# a second run does nothing. Podman reads deploy/podman/containers.conf (CONTAINERS_CONF).
# Environment: DEBIAN_MIRROR (http://deb.debian.org/debian), IMAGES_CACHE (build/podman).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
cache=${IMAGES_CACHE:-$repo/build/podman}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
pip=${PIP:-$repo/.venv/bin/pip}

BASE_IMAGE=localhost/news-pipeline-debian:bookworm
PYTHON_IMAGE=localhost/news-pipeline-python:bookworm
WORKER_IMAGE=localhost/news-pipeline:0.1.0
KAFKA_IMAGE=localhost/news-pipeline-kafka:4.4.0
PROMETHEUS_IMAGE=localhost/news-pipeline-prometheus:bookworm
LABEL=news-pipeline.inputs

log() { echo "[images] $*" >&2; }

# A hash of files (paths relative to the repository) and extra words, e.g. a parent's image id.
inputs_hash() {
  local words=$1; shift
  { echo "$words"
    [ $# -eq 0 ] || (cd "$repo" && find "$@" -type f -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 \
      | sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16
}

image_id() { podman image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

up_to_date() {  # image, hash
  [ "$(podman image inspect --format "{{index .Labels \"$LABEL\"}}" "$1" 2>/dev/null)" = "$2" ]
}

build_base() {
  local hash
  hash=$(inputs_hash "bookworm minbase $mirror 1")
  if up_to_date "$BASE_IMAGE" "$hash"; then return; fi
  command -v debootstrap >/dev/null || { log "debootstrap missing: apt-get install debootstrap"; exit 1; }
  local rootfs=$cache/rootfs
  log "debootstrap --variant=minbase bookworm (a minute or two)"
  rm -rf "$rootfs" && mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  # apt's downloaded packages and lists are not part of an image.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import -q --change "LABEL $LABEL=$hash" \
    --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# One of our images on the base: image, Containerfile, context folder, its input files.
build_on_base() {
  local image=$1 file=$2 context=$3 hash
  hash=$(inputs_hash "$(image_id "$BASE_IMAGE")" "${@:4}")
  if up_to_date "$image" "$hash"; then return; fi
  podman build -q --network host --label "$LABEL=$hash" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    -f "$file" -t "$image" "$context" >/dev/null
}

build_python() {
  build_on_base "$PYTHON_IMAGE" "$here/python.Containerfile" "$here" deploy/podman/python.Containerfile
}

build_prometheus() {
  build_on_base "$PROMETHEUS_IMAGE" "$here/prometheus.Containerfile" "$here" \
    deploy/podman/prometheus.Containerfile
}

# Every wheel the image installs, built on the host (where pip reaches PyPI with the host's CA
# certificates), so the image build needs no network: pip reads PIP_FIND_LINKS/PIP_NO_INDEX.
build_wheelhouse() {
  local wheels=$cache/wheelhouse hash
  hash=$(inputs_hash "" pyproject.toml)
  if [ "$(cat "$wheels/.inputs" 2>/dev/null)" = "$hash" ]; then return; fi
  log "building the wheelhouse for pyproject.toml"
  rm -rf "$wheels" && mkdir -p "$wheels"
  "$pip" wheel -q --wheel-dir "$wheels" "$repo"
  rm -f "$wheels"/news_pipeline-*.whl
  "$pip" download -q --dest "$wheels" 'setuptools>=77' wheel
  echo "$hash" > "$wheels/.inputs"
}

build_worker() {
  build_wheelhouse
  local hash
  hash=$(inputs_hash "$(image_id "$PYTHON_IMAGE") $(cat "$cache/wheelhouse/.inputs")" \
    Dockerfile .dockerignore pyproject.toml README.md pipeline seeds deploy/podman/images.sh)
  if up_to_date "$WORKER_IMAGE" "$hash"; then return; fi
  podman build -q --format docker --network none --label "$LABEL=$hash" \
    --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" \
    --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/wheelhouse \
    --build-arg PIP_INDEX_URL=https://pypi.org/simple \
    --volume "$cache/wheelhouse:/wheelhouse:ro" \
    -f "$repo/Dockerfile" -t "$WORKER_IMAGE" "$repo" >/dev/null
}

# The broker's jars as deploy/kafka/broker.sh resolves them (Maven Central, then ~/.m2).
build_kafka() {
  local context=$cache/kafka inputs=(deploy/kafka/pom.xml deploy/podman/kafka)
  if up_to_date "$KAFKA_IMAGE" "$(inputs_hash "$(image_id "$BASE_IMAGE")" "${inputs[@]}")"; then
    return
  fi
  rm -rf "$context" && mkdir -p "$context/libs"
  mvn -q -B -Dstyle.color=never -f "$repo/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$context/libs" >&2
  cp -r "$here/kafka/." "$context/"
  build_on_base "$KAFKA_IMAGE" "$context/Containerfile" "$context" "${inputs[@]}"
}

build() {  # name: builds it (and what it stands on) unless up to date, timing what it builds
  local image
  case $1 in
    base) image=$BASE_IMAGE ;;
    python) build base; image=$PYTHON_IMAGE ;;
    worker) build python; image=$WORKER_IMAGE ;;
    kafka) build base; image=$KAFKA_IMAGE ;;
    prometheus) build base; image=$PROMETHEUS_IMAGE ;;
    *) echo "usage: $0 [all | base | python | worker | kafka | prometheus]..." >&2; exit 2 ;;
  esac
  local before start=$SECONDS
  before=$(image_id "$image")
  "build_$1"
  if [ "$(image_id "$image")" != "$before" ]; then
    log "$image built in $((SECONDS - start))s, $(podman image inspect --format '{{.Size}}' "$image" \
      | awk '{printf "%.0f MB", $1 / 1e6}')"
  fi
}

[ $# -gt 0 ] || set -- all
for name in "$@"; do
  if [ "$name" = all ]; then
    for each in base python worker kafka prometheus; do build "$each"; done
  else
    build "$name"
  fi
done
