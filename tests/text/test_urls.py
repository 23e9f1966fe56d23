from __future__ import annotations

import pytest

from pipeline.text.urls import canonical_url, domain_of


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Example.COM/News/Story", "https://www.example.com/News/Story"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=tw&utm_medium=social", "https://example.com/a"),
        (
            "https://example.com/a?id=7&fbclid=abc&gclid=x&page=2",
            "https://example.com/a?id=7&page=2",
        ),
        ("https://example.com/a?q=%C3%A9t%C3%A9&b", "https://example.com/a?q=%C3%A9t%C3%A9&b"),
        ("  https://user:pw@example.com./a  ", "https://example.com/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "/relative/path",
        "ftp://example.com/a",
        "mailto:a@example.com",
        "http://[::1",
    ],
)
def test_not_an_article_url(url: str) -> None:
    assert canonical_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),
        ("https://edition.cnn.com/x", "edition.cnn.com"),
        ("https://EXAMPLE.org", "example.org"),
        ("nope", None),
    ],
)
def test_domain(url: str, expected: str | None) -> None:
    assert domain_of(url) == expected
