"""The stage registry: every stage declared once, in the order articles flow through them.

The app, the chain, the worker, the settings, the topics, the content metrics and the
benchmarks all read this table; none of them names a stage. Adding a stage means writing its
module under ``pipeline/stages/`` and adding one ``StageSpec`` here (dedup was added so).

Each stage reads the topic the stage before it writes (the first reads ``news.raw``), so a
spec names only its output topic; ``source_of`` derives the input. Loaders import their stage
lazily, so reading the table (the CLI, the settings) loads no model. Stages with state get
their store through ``StageContext.stores``: nothing here knows Kafka.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipeline import records

if TYPE_CHECKING:
    from pipeline.settings import Settings
    from pipeline.stages.dedup import DedupState
    from pipeline.stages.trends import TrendsStore

Record = dict[str, Any]
StageFunction = Callable[[Record], Record]

# The short names of the topics that belong to no stage.
RAW_TOPIC = "raw"
DEADLETTER_TOPIC = "deadletter"


class StateStores(Protocol):
    """Where the stages that remember something keep it. The stages know only this protocol:
    a worker passes the Kafka-backed stores (``pipeline.kafka.stores.KafkaStores``); without
    stores (``enrich``, the benchmarks) a stage keeps its state in memory."""

    def dedup(self) -> DedupState: ...

    def trends(self) -> TrendsStore: ...


@dataclass(frozen=True, slots=True)
class StageContext:
    """What a loader may need beyond its model files: the worker's settings, where stages
    keep their state (``stores``, None: in memory), and ``tag_model_dir`` to point the tag
    stage at another model folder (``eval entities --model-dir``)."""

    settings: Settings | None = None
    tag_model_dir: Path | None = None
    stores: StateStores | None = None


@dataclass(frozen=True, slots=True)
class StageSpec:
    """One stage: its name (CLI, consumer group, metric labels, module), where its output goes,
    how its input is decoded, how it is loaded, and what it stamps on its output."""

    name: str
    # Short name of the output topic (``news.<output>``, prefix applied by ``Topics``).
    output: str
    # The timestamp the stage stamps on its output, as named in the schemas.
    stamp: str
    # bytes off the input topic (and the size limit) -> record, or InvalidRecord.
    decode: Callable[[bytes | None, int], Record]
    # Loads the stage's model (and state) once; the callable it returns does per-article work.
    load: Callable[[StageContext], StageFunction]
    # The output field a stage sets to a reason when it leaves an article untouched on purpose.
    skipped_field: str | None = None
    # Partitions of the topic the stage reads, when it must not be the configured count: one
    # for a stage whose answer depends on the order of all articles (dedup's "first seen").
    source_partitions: int | None = None


def _decode_raw(value: bytes | None, max_bytes: int) -> Record:
    return records.decode_raw(value, max_bytes)


def _decode_internal(value: bytes | None, max_bytes: int) -> Record:
    # Written by an earlier stage of this pipeline, which already enforced the raw size limit;
    # enrichment only adds fields, so the limit must not apply again.
    return records.decode(value)


def _load_normalise(context: StageContext) -> StageFunction:
    from pipeline.stages.normalise import normalise
    from pipeline.text.language import default_detector

    default_detector()
    return normalise


def _load_dedup(context: StageContext) -> StageFunction:
    from pipeline.stages.dedup import Deduplicator, MemoryDedupState

    settings = context.settings
    # Not ``state or ...``: a state is a sized container, and an empty one is falsy.
    state: DedupState
    if context.stores is not None:
        state = context.stores.dedup()
    elif settings is not None:
        state = MemoryDedupState(settings.dedup_window)
    else:
        state = MemoryDedupState()
    if settings is None:
        return Deduplicator(state)
    return Deduplicator(state, settings.dedup_near_threshold)


def _load_tag(context: StageContext) -> StageFunction:
    from pipeline.stages.tag import Tagger

    return Tagger.load(context.tag_model_dir)


def _load_stance(context: StageContext) -> StageFunction:
    from pipeline.stages.stance import StanceClassifier

    return StanceClassifier.load()


STAGES: tuple[StageSpec, ...] = (
    StageSpec(
        "normalise",
        output="normalised",
        stamp="normalised",
        decode=_decode_raw,
        load=_load_normalise,
    ),
    StageSpec(
        "dedup",
        output="deduplicated",
        stamp="deduplicated",
        decode=_decode_internal,
        load=_load_dedup,
        source_partitions=1,
    ),
    StageSpec(
        "tag",
        output="tagged",
        stamp="tagged",
        decode=_decode_internal,
        load=_load_tag,
        skipped_field="entities_skipped",
    ),
    StageSpec(
        "stance",
        output="enriched",
        stamp="enriched",
        decode=_decode_internal,
        load=_load_stance,
        skipped_field="stance_skipped",
    ),
)
STAGE_NAMES: tuple[str, ...] = tuple(spec.name for spec in STAGES)
# The second kind of stage: it reads the finished articles and aggregates them
# (pipeline.stages.trends; its agents are in pipeline.trends_agents), so it has no spec above.
TRENDS_STAGE = "trends"
# Everything ``--stages`` accepts, in the order articles reach them.
WORKER_STAGE_NAMES: tuple[str, ...] = (*STAGE_NAMES, TRENDS_STAGE)
_BY_NAME = {spec.name: spec for spec in STAGES}
# Names used by earlier releases, accepted with a pointer to the current one.
_RENAMED = {"entities": "tag", "ner": "tag"}


def stage(name: str) -> StageSpec:
    """The spec of ``name``; a clear error naming the choices (and any renamed stage)."""
    spec = _BY_NAME.get(name)
    if spec is not None:
        return spec
    if name in _RENAMED:
        raise ValueError(f"stage {name!r} is now called {_RENAMED[name]!r}")
    raise ValueError(f"unknown stage {name!r}; choose from {', '.join(STAGE_NAMES)}")


def parse_stage_list(value: str) -> tuple[str, ...]:
    """``"tag, stance"`` -> ``("tag", "stance")``, every name checked against the registry."""
    names = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [name for name in names if name not in WORKER_STAGE_NAMES]
    if unknown:
        renamed = [f"{n!r} is now {_RENAMED[n]!r}" for n in unknown if n in _RENAMED]
        hint = f" ({'; '.join(renamed)})" if renamed else ""
        raise ValueError(
            f"unknown stage(s) {sorted(unknown)}{hint}; choose from {', '.join(WORKER_STAGE_NAMES)}"
        )
    return names


def record_stages(names: tuple[str, ...]) -> tuple[str, ...]:
    """The record-to-record stages among ``names`` (those with a spec), in their order."""
    return tuple(name for name in names if name in _BY_NAME)


def source_of(spec: StageSpec) -> str:
    """Short name of the topic a stage reads: the previous stage's output, or raw."""
    index = STAGES.index(spec)
    return STAGES[index - 1].output if index else RAW_TOPIC


def is_first(spec: StageSpec) -> bool:
    """The first stage reads untrusted raw input and stamps when it was produced."""
    return spec is STAGES[0]


def is_last(spec: StageSpec) -> bool:
    """The last stage writes the finished article: it is what the content metrics count."""
    return spec is STAGES[-1]


def skipped_between(names: tuple[str, ...]) -> list[str]:
    """Stages a worker running ``names`` leaves out between two it runs: unless another worker
    runs them, articles wait at the gap (``normalise,tag`` skips ``dedup``)."""
    indices = [STAGE_NAMES.index(name) for name in record_stages(names)]
    if not indices:
        return []
    return [n for n in STAGE_NAMES[min(indices) : max(indices) + 1] if n not in names]
