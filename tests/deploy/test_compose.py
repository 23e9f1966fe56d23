from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from pipeline.stages.registry import WORKER_STAGE_NAMES as STAGE_NAMES
from tests.deploy.deployfiles import (
    DEPLOY,
    REPO,
    load_yaml_documents,
    secret_env_vars,
    settings_env_vars,
)

COMPOSE = DEPLOY / "compose.yaml"
SCHEMA = REPO / "build" / "deploy-deps" / "compose-spec.json"
STAGES = STAGE_NAMES


@pytest.fixture(scope="module")
def compose() -> dict:
    (document,) = load_yaml_documents(COMPOSE.read_text())
    return document


def test_validates_against_the_compose_specification(compose: dict) -> None:
    if not SCHEMA.is_file():
        message = f"{SCHEMA} missing; run deploy/check-deps.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    # The schema names draft 2019-09 under its old http:// URI, which jsonschema does not map.
    validator = jsonschema.Draft201909Validator(schema)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(compose)
    ]
    assert not errors, "\n".join(errors)


def test_every_image_tag_is_pinned(compose: dict) -> None:
    for name, service in compose["services"].items():
        image = service["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image else ""
        assert re.search(r"\d", tag) and tag != "latest", f"{name}: {image}"


def test_one_scalable_service_per_stage(compose: dict) -> None:
    services = compose["services"]
    for stage in STAGES:
        service = services[stage]
        assert service["environment"]["NEWS_PIPELINE_STAGES"] == stage
        # --scale needs no fixed container name and no published host port.
        assert "container_name" not in service and "ports" not in service
        assert service["build"]["context"] == ".."
        assert "healthcheck" in service and service["restart"] == "unless-stopped"


def test_workers_set_every_variable_the_code_reads(compose: dict) -> None:
    for stage in STAGES:
        missing = settings_env_vars() - set(compose["services"][stage]["environment"])
        assert not missing, f"add to x-worker-environment in deploy/compose.yaml: {sorted(missing)}"


def test_secrets_come_from_compose_secrets_not_the_file(compose: dict) -> None:
    declared = set(compose["secrets"])
    for name in (*STAGES, "replay"):
        service = compose["services"][name]
        environment = service["environment"]
        assert not secret_env_vars() & set(environment), f"{name}: a secret set inline"
        mounted = set(service["secrets"])
        assert mounted <= declared
        for variable in secret_env_vars():
            path = environment[f"{variable}_FILE"]
            assert path.startswith("/run/secrets/") and path.rsplit("/", 1)[1] in mounted
    for secret in compose["secrets"].values():
        assert set(secret) == {"file"} and secret["file"].startswith("${"), secret


def test_long_running_services_have_healthchecks_and_restart_policies(compose: dict) -> None:
    for name in ("kafka", *STAGES, "prometheus", "grafana"):
        service = compose["services"][name]
        assert "healthcheck" in service, name
        assert service["restart"] in ("unless-stopped", "always"), name


def test_mounted_paths_exist(compose: dict) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), f"{name}: {source}"
    assert (REPO / Path(compose["services"]["tag"]["build"]["dockerfile"])).is_file()


def test_dockerfile_is_pinned_slim_and_non_root() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.MULTILINE)
    assert base and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base.group(1))
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert "pip install ." in dockerfile  # the exact pins of pyproject.toml
    ignored = (REPO / ".dockerignore").read_text().split()
    for needed in ("!pyproject.toml", "!pipeline/", "!seeds/", "!README.md"):
        assert needed in ignored


def test_worker_image_tag_is_the_package_version(compose: dict) -> None:
    from pipeline import __version__

    for stage in STAGES:
        assert compose["services"][stage]["image"] == f"news-pipeline:{__version__}"
    kustomization = (DEPLOY / "k8s" / "kustomization.yaml").read_text()
    assert f"newTag: {__version__}" in kustomization
