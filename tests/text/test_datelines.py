import pytest

from pipeline.text.datelines import credited_names


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("HANOI, Vietnam (AP) \u2014 Text.", [("LOC", "HANOI"), ("LOC", "Vietnam"), ("ORG", "AP")]),
        ("SANTA FE, N.M. (AP) \u2014 Text.", [("LOC", "SANTA FE"), ("LOC", "N.M."), ("ORG", "AP")]),
        ("LONDON, March 3 - Text.", [("LOC", "LONDON")]),
        ("Kyiv (Reuters) - Text.", [("LOC", "Kyiv"), ("ORG", "Reuters")]),
        ("First line.\nBERLIN -- Text.", [("LOC", "BERLIN")]),
        ("He said (AP) it was so.", [("ORG", "AP")]),
        ("BREAKING NEWS \u2014 Text.", []),
        ("Kyiv - a city in title case needs an agency.", []),
        ("The talks - in LONDON - ended.", []),
    ],
)
def test_credited_names(body, expected):
    assert [(kind, body[start:end]) for kind, start, end in credited_names(body)] == expected
