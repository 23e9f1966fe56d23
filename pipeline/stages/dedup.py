"""Normalised article -> the same article, saying whether it duplicates one seen before.

``duplicate_of`` is the id of the first article seen of its kind (null when this one is the
first) and ``duplicate_kind`` says how it matched: ``same_url`` (canonical URL), ``same_content``
(the same words after normalisation) or ``near`` (MinHash estimate of word-shingle Jaccard at
or above the threshold; see pipeline.text.fingerprints). A duplicate of a duplicate points to
the first article of the chain. Duplicates go on down the pipeline like any article (tagged
and scored, so a consumer that wants every copy enriched has it); consumers that want one per
story drop those with a ``duplicate_of``.

"First seen" is the order in which this stage reads articles: the stage reads a topic with one
partition (the registry says so), so every worker agrees on it. What was seen lives in a
``DedupState``: in memory for ``enrich`` and the benchmarks, in Kafka for workers
(pipeline.kafka.dedup_state), bounded to the most recent ``window`` articles.

Processing an article a second time (a replay after a crash) finds its own id under its
fingerprints and does not call it a duplicate of itself, so the answer is the same however
often an input is read.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from pipeline.text.fingerprints import band_keys, content_key, minhash, similarity

Article = dict[str, Any]
SAME_URL, SAME_CONTENT, NEAR = "same_url", "same_content", "near"


@dataclass(frozen=True)
class Entry:
    """What is remembered of one article: its keys, its signature, and the first of its kind."""

    article_id: str
    root: str  # the first article seen of this story (itself when it was the first)
    url_key: str | None
    content_key: int
    bands: tuple[int, ...]
    signature: np.ndarray


class DedupState(Protocol):
    def by_url(self, url: str) -> Entry | None: ...

    def by_content(self, key: int) -> Entry | None: ...

    def by_band(self, key: int) -> Iterable[Entry]: ...

    def remember(self, entry: Entry) -> None: ...


class MemoryDedupState:
    """The last ``window`` articles, oldest forgotten first."""

    def __init__(self, window: int = 20_000) -> None:
        if window < 1:
            raise ValueError("the dedup window must hold at least one article")
        self.window = window
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._urls: dict[str, str] = {}
        self._contents: dict[int, str] = {}
        self._bands: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def by_url(self, url: str) -> Entry | None:
        return self._entry(self._urls.get(url))

    def by_content(self, key: int) -> Entry | None:
        return self._entry(self._contents.get(key))

    def by_band(self, key: int) -> Iterable[Entry]:
        return [e for i in self._bands.get(key, ()) if (e := self._entries.get(i)) is not None]

    def remember(self, entry: Entry) -> None:
        if entry.article_id in self._entries:
            return  # replayed: the first reading stands
        self._entries[entry.article_id] = entry
        if entry.url_key is not None:
            self._urls.setdefault(entry.url_key, entry.article_id)
        self._contents.setdefault(entry.content_key, entry.article_id)
        for band in entry.bands:
            self._bands.setdefault(band, []).append(entry.article_id)
        while len(self._entries) > self.window:
            self._forget(self._entries.popitem(last=False)[1])

    def _entry(self, article_id: str | None) -> Entry | None:
        return self._entries.get(article_id) if article_id is not None else None

    def _forget(self, old: Entry) -> None:
        if old.url_key is not None and self._urls.get(old.url_key) == old.article_id:
            del self._urls[old.url_key]
        if self._contents.get(old.content_key) == old.article_id:
            del self._contents[old.content_key]
        for band in old.bands:
            ids = self._bands.get(band)
            if ids is not None:
                ids[:] = [i for i in ids if i != old.article_id]
                if not ids:
                    del self._bands[band]


class Deduplicator:
    def __init__(self, state: DedupState, near_threshold: float = 0.5) -> None:
        self.state = state
        self.near_threshold = near_threshold

    async def on_partitions_assigned(self, *args: Any, **kwargs: Any) -> None:
        """Called by the app when the consumer group hands this worker partitions: a state
        kept elsewhere (Kafka) reads what other workers remembered meanwhile."""
        refresh = getattr(self.state, "on_partitions_assigned", None)
        if refresh is not None:
            await refresh(*args, **kwargs)

    async def before_commit(self) -> None:
        """Called by the app before its input offset commits: a state kept elsewhere makes
        what it remembered durable first."""
        flush = getattr(self.state, "flush", None)
        if flush is not None:
            await flush()

    def __call__(self, article: Article) -> Article:
        article_id: str = article["id"]
        body: str = article.get("body") or ""
        url = article.get("url") or None
        content = content_key(body)
        signature = minhash(body)
        bands = tuple(band_keys(signature))
        kind, first = self._match(article_id, url, content, signature, bands)
        self.state.remember(
            Entry(article_id, first.root if first else article_id, url, content, bands, signature)
        )
        return {
            **article,
            "duplicate_of": first.root if first else None,
            "duplicate_kind": kind,
        }

    def _match(
        self,
        article_id: str,
        url: str | None,
        content: int,
        signature: np.ndarray,
        bands: tuple[int, ...],
    ) -> tuple[str | None, Entry | None]:
        """(kind, the earlier entry it matches), or (None, None) for a first sighting.

        Entries of this article, and of copies that point back to it, are not "earlier": they
        are there because this article was read before (a replay)."""

        def earlier(entry: Entry | None) -> bool:
            return entry is not None and article_id not in (entry.article_id, entry.root)

        if url is not None and earlier(found := self.state.by_url(url)):
            return SAME_URL, found
        if earlier(found := self.state.by_content(content)):
            return SAME_CONTENT, found
        best: tuple[float, Entry] | None = None
        for band in bands:
            for candidate in self.state.by_band(band):
                if not earlier(candidate):
                    continue
                score = similarity(signature, candidate.signature)
                if score >= self.near_threshold and (best is None or score > best[0]):
                    best = (score, candidate)
        return (NEAR, best[1]) if best else (None, None)
