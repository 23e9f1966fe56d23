from __future__ import annotations

import subprocess

import pytest

from pipeline.stages.registry import WORKER_STAGE_NAMES as STAGE_NAMES
from tests.deploy.deployfiles import (
    DEPLOY,
    load_yaml_documents,
    require_tool,
    secret_env_vars,
    settings_env_vars,
)

K8S_VERSION = "1.33.0"


@pytest.fixture(scope="module")
def rendered() -> list[dict]:
    kubectl = require_tool("kubectl", "install kubectl (it bundles kustomize)")
    result = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "k8s")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return load_yaml_documents(result.stdout)


def by_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["kind"] == kind]


def test_rendered_objects_validate_against_kubernetes_schemas(rendered: list[dict]) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for obj in rendered:
        # strict: unknown fields (a typo such as "readinessprobe") are errors too.
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def test_one_deployment_per_stage_with_probes_resources_and_scrape_annotations(
    rendered: list[dict],
) -> None:
    deployments = {d["metadata"]["name"]: d for d in by_kind(rendered, "Deployment")}
    assert set(deployments) == set(STAGE_NAMES)
    for stage, deployment in deployments.items():
        pod = deployment["spec"]["template"]
        assert pod["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
        (container,) = pod["spec"]["containers"]
        assert {"name": "NEWS_PIPELINE_STAGES", "value": stage} in container["env"]
        for probe, path in (
            ("startupProbe", "/healthz"),
            ("livenessProbe", "/healthz"),
            ("readinessProbe", "/readyz"),
        ):
            assert container[probe]["httpGet"] == {"path": path, "port": "metrics"}
        assert container["ports"][0]["containerPort"] == 9108
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True


def test_pdb_and_service_select_the_workers(rendered: list[dict]) -> None:
    pods = [d["spec"]["template"]["metadata"]["labels"] for d in by_kind(rendered, "Deployment")]
    selectors = [
        p["spec"]["selector"]["matchLabels"] for p in by_kind(rendered, "PodDisruptionBudget")
    ]
    selectors += [s["spec"]["selector"] for s in by_kind(rendered, "Service")]
    assert len(selectors) == len(STAGE_NAMES) + 1  # a PDB per stage and the Service
    for selector in selectors:
        assert any(selector.items() <= labels.items() for labels in pods), selector


def test_configmap_sets_every_variable_the_code_reads(rendered: list[dict]) -> None:
    """All but the stage list, which each Deployment sets itself (see the next test)."""
    (config,) = by_kind(rendered, "ConfigMap")
    missing = settings_env_vars() - set(config["data"]) - {"NEWS_PIPELINE_STAGES"}
    assert not missing, f"add to deploy/k8s/kustomization.yaml: {sorted(missing)}"
    deployments = by_kind(rendered, "Deployment")
    for deployment in deployments:
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["envFrom"][0]["configMapRef"]["name"] == config["metadata"]["name"]


def test_no_deployment_variable_is_also_in_the_configmap(rendered: list[dict]) -> None:
    """A variable in both relies on env winning over envFrom: Kubernetes does that, but
    podman kube play (4.3) lets envFrom win, and every pod ran all the stages (issue 19)."""
    (config,) = by_kind(rendered, "ConfigMap")
    for deployment in by_kind(rendered, "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        both = {variable["name"] for variable in container["env"]} & set(config["data"])
        assert not both, f"{deployment['metadata']['name']}: {sorted(both)}"


def test_secrets_come_from_a_mounted_secret_not_the_configmap(rendered: list[dict]) -> None:
    (config,) = by_kind(rendered, "ConfigMap")
    assert not secret_env_vars() & set(config["data"])
    for deployment in by_kind(rendered, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        secrets = {v["name"]: v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
        (container,) = pod["containers"]
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        for variable in secret_env_vars():
            folder = config["data"][f"{variable}_FILE"].rsplit("/", 1)[0]
            assert mounts.get(folder) in secrets, f"{variable}_FILE is not in a mounted Secret"


def test_images_are_pinned(rendered: list[dict]) -> None:
    for deployment in by_kind(rendered, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            image = container["image"]
            assert ":" in image and not image.endswith(":latest"), image
