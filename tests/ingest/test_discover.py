from __future__ import annotations

import gzip

import pytest

from pipeline.ingest.discover import Discovered, parse_listing
from pipeline.ingest.errors import ListingInvalid
from tests.ingest import server

BASE = "https://news.test/feeds/main.xml"


def test_rss_091_with_relative_links() -> None:
    body = server.rss(
        [("/a?utm_medium=rss", "A &amp; B", "Tue, 10 Jun 2025 04:00:00 +0200")], "0.91"
    )
    listing = parse_listing(body, BASE, 10_000)
    assert listing.kind == "feed"
    assert listing.articles == [
        Discovered(
            "https://news.test/a",
            "A & B",
            "2025-06-10T02:00:00Z",
            "Tue, 10 Jun 2025 04:00:00 +0200",
            "en",
        )
    ]


def test_rdf_rss_10() -> None:
    body = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>t</title></channel>'
        b'<item rdf:about="https://news.test/r"><title>R</title><link>https://news.test/r</link>'
        b"</item></rdf:RDF>"
    )
    assert [a.url for a in parse_listing(body, BASE, 10_000).articles] == ["https://news.test/r"]


def test_atom() -> None:
    body = server.atom([("https://news.test/x#top", "X", "2026-11-25T10:00:00+01:00")])
    (article,) = parse_listing(body, BASE, 10_000).articles
    assert (article.url, article.title, article.published_at, article.stamp) == (
        "https://news.test/x",
        "X",
        "2026-11-25T09:00:00Z",
        "2026-11-25T10:00:00+01:00",
    )


def test_news_sitemap_and_index() -> None:
    urlset = server.news_sitemap([("https://news.test/s", "S", "2026-11-25T12:00:00+01:00")])
    listing = parse_listing(urlset, BASE, 10_000)
    assert listing.kind == "sitemap" and listing.sitemaps == []
    assert listing.articles == [
        Discovered(
            "https://news.test/s",
            "S",
            "2026-11-25T12:00:00+01:00",
            "2026-11-25T12:00:00+01:00",
            "de",
        )
    ]
    index = server.sitemap_index(["https://news.test/a.xml", "/b.xml.gz"])
    assert parse_listing(index, BASE, 10_000).sitemaps == [
        "https://news.test/a.xml",
        "https://news.test/b.xml.gz",
    ]


def test_gzipped_sitemap_within_the_limit_only() -> None:
    body = gzip.compress(server.news_sitemap([("https://news.test/z", "Z", "2026-11-25")]))
    assert len(parse_listing(body, BASE, 10_000).articles) == 1
    with pytest.raises(ListingInvalid, match="decompressed"):
        parse_listing(body, BASE, 100)


def test_external_entities_are_not_resolved() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>'
        b"https://news.test/&x;</loc></url></urlset>"
    )
    urls = [a.url for a in parse_listing(body, BASE, 10_000).articles]
    assert all("etc" not in u and len(u) < 40 for u in urls)


def test_neither_feed_nor_sitemap() -> None:
    with pytest.raises(ListingInvalid, match="neither a feed nor a sitemap"):
        parse_listing(b"<html><body>hello</body></html>", BASE, 10_000)
