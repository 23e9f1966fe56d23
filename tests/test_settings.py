from __future__ import annotations

import pytest

from pipeline.settings import Settings
from pipeline.topics import Topics


def test_environment_configures_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("NEWS_PIPELINE_STAGES", "tag, stance")
    monkeypatch.setenv("NEWS_PIPELINE_PARTITIONS", "12")
    settings = Settings()
    assert settings.bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert settings.stage_list == ("tag", "stance")
    assert settings.partitions == 12


def test_unknown_stage_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        Settings(stages="normalise,translate").stage_list  # noqa: B018


def test_topic_prefix_applies_to_every_topic() -> None:
    topics = Topics.from_settings(Settings(topic_prefix="t1."))
    assert topics.all() == (
        "t1.news.raw",
        "t1.news.normalised",
        "t1.news.deduplicated",
        "t1.news.tagged",
        "t1.news.enriched",
        "t1.news.deadletter",
    )
    assert topics.by_short_name("enriched") == "t1.news.enriched"
    assert topics.by_short_name("news.deadletter") == "t1.news.deadletter"
    assert topics.by_short_name("other.topic") == "other.topic"
    # The trends topic is read by name, but created by its stage, not with the pipeline's.
    assert topics.trends == topics.by_short_name("trends") == "t1.news.trends"
    assert topics.trends not in topics.all()


def test_workers_of_different_stage_sets_get_their_own_consumer_group() -> None:
    assert Settings(app_id="np").consumer_group == "np"
    assert Settings(app_id="np", stages="trends,stance,normalise,dedup,tag").consumer_group == "np"
    assert (
        Settings(app_id="np", stages="stance,normalise,dedup,tag").consumer_group
        == "np-normalise-dedup-tag-stance"
    )
    assert Settings(app_id="np", stages="stance").consumer_group == "np-stance"
    assert Settings(app_id="np", stages="tag,normalise").consumer_group == "np-normalise-tag"


def test_trend_windows_and_retention_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert [(w.name, w.retention_s / 86_400) for w in Settings().trend_window_list] == [
        ("1h", 2.0),
        ("1d", 30.0),
    ]
    monkeypatch.setenv("NEWS_PIPELINE_TREND_WINDOWS", "15m,1d")
    monkeypatch.setenv("NEWS_PIPELINE_TREND_RETENTION_DAYS", "15m=1")
    windows = Settings().trend_window_list
    assert [(w.name, w.seconds, w.retention_s / 86_400) for w in windows] == [
        ("15m", 900, 1.0),
        ("1d", 86_400, 30.0),
    ]


def test_an_unusable_trend_window_is_refused_when_the_settings_load() -> None:
    with pytest.raises(ValueError, match="does not divide a day"):
        Settings(trend_windows="1h,7h")
    with pytest.raises(ValueError, match="window=days"):
        Settings(trend_retention_days="1h:2")
