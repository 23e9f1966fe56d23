"""A worker as a child process: start it, wait until Faust says it is ready, stop it.

The one way the project runs a worker beside something else: ``news-pipeline demo``
(``make run``), the end-to-end benchmark and the integration tests all use it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError

# Faust logs this once the worker has joined its group and its agents are running.
READY_LINE = b"Worker]: Ready"


class WorkerNotReady(PipelineError):
    """The worker exited, or did not report ready in time; the message ends with its log."""


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path
    # Where its /metrics is served (0: not served), as NEWS_PIPELINE_METRICS_PORT set it.
    metrics_port: int = 0

    @classmethod
    def start(cls, env: Mapping[str, str], log_path: Path) -> WorkerProcess:
        """``python -m pipeline worker`` configured by ``env`` only, its output in ``log_path``."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "pipeline", "worker"],
                env={**env, "PYTHONUNBUFFERED": "1"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return cls(process, log_path, int(env.get("NEWS_PIPELINE_METRICS_PORT") or 0))

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY_LINE in self.log_path.read_bytes():
                return
            if self.process.poll() is not None:
                raise WorkerNotReady(f"the worker exited; its log ends with:\n{self.log()}")
            time.sleep(0.2)
        raise WorkerNotReady(f"the worker was not ready after {timeout:g}s:\n{self.log()}")

    def log(self, last_chars: int = 4000) -> str:
        return self.log_path.read_text("utf-8", "replace")[-last_chars:]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send ``sig`` and wait; SIGKILL after ``timeout``. Returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
