"""Entity trends (issue #20): per tumbling time window, how many articles named each entity,
how often, and with which stance.

A second kind of stage: the others map one record to one record, this one aggregates. It is
split so that the arithmetic stays pure and Kafka-free:

- ``contributions(record, windows)``: what one enriched article adds, one ``Contribution`` per
  (window, entity key). A duplicate of another article adds nothing, so a story syndicated to
  fifty sites counts once.
- ``TrendsState``: the counts per (window, window start, entity key), as small ``Row``s.
  ``apply`` adds a contribution and returns the updated row (the caller writes it, keyed by
  ``row_key``, to the compacted topic ``news.trends``); ``expire`` drops the windows past their
  retention; ``load`` puts back a row read from the topic after a restart (the last row per key
  is the current count).

An article falls in the window of its ``published_at`` (UTC), or of ``timestamps.produced``
when it has none. A window starts at a multiple of its length since the Unix epoch, so hours
start on the hour and days at midnight UTC. Each window keeps its counts for its retention after
it ends, in stream time (the end of the latest window counted, as Kafka Streams measures a
grace period): a contribution to a window already past it is late and is not counted. Stream
time, not the wall clock, so that a replay of last year's articles is counted, and so that a
state rebuilt from its rows decides lateness exactly as the state that wrote them.

A row holds counts only, not the ids of the articles counted: exactly-once upstream delivers
each article once, so each (article, key) is applied once, and a row stays a few hundred bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from pipeline.errors import InvalidRecord
from pipeline.records import mention_count
from pipeline.text.dates import to_utc, to_utc_iso, utc_iso

Record = dict[str, Any]

STANCE_LABELS: tuple[str, ...] = ("favor", "against", "neutral")
DEFAULT_WINDOWS = "1h,1d"
DEFAULT_RETENTION_DAYS = "1h=2,1d=30"

_DAY_S = 86_400
_UNIT_S = {"m": 60, "h": 3600, "d": _DAY_S}
_WINDOW_NAME = re.compile(r"([1-9]\d{0,3})([mhd])")
# A window not given a retention keeps 2 days of counts when shorter than a day, else 30.
_SHORT_RETENTION_DAYS, _LONG_RETENTION_DAYS = 2.0, 30.0


@dataclass(frozen=True, slots=True)
class Window:
    """A tumbling window: its name ("1h"), its length, and how long its counts are kept after
    it ends."""

    name: str
    seconds: int
    retention_s: float

    def start_of(self, moment: datetime) -> str:
        """The start, as "YYYY-MM-DDTHH:MM:SSZ", of the window that holds ``moment``."""
        return window_start(moment, self.seconds)

    def expires_at(self, window_start: str) -> float:
        """The Unix time from which the window starting at ``window_start`` is dropped."""
        start = to_utc(window_start)
        if start is None:
            raise ValueError(f"not a window start: {window_start!r}")
        return start.timestamp() + self.seconds + self.retention_s


def window_start(moment: datetime, seconds: int) -> str:
    """The start, as "YYYY-MM-DDTHH:MM:SSZ", of the ``seconds``-long window holding ``moment``."""
    epoch = math.floor(moment.timestamp())
    return utc_iso(datetime.fromtimestamp(epoch - epoch % seconds, UTC))


def window_seconds(name: str) -> int:
    """``"15m"`` -> 900. Windows under a day must divide it, so that every day starts one."""
    match = _WINDOW_NAME.fullmatch(name.strip())
    if match is None:
        raise ValueError(f"not a window: {name!r}; write a number and m, h or d (15m, 1h, 1d)")
    seconds = int(match[1]) * _UNIT_S[match[2]]
    if seconds < _DAY_S and _DAY_S % seconds:
        raise ValueError(f"window {name!r} does not divide a day evenly (try 10m, 15m, 6h...)")
    return seconds


def parse_windows(text: str) -> tuple[str, ...]:
    """``"1h, 1d"`` -> ``("1h", "1d")``, each name checked; at least one."""
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        raise ValueError("no trend window given (e.g. 1h,1d)")
    for name in names:
        window_seconds(name)
    return names


def parse_retention(text: str) -> dict[str, float]:
    """``"1h=2, 1d=30"`` -> ``{"1h": 2.0, "1d": 30.0}``: days of counts kept per window."""
    days: dict[str, float] = {}
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        try:
            amount = float(value) if sep else -1.0
        except ValueError:
            amount = -1.0
        if amount <= 0:
            raise ValueError(f"not a retention: {item!r}; write window=days, e.g. 1h=2,1d=30")
        window_seconds(name)
        days[name.strip()] = amount
    return days


def windows_from(
    names: str = DEFAULT_WINDOWS, retention_days: str = DEFAULT_RETENTION_DAYS
) -> tuple[Window, ...]:
    """The windows named in ``names``, with the retentions of ``retention_days``; retentions
    of windows not in ``names`` are ignored, so one retention setting serves any window list."""
    days = parse_retention(retention_days)
    windows = []
    for name in parse_windows(names):
        seconds = window_seconds(name)
        default = _SHORT_RETENTION_DAYS if seconds < _DAY_S else _LONG_RETENTION_DAYS
        windows.append(Window(name, seconds, days.get(name, default) * _DAY_S))
    return tuple(windows)


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one article adds to one entity's row of one window."""

    window: str
    window_start: str  # "YYYY-MM-DDTHH:MM:SSZ"
    key: str
    name: str
    type: str
    mentions: int
    stance: str | None  # None: the article's stance was skipped, or the entity has none


def entity_key(entity: Mapping[str, Any]) -> str:
    """The key of an entity across articles: the tagger's ``key`` when it sets one, else one
    made of the type and the case-folded name. The one place that decides what counts as the
    same entity."""
    key = entity.get("key")
    if isinstance(key, str) and key:
        return key
    return f"{str(entity['type']).lower()}:{str(entity.get('name', '')).casefold()}"


def article_time(record: Mapping[str, Any]) -> datetime | None:
    """When the article happened: ``published_at``, else ``timestamps.produced``. A
    ``published_at`` in the future is taken as it is: replays and simulations date articles so
    on purpose, and a recount of ``news.enriched`` by ``published_at`` must find the same
    windows; such a window is kept until its retention after it ends, like any other."""
    published = to_utc(record.get("published_at"))
    timestamps = record.get("timestamps")
    produced_at = timestamps.get("produced") if isinstance(timestamps, Mapping) else None
    produced = None
    if isinstance(produced_at, int | float) and not isinstance(produced_at, bool):
        try:
            produced = datetime.fromtimestamp(produced_at, UTC)
        except (OverflowError, OSError, ValueError):
            produced = None
    return published if published is not None else produced


def contributions(record: Mapping[str, Any], windows: Sequence[Window]) -> list[Contribution]:
    """One contribution per (window, entity key) of an enriched article; none for a duplicate
    of another article or an article with no usable time."""
    duplicate_of = record.get("duplicate_of")
    if duplicate_of and duplicate_of != record.get("id"):
        return []
    moment = article_time(record)
    entities = record.get("entities")
    if moment is None or not isinstance(entities, list):
        return []
    stance_skipped = bool(record.get("stance_skipped"))
    by_key: dict[str, Contribution] = {}
    for entity in entities:
        if not isinstance(entity, Mapping) or not entity.get("name") or not entity.get("type"):
            continue
        key = entity_key(entity)
        found = by_key.get(key)
        mentions = mention_count(entity)
        if found is not None:
            # Two entities of one article with one key are one entity: the article counts once,
            # with all their mentions and the stance of the first (the most salient).
            by_key[key] = replace(found, mentions=found.mentions + mentions)
            continue
        stance = entity.get("stance")
        label = stance.get("label") if isinstance(stance, Mapping) else None
        by_key[key] = Contribution(
            "",
            "",
            key,
            str(entity["name"]),
            str(entity["type"]),
            mentions,
            label if label in STANCE_LABELS and not stance_skipped else None,
        )
    starts = [(window.name, window.start_of(moment)) for window in windows]
    return [
        replace(found, window=name, window_start=start)
        for name, start in starts
        for found in by_key.values()
    ]


@dataclass(frozen=True, slots=True)
class Row:
    """The counts of one entity in one window: what ``news.trends`` holds under ``row_key``."""

    window: str
    window_start: str
    key: str
    name: str
    type: str
    articles: int = 0
    mentions: int = 0
    favor: int = 0
    against: int = 0
    neutral: int = 0

    @property
    def stance(self) -> dict[str, int]:
        return {"favor": self.favor, "against": self.against, "neutral": self.neutral}

    def as_dict(self) -> dict[str, Any]:
        """The row as a JSON object: the topic's value, the CLI's ``--json`` line and /trends."""
        return {
            "window": self.window,
            "window_start": self.window_start,
            "key": self.key,
            "name": self.name,
            "type": self.type,
            "articles": self.articles,
            "mentions": self.mentions,
            "stance": self.stance,
        }


@dataclass(slots=True)
class _Bucket:
    """The rows of one window start, dropped together when the window expires."""

    expires_at: float
    rows: dict[str, Row]


class TrendsState:
    """The rows of every window still within its retention.

    ``rows()`` may be called from another thread (the worker's HTTP server) while the event
    loop applies contributions: it copies each dict in one call, which the GIL does not
    interrupt, and rows are immutable.
    """

    def __init__(self, windows: Iterable[Window]) -> None:
        self.windows = {window.name: window for window in windows}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        # Stream time: the end of the latest window a counted row belongs to. Lateness is
        # measured against it, not the wall clock, so a replay of old articles is counted, and
        # the answer depends only on the rows: a state rebuilt from the topic has the same clock.
        self.clock = 0.0

    def __len__(self) -> int:
        return sum(len(bucket.rows) for bucket in list(self._buckets.values()))

    def apply(self, contribution: Contribution, now: float | None = None) -> Row | None:
        """Add ``contribution`` and return its updated row; None when its window is already
        past retention at ``now`` (Unix time; by default the stream time ``clock``): the caller
        counts it as late."""
        bucket = self._bucket(contribution.window, contribution.window_start)
        if bucket.expires_at <= (self.clock if now is None else now):
            if not bucket.rows:
                # Made just now for this late contribution: do not keep it.
                del self._buckets[(contribution.window, contribution.window_start)]
            return None
        row = bucket.rows.get(contribution.key)
        if row is None:
            row = Row(
                contribution.window,
                contribution.window_start,
                contribution.key,
                contribution.name,
                contribution.type,
            )
        stance = contribution.stance
        row = replace(
            row,
            # The fullest form seen names the row ("Vladimir Putin" rather than "Putin").
            name=contribution.name if len(contribution.name) > len(row.name) else row.name,
            articles=row.articles + 1,
            mentions=row.mentions + contribution.mentions,
            favor=row.favor + (stance == "favor"),
            against=row.against + (stance == "against"),
            neutral=row.neutral + (stance == "neutral"),
        )
        bucket.rows[contribution.key] = row
        self._advance(row)
        return row

    def load(self, row: Row) -> bool:
        """Put back a row read from the topic, replacing the one of the same key. False (and
        nothing kept) for a window this state does not count. Call ``expire`` after loading:
        the topic may still hold windows past retention."""
        if row.window not in self.windows:
            return False
        self._bucket(row.window, row.window_start).rows[row.key] = row
        self._advance(row)
        return True

    def expire(self, now: float | None = None) -> int:
        """Drop the windows past retention at ``now`` (Unix time; by default the stream time
        ``clock``); returns how many rows went."""
        now = self.clock if now is None else now
        dropped = 0
        for start, bucket in list(self._buckets.items()):
            if bucket.expires_at <= now:
                dropped += len(bucket.rows)
                del self._buckets[start]
        return dropped

    def _advance(self, row: Row) -> None:
        window = self.windows[row.window]
        start = to_utc(row.window_start)
        if start is not None:
            self.clock = max(self.clock, start.timestamp() + window.seconds)

    def rows(self, window: str | None = None) -> list[Row]:
        """A snapshot of the rows, of one window or all."""
        out: list[Row] = []
        for (name, _), bucket in list(self._buckets.items()):
            if window is None or name == window:
                out.extend(list(bucket.rows.values()))
        return out

    def _bucket(self, window_name: str, window_start: str) -> _Bucket:
        bucket = self._buckets.get((window_name, window_start))
        if bucket is None:
            window = self.windows.get(window_name)
            if window is None:
                raise ValueError(f"unknown trend window {window_name!r}")
            bucket = _Bucket(window.expires_at(window_start), {})
            self._buckets[(window_name, window_start)] = bucket
        return bucket


class TrendsStore(Protocol):
    """Where the counts are kept between runs: the rows of one partition, oldest first (the
    worker's is ``pipeline.kafka.trends_state.KafkaTrendsStore``)."""

    def rows(self, partition: int) -> Iterable[Row]: ...


def row_key(row: Row) -> bytes:
    """The row's key on ``news.trends``: ``b"1h|2030-01-01T05:00:00Z|per:vladimir putin"``;
    the window comes first, so a reader skips other windows without decoding the value."""
    return f"{row.window}|{row.window_start}|{row.key}".encode()


def encode_row(row: Row) -> bytes:
    return orjson.dumps(row.as_dict())


def decode_row(value: bytes | None) -> Row:
    """A row from the topic; InvalidRecord when it is not one."""
    try:
        data = orjson.loads(value or b"null")
    except orjson.JSONDecodeError as exc:
        raise InvalidRecord(f"trend row is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("stance"), dict):
        raise InvalidRecord("trend row is not an object with a stance object")
    stance = data["stance"]
    try:
        row = Row(
            _text(data, "window"),
            _text(data, "window_start"),
            _text(data, "key"),
            _text(data, "name"),
            _text(data, "type"),
            _count(data, "articles"),
            _count(data, "mentions"),
            *(_count(stance, label) for label in STANCE_LABELS),
        )
    except ValueError as exc:
        raise InvalidRecord(f"trend row has {exc}") from None
    if to_utc_iso(row.window_start) != row.window_start:
        raise InvalidRecord(f"trend row has an invalid window_start {row.window_start!r}")
    return row


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value:
        raise ValueError(f"no {field} string")
    return value


def _count(data: Mapping[str, Any], field: str) -> int:
    value = data.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"no {field} count")
    return value
