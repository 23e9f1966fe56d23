"""The SOURCES file: which feeds and sitemaps to poll, as YAML or OPML.

YAML::

    defaults: {poll_interval: 600, language: en}   # optional
    sources:
      - url: https://example.org/rss.xml
        name: example              # optional; default: the URL's host
        poll_interval: 300         # seconds; optional
        language: en               # a hint passed on with each article; optional
      - https://example.org/news-sitemap.xml      # a bare URL is fine too

OPML: every ``<outline>`` with an ``xmlUrl`` (feed readers' export format). ``text`` or
``title`` gives the name; ``language`` and ``pollInterval`` attributes are read when present.

Whether a URL is a feed or a sitemap is decided by what it returns, so neither format says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from pipeline.ingest.errors import SourcesFileError
from pipeline.text.urls import canonical_url, domain_of

DEFAULT_POLL_INTERVAL_S = 600.0
# Below this a poll costs the publisher more than it could tell us.
MIN_POLL_INTERVAL_S = 30.0


@dataclass(frozen=True)
class Source:
    url: str
    name: str
    poll_interval: float = DEFAULT_POLL_INTERVAL_S
    language: str | None = None


def load_sources(path: Path, *, min_interval: float = MIN_POLL_INTERVAL_S) -> list[Source]:
    """Read SOURCES; OPML when the file is XML (or named ``.opml``), YAML otherwise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourcesFileError(f"cannot read {path}: {exc}") from None
    is_xml = path.suffix.lower() in (".opml", ".xml") or data.lstrip().startswith(b"<")
    entries = _from_opml(data, path) if is_xml else _from_yaml(data, path)
    sources = [_source(entry, path, min_interval) for entry in entries]
    if not sources:
        raise SourcesFileError(f"{path} lists no sources")
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        # Metrics are labelled by name, so two sources with one name would share a series.
        raise SourcesFileError(f"{path}: source names must be unique; repeated: {duplicates}")
    return sources


def _from_yaml(data: bytes, path: Path) -> list[dict[str, Any]]:
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise SourcesFileError(f"{path} is not valid YAML: {exc}") from None
    if isinstance(loaded, list):
        loaded = {"sources": loaded}
    if not isinstance(loaded, dict) or not isinstance(loaded.get("sources"), list):
        raise SourcesFileError(f"{path}: expected a 'sources:' list (see pipeline.ingest.config)")
    defaults = loaded.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise SourcesFileError(f"{path}: 'defaults' must be a mapping")
    entries = []
    for item in loaded["sources"]:
        entry = {"url": item} if isinstance(item, str) else item
        if not isinstance(entry, dict):
            raise SourcesFileError(f"{path}: each source must be a URL or a mapping, got {item!r}")
        entries.append({**defaults, **entry})
    return entries


def _from_opml(data: bytes, path: Path) -> list[dict[str, Any]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SourcesFileError(f"{path} is not valid OPML: {exc}") from None
    entries = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl")
        if not url:
            continue  # a folder of outlines, not a feed
        entries.append(
            {
                "url": url,
                "name": outline.get("text") or outline.get("title"),
                "language": outline.get("language"),
                "poll_interval": outline.get("pollInterval"),
            }
        )
    return entries


def _source(entry: dict[str, Any], path: Path, min_interval: float) -> Source:
    unknown = sorted(set(entry) - {"url", "name", "poll_interval", "language"})
    if unknown:
        raise SourcesFileError(f"{path}: unknown field(s) {unknown} in source {entry!r}")
    url = canonical_url(str(entry.get("url") or ""))
    if url is None:
        raise SourcesFileError(f"{path}: {entry.get('url')!r} is not an http(s) URL")
    interval = entry.get("poll_interval")
    try:
        seconds = DEFAULT_POLL_INTERVAL_S if interval in (None, "") else float(interval)
    except (TypeError, ValueError):
        raise SourcesFileError(f"{path}: poll_interval {interval!r} is not a number") from None
    if seconds < min_interval:
        raise SourcesFileError(
            f"{path}: poll_interval {seconds:g}s for {url} is under the {min_interval:g}s minimum"
        )
    language = entry.get("language")
    return Source(
        url=url,
        name=str(entry.get("name") or domain_of(url) or url),
        poll_interval=seconds,
        language=str(language) if language else None,
    )
