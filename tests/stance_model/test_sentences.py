import pytest

from pipeline.stance_model.sentences import split_sentences


def _texts(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_splits_on_terminal_punctuation_and_keeps_offsets():
    text = "Prices rose. Did they? Yes!  They did."
    assert _texts(text) == ["Prices rose.", "Did they?", "Yes!", "They did."]


@pytest.mark.parametrize("text", [
    "Mr. Smith met Dr. Jones in St. Louis on Monday.",
    "George W. Bush spoke in the U.S. capital.",
    "The index rose 3.5% to 1,024.7 points.",
    "They met on Jan. 5 in Paris.",
])
def test_does_not_split_abbreviations_initials_or_numbers(text):
    assert _texts(text) == [text]


def test_closing_quotes_stay_with_their_sentence():
    text = 'He said: "We will win." Then he left.'
    assert _texts(text) == ['He said: "We will win."', "Then he left."]


def test_line_breaks_always_end_a_sentence():
    text = "A headline without a stop\n\nThe body starts here. it goes on\nnext line"
    assert _texts(text) == ["A headline without a stop", "The body starts here. it goes on",
                            "next line"]


def test_blank_text_has_no_sentences():
    assert split_sentences("  \n\n ") == []
    assert split_sentences("") == []
