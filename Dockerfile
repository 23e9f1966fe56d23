# Worker image: `news-pipeline` with its pinned dependencies, run as a non-root user.
#   docker build -t news-pipeline:0.1.0 .
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=kafka:9092 news-pipeline:0.1.0 worker
# Every setting is an environment variable (docs/deploying.md lists them).

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A package mirror or a wheelhouse for builds that cannot reach PyPI (pip reads these; unset,
# PyPI): --build-arg PIP_INDEX_URL=https://mirror/simple, or PIP_NO_INDEX=1 with
# PIP_FIND_LINKS=<folder of wheels> (deploy/podman/images.sh mounts one with podman build -v).
ARG PIP_INDEX_URL
ARG PIP_FIND_LINKS
ARG PIP_NO_INDEX
RUN python -m venv /opt/venv
WORKDIR /src
# pyproject.toml pins every direct dependency to one version; pip installs exactly those.
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
RUN /opt/venv/bin/pip install . \
    && /opt/venv/bin/news-pipeline --help >/dev/null

FROM ${PYTHON_IMAGE}
ARG UID=10001
RUN groupadd --system --gid ${UID} app \
    && useradd --system --uid ${UID} --gid app --home-dir /app --create-home app \
    && mkdir -p /app/data \
    && chown app:app /app/data
COPY --from=build /opt/venv /opt/venv
COPY --chown=app:app seeds /app/seeds
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWS_PIPELINE_METRICS_HOST=0.0.0.0 \
    NEWS_PIPELINE_METRICS_PORT=9108 \
    NEWS_PIPELINE_DATA_DIR=/app/data
USER app
WORKDIR /app
EXPOSE 9108
# Healthy while /healthz passes: served once the models have loaded; 503 when the event loop
# stops beating or the Kafka consumer stops (docs/deploying.md, "Health probes and exits").
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NEWS_PIPELINE_METRICS_PORT', '9108'), timeout=4)"]
ENTRYPOINT ["news-pipeline"]
CMD ["worker"]
