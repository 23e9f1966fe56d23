"""What a supervisor asks a worker: is it alive (``/healthz``), is it doing its job
(``/readyz``), and, when it can no longer do it, exit with a reason instead of lingering.

``state`` judges health from plain values (tested without Kafka or Faust), ``server`` serves
the answers beside /metrics, ``watchdog`` feeds ``state`` from the running Faust worker and
turns a crash, a lost broker or a stuck shutdown into a prompt non-zero exit.
"""

from pipeline.health.server import HealthServer
from pipeline.health.state import Health, HealthState, Progress, assess
from pipeline.health.watchdog import SupervisedWorker, Watchdog

__all__ = [
    "Health",
    "HealthServer",
    "HealthState",
    "Progress",
    "SupervisedWorker",
    "Watchdog",
    "assess",
]
