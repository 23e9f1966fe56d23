"""Asking the entity trends a question: which entities, how often, with which stance, per
window. One filter and two formats, shared by ``news-pipeline trends`` (which reads the rows
from ``news.trends``: pipeline.kafka.trends_reader) and the worker's ``/trends`` route (which
asks its own state); no Kafka here.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import orjson

from pipeline.errors import InvalidRecord
from pipeline.stages.trends import Row, decode_row, window_seconds, window_start
from pipeline.text.dates import to_utc, utc_iso

log = logging.getLogger(__name__)

ENTITY_TYPES: tuple[str, ...] = ("PER", "ORG", "LOC", "MISC")
_NAME_WIDTH = 40


@dataclass(frozen=True, slots=True)
class TrendQuery:
    """What to show: the rows of one window, optionally only windows overlapping
    [``since``, ``until``), one entity type, one entity, and the ``top`` N per window start."""

    window: str
    since: str | None = None  # "YYYY-MM-DDTHH:MM:SSZ"
    until: str | None = None
    type: str | None = None
    entity: str | None = None
    top: int | None = None

    @classmethod
    def parse(
        cls,
        window: str | None,
        since: str | None = None,
        until: str | None = None,
        type: str | None = None,  # noqa: A002 - the option's name
        entity: str | None = None,
        top: int | str | None = None,
    ) -> TrendQuery:
        """A query from what a person typed (CLI options, a URL's query string); ValueError
        naming the parameter when a value is unusable."""
        if not window:
            raise ValueError("window: required (e.g. 1h or 1d)")
        window_seconds(window)
        kind = type.strip().upper() if type else None
        if kind is not None and kind not in ENTITY_TYPES:
            raise ValueError(f"type: {type!r} is not one of {', '.join(ENTITY_TYPES)}")
        count = None
        if top is not None and top != "":
            try:
                count = int(top)
            except ValueError:
                count = 0
            if count < 1:
                raise ValueError(f"top: {top!r} is not a positive whole number")
        return cls(
            window.strip(),
            _moment("since", since),
            _moment("until", until),
            kind,
            entity.strip() if entity and entity.strip() else None,
            count,
        )


def _moment(name: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    moment = to_utc(value)
    if moment is None:
        raise ValueError(f"{name}: {value!r} is not a date (e.g. 2030-01-01T05:00:00Z)")
    return utc_iso(moment)


def select(rows: Iterable[Row], query: TrendQuery) -> list[Row]:
    """The rows ``query`` asks for, by window start, then most articles first (then most
    mentions, then key, so the order is stable). ``since`` keeps the window that holds it;
    ``entity`` is the name or the key, whatever the case."""
    # Window starts are all "YYYY-MM-DDTHH:MM:SSZ", so they compare as strings.
    since = to_utc(query.since)
    first = None if since is None else window_start(since, window_seconds(query.window))
    wanted = query.entity.casefold() if query.entity else None
    chosen = [
        row
        for row in rows
        if row.window == query.window
        and (first is None or row.window_start >= first)
        and (query.until is None or row.window_start < query.until)
        and (query.type is None or row.type == query.type)
        and (wanted is None or wanted in (row.name.casefold(), row.key.casefold()))
    ]
    chosen.sort(key=lambda r: (r.window_start, -r.articles, -r.mentions, r.key))
    if query.top is None:
        return chosen
    top = query.top
    return [
        row
        for _, group in itertools.groupby(chosen, key=lambda r: r.window_start)
        for row in itertools.islice(group, top)
    ]


def latest_rows(messages: Iterable[tuple[bytes | None, bytes | None]], window: str) -> list[Row]:
    """The current rows of ``window`` from the topic's (key, value) messages, oldest first:
    the last value of each key wins and a tombstone (no value) removes its key. Values are
    decoded only for the keys that survive; undecodable ones are logged and skipped."""
    prefix = f"{window}|".encode()
    latest: dict[bytes, bytes | None] = {}
    for key, value in messages:
        # The key starts with the window (pipeline.stages.trends.row_key): other windows are
        # skipped without decoding anything.
        if key is not None and key.startswith(prefix):
            latest[key] = value
    rows, invalid = [], 0
    for value in latest.values():
        if value is None:
            continue
        try:
            rows.append(decode_row(value))
        except InvalidRecord as exc:
            invalid += 1
            log.debug("skipped a trend row: %s", exc)
    if invalid:
        log.warning("skipped %d trend row(s) that could not be decoded", invalid)
    return rows


def json_line(row: Row) -> str:
    """One row as the JSON object the topic holds, on one line (``--json``, ``/trends``)."""
    return orjson.dumps(row.as_dict()).decode()


def table(rows: Sequence[Row]) -> str:
    """The rows as an aligned text table, one line per row under a header."""
    header = ("window start", "name", "type", "articles", "mentions", "favor", "against", "neutral")
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        name = row.name if len(row.name) <= _NAME_WIDTH else row.name[: _NAME_WIDTH - 1] + "…"
        counts = (row.articles, row.mentions, row.favor, row.against, row.neutral)
        lines.append((row.window_start, name, row.type, *map(str, counts)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            # Text left, counts right.
            cell.ljust(width) if i < 3 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    )
