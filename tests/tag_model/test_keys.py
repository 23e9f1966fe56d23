"""Entity keys: one string per real entity across articles, as far as a name can tell."""

import pytest

from pipeline.tag_model.aliases import merge
from pipeline.tag_model.keys import entity_key
from pipeline.tag_model.spans import mentions_from_tags
from pipeline.text.sentences import sentences
from tests.tag_model.hand_tagged import by_name, check_offsets, tag_and_merge

LONDON = "geo:2643743"


def keyed(text, tags_by_word):
    """Hand-tagged text merged as the tag stage merges it: with keys."""
    return tag_and_merge(text, tags_by_word, key=entity_key)


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (["US", "U.S.", "United States", "America", "USA", "United States of America"], "US"),
        (["UK", "U.K.", "Britain", "United Kingdom", "Great Britain"], "GB"),
        (["Russia", "Russian Federation"], "RU"),
        (["Myanmar", "Burma"], "MM"),
        (["Netherlands", "the Netherlands", "The Netherlands", "Holland"], "NL"),
        (["Ivory Coast", "Côte d'Ivoire", "Cote d\u2019Ivoire"], "CI"),
    ],
)
def test_the_forms_of_a_countrys_name_share_its_iso_code(names, key):
    assert {entity_key(name, "LOC") for name in names} == {f"country:{key}"}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("London", LONDON),
        ("LONDON", LONDON),  # a dateline's
        ("Birmingham", "geo:2655603"),  # England's, not Alabama's: the most populous
        ("Kiev", "geo:703448"),  # a big city's exonym
        ("Kyiv", "geo:703448"),
        ("Washington", "geo:4140963"),  # the capital before the state
        ("New York", "geo:5128638"),  # the state...
        ("New York City", "geo:5128581"),  # ...and the city
        ("N.M.", "geo:5481136"),  # a state's AP abbreviation
        ("Europe", "geo:6255148"),
        ("Stoke-on-Trent", "geo:2636841"),
        ("Stoke on Trent", "geo:2636841"),
    ],
)
def test_places_are_keyed_by_their_geonames_id(name, key):
    assert entity_key(name, "LOC") == key


def test_a_place_the_gazetteer_lacks_gets_a_name_key():
    assert entity_key("England", "LOC") == "loc:england"
    assert entity_key("the Cotswolds", "LOC") == "loc:cotswolds"
    # A town under 100,000 people: more often a namesake (here Whitehall in London).
    assert entity_key("Whitehall", "LOC") == "loc:whitehall"


@pytest.mark.parametrize(
    ("names", "kind", "key"),
    [
        (
            ["Vladimir Putin", "Mr Vladimir Putin", "President Vladimir Putin"],
            "PER",
            "vladimir putin",
        ),
        (["Vladimir Putin's", "Vladimir Putin\u2019s", "VLADIMIR PUTIN"], "PER", "vladimir putin"),
        (["José Mourinho", "Jose Mourinho"], "PER", "jose mourinho"),
        (["Volodymyr Zelenskyy", "Volodymyr Zelensky"], "PER", "volodymyr zelensky"),
        (["Bank of England", "The Bank of England", "Bank of England's"], "ORG", "bank of england"),
        (["Apple", "Apple Inc.", "Apple Inc", "Apple Corp."], "ORG", "apple"),
        (["Tesco", "Tesco plc", "Tesco PLC", "Tesco Ltd"], "ORG", "tesco"),
        (["Goldman Sachs", "Goldman, Sachs & Co"], "ORG", "goldman sachs"),
        (["Marks & Spencer", "Marks and Spencer"], "ORG", "marks and spencer"),
        (["Rolls-Royce", "Rolls Royce"], "ORG", "rolls royce"),
        (["J.P. Morgan", "JP Morgan"], "ORG", "jp morgan"),
        (["Labour Party", "Labour"], "ORG", "labour"),
    ],
)
def test_titles_accents_legal_forms_and_possessives_are_left_out(names, kind, key):
    prefix = "per:" if kind == "PER" else "org:"
    assert {entity_key(name, kind) for name in names} == {prefix + key}


def test_what_a_name_alone_cannot_join():
    # A surname alone is not the full name, nor is a name without its middle initial.
    assert entity_key("Putin", "PER") != entity_key("Vladimir Putin", "PER")
    assert entity_key("George W. Bush", "PER") != entity_key("George Bush", "PER")
    # The type is part of the key: the club is not the city.
    assert entity_key("Liverpool", "ORG") == "org:liverpool"
    assert entity_key("Liverpool", "LOC").startswith("geo:")
    # A demonym is MISC in CoNLL-2003, not its country.
    assert entity_key("British", "MISC") == "misc:british"


def test_an_organisation_keeps_the_kind_word_when_the_rest_names_something_else():
    assert entity_key("United Airlines", "ORG") == "org:united airlines"
    assert entity_key("British Airways", "ORG") == "org:british airways"
    assert entity_key("General Motors", "ORG") == "org:general motors"
    assert entity_key("Nissan Motor", "ORG") == entity_key("Nissan", "ORG") == "org:nissan"


def test_only_one_word_exonyms_name_a_city():
    assert entity_key("White House", "LOC") == "loc:white house"  # not Casablanca
    assert entity_key("Bombay", "LOC") == entity_key("Mumbai", "LOC")


def test_a_key_is_never_empty():
    assert entity_key("&", "ORG") == "org:and"
    assert entity_key("...", "MISC") == "misc:..."


def test_london_gets_one_key_in_two_articles():
    first = keyed("Prices rose in London. London traders said so.", {"London": "I-LOC"})
    second = keyed("LONDON (Reuters) - Shares fell.", {"LONDON": "I-LOC", "Reuters": "I-ORG"})
    assert by_name(first)["London"]["key"] == by_name(second)["LONDON"]["key"] == LONDON


def test_entities_of_one_article_with_one_key_are_merged_with_all_their_mentions():
    text = (
        "Burma's generals met Rolls-Royce in Rangoon.\n\n"
        "Myanmar said Rolls Royce would stay. Burma welcomed it."
    )
    tags = {
        "Burma": "I-LOC",
        "Myanmar": "I-LOC",
        "Rangoon": "I-LOC",
        "Rolls-Royce": "I-ORG",
        "Rolls": "I-ORG",
        "Royce": "I-ORG",
    }
    entities = keyed(text, tags)
    check_offsets(text, entities)
    names = by_name(entities)
    assert set(names) == {"Burma", "Rolls Royce", "Rangoon"}
    burma = names["Burma"]  # two mentions against Myanmar's one: its name stays
    assert (burma["key"], burma["type"], burma["count"]) == ("country:MM", "LOC", 3)
    assert [m["text"] for m in burma["mentions"]] == ["Burma", "Myanmar", "Burma"]
    assert [m["text"] for m in names["Rolls Royce"]["mentions"]] == ["Rolls-Royce", "Rolls Royce"]
    # Salience counts the joined mentions: the country is the article's most salient.
    assert burma["salience"] == max(e["salience"] for e in entities) == 1.0
    assert len({e["key"] for e in entities}) == len(entities)


def test_without_a_key_function_merge_gives_no_keys():
    text = "Burma and Myanmar."
    split = sentences(text)
    tags = [["B-LOC", "O", "B-LOC", "O"]]
    entities = merge(mentions_from_tags(split, tags, text), text)
    assert len(entities) == 2 and all("key" not in e for e in entities)
