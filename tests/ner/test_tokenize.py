import pytest

from pipeline.ner.tokenize import sentences, tokenize

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
