from __future__ import annotations

import time

import pytest

from pipeline.text.extraction import extract_body, extract_page

ARTICLE = [
    "The city council voted on Tuesday to build a new bridge across the river, ending a "
    "debate that has divided residents for more than a decade.",
    "Mayor Jane Alvarez said the bridge would cut commuting times by a third and that "
    "construction would start next spring if the regional government approved the funding.",
    "Opponents argued that the money would be better spent on buses and cycle lanes, and "
    "several of them promised to challenge the decision in court before the end of the year.",
    "The project is expected to cost 240 million euros and to take four years to complete, "
    "according to estimates published by the council's planning office last month.",
]
BOILERPLATE = ["We use cookies", "Accept all", "Subscribe to our newsletter", "Most read",
               "Ten things you missed", "Copyright 2025", "Home", "Sport", "Sign in"]


def page(paragraphs: list[str] = ARTICLE, *, head: str = "") -> str:
    links = "".join(f'<li><a href="/s{i}">{name}</a></li>'
                    for i, name in enumerate(["Home", "News", "Sport", "Weather", "Sign in"]))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><title>Council backs bridge | City Times</title>
<meta property="og:title" content="Council backs new bridge">
<meta property="article:published_time" content="2025-09-04T11:30:00+02:00">
<link rel="canonical" href="https://www.citytimes.example/news/bridge-vote">{head}</head>
<body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience.
 <button>Accept all</button></p></div>
<header><nav><ul>{links}</ul></nav></header>
<main><article><h1>Council backs new bridge</h1>
<div class="byline">By Sam Reporter</div>{body}
<aside class="related"><h3>Most read</h3><ul>
<li><a href="/a">Ten things you missed this week in the city and beyond</a></li>
<li><a href="/b">Local team wins the regional cup after a dramatic final</a></li></ul></aside>
</article></main>
<div class="newsletter"><p>Subscribe to our newsletter for the latest news.</p></div>
<footer><p>Copyright 2025 City Times. All rights reserved.</p></footer>
<script>window.dataLayer = [];</script></body></html>"""


def test_keeps_the_article_and_drops_boilerplate() -> None:
    body = extract_body(page())
    assert body.split("\n") == ARTICLE
    for noise in BOILERPLATE:
        assert noise not in body


def test_drops_a_first_paragraph_that_repeats_the_headline() -> None:
    assert "Council backs new bridge" not in extract_body(page())


def test_metadata() -> None:
    extracted = extract_page(page(), metadata=True)
    assert extracted.title == "Council backs new bridge"
    assert extracted.published_at is not None
    assert extracted.published_at.startswith("2025-09-04")
    assert extracted.url == "https://www.citytimes.example/news/bridge-vote"


def test_metadata_only() -> None:
    extracted = extract_page(page(), body=False, metadata=True)
    assert extracted.body == ""
    assert extracted.title == "Council backs new bridge"


def test_bytes_with_declared_encoding() -> None:
    html = page(["Le conseil municipal a voté mardi la construction d'un nouveau pont "
                 "au-dessus de la rivière, après des années de débats." * 3])
    html = html.replace("<head>", '<head><meta charset="iso-8859-1">')
    assert "rivière" in extract_body(html.encode("iso-8859-1"))


def test_a_bare_fragment_is_still_read() -> None:
    assert extract_body("<p>A short item: the bridge opens today.</p>") == (
        "A short item: the bridge opens today.")


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>",
                                  "<html><body><script>var x = 1;</script></body></html>"])
def test_no_text(html: str) -> None:
    assert extract_body(html).strip() == ""


@pytest.mark.slow
def test_huge_page_does_not_blow_up() -> None:
    paragraphs = [f"Paragraph {i}: the council met again on day {i} to discuss the bridge, "
                  f"the budget and the timetable for the works." for i in range(50_000)]
    html = page(paragraphs)
    assert len(html) > 5_000_000
    start = time.process_time()
    body = extract_body(html)
    assert time.process_time() - start < 20
    assert body.startswith("Paragraph 0:")
    assert body.count("\n") > 10_000  # cut at MAX_HTML_CHARS, not at the first paragraphs


@pytest.mark.slow
def test_huge_repetitive_page_does_not_blow_up() -> None:
    html = page(["Same sentence again and again, as spam pages do."] * 100_000)
    assert len(html) > 5_000_000
    start = time.process_time()
    extract_body(html)
    assert time.process_time() - start < 20
