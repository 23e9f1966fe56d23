from pipeline.tag_model.features import Featurizer
from pipeline.tag_model.gazetteer import Gazetteer
from pipeline.training.tag.places import build

CITIES = [
    {"name": "Kyiv", "population": 2_952_301, "alternatenames": ["Kiev", "IEV", "Киев", "Ko"]},
    {"name": "Palm Bay", "population": 119_760, "alternatenames": ["Palm Bay City"]},
]


def test_cities_countries_and_states_become_typed_entries():
    places = build(CITIES, ["Ukraine", "United States"], ["New York"], ["Europe"])
    assert places.entries[("kyiv",)] == ("city", "city1m")
    assert places.entries[("palm", "bay")] == ("city",)
    assert places.entries[("united", "states")] == ("country",)
    assert places.entries[("new", "york")] == ("state",)
    assert places.entries[("europe",)] == ("continent",)


def test_a_big_citys_english_exonyms_are_kept_but_codes_and_other_scripts_are_not():
    entries = build(CITIES, [], [], []).entries
    assert ("kiev",) in entries
    assert not {("iev",), ("ko",), ("киев",), ("palm", "bay", "city")} & entries.keys()


def test_the_featurizer_marks_place_matches_apart_from_the_conll_gazetteer():
    places = build(CITIES, [], [], [])
    featurizer = Featurizer(Gazetteer({}), {}, {"x": places})
    rows = featurizer.document([["Missiles", "hit", "Palm", "Bay", "and", "Kyiv"]])[0]
    assert "x=B-city" in rows[2] and "x=L-city" in rows[3]
    assert {"x=U-city", "x=U-city1m"} <= set(rows[5])
    assert not any(f.startswith("x=") for f in rows[1])


def test_towns_below_the_population_floor_are_left_out():
    town = {"name": "Titusville", "population": 48_789, "alternatenames": []}
    assert ("titusville",) not in build([town], [], [], []).entries
    assert ("titusville",) in build([town], [], [], [], smallest_city=15_000).entries
