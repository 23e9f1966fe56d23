"""Last of the deployment tests (files run in name order): stack.sh down leaves nothing."""

from __future__ import annotations

import pytest

from tests.containers.stack import Stack, podman

pytestmark = [pytest.mark.deploy, pytest.mark.slow]


def test_stack_down_leaves_nothing_behind(stack: Stack) -> None:
    down = stack.run("down")
    assert down.returncode == 0, down.stderr
    assert stack.containers() == []
    networks = podman("network", "ls", "--format", "{{.Name}}").split()
    assert stack.network not in networks
    volumes = podman(
        "volume", "ls", "-q", "--filter", f"label=io.podman.compose.project={stack.project}"
    )
    assert volumes == ""
