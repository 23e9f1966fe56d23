"""The three stages as one in-process chain, with no Kafka: used by the agents (one stage at a
time), by ``news-pipeline enrich`` and by the benchmarks (all stages in a row).

Each stage's model is loaded once, when the chain is built, and only for the stages asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from pipeline.records import SCHEMA_VERSION
from pipeline.settings import STAGES

Record = dict[str, Any]

# The timestamp each stage stamps on its output, as named in the schemas.
STAMP = {"normalise": "normalised", "tag": "tagged", "stance": "enriched"}


class Chain:
    def __init__(self, stages: Iterable[str] = STAGES) -> None:
        self.stages = tuple(stages)
        self._functions: dict[str, Callable[[Record], Record]] = {}
        for name in self.stages:
            self._functions[name] = load_stage(name)

    def run(self, stage: str, record: Record) -> Record:
        """Apply one stage and stamp the result with its schema version and timestamp."""
        result = self._functions[stage](record)
        timestamps = dict(record.get("timestamps") or {})
        if stage == "normalise":
            produced = record.get("produced_at")
            timestamps["produced"] = produced if isinstance(produced, int | float) else time.time()
        timestamps[STAMP[stage]] = time.time()
        result["schema_version"] = SCHEMA_VERSION
        result["timestamps"] = timestamps
        return result

    def enrich(self, raw: Record) -> Record:
        record = raw
        for stage in self.stages:
            record = self.run(stage, record)
        return record


def load_stage(stage: str) -> Callable[[Record], Record]:
    """One stage's callable, its model loaded now rather than on the first article."""
    if stage == "normalise":
        from pipeline.stages.normalise import normalise
        from pipeline.text.language import default_detector

        default_detector()
        return normalise
    if stage == "tag":
        from pipeline.stages.entities import EntityTagger

        return EntityTagger.load()
    if stage == "stance":
        from pipeline.stages.stance import StanceClassifier

        return StanceClassifier.load()
    raise ValueError(f"unknown stage {stage!r}; choose from {', '.join(STAGES)}")
