from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pipeline.errors import InvalidRecord
from pipeline.stages.normalise import normalise, pipe
from tests.text.test_extraction import ARTICLE, page

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "pipeline" / "schemas" / "normalised.json").read_text()
)
ENGLISH = (
    "The minister said on Monday that the new law would protect workers' rights.\n\n"
    "Unions welcomed the announcement but warned that details were still missing."
)


def check_contract(article: dict[str, Any]) -> None:
    jsonschema.validate(article | {"schema_version": 1, "timestamps": {"produced": 0.0}}, SCHEMA)
    body = article["body"]
    assert article["content_hash"] == "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def test_plain_text_record() -> None:
    article = normalise(
        {
            "id": "a1",
            "url": "HTTPS://WWW.News.example/story?utm_source=rss",
            "source": "News",
            "title": "  Workers'   rights ",
            "published_at": "Mon, 01 Sep 2025 10:00:00 +0100",
            "language": "en",
            "body": ENGLISH,
            "schema_version": 1,
            "produced_at": 1.0,
        }
    )
    check_contract(article)
    assert article == article | {
        "id": "a1",
        "url": "https://www.news.example/story",
        "domain": "news.example",
        "source": "News",
        "title": "Workers' rights",
        "body": ENGLISH,
        "language": "en",
        "published_at": "2025-09-01T09:00:00Z",
        "word_count": 24,
    }
    assert article["language_confidence"] > 0.9
    assert set(article) == set(SCHEMA["required"]) - {"schema_version", "timestamps"}


def test_body_is_cleaned() -> None:
    article = normalise({"id": "a", "body": "  Donâ€™t\x00 panic,\u00a0Mr\u200b Smith.\r\n\r\nOK."})
    assert article["body"] == "Don’t panic, Mr Smith.\n\nOK."


def test_html_record_takes_metadata_from_the_page() -> None:
    article = normalise({"id": "h", "html": page()})
    check_contract(article)
    assert article["body"] == "\n\n".join(ARTICLE)
    assert article["title"] == "Council backs new bridge"
    assert article["published_at"] == "2025-09-04T09:30:00Z"
    assert article["url"] == "https://www.citytimes.example/news/bridge-vote"
    assert article["domain"] == "citytimes.example"
    assert article["language"] == "en"


def test_record_fields_win_over_the_page() -> None:
    article = normalise(
        {
            "id": "h",
            "html": page(),
            "title": "Own title",
            "published_at": "2025-01-01T00:00:00Z",
            "url": "https://a.example/x",
        }
    )
    assert (article["title"], article["published_at"], article["url"]) == (
        "Own title",
        "2025-01-01T00:00:00Z",
        "https://a.example/x",
    )


def test_a_body_wins_over_html_but_the_page_fills_metadata() -> None:
    article = normalise({"id": "b", "body": ENGLISH, "html": page()})
    assert article["body"] == ENGLISH
    assert article["title"] == "Council backs new bridge"


def test_empty_body_falls_back_to_html() -> None:
    article = normalise({"id": "b", "body": "  \n ", "html": page()})
    assert article["body"] == "\n\n".join(ARTICLE)


def test_bad_date_is_none_not_an_error() -> None:
    assert (
        normalise({"id": "d", "body": ENGLISH, "published_at": "last Tuesday"})["published_at"]
        is None
    )


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "de",
            "Der Minister sagte am Montag, das neue Gesetz werde die Rechte der Arbeitnehmer "
            "schützen. Die Gewerkschaften begrüßten die Ankündigung.",
        ),
        (
            "fr",
            "Le ministre a déclaré lundi que la nouvelle loi protégerait les droits des "
            "travailleurs. Les syndicats ont salué l'annonce.",
        ),
        (
            "es",
            "El ministro dijo el lunes que la nueva ley protegerá los derechos de los "
            "trabajadores. Los sindicatos celebraron el anuncio.",
        ),
    ],
)
def test_non_english(code: str, text: str) -> None:
    article = normalise({"id": code, "body": text, "language": "en"})
    assert article["language"] == code


def test_unclear_language_is_und() -> None:
    article = normalise({"id": "n", "body": "12 34 56 78 90"})
    check_contract(article)
    assert (article["language"], article["language_confidence"]) == ("und", 0.0)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"body": ENGLISH}, "'id'"),
        ({"id": "", "body": ENGLISH}, "'id'"),
        ({"id": 7, "body": ENGLISH}, "'id'"),
        ({"id": "x"}, "neither 'body' nor 'html'"),
        ({"id": "x", "body": None, "html": None}, "neither 'body' nor 'html'"),
        ({"id": "x", "body": 42}, "'body' must be a string"),
        ({"id": "x", "body": ["a"]}, "'body' must be a string"),
        ({"id": "x", "html": b"<p>bytes</p>"}, "'html' must be a string"),
        ({"id": "x", "body": ENGLISH, "title": 3}, "'title' must be a string"),
        ({"id": "x", "body": ""}, "body is empty"),
        ({"id": "x", "body": " \n\t\x00\u200b "}, "body is empty"),
        ({"id": "x", "html": ""}, "empty"),
        ({"id": "x", "html": "<html><body><script>x()</script></body></html>"}, "no article text"),
    ],
)
def test_invalid_records(record: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRecord, match=message):
        normalise(record)


def test_not_a_mapping() -> None:
    with pytest.raises(InvalidRecord, match="JSON object"):
        normalise(["not", "a", "dict"])  # type: ignore[arg-type]


def test_huge_body() -> None:
    body = ("A long paragraph about the economy and the markets, repeated. " * 40 + "\n\n") * 2100
    assert len(body) > 5_000_000
    article = normalise({"id": "big", "body": body})
    check_contract(article)
    assert article["word_count"] == 10 * 40 * 2100


def test_pipe_is_the_plain_loop() -> None:
    raws = [{"id": "1", "body": ENGLISH}, {"id": "2", "html": page()}]
    assert list(pipe(raws)) == [normalise(r) for r in raws]
