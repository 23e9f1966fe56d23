import pytest

from pipeline.text.sentences import sentence_spans, sentences, tokenize

TEXTS = [
    "Mr O\u2019Neill\u2019s firm said \u201cno\u201d to the U.S. deal, didn't it?",
    "He said: \"Smith's plan won't work\" \u2013 and 'they' agreed.\n\nNew paragraph here.",
    "  leading spaces,\ttabs and 1,000.5 dollars on 1996-08-22...  ",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_offsets_index_the_original_text(text):
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text
        assert token.text.strip() == token.text


def test_conll_conventions():
    words = [t.text for t in tokenize(TEXTS[0])]
    assert words == [
        "Mr",
        "O\u2019Neill",
        "\u2019s",
        "firm",
        "said",
        "\u201c",
        "no",
        "\u201d",
        "to",
        "the",
        "U.S.",
        "deal",
        ",",
        "did",
        "n't",
        "it",
        "?",
    ]
    words = [t.text for t in tokenize(TEXTS[1])]
    assert words[4:6] == ["Smith", "'s"]
    assert words[7:9] == ["wo", "n't"]
    assert words[13:16] == ["'", "they", "'"]


def test_sentences_split_at_stops_and_line_breaks_but_not_abbreviations():
    text = (
        "Mr. Smith met Dr. Jones in the U.S. on Monday. They talked.\n"
        "No stop here\n\u201cQuoted.\u201d Next"
    )
    split = [[t.text for t in s] for s in sentences(text)]
    assert split[0][:2] == ["Mr.", "Smith"]
    assert split[1] == ["They", "talked", "."]
    assert split[2] == ["No", "stop", "here"]
    assert split[3] == ["\u201c", "Quoted", ".", "\u201d"]
    assert split[4] == ["Next"]
    assert sentences("") == []


# Sentence spans: what the stance stage scores in (it no longer splits the body itself).


def _texts(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_spans_split_on_terminal_punctuation_and_keep_offsets() -> None:
    text = "Prices rose. Did they? Yes!  They did."
    assert _texts(text) == ["Prices rose.", "Did they?", "Yes!", "They did."]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met Dr. Jones in St. Louis on Monday.",
        "George W. Bush spoke in the U.S. capital.",
        "The index rose 3.5% to 1,024.7 points.",
        "They met on Jan. 5 in Paris.",
    ],
)
def test_spans_do_not_split_abbreviations_initials_or_numbers(text: str) -> None:
    assert _texts(text) == [text]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = 'He said: "We will win." Then he left.'
    assert _texts(text) == ['He said: "We will win."', "Then he left."]


def test_line_breaks_always_end_a_sentence() -> None:
    text = "A headline without a stop\n\nThe body starts here. it goes on\nnext line"
    assert _texts(text) == [
        "A headline without a stop",
        "The body starts here. it goes on",
        "next line",
    ]


def test_blank_text_has_no_sentences() -> None:
    assert sentence_spans("  \n\n ") == []
    assert sentence_spans("") == []
