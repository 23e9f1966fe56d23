from __future__ import annotations

import logging

import pytest

from pipeline.stages.trends import Row, encode_row, row_key
from pipeline.trends_query import TrendQuery, json_line, latest_rows, select, table


def row(
    start: str = "2030-01-01T05:00:00Z",
    key: str = "per:vladimir putin",
    articles: int = 1,
    *,
    window: str = "1h",
    name: str = "Vladimir Putin",
    type_: str = "PER",
    mentions: int = 1,
) -> Row:
    return Row(window, start, key, name, type_, articles, mentions, 0, articles, 0)


ROWS = [
    row("2030-01-01T04:00:00Z", articles=2),
    row("2030-01-01T05:00:00Z", articles=3, mentions=7),
    row("2030-01-01T05:00:00Z", "org:nato", 5, name="NATO", type_="ORG"),
    row("2030-01-01T05:00:00Z", "loc:kyiv", 3, name="Kyiv", type_="LOC", mentions=9),
    row("2030-01-01T06:00:00Z", "org:nato", 1, name="NATO", type_="ORG"),
    row("2030-01-01T00:00:00Z", window="1d", articles=9),
]


def ask(**given: object) -> list[tuple[str, str]]:
    query = TrendQuery.parse(**{"window": "1h", **given})  # type: ignore[arg-type]
    return [(r.window_start[11:16], r.key) for r in select(ROWS, query)]


def test_all_rows_of_the_window_by_start_then_most_articles() -> None:
    assert ask() == [
        ("04:00", "per:vladimir putin"),
        ("05:00", "org:nato"),
        ("05:00", "loc:kyiv"),  # 3 articles as Putin, but more mentions
        ("05:00", "per:vladimir putin"),
        ("06:00", "org:nato"),
    ]
    assert [r.window for r in select(ROWS, TrendQuery.parse("1d"))] == ["1d"]


def test_since_keeps_the_window_holding_it_and_until_is_exclusive() -> None:
    assert {start for start, _ in ask(since="2030-01-01T05:30:00Z")} == {"05:00", "06:00"}
    assert {start for start, _ in ask(since="2030-01-01T05:00:00Z")} == {"05:00", "06:00"}
    assert {start for start, _ in ask(until="2030-01-01T06:00:00Z")} == {"04:00", "05:00"}
    # Any date the pipeline reads will do, taken as UTC without a zone.
    assert {s for s, _ in ask(since="2030-01-01 07:10+02:00", until="2030-01-01T06:00")} == {
        "05:00"
    }


def test_type_entity_and_top() -> None:
    assert ask(type="org") == [("05:00", "org:nato"), ("06:00", "org:nato")]
    assert ask(entity="vladimir PUTIN") == ask(entity="PER:Vladimir Putin")
    assert ask(entity="vladimir putin") == [
        ("04:00", "per:vladimir putin"),
        ("05:00", "per:vladimir putin"),
    ]
    assert ask(entity="putin") == []  # the whole name or key, not a part of it
    assert ask(top=1) == [
        ("04:00", "per:vladimir putin"),
        ("05:00", "org:nato"),
        ("06:00", "org:nato"),
    ]
    assert ask(top="2", type="PER") == [
        ("04:00", "per:vladimir putin"),
        ("05:00", "per:vladimir putin"),
    ]


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ({"window": None}, "window: required"),
        ({"window": "2x"}, "not a window"),
        ({"window": "1h", "type": "PERSON"}, "type: 'PERSON' is not one of"),
        ({"window": "1h", "top": "0"}, "top: '0' is not a positive"),
        ({"window": "1h", "top": "ten"}, "top: 'ten'"),
        ({"window": "1h", "since": "yesterday"}, "since: 'yesterday' is not a date"),
        ({"window": "1h", "until": "2030-13-45"}, "until: '2030-13-45' is not a date"),
    ],
)
def test_unusable_parameters_are_named(given: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        TrendQuery.parse(**given)


def test_empty_parameters_are_no_filter() -> None:
    assert TrendQuery.parse("1h", "", " ", "", " ", "") == TrendQuery("1h")


def test_the_last_row_of_each_key_is_current_and_tombstones_remove_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old, new = row(articles=1), row(articles=4)
    gone = row(key="org:nato", name="NATO", type_="ORG")
    daily = row(window="1d", start="2030-01-01T00:00:00Z")
    messages = [
        (row_key(old), encode_row(old)),
        (row_key(gone), encode_row(gone)),
        (row_key(daily), encode_row(daily)),
        (row_key(new), encode_row(new)),
        (row_key(gone), None),
        (b"1h|2030-01-01T07:00:00Z|per:x", b"not json"),
        (None, encode_row(old)),
    ]
    with caplog.at_level(logging.WARNING):
        assert latest_rows(messages, "1h") == [new]
    assert "skipped 1 trend row" in caplog.text
    assert latest_rows(messages, "1d") == [daily]
    assert latest_rows(messages, "15m") == []


def test_json_lines_are_the_topic_rows() -> None:
    # The object itself is pinned in tests/stages/test_trends.py.
    line = json_line(ROWS[1])
    assert "\n" not in line
    assert line.encode() == encode_row(ROWS[1])


def test_the_table_aligns_text_left_and_counts_right() -> None:
    long_name = "The International Bank for Reconstruction and Development"
    rows = [ROWS[1], row(key="org:ibrd", name=long_name, type_="ORG", articles=12, mentions=130)]
    assert table(rows).splitlines() == [
        "window start          name                                      type  articles"
        "  mentions  favor  against  neutral",
        "2030-01-01T05:00:00Z  Vladimir Putin                            PER          3"
        "         7      0        3        0",
        "2030-01-01T05:00:00Z  The International Bank for Reconstructi…  ORG         12"
        "       130      0       12        0",
    ]
    assert table([]) == ("window start  name  type  articles  mentions  favor  against  neutral")
