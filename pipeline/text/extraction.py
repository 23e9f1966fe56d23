"""Article body and metadata from a raw HTML page, with trafilatura.

How the options were chosen (shingle F1 on the 91 development pages of the article-extraction
benchmark, see ``news-pipeline eval extraction``):

* comments off and ``favor_precision``: a page's comments, "read more" blocks and author boxes
  are not the article, and trafilatura's default keeps too many of them;
* its fast mode first, the full run with the readability/jusText fallbacks only when the fast
  result is short: fallbacks exist to rescue pages where the main extractor found little, and on
  a long result they cost a third of the time for almost nothing (trafilatura bypasses them the
  same way in its recall mode);
* a first paragraph that repeats the page's headline is dropped: the title is its own field.

Pages where trafilatura finds nothing (tiny pages, bare fragments) fall back to the visible
text of the page, so that a short but real body is not thrown away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# Below this many characters a fast result is suspect and the full run with fallbacks decides.
FULL_RUN_BELOW_CHARS = 1000
# trafilatura's time grows faster than linearly with the number of paragraphs (a 5 MB page of
# 100,000 paragraphs: 20 s). Real article pages are smaller (the benchmark's largest: 1.4 MB,
# mostly scripts), so a bigger page is cut here; lxml closes the tags left open.
MAX_HTML_CHARS = 2_000_000
_EXTRACTION_OPTIONS: dict[str, Any] = {"include_comments": False, "output_format": "python"}
_NON_CONTENT = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside",
                "form", "button", "select", "svg", "iframe")
_TITLE_XPATHS = (
    '(//meta[@property="og:title"])[1]/@content',
    '(//meta[@name="twitter:title"])[1]/@content',
    "(//h1)[1]//text()",
    "(//title)[1]//text()",
)
_NON_WORD = re.compile(r"\W+")


@dataclass(frozen=True)
class ExtractionRules:
    """The choices the module docstring explains, as one value so that
    ``news-pipeline eval extraction --folds`` can tune them on some pages and score others."""

    favor_precision: bool = True
    include_tables: bool = True
    full_run_below_chars: int = FULL_RUN_BELOW_CHARS
    drop_repeated_headline: bool = True
    visible_text_fallback: bool = True


DEFAULT_RULES = ExtractionRules()


@dataclass(frozen=True)
class ExtractedPage:
    """What a page yields. ``body`` has one paragraph per line, not yet cleaned."""

    body: str
    title: str | None = None
    published_at: str | None = None  # as the page states it; parse with pipeline.text.dates
    url: str | None = None


def extract_page(html: str | bytes, *, url: str | None = None, body: bool = True,
                 metadata: bool = False, rules: ExtractionRules = DEFAULT_RULES) -> ExtractedPage:
    """Extract the article text of ``html`` and, on request, its title, date and canonical URL.

    Metadata costs about a third more time (htmldate searches the page for dates), so callers
    that already know them leave ``metadata`` off; ``body=False`` skips the text.
    """
    tree = _parse(html[:MAX_HTML_CHARS])
    if tree is None:
        return ExtractedPage(body="")
    headlines = _headlines(tree)
    text = _article_text(tree, url, rules) if body else ""
    if rules.drop_repeated_headline:
        text = _drop_repeated_headline(text, headlines)
    if not metadata:
        return ExtractedPage(body=text)
    title, published_at, canonical = _metadata(tree, url)
    return ExtractedPage(body=text, title=title or next(iter(headlines), None),
                         published_at=published_at, url=canonical)


def extract_body(html: str | bytes, rules: ExtractionRules = DEFAULT_RULES) -> str:
    """Just the article text, one paragraph per line ("" when the page has none)."""
    return extract_page(html, rules=rules).body


def _parse(html: str | bytes) -> HtmlElement | None:
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None and html.strip():
        # trafilatura rejects fragments such as "<p>x</p>" alone; give them a document around.
        wrapped = b"<html><body><div>%s</div></body></html>" if isinstance(html, bytes) else (
            "<html><body><div>%s</div></body></html>")
        tree = load_html(wrapped % html)  # type: ignore[operator]
    return tree


def _article_text(tree: HtmlElement, url: str | None, rules: ExtractionRules) -> str:
    text = _trafilatura_text(tree, url, rules, fast=True)
    if len(text) < rules.full_run_below_chars:
        text = _trafilatura_text(tree, url, rules, fast=False) or text
    if text or not rules.visible_text_fallback:
        return text
    return _visible_text(tree)


def _trafilatura_text(
    tree: HtmlElement, url: str | None, rules: ExtractionRules, *, fast: bool
) -> str:
    from trafilatura import bare_extraction
    from trafilatura.settings import Document

    document = bare_extraction(
        tree,
        url=url,
        fast=fast,
        favor_precision=rules.favor_precision,
        include_tables=rules.include_tables,
        **_EXTRACTION_OPTIONS,
    )
    return (document.text or "") if isinstance(document, Document) else ""


def _visible_text(tree: HtmlElement) -> str:
    from copy import deepcopy

    from lxml.etree import strip_elements

    body = tree.find("body")
    body = deepcopy(body if body is not None else tree)
    strip_elements(body, *_NON_CONTENT, with_tail=False)
    return "\n".join(" ".join(t.split()) for t in body.itertext() if t.strip())


def _headlines(tree: HtmlElement) -> list[str]:
    found: list[str] = []
    for xpath in _TITLE_XPATHS:
        text = " ".join("".join(tree.xpath(xpath)).split())
        if text and text not in found:
            found.append(text)
    return found


def _drop_repeated_headline(text: str, headlines: list[str]) -> str:
    first, _, rest = text.partition("\n")
    first_key = _key(first)
    if not first_key:
        return text
    for headline in headlines:
        key = _key(headline)
        # "Headline" against "Headline | Site name" counts; a short kicker against it does not.
        if key == first_key or (key.startswith(first_key + " ") and
                                len(first_key) >= len(key) / 2):
            return rest
    return text


def _key(text: str) -> str:
    return _NON_WORD.sub(" ", text).strip().casefold()


def _metadata(tree: HtmlElement, url: str | None) -> tuple[str | None, str | None, str | None]:
    from trafilatura.metadata import extract_metadata
    from trafilatura.settings import set_date_params

    # Keep the time and zone: htmldate's default output is the day alone.
    date_params = set_date_params(extensive=True) | {"outputformat": "%Y-%m-%dT%H:%M:%S%z"}
    metadata = extract_metadata(tree, url, date_params)
    return metadata.title, metadata.date, metadata.url
