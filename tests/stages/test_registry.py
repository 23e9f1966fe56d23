"""The stage registry is the one declaration of the stages: everything else derives from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import Settings
from pipeline.stages import registry
from pipeline.stages.registry import (
    STAGES,
    WORKER_STAGE_NAMES,
    StageContext,
    parse_stage_list,
    source_of,
    stage,
)
from pipeline.topics import Topics


def test_stages_flow_through_the_existing_topics_in_order() -> None:
    topics = Topics("p.")
    wiring = [(spec.name, topics.source(spec), topics.output(spec)) for spec in STAGES]
    assert wiring == [
        ("normalise", "p.news.raw", "p.news.normalised"),
        ("dedup", "p.news.normalised", "p.news.deduplicated"),
        ("tag", "p.news.deduplicated", "p.news.tagged"),
        ("stance", "p.news.tagged", "p.news.enriched"),
    ]
    assert topics.all() == (
        "p.news.raw",
        "p.news.normalised",
        "p.news.deduplicated",
        "p.news.tagged",
        "p.news.enriched",
        "p.news.deadletter",
    )
    # dedup's "first seen" needs one order: the topic it reads has one partition.
    assert [topics.partitions(t, 6) for t in topics.all()] == [6, 1, 6, 6, 6, 6]


def test_names_outputs_and_stamps_are_unique() -> None:
    for field in ("name", "output", "stamp"):
        values = [getattr(spec, field) for spec in STAGES]
        assert len(values) == len(set(values)), field


def test_each_stage_has_one_name_its_module_carries() -> None:
    for spec in STAGES:
        module = __import__(f"pipeline.stages.{spec.name}", fromlist=["_"])
        assert module.__name__.endswith(spec.name)


def test_only_the_first_stage_reads_raw_input() -> None:
    assert [source_of(spec) for spec in STAGES][0] == registry.RAW_TOPIC
    assert [registry.is_first(spec) for spec in STAGES] == [True, False, False, False]
    assert [registry.is_last(spec) for spec in STAGES] == [False, False, False, True]


def test_stage_lists_are_checked_against_the_registry() -> None:
    assert parse_stage_list(" tag, stance ") == ("tag", "stance")
    with pytest.raises(ValueError, match="unknown stage.*'translate'.*normalise, dedup, tag"):
        parse_stage_list("normalise,translate")
    with pytest.raises(ValueError, match="'entities' is now 'tag'"):
        Settings(stages="entities").stage_list  # noqa: B018
    with pytest.raises(ValueError, match="now called 'tag'"):
        stage("ner")


def test_the_default_stage_set_is_the_whole_registry() -> None:
    assert Settings().stage_list == WORKER_STAGE_NAMES


def test_a_stage_set_with_a_hole_is_named() -> None:
    assert registry.skipped_between(("normalise", "tag", "stance")) == ["dedup"]
    assert registry.skipped_between(("tag", "stance")) == []
    assert registry.skipped_between(()) == []


def test_the_tag_loader_reads_the_model_folder_the_context_names(tmp_path: Path) -> None:
    from pipeline.errors import ModelNotAvailable
    from pipeline.stages.registry import StageContext

    with pytest.raises(ModelNotAvailable, match=str(tmp_path)):
        stage("tag").load(StageContext(tag_model_dir=tmp_path))


def test_dedup_keeps_the_store_it_is_given_even_while_the_store_is_empty() -> None:
    """An empty store is a falsy container: ``stores.dedup() or memory`` fell back to memory,
    and a worker's dedup state never reached Kafka."""
    from pipeline.stages.dedup import MemoryDedupState

    given = MemoryDedupState(5)
    assert len(given) == 0

    class Stores:
        def dedup(self) -> MemoryDedupState:
            return given

        def trends(self) -> object:
            raise AssertionError("not asked for")

    loaded = stage("dedup").load(StageContext(Settings(), stores=Stores()))  # type: ignore[arg-type]
    assert loaded.state is given  # type: ignore[attr-defined]
