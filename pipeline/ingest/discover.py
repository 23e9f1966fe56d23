"""Article links from a listing: RSS 0.9x/1.0/2.0 and Atom feeds (feedparser), sitemaps,
news sitemaps and sitemap indexes (lxml). Pure functions of the fetched bytes.

A sitemap index yields child sitemaps for the caller to fetch; every other listing yields
articles. ``stamp`` is what the listing says about an article's version (a feed entry's
updated date, a sitemap's lastmod): when it changes the article is fetched again.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree

from pipeline.ingest.errors import ListingInvalid
from pipeline.text.urls import canonical_url

_GZIP_MAGIC = b"\x1f\x8b"
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Discovered:
    url: str  # canonical
    title: str | None = None
    published_at: str | None = None  # ISO 8601, UTC when the listing gave a zone
    stamp: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Listing:
    kind: str  # "feed" or "sitemap"
    articles: list[Discovered] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def parse_listing(body: bytes, url: str, max_bytes: int) -> Listing:
    """Parse a feed or sitemap fetched from ``url``; raise ListingInvalid if it is neither."""
    body = _gunzip(body, max_bytes, url)
    root = _xml_root(body)
    if root is not None and etree.QName(root).localname in ("urlset", "sitemapindex"):
        return _sitemap(root, url)
    return _feed(body, url)


def _gunzip(body: bytes, max_bytes: int, url: str) -> bytes:
    # Sitemaps are often served as .xml.gz files, compressed as content rather than in transit.
    if not body.startswith(_GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise ListingInvalid(f"{url}: broken gzip: {exc}") from None
    if len(out) > max_bytes:
        raise ListingInvalid(f"{url}: over {max_bytes} bytes once decompressed")
    return out


def _xml_root(body: bytes) -> Any:
    try:
        return etree.fromstring(body, _XML)
    except etree.XMLSyntaxError:
        return None  # feedparser copes with broken feeds better than a strict parser


def _sitemap(root: Any, url: str) -> Listing:
    index = etree.QName(root).localname == "sitemapindex"
    articles: list[Discovered] = []
    sitemaps: list[str] = []
    for entry in root:
        if not isinstance(entry.tag, str):
            continue  # comments and processing instructions
        fields = _children(entry)
        link = canonical_url(urljoin(url, fields.get("loc", "")))
        if link is None:
            continue
        if index:
            sitemaps.append(link)
            continue
        news = entry.find("{*}news")
        news_fields = _children(news) if news is not None else {}
        publication = news.find("{*}publication") if news is not None else None
        language = _children(publication).get("language") if publication is not None else None
        articles.append(
            Discovered(
                url=link,
                title=news_fields.get("title"),
                published_at=news_fields.get("publication_date"),
                stamp=fields.get("lastmod") or news_fields.get("publication_date"),
                language=language,
            )
        )
    return Listing("sitemap", articles, sitemaps)


def _children(element: Any) -> dict[str, str]:
    return {
        etree.QName(child).localname: (child.text or "").strip()
        for child in element
        if isinstance(child.tag, str) and (child.text or "").strip()
    }


def _feed(body: bytes, url: str) -> Listing:
    # Bytes, never a URL: feedparser would otherwise do its own (impolite) fetching.
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no feed or sitemap markup"
        raise ListingInvalid(f"{url}: neither a feed nor a sitemap ({reason})")
    language = parsed.feed.get("language") or None
    articles = []
    for entry in parsed.entries:
        link = canonical_url(urljoin(url, entry.get("link") or ""))
        if link is None:
            continue
        articles.append(
            Discovered(
                url=link,
                title=entry.get("title") or None,
                published_at=_iso(_raw(entry, "published_parsed") or _raw(entry, "updated_parsed"))
                or _raw(entry, "published")
                or _raw(entry, "updated"),
                stamp=_raw(entry, "updated") or _raw(entry, "published"),
                language=language,
            )
        )
    return Listing("feed", articles)


def _raw(entry: Any, key: str) -> Any:
    # FeedParserDict.get maps "updated" to "published" with a DeprecationWarning; plain dict
    # access reads only what the entry really has.
    return dict.get(entry, key) or None


def _iso(parsed: time.struct_time | None) -> str | None:
    # feedparser has already converted the date to UTC.
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else None
