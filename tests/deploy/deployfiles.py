"""Paths and helpers shared by the deployment-file tests (a plain module: tests import it)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def require_tool(name: str, install_hint: str) -> str:
    """Path of a command-line tool. Missing locally: skip. Missing in CI: fail, because CI
    installs every tool first and a silent skip would hide a broken deployment file."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} not found; {install_hint}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def load_dashboards_module() -> ModuleType:
    """deploy/grafana/dashboards.py is a script, not part of the package: load it by path."""
    name = "news_pipeline_dashboards"
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec("grafana_foundation_sdk") is None:
        message = "grafana-foundation-sdk is not installed (a test dependency)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    spec = importlib.util.spec_from_file_location(name, DEPLOY / "grafana" / "dashboards.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def settings_env_vars(include_tools_only: bool = False, include_secrets: bool = False) -> set[str]:
    """Every environment variable pipeline.settings.Settings reads (its first alias, else
    the prefixed field name), so a new setting fails the deployment tests until documented.
    Settings marked ``tools_only`` (read by training/eval commands, never by a worker) are
    left out unless asked for, and so are those marked ``secret``: deployments set their
    ``_FILE`` variable instead, pointing at a mounted secret."""
    from pydantic import AliasChoices

    from pipeline.settings import Settings

    prefix = str(Settings.model_config.get("env_prefix", ""))
    names = set()
    for field_name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if extra.get("tools_only") and not include_tools_only:
            continue
        if extra.get("secret") and not include_secrets:
            continue
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.add(str(alias.choices[0]))
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{field_name}".upper())
    return names


def load_yaml_documents(text: str) -> list[dict]:
    import yaml

    return [doc for doc in yaml.safe_load_all(text) if doc]


def secret_env_vars() -> set[str]:
    return settings_env_vars(include_secrets=True) - settings_env_vars()
