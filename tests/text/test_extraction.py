from __future__ import annotations

import time
from dataclasses import replace

import pytest

from pipeline.text.extraction import DEFAULT_RULES, ExtractionRules, extract_body, extract_page

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
BOILERPLATE = [
    "We use cookies",
    "Accept all",
    "Subscribe to our newsletter",
    "Most read",
    "Ten things you missed",
    "Copyright 2025",
    "Home",
    "Sport",
    "Sign in",
]


def page(paragraphs: list[str] = ARTICLE, *, head: str = "") -> str:
    links = "".join(
        f'<li><a href="/s{i}">{name}</a></li>'
        for i, name in enumerate(["Home", "News", "Sport", "Weather", "Sign in"])
    )
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
    html = page(
        [
            "Le conseil municipal a voté mardi la construction d'un nouveau pont "
            "au-dessus de la rivière, après des années de débats." * 3
        ]
    )
    html = html.replace("<head>", '<head><meta charset="iso-8859-1">')
    assert "rivière" in extract_body(html.encode("iso-8859-1"))


def test_a_bare_fragment_is_still_read() -> None:
    assert extract_body("<p>A short item: the bridge opens today.</p>") == (
        "A short item: the bridge opens today."
    )


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<html><body></body></html>",
        "<html><body><script>var x = 1;</script></body></html>",
    ],
)
def test_no_text(html: str) -> None:
    assert extract_body(html).strip() == ""


@pytest.mark.slow
def test_huge_page_does_not_blow_up() -> None:
    paragraphs = [
        f"Paragraph {i}: the council met again on day {i} to discuss the bridge, "
        f"the budget and the timetable for the works."
        for i in range(50_000)
    ]
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


def _with(rule: str, value: bool) -> ExtractionRules:
    return replace(DEFAULT_RULES, **{rule: value})


def test_an_embedded_post_in_a_social_wrapper_is_kept() -> None:
    tweet = "This is the embedded post the article quotes, and the story is about it."
    html = page(
        ARTICLE[:2]
        + [
            f'</p><div class="social-media-embed"><blockquote class="twitter-tweet"><p>{tweet}</p>'
            '— Someone (@someone) <a href="https://twitter.com/x/status/1">November 18, 2019</a>'
            '</blockquote><script src="https://platform.twitter.com/widgets.js"></script></div><p>'
        ]
        + ARTICLE[2:]
    )
    assert tweet in extract_body(html)
    assert tweet not in extract_body(html, _with("keep_embedded_posts", False))


def test_link_lists_and_sign_off_lines_are_dropped() -> None:
    article = ARTICLE[:2] + ["Related: Ten things you missed this week in the city"] + ARTICLE[2:]
    trailer = [
        "Related:",
        "- Another story about the council and its many bridges",
        "- A third story about the river and the city's long-running debates",
        "Follow her on Twitter @reporter or on Facebook.",
        "Sign up for our newsletter and get the day's top headlines every morning.",
    ]
    html = page(article + trailer)
    assert extract_body(html).split("\n") == ARTICLE
    assert "Related: Ten things" in extract_body(html, _with("drop_boilerplate_lines", False))


def test_a_leading_time_stamp_is_dropped() -> None:
    from pipeline.text.extraction import _drop_boilerplate_lines

    body = "\n".join(ARTICLE)
    assert _drop_boilerplate_lines("5:45 AM PST 11/19/2019 by Sam Reporter\n" + body) == body
    assert _drop_boilerplate_lines("4 min read\n" + body) == body
    short = "At 10:30 the council voted to build the bridge."
    assert _drop_boilerplate_lines(short) == short
    assert _drop_boilerplate_lines(short + "\n" + body) == short + "\n" + body


@pytest.mark.parametrize(
    "line",
    [
        "More than 200 people came to the meeting, the largest crowd in years.",
        "Related to the vote, the council also approved a new cycle lane along the river.",
        "Residents who follow the debate on Facebook were quick to react to the decision.",
        "The band's label, which had sent its newsletter to fans the same morning, said the "
        "copyright claim would be settled out of court before the tour begins in the spring, "
        "and that the song would stay on every streaming service in the meantime.",
    ],
)
def test_article_lines_that_look_like_boilerplate_are_kept(line: str) -> None:
    assert line in extract_body(page(ARTICLE + [line]))


def test_recall_paragraphs_only_between_kept_paragraphs() -> None:
    from pipeline.text.extraction import _add_inner_paragraphs

    ours = "First paragraph.\nThird paragraph."
    wider = (
        "TEASER AT THE TOP\nFirst paragraph.\nA heading\nREAD THIS OTHER STORY\n"
        "Third paragraph.\nA footer line"
    )
    assert _add_inner_paragraphs(ours, wider) == ("First paragraph.\nA heading\nThird paragraph.")
