from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ingest.config import DEFAULT_POLL_INTERVAL_S, Source, load_sources
from pipeline.ingest.errors import SourcesFileError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yaml_with_defaults_and_bare_urls(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sources.yaml",
        "defaults: {poll_interval: 120, language: en}\n"
        "sources:\n"
        "  - url: https://News.Example.org/rss?utm_source=x\n    name: ex\n    language: fr\n"
        "  - https://www.other.test/sitemap.xml\n",
    )
    assert load_sources(path) == [
        Source("https://news.example.org/rss", "ex", 120.0, "fr"),
        Source("https://www.other.test/sitemap.xml", "other.test", 120.0, "en"),
    ]


def test_opml(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "feeds.opml",
        '<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="World">'
        '<outline text="A" type="rss" xmlUrl="https://a.test/feed" language="de" '
        'pollInterval="90"/><outline title="B" xmlUrl="https://b.test/atom"/>'
        "</outline></body></opml>",
    )
    assert load_sources(path) == [
        Source("https://a.test/feed", "A", 90.0, "de"),
        Source("https://b.test/atom", "B", DEFAULT_POLL_INTERVAL_S, None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: []\n", "lists no sources"),
        ("feeds: [https://a.test/]\n", "expected a 'sources:' list"),
        ("sources:\n  - url: ftp://a.test/\n", "is not an http(s) URL"),
        ("sources:\n  - {url: 'https://a.test/', every: 5}\n", "unknown field(s) ['every']"),
        ("sources:\n  - {url: 'https://a.test/', poll_interval: 1}\n", "under the 30s minimum"),
        ("sources:\n  - {url: 'https://a.test/', poll_interval: soon}\n", "is not a number"),
        ("sources: [https://a.test/1, https://a.test/2]\n", "repeated: ['a.test']"),
        ("sources: [\n", "not valid YAML"),
    ],
)
def test_mistakes_are_reported_with_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "s.yaml", text)
    with pytest.raises(SourcesFileError, match=r"s\.yaml") as raised:
        load_sources(path)
    assert message in str(raised.value)
