"""Article body and metadata from a raw HTML page, with trafilatura.

How the options were chosen (shingle F1 on the 91 development pages of the article-extraction
benchmark, see ``news-pipeline eval extraction``):

* comments off and ``favor_precision``: a page's comments, "read more" blocks and author boxes
  are not the article, and trafilatura's default keeps too many of them;
* its fast mode first, the full run with the readability/jusText fallbacks only when the fast
  result is short: fallbacks exist to rescue pages where the main extractor found little, and on
  a long result they cost a third of the time for almost nothing (trafilatura bypasses them the
  same way in its recall mode);
* a first paragraph that repeats the page's headline is dropped: the title is its own field;
* an embedded post (a tweet, an Instagram or TikTok post) is lifted out of the "social" or
  "embed" wrapper around it before extraction: trafilatura discards such wrappers whole, but
  the posts are part of the story (the benchmark's true bodies keep them);
* link lines ("Related: ...", "READ MORE: ...", a bare "More:" and the bullet list under it) are
  dropped, and so are the first lines when they stamp the page (a time, a date with a byline,
  a reading time) and the last lines when they sign it off (newsletter and follow-us pitches,
  copyright, "Filed under", comment prompts): trafilatura keeps them when they sit as plain
  paragraphs inside the article's container.

The last two were written from the failures on the development pages, so they are checked by
site cross-validation (``--folds 3``): dropping these lines gains on every fold
(+0.004, +0.001, +0.003 F1; 20 pages of 17 sites changed, one worse), lifting embedded posts
gains on the one fold whose page has posts in a wrapper and changes nothing elsewhere.
Measured and left off: adding the paragraphs that trafilatura's reading without
``favor_precision`` has between two kept paragraphs, leaving out lines in capitals
(``add_recall_paragraphs``: headings and linked lines that precision mode drops; +0.002 F1 on
two folds of three, but every page is read twice, 40% fewer pages/s).

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
_NON_CONTENT = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "svg",
    "iframe",
)
_TITLE_XPATHS = (
    '(//meta[@property="og:title"])[1]/@content',
    '(//meta[@name="twitter:title"])[1]/@content',
    "(//h1)[1]//text()",
    "(//title)[1]//text()",
)
_NON_WORD = re.compile(r"\W+")
_EMBEDDED_POSTS = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class,"
    " 'instagram-media') or contains(@class, 'tiktok-embed')]"
)
_WRAPPER_TOKENS = ("embed", "social", "share", "tweet", "twitter", "instagram")
# A line that announces links to other stories: "Related: ...", "READ MORE: ...", "More:",
# "You may also like...", "DON'T MISS".
_LINK_LABEL = re.compile(
    r"(?i)(?:related(?: stories| articles| coverage| content| links)?|read more|read also|"
    r"also read|see more|see also|more|more on this|don.t miss|recommended(?: for you)?|"
    r"you (?:may|might) also like|most read(?: in [\w ]+)?)(?:\s*:.*|\s*[.…!]*)$"
)
_BULLETS = ("- ", "• ", "* ")
# A first line that stamps the page rather than starts the article ("5:45 AM PST 11/19/2019
# by A. Writer", "22 de outubro de 2010 às 20:13", "4 min read"): short, no full stop.
_STAMP = re.compile(
    r"(?i)\b\d{1,2}:\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\bmin(?:ute)?s? read\b|"
    r"\breading time\b|\btempo de leitura\b|\blesezeit\b"
)
_STAMP_WORDS = 15
# A last line that signs the page off rather than ends the article: a pitch, a follow-us, a
# credit ("Follow him on Twitter @x", "If you enjoyed this article, ..."), or a short line that
# names a newsletter or a copyright (a long one is the story's own closing paragraph).
_SIGN_OFF = re.compile(
    r"(?i)^subscribe\b|^sign up\b|^join \w+\W*$|"
    r"\bfollow (?:us|me|him|her|them|@?[\w.]+) on (?:twitter|facebook|instagram|"
    r"linkedin|youtube)|^listen (?:to|live)\b|^©|"
    r"^filed under\b|^have a (?:news )?tip\b|^tell us what you think|^comments?$|"
    r"^if you (?:enjoyed|liked) this"
)
_SHORT_SIGN_OFF = re.compile(r"(?i)newsletter|\bcopyright\b|all rights reserved")
_SHORT_SIGN_OFF_WORDS = 30


@dataclass(frozen=True)
class ExtractionRules:
    """The choices the module docstring explains, as one value so that
    ``news-pipeline eval extraction --folds`` can tune them on some pages and score others."""

    favor_precision: bool = True
    include_tables: bool = True
    full_run_below_chars: int = FULL_RUN_BELOW_CHARS
    drop_repeated_headline: bool = True
    visible_text_fallback: bool = True
    keep_embedded_posts: bool = True
    drop_boilerplate_lines: bool = True
    add_recall_paragraphs: bool = False


DEFAULT_RULES = ExtractionRules()


@dataclass(frozen=True)
class ExtractedPage:
    """What a page yields. ``body`` has one paragraph per line, not yet cleaned."""

    body: str
    title: str | None = None
    published_at: str | None = None  # as the page states it; parse with pipeline.text.dates
    url: str | None = None


def extract_page(
    html: str | bytes,
    *,
    url: str | None = None,
    body: bool = True,
    metadata: bool = False,
    rules: ExtractionRules = DEFAULT_RULES,
    memo: dict[Any, Any] | None = None,
) -> ExtractedPage:
    """Extract the article text of ``html`` and, on request, its title, date and canonical URL.

    Metadata costs about a third more time (htmldate searches the page for dates), so callers
    that already know them leave ``metadata`` off; ``body=False`` skips the text. ``memo``, an
    empty dict per page, keeps the parsed page and trafilatura's readings between calls with
    different rules (the cross-validation reads each page with hundreds of rule sets).
    """
    if memo is None:
        memo = {}
    if "tree" not in memo:
        memo["tree"] = _parse(html[:MAX_HTML_CHARS])
    tree = memo["tree"]
    if tree is None:
        return ExtractedPage(body="")
    headlines = _headlines(tree)
    text = _article_text(tree, url, rules, memo) if body else ""
    if rules.drop_repeated_headline:
        text = _drop_repeated_headline(text, headlines)
    if rules.drop_boilerplate_lines:
        text = _drop_boilerplate_lines(text)
    if not metadata:
        return ExtractedPage(body=text)
    title, published_at, canonical = _metadata(tree, url)
    return ExtractedPage(
        body=text,
        title=title or next(iter(headlines), None),
        published_at=published_at,
        url=canonical,
    )


def extract_body(
    html: str | bytes, rules: ExtractionRules = DEFAULT_RULES, memo: dict[Any, Any] | None = None
) -> str:
    """Just the article text, one paragraph per line ("" when the page has none)."""
    return extract_page(html, rules=rules, memo=memo).body


def _parse(html: str | bytes) -> HtmlElement | None:
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None and html.strip():
        # trafilatura rejects fragments such as "<p>x</p>" alone; give them a document around.
        wrapped = (
            b"<html><body><div>%s</div></body></html>"
            if isinstance(html, bytes)
            else ("<html><body><div>%s</div></body></html>")
        )
        tree = load_html(wrapped % html)  # type: ignore[operator]
    return tree


def _article_text(
    tree: HtmlElement, url: str | None, rules: ExtractionRules, memo: dict[Any, Any]
) -> str:
    if rules.keep_embedded_posts:
        if "lifted" not in memo:
            memo["lifted"] = _lift_embedded_posts(tree)
        tree = memo["lifted"]

    def read(favor_precision: bool, fast: bool) -> str:
        key = (rules.keep_embedded_posts, rules.include_tables, favor_precision, fast)
        if key not in memo:
            memo[key] = _trafilatura_text(
                tree, url, rules.include_tables, favor_precision=favor_precision, fast=fast
            )
        return str(memo[key])

    text = read(rules.favor_precision, fast=True)
    if len(text) < rules.full_run_below_chars:
        text = read(rules.favor_precision, fast=False) or text
    elif rules.add_recall_paragraphs and rules.favor_precision:
        text = _add_inner_paragraphs(text, read(False, fast=True))
    if text or not rules.visible_text_fallback:
        return text
    return _visible_text(tree)


def _trafilatura_text(
    tree: HtmlElement, url: str | None, include_tables: bool, *, favor_precision: bool, fast: bool
) -> str:
    from trafilatura import bare_extraction
    from trafilatura.settings import Document

    document = bare_extraction(
        tree,
        url=url,
        fast=fast,
        favor_precision=favor_precision,
        include_tables=include_tables,
        **_EXTRACTION_OPTIONS,
    )
    return (document.text or "") if isinstance(document, Document) else ""


def _lift_embedded_posts(tree: HtmlElement) -> HtmlElement:
    """A copy of ``tree`` where each embedded post (tweet, Instagram or TikTok post) replaces
    the social/embed wrapper around it, which trafilatura discards with its contents."""
    from copy import deepcopy

    posts = tree.xpath(_EMBEDDED_POSTS)
    if not posts:
        return tree
    tree = deepcopy(tree)
    for post in tree.xpath(_EMBEDDED_POSTS):
        wrapper = None
        for depth, ancestor in enumerate(post.iterancestors()):
            if depth >= 3 or ancestor.tag in ("article", "main", "body"):
                break
            marks = f"{ancestor.get('class', '')} {ancestor.get('id', '')}".casefold()
            if any(token in marks for token in _WRAPPER_TOKENS):
                wrapper = ancestor
        if wrapper is not None and wrapper.getparent() is not None:
            post.tail = None
            wrapper.addprevious(post)
            wrapper.getparent().remove(wrapper)
    return tree


def _add_inner_paragraphs(text: str, wider: str) -> str:
    """``text`` with the paragraphs that ``wider`` (the same page read without favor_precision)
    has between two of its paragraphs; not before its first or after its last, where the
    wider reading's extra lines are teasers and footers, and not a line in capitals (teaser
    headlines of other stories)."""
    from difflib import SequenceMatcher

    ours, theirs = text.split("\n"), wider.split("\n")
    opcodes = SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes()
    out: list[str] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "insert":
            out.extend(ours[i1:i2])
        elif 0 < n < len(opcodes) - 1:
            out.extend(line for line in theirs[j1:j2] if not _shouted(line))
    return "\n".join(out)


def _shouted(line: str) -> bool:
    return line.upper() == line and any(c.isupper() for c in line)


def _drop_boilerplate_lines(text: str) -> str:
    """Without the first lines when they are a time stamp, a dateline with a byline or a
    reading time, without "Related: ..." link lines (and the bullet list after one), and
    without the last lines when they sign the page off: newsletter and follow-us pitches,
    copyright, "filed under", comment prompts."""
    lines = text.split("\n")
    while (
        len(lines) > 1
        and _STAMP.search(lines[0])
        and len(lines[0].split()) < _STAMP_WORDS
        and not lines[0].rstrip().endswith((".", "!", "?"))
    ):
        del lines[0]
    kept: list[str] = []
    in_list = False
    for line in lines:
        stripped = line.strip()
        if _LINK_LABEL.match(stripped):
            in_list = True
            continue
        if in_list and (not stripped or stripped.startswith(_BULLETS)):
            continue
        in_list = False
        kept.append(line)
    while kept and (not kept[-1].strip() or _signs_off(kept[-1].strip())):
        kept.pop()
    return "\n".join(kept)


def _signs_off(line: str) -> bool:
    if _SIGN_OFF.search(line):
        return True
    return len(line.split()) <= _SHORT_SIGN_OFF_WORDS and _SHORT_SIGN_OFF.search(line) is not None


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
        if key == first_key or (key.startswith(first_key + " ") and len(first_key) >= len(key) / 2):
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
