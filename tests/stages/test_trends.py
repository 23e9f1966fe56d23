from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from pipeline.errors import InvalidRecord
from pipeline.stages.trends import (
    Contribution,
    Row,
    TrendsState,
    Window,
    contributions,
    decode_row,
    encode_row,
    entity_key,
    parse_retention,
    parse_windows,
    row_key,
    window_seconds,
    windows_from,
)

DAY = 86_400.0
# 2030-01-01T05:42:10Z
PUBLISHED = "2030-01-01T05:42:10Z"
T0 = datetime(2030, 1, 1, 5, 42, 10, tzinfo=UTC).timestamp()
WINDOWS = windows_from()
HOUR, DAILY = WINDOWS


def entity(name: str, type_: str = "PER", count: int = 1, stance: str | None = "neutral") -> dict:
    found: dict[str, Any] = {
        "name": name,
        "type": type_,
        "mentions": [{"start": 0, "end": len(name), "text": name}] * count,
        "count": count,
        "salience": 0.5,
    }
    if stance is not None:
        found["stance"] = {"label": stance, "confidence": 0.9, "evidence": []}
    return found


def article(*entities: dict, **fields: Any) -> dict:
    record: dict[str, Any] = {
        "id": "a1",
        "published_at": PUBLISHED,
        "timestamps": {"produced": T0 + 60, "enriched": T0 + 61},
        "duplicate_of": None,
        "entities": list(entities),
        "stance_skipped": None,
    }
    return record | fields


def contribution(key: str = "per:putin", **fields: Any) -> Contribution:
    values: dict[str, Any] = {
        "window": "1h",
        "window_start": "2030-01-01T05:00:00Z",
        "key": key,
        "name": "Putin",
        "type": "PER",
        "mentions": 2,
        "stance": "against",
    }
    return Contribution(**(values | fields))


def test_window_names_parse_into_lengths_and_must_divide_a_day() -> None:
    assert parse_windows("1h,1d") == ("1h", "1d")
    assert parse_windows(" 15m, 6h ,15m") == ("15m", "6h")
    assert [window_seconds(n) for n in ("15m", "1h", "6h", "1d", "7d")] == [
        900,
        3600,
        21_600,
        86_400,
        604_800,
    ]
    for bad in ("7h", "1x", "h", "0h", "1.5h"):
        with pytest.raises(ValueError):
            window_seconds(bad)
    with pytest.raises(ValueError, match="no trend window"):
        parse_windows(" , ")


def test_retention_defaults_to_2_days_under_a_day_and_30_days_from_a_day() -> None:
    assert [(w.name, w.retention_s / DAY) for w in windows_from()] == [("1h", 2.0), ("1d", 30.0)]
    chosen = windows_from("15m,1h,7d", "1h=0.5,1d=90")
    # 1d=90 names a window not counted: ignored, so one retention setting fits any window list.
    assert [(w.name, w.retention_s / DAY) for w in chosen] == [
        ("15m", 2.0),
        ("1h", 0.5),
        ("7d", 30.0),
    ]
    assert parse_retention("1h=2, 1d=30,") == {"1h": 2.0, "1d": 30.0}
    for bad in ("1h", "1h=0", "1h=x", "1hr=2", "=2"):
        with pytest.raises(ValueError):
            parse_retention(bad)


def test_windows_are_tumbling_and_aligned_to_utc() -> None:
    moment = datetime(2030, 1, 1, 5, 42, 10, tzinfo=UTC)
    starts = {w.name: w.start_of(moment) for w in windows_from("15m,1h,6h,1d")}
    assert starts == {
        "15m": "2030-01-01T05:30:00Z",
        "1h": "2030-01-01T05:00:00Z",
        "6h": "2030-01-01T00:00:00Z",
        "1d": "2030-01-01T00:00:00Z",
    }


def test_an_article_contributes_once_per_window_and_entity() -> None:
    record = article(entity("Vladimir Putin", count=3, stance="against"), entity("NATO", "ORG"))
    found = contributions(record, WINDOWS)
    assert [(c.window, c.window_start, c.key) for c in found] == [
        ("1h", "2030-01-01T05:00:00Z", "per:vladimir putin"),
        ("1h", "2030-01-01T05:00:00Z", "org:nato"),
        ("1d", "2030-01-01T00:00:00Z", "per:vladimir putin"),
        ("1d", "2030-01-01T00:00:00Z", "org:nato"),
    ]
    assert found[0] == Contribution(
        "1h", "2030-01-01T05:00:00Z", "per:vladimir putin", "Vladimir Putin", "PER", 3, "against"
    )
    assert found[1].stance == "neutral" and found[1].mentions == 1


def test_the_taggers_key_wins_over_the_name() -> None:
    assert entity_key({"name": "U.S.", "type": "LOC", "key": "country:US"}) == "country:US"
    assert entity_key({"name": "Vladimir PUTIN", "type": "PER"}) == "per:vladimir putin"
    assert entity_key({"name": "Straße", "type": "LOC", "key": ""}) == "loc:strasse"


def test_entities_sharing_a_key_in_one_article_count_once() -> None:
    record = article(
        {**entity("United States", "LOC", count=2, stance="favor"), "key": "country:US"},
        {**entity("US", "LOC", count=5, stance="against"), "key": "country:US"},
    )
    (found,) = contributions(record, WINDOWS[:1])
    assert (found.key, found.name, found.mentions, found.stance) == (
        "country:US",
        "United States",
        7,
        "favor",
    )


def test_no_stance_when_the_article_or_the_entity_has_none() -> None:
    skipped = article(entity("Putin", stance="against"), stance_skipped="language 'de'")
    assert [c.stance for c in contributions(skipped, WINDOWS)] == [None, None]
    unscored = article(entity("Putin", stance=None))
    assert [c.stance for c in contributions(unscored, WINDOWS)] == [None, None]


def test_duplicates_of_another_article_contribute_nothing() -> None:
    record = article(entity("Putin"))
    assert contributions({**record, "duplicate_of": "a0"}, WINDOWS) == []
    # A replay that found its own fingerprints is no duplicate.
    assert len(contributions({**record, "duplicate_of": "a1"}, WINDOWS)) == 2


def test_the_time_is_published_at_else_produced() -> None:
    produced = datetime(2030, 1, 2, 7, 59, tzinfo=UTC).timestamp()
    undated = article(entity("Putin"), published_at=None, timestamps={"produced": produced})
    assert [c.window_start for c in contributions(undated, WINDOWS)] == [
        "2030-01-02T07:00:00Z",
        "2030-01-02T00:00:00Z",
    ]
    # Dated after it was produced (a replay dated on purpose): the date holds, as a recount
    # of news.enriched by published_at would have it.
    future = article(
        entity("Putin"), published_at="2031-06-01T00:30:00Z", timestamps={"produced": produced}
    )
    assert contributions(future, WINDOWS)[0].window_start == "2031-06-01T00:00:00Z"
    timeless = article(entity("Putin"), published_at=None, timestamps={})
    assert contributions(timeless, WINDOWS) == []


def test_malformed_entities_are_passed_over() -> None:
    record = article(entity("Putin"), {"name": "", "type": "PER"}, "junk", {"type": "ORG"})
    assert [c.key for c in contributions(record, WINDOWS[:1])] == ["per:putin"]
    assert contributions(article(entities_skipped="language 'de'", entities=[]), WINDOWS) == []


def test_state_counts_articles_mentions_and_stances() -> None:
    state = TrendsState(WINDOWS)
    now = T0 + 60
    state.apply(contribution(stance="against"), now)
    state.apply(contribution(name="Vladimir Putin", mentions=5, stance=None), now)
    row = state.apply(contribution(stance="neutral"), now)
    assert row == Row(
        "1h",
        "2030-01-01T05:00:00Z",
        "per:putin",
        "Vladimir Putin",  # the fullest name seen
        "PER",
        articles=3,
        mentions=9,
        favor=0,
        against=1,
        neutral=1,
    )
    state.apply(contribution(key="org:nato", name="NATO", type="ORG"), now)
    state.apply(contribution(window="1d", window_start="2030-01-01T00:00:00Z"), now)
    assert len(state) == 3
    assert {r.key for r in state.rows("1h")} == {"per:putin", "org:nato"}
    assert [r.window for r in state.rows("1d")] == ["1d"]


def test_contributions_past_retention_are_late_and_windows_expire() -> None:
    state = TrendsState(windows_from("1h", "1h=2"))
    # The 05:00 window ends at 06:00 and is kept 2 days after that.
    ends = datetime(2030, 1, 1, 6, tzinfo=UTC).timestamp()
    assert state.apply(contribution(), ends + 2 * DAY - 1) is not None
    assert state.apply(contribution(), ends + 2 * DAY) is None
    late = contribution(window_start="2029-12-01T05:00:00Z")
    assert state.apply(late, ends) is None
    assert len(state) == 1  # the late one left nothing behind
    state.apply(contribution(window_start="2030-01-03T05:00:00Z"), ends)
    assert state.expire(ends + 2 * DAY - 1) == 0
    assert state.expire(ends + 2 * DAY) == 1
    assert [r.window_start for r in state.rows()] == ["2030-01-03T05:00:00Z"]


def test_by_default_lateness_is_measured_in_stream_time_which_a_rebuild_restores() -> None:
    """A replay of old articles is counted; what is late depends on the rows alone."""
    state = TrendsState(windows_from("1h", "1h=2"))
    assert state.apply(contribution(window_start="2004-03-01T05:00:00Z")) is not None
    assert state.apply(contribution(window_start="2004-03-05T05:00:00Z")) is not None
    assert state.clock == datetime(2004, 3, 5, 6, tzinfo=UTC).timestamp()
    # The 1 March window ended more than two days before the stream time: late from now on.
    assert state.apply(contribution(window_start="2004-03-01T05:00:00Z")) is None
    assert state.expire() == 1
    rebuilt = TrendsState(windows_from("1h", "1h=2"))
    for row in state.rows():
        rebuilt.load(row)
    assert rebuilt.clock == state.clock
    assert rebuilt.apply(contribution(window_start="2004-03-01T05:00:00Z")) is None


def test_unknown_windows_are_refused_by_apply_and_skipped_by_load() -> None:
    state = TrendsState(WINDOWS)
    with pytest.raises(ValueError, match="unknown trend window"):
        state.apply(contribution(window="15m"), T0)
    row = Row("15m", "2030-01-01T05:30:00Z", "per:putin", "Putin", "PER", 1, 1)
    assert state.load(row) is False
    assert len(state) == 0


def test_loaded_rows_are_the_current_counts() -> None:
    state = TrendsState(WINDOWS)
    state.apply(contribution(), T0)
    stored = Row("1h", "2030-01-01T05:00:00Z", "per:putin", "Putin", "PER", 7, 20, 1, 2, 3)
    assert state.load(stored) is True
    row = state.apply(contribution(stance="favor"), T0)
    assert row is not None
    assert (row.articles, row.mentions, row.stance) == (
        8,
        22,
        {"favor": 2, "against": 2, "neutral": 3},
    )
    old = Row("1h", "2029-01-01T05:00:00Z", "per:putin", "Putin", "PER", 1, 1)
    state.load(old)
    assert state.expire(T0) == 1  # loaded rows past retention go at the next expire


def test_rows_round_trip_through_the_topic_format() -> None:
    row = Row(
        "1h", "2030-01-01T05:00:00Z", "per:vladimir putin", "Vladimir Putin", "PER", 3, 7, 0, 2, 1
    )
    assert row_key(row) == b"1h|2030-01-01T05:00:00Z|per:vladimir putin"
    assert orjson.loads(encode_row(row)) == {
        "window": "1h",
        "window_start": "2030-01-01T05:00:00Z",
        "key": "per:vladimir putin",
        "name": "Vladimir Putin",
        "type": "PER",
        "articles": 3,
        "mentions": 7,
        "stance": {"favor": 0, "against": 2, "neutral": 1},
    }
    assert list(orjson.loads(encode_row(row))) == [
        "window",
        "window_start",
        "key",
        "name",
        "type",
        "articles",
        "mentions",
        "stance",
    ]
    assert decode_row(encode_row(row)) == row


@pytest.mark.parametrize(
    "value",
    [
        None,
        b"not json",
        b"[]",
        b'{"window": "1h"}',
        b'{"window": "1h", "window_start": "2030-01-01T05:00:00Z", "key": "k", "name": "n",'
        b' "type": "PER", "articles": -1, "mentions": 1, "stance": {"favor": 0, "against": 0,'
        b' "neutral": 0}}',
        b'{"window": "1h", "window_start": "2030-01-01 05:00", "key": "k", "name": "n",'
        b' "type": "PER", "articles": 1, "mentions": 1, "stance": {"favor": 0, "against": 0,'
        b' "neutral": true}}',
        b'{"window": "1h", "window_start": "2030-01-01 05:00", "key": "k", "name": "n",'
        b' "type": "PER", "articles": 1, "mentions": 1, "stance": {"favor": 0, "against": 0,'
        b' "neutral": 0}}',
    ],
)
def test_anything_else_on_the_topic_is_an_invalid_record(value: bytes | None) -> None:
    with pytest.raises(InvalidRecord):
        decode_row(value)


def test_window_expiry_is_the_end_of_the_window_plus_its_retention() -> None:
    window = Window("1h", 3600, 2 * DAY)
    start = datetime(2030, 1, 1, 5, tzinfo=UTC).timestamp()
    assert window.expires_at("2030-01-01T05:00:00Z") == start + 3600 + 2 * DAY
    with pytest.raises(ValueError):
        window.expires_at("soon")
