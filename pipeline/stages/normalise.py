"""Raw record -> normalised article: the first stage, and the one every offset depends on.

The body is plain text when the record has one, otherwise the article extracted from its HTML;
either way it goes through the same clean-up (pipeline.text.cleaning), so that the hash, the
word count and every downstream character offset refer to one stable text. Metadata missing
from the record (title, date, URL) is taken from the HTML when there is some.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pipeline.errors import InvalidRecord
from pipeline.records import validate_raw
from pipeline.text.cleaning import clean_line, clean_text
from pipeline.text.dates import to_utc_iso
from pipeline.text.language import default_detector
from pipeline.text.urls import canonical_url, domain_of

_WORD = re.compile(r"\w+(?:['’]\w+)*")


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Return the normalised article for ``raw``; raise InvalidRecord if it has no usable text."""
    record_id: str = validate_raw(raw)["id"]
    body, page_title, page_date, page_url = _body_and_page_metadata(raw)
    url = canonical_url(raw.get("url") or page_url or "")
    title = clean_line(raw.get("title") or page_title or "") or None
    language = default_detector()(body, hint=raw.get("language"))
    return {
        "id": record_id,
        "url": url,
        "domain": domain_of(url) if url else None,
        "source": raw.get("source"),
        "title": title,
        "body": body,
        "language": language.code,
        "language_confidence": language.confidence,
        "published_at": to_utc_iso(raw.get("published_at")) or to_utc_iso(page_date),
        "word_count": len(_WORD.findall(body)),
        "content_hash": "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest(),
    }


def pipe(raws: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Batch form; there is nothing to share between articles, so it is the plain loop."""
    for raw in raws:
        yield normalise(raw)


def _body_and_page_metadata(
    raw: Mapping[str, Any],
) -> tuple[str, str | None, str | None, str | None]:
    """The cleaned body, then the page's title, date and URL (None when not looked up)."""
    body = clean_text(raw.get("body") or "")
    html = raw.get("html")
    needs_metadata = not (raw.get("title") and raw.get("published_at") and raw.get("url"))
    if not html or (body and not needs_metadata):
        if not body:
            raise InvalidRecord(
                "the body is empty (nothing left after removing whitespace and control characters)"
            )
        return body, None, None, None

    from pipeline.text.extraction import extract_page  # trafilatura takes a second to import

    page = extract_page(html, url=raw.get("url"), body=not body, metadata=needs_metadata)
    if not body:
        body = clean_text(page.body, lines_are_paragraphs=True)
    if not body:
        raise InvalidRecord("no article text found in 'html' (empty page or only boilerplate)")
    return body, page.title, page.published_at, page.url
