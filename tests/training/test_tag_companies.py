import pytest

from pipeline.tag_model.features import Featurizer
from pipeline.tag_model.gazetteer import Gazetteer
from pipeline.training.tag.companies import build, clean, wikipedia_title


@pytest.mark.parametrize(
    ("listed", "written"),
    [
        ("Walmart Inc.", ("walmart",)),
        ("The Home Depot, Inc.", ("home", "depot")),
        ("Carnival Corporation & plc", ("carnival",)),
        ("Swiss Reinsurance Company Ltd", ("swiss", "reinsurance")),
        ("Arthur J. Gallagher & Co.", ("arthur", "j.", "gallagher")),
        ("Central Garden & Pet Company (Class A)", ("central", "garden", "&", "pet")),
        ("BT Group", ("bt",)),
        ("Airbus SE", ("airbus",)),
        ("Koninklijke Philips N.V.", ("koninklijke", "philips")),
        ("Brown & Brown", ("brown", "&", "brown")),
        ("AT&T", ("at&t",)),
    ],
)
def test_legal_suffixes_parentheticals_and_a_leading_the_are_dropped(listed, written):
    assert clean(listed) == written


def test_names_with_nothing_left_or_no_capital_are_dropped():
    assert clean("The Group") is None
    assert clean("Holdings, Inc.") is None
    assert clean("1&1 AG") is None
    assert clean("eBay Inc.") is None


def test_wikipedia_titles_lose_their_qualifier():
    assert wikipedia_title("https://en.wikipedia.org/wiki/1%261_AG") == "1&1_AG"
    assert clean(wikipedia_title("https://en.wikipedia.org/wiki/Amazon_(company)")) == ("amazon",)
    assert clean(wikipedia_title("https://en.wikipedia.org/wiki/The_Home_Depot")) == (
        "home",
        "depot",
    )
    assert wikipedia_title(None) is None and wikipedia_title("https://example.com/x") is None


def test_one_word_everyday_words_and_common_names_are_left_out_but_longer_names_kept():
    listed = [
        "Target Corporation",
        "Block, Inc.",
        "Williams Companies",
        "Williams-Sonoma",
        "Walmart",
    ]
    listed += ["Brown & Brown", "Match Group"]
    entries = build(((n, "company") for n in listed), {"target", "block"}, {"williams", "brown"})
    assert set(entries.entries) == {
        ("walmart",),
        ("williams-sonoma",),
        ("brown", "&", "brown"),
        ("match",),
    }
    assert entries.entries[("walmart",)] == ("company",)


def test_a_name_keeps_every_kind_it_is_listed_under():
    names = [("Walmart Inc.", "company2"), ("Walmart", "company"), ("Home Depot", "company2")]
    entries = build(names).entries
    assert entries == {("walmart",): ("company", "company2"), ("home", "depot"): ("company2",)}


def test_the_featurizer_marks_company_matches_on_capitalised_tokens():
    companies = build([("Walmart Inc.", "company"), ("The Home Depot, Inc.", "company")])
    featurizer = Featurizer(Gazetteer({}), {}, {"c": companies})
    rows = featurizer.document([["Walmart", "and", "Home", "Depot", "sell", "home", "depot"]])[0]
    assert "c=U-company" in rows[0]
    assert "c=B-company" in rows[2] and "c=L-company" in rows[3]
    assert not any(f.startswith("c=") for f in rows[5] + rows[6])
