import pytest

from pipeline.text.abbreviations import is_short_form, long_form_start, max_long_form_words


@pytest.mark.parametrize(
    ("short", "before", "long_form"),
    [
        (
            "GEBCO",
            "maps of the General Bathymetric Chart of the Oceans",
            "General Bathymetric Chart of the Oceans",
        ),
        (
            "NIESR",
            "The National Institute of Economic and Social Research",
            "National Institute of Economic and Social Research",
        ),
        ("IMF", "said the International Monetary Fund", "International Monetary Fund"),
        ("MPC", "Bank of England 's Monetary Policy Committee", "Monetary Policy Committee"),
        ("EA", "said the Environment Agency", "Environment Agency"),
        ("HDTV", "TV and technology industries , high-definition", None),
        ("XYZ", "nothing to see here", None),
    ],
)
def test_long_form_start_finds_the_words_the_letters_stand_for(short, before, long_form):
    words = before.split()[-max_long_form_words(short) :]
    start = long_form_start(short, words)
    assert (None if start is None else " ".join(words[start:])) == long_form


def test_short_forms_are_short_and_mostly_capitals():
    assert is_short_form("GEBCO") and is_short_form("S&N") and is_short_form("Apacs") is False
    assert (
        not is_short_form("A") and not is_short_form("Ofcom") and not is_short_form("ABCDEFGHIJK")
    )
