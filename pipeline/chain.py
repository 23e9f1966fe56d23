"""The stages as one in-process chain, with no Kafka: used by the agents (one stage at a time),
by ``news-pipeline enrich`` and by the benchmarks (all stages in a row).

Each stage's model is loaded once, when the chain is built, and only for the stages asked for.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from pipeline.records import SCHEMA_VERSION
from pipeline.stages.registry import (
    STAGE_NAMES,
    Record,
    StageContext,
    StageFunction,
    is_first,
    stage,
)


class Chain:
    def __init__(
        self, stages: Iterable[str] = STAGE_NAMES, context: StageContext | None = None
    ) -> None:
        """``context`` reaches the loaders; a worker passes its settings (see StageContext)."""
        self.specs = tuple(stage(name) for name in stages)
        self.stages = tuple(spec.name for spec in self.specs)
        context = context or StageContext()
        self._functions: dict[str, StageFunction] = {
            spec.name: spec.load(context) for spec in self.specs
        }

    def function(self, name: str) -> StageFunction:
        return self._functions[name]

    def run(self, name: str, record: Record) -> Record:
        """Apply one stage and stamp the result with its schema version and timestamp."""
        spec = stage(name)
        result = self._functions[name](record)
        timestamps = dict(record.get("timestamps") or {})
        if is_first(spec):
            produced = record.get("produced_at")
            timestamps["produced"] = produced if isinstance(produced, int | float) else time.time()
        timestamps[spec.stamp] = time.time()
        result["schema_version"] = SCHEMA_VERSION
        result["timestamps"] = timestamps
        return result

    def enrich(self, raw: Record) -> Record:
        record = raw
        for name in self.stages:
            record = self.run(name, record)
        return record
