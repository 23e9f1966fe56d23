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
