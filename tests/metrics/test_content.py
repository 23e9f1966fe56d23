from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from pipeline.metrics.content import ContentMetrics, TopEntities, language_label


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def entity(name: str, type_: str, count: int, label: str | None = "neutral") -> dict:
    found: dict = {"name": name, "type": type_, "count": count, "mentions": [], "salience": 0.5}
    if label is not None:
        found["stance"] = {"label": label, "confidence": 0.9, "evidence": []}
    return found


def article(*entities: dict, language: str = "en", **extra: object) -> dict:
    return {
        "id": "a",
        "language": language,
        "entities": list(entities),
        "entities_skipped": None,
        "stance_skipped": None,
        **extra,
    }


@pytest.fixture
def setup() -> tuple[ContentMetrics, CollectorRegistry, FakeClock]:
    registry = CollectorRegistry()
    clock = FakeClock()
    top = TopEntities(top_n=2, window_seconds=120, bucket_seconds=60, clock=clock)
    return ContentMetrics.create(registry, top), registry, clock


def value(registry: CollectorRegistry, metric: str, **labels: str) -> float | None:
    return registry.get_sample_value(metric, labels)


def test_counts_mentions_stances_and_language(setup) -> None:
    content, registry, _ = setup
    content.observe(
        article(entity("Acme", "ORG", 3, "favor"), entity("Paris", "LOC", 1, "against"))
    )
    content.observe(article(entity("Acme", "ORG", 2, "favor"), language="fr"))

    assert value(registry, "news_pipeline_entity_mentions_total", type="ORG") == 5
    assert value(registry, "news_pipeline_entity_mentions_total", type="LOC") == 1
    assert value(registry, "news_pipeline_entity_stances_total", label="favor", type="ORG") == 2
    assert value(registry, "news_pipeline_entity_stances_total", label="against", type="LOC") == 1
    assert value(registry, "news_pipeline_articles_by_language_total", language="en") == 1
    assert value(registry, "news_pipeline_articles_by_language_total", language="fr") == 1


def test_labels_stay_in_closed_sets(setup) -> None:
    content, registry, _ = setup
    content.observe(article(entity("X", "WEIRD", 1, "ecstatic"), language="not a language"))
    assert value(registry, "news_pipeline_entity_mentions_total", type="other") == 1
    assert value(registry, "news_pipeline_entity_stances_total", label="other", type="other") == 1
    assert value(registry, "news_pipeline_articles_by_language_total", language="other") == 1
    assert language_label(None) == "und"
    assert language_label("und") == "und"


def test_skipped_articles_and_malformed_entities_do_not_raise(setup) -> None:
    content, registry, _ = setup
    content.observe(
        {
            "id": "b",
            "entities": [],
            "entities_skipped": "language 'de' not supported",
            "stance_skipped": "no entities",
        }
    )
    content.observe({"id": "c", "entities": ["not a dict", {"type": "PER"}]})
    assert value(registry, "news_pipeline_articles_skipped_total", stage="tag") == 1
    assert value(registry, "news_pipeline_articles_skipped_total", stage="stance") == 1
    assert value(registry, "news_pipeline_articles_by_language_total", language="und") == 2


def test_mention_count_falls_back_to_mentions_list(setup) -> None:
    content, registry, _ = setup
    found = {"name": "Bob", "type": "PER", "mentions": [{"start": 0, "end": 3, "text": "Bob"}] * 2}
    content.observe(article(found))
    assert value(registry, "news_pipeline_entity_mentions_total", type="PER") == 2


def test_top_entities_bounded_to_n_and_ranked(setup) -> None:
    content, registry, _ = setup
    content.observe(article(entity("A", "ORG", 5), entity("B", "PER", 3), entity("C", "LOC", 1)))
    content.observe(article(entity("C", "LOC", 9)))

    assert content.top_entities.top() == [("C", "LOC", 10), ("A", "ORG", 5)]
    assert value(registry, "news_pipeline_top_entity_mentions", name="C", type="LOC") == 10
    assert value(registry, "news_pipeline_top_entity_mentions", name="B", type="PER") is None


def test_top_entities_forget_mentions_older_than_the_window() -> None:
    clock = FakeClock()
    top = TopEntities(top_n=5, window_seconds=120, bucket_seconds=60, clock=clock)
    top.add({("Old", "PER"): 10})
    clock.now += 60
    top.add({("New", "ORG"): 1, ("Old", "PER"): 1})
    assert top.top() == [("Old", "PER", 11), ("New", "ORG", 1)]
    clock.now += 60  # the first bucket leaves the two-minute window
    assert top.top() == [("Old", "PER", 1), ("New", "ORG", 1)]
    clock.now += 600
    assert top.top() == []


def test_top_entities_cap_distinct_names() -> None:
    top = TopEntities(
        top_n=5, window_seconds=60, bucket_seconds=60, max_tracked=2, clock=FakeClock()
    )
    top.add({("A", "PER"): 1, ("B", "PER"): 1})
    top.add({("C", "PER"): 50, ("A", "PER"): 1})
    assert top.top() == [("A", "PER", 2), ("B", "PER", 1)]


def test_rejects_nonsense_window() -> None:
    with pytest.raises(ValueError):
        TopEntities(window_seconds=10, bucket_seconds=60)
