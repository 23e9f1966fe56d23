import pytest
from typer.testing import CliRunner

from pipeline.evaluation.entities import (
    Entity,
    eval_cli,
    form_key,
    format_key_scores,
    load_gold,
    score,
    score_keys,
    score_page,
)
from pipeline.shared_data import SharedData


def test_form_key_ignores_case_possessive_quotes_and_a_leading_the():
    assert form_key("The Hill") == form_key("the hill") == "hill"
    assert form_key("Boeing's") == form_key("Boeing\u2019s") == "boeing"
    assert form_key("  U.S.  ") == "u.s"
    assert form_key("Theresa May") == "theresa may"


def test_a_prediction_matches_when_any_form_is_shared():
    gold = [Entity.of("LOC", ["United States", "US"]), Entity.of("PER", ["Keir Starmer"])]
    predicted = [Entity.of("LOC", ["US"]), Entity.of("ORG", ["Keir Starmer", "Starmer"])]
    counts = score_page(gold, predicted)
    assert (counts.found, counts.correct) == (2, 2)
    assert (counts.typed_found, counts.typed_correct) == (1, 1)
    assert counts.typed_found_by_type == {"LOC": 1}


def test_aliases_left_apart_count_as_unmerged():
    gold = [Entity.of("LOC", ["United States", "US", "U.S."])]
    predicted = [Entity.of("LOC", ["US"]), Entity.of("LOC", ["United States"])]
    counts = score_page(gold, predicted)
    assert (counts.found, counts.unmerged, counts.correct) == (1, 1, 2)


def test_two_entities_folded_together_count_as_overmerged():
    gold = [Entity.of("LOC", ["Hanoi"]), Entity.of("LOC", ["Hanoi Hilton"])]
    predicted = [Entity.of("LOC", ["Hanoi", "Hanoi Hilton"])]
    assert score_page(gold, predicted).overmerged == 1


def test_split_or_partial_names_match_nothing():
    gold = [Entity.of("PER", ["Vladimir Putin", "Putin"])]
    predicted = [Entity.of("PER", ["Vladimir"]), Entity.of("PER", ["Russian President Putin"])]
    counts = score_page(gold, predicted)
    assert (counts.found, counts.correct, counts.predicted) == (0, 0, 2)


def test_score_splits_halves_and_counts_missing_pages_as_empty():
    gold = {
        "pages": {
            "a": [{"name": "Kyiv", "type": "LOC", "forms": ["Kyiv"]}],
            "b": [{"name": "IndiGo", "type": "ORG", "forms": ["IndiGo"]}],
        },
        "split": {"tune": ["a"], "heldout": ["b"]},
    }
    records = [{"id": "a", "entities": [{"type": "LOC", "mentions": [{"text": "Kyiv"}]}]}]
    out = score(gold, records)
    assert (out["tune"].typed_found, out["heldout"].found, out["all"].gold) == (1, 0, 2)


def test_the_shipped_gold_is_split_into_two_disjoint_halves():
    gold = load_gold()
    tune, heldout = set(gold["split"]["tune"]), set(gold["split"]["heldout"])
    assert not tune & heldout
    assert tune | heldout == set(gold["pages"])
    assert len(gold["pages"]) >= 30
    for entities in gold["pages"].values():
        for entity in entities:
            assert entity["type"] in {"PER", "ORG", "LOC", "MISC"}
            assert entity["forms"]


@pytest.mark.slow
def test_cli_scores_the_shared_pages():
    if not (SharedData.default().extraction / "ground-truth.json").is_file():
        pytest.skip("shared data not available")
    import typer

    app = typer.Typer()
    app.command()(eval_cli)
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0, result.output
    for half in ("tune", "heldout", "all"):
        assert f"{half} (" in result.output
    assert "unmerged" in result.output


def test_keys_join_pages_naming_the_same_gold_entity_and_wrong_joins_are_listed():
    usa = ["United States", "US", "America"]
    gold = {
        "a": [Entity.of("LOC", usa, "United States"), Entity.of("LOC", ["York"], "York")],
        "b": [Entity.of("LOC", usa, "United States"), Entity.of("LOC", ["New York"], "New York")],
        "c": [Entity.of("LOC", usa, "United States")],
    }
    predicted = {
        "a": [
            Entity.of("LOC", ["US"], entity_key="loc:US"),
            Entity.of("LOC", ["York"], entity_key="loc:5128581"),
        ],
        "b": [
            Entity.of("LOC", ["America"], entity_key="loc:US"),
            Entity.of("LOC", ["New York"], entity_key="loc:5128581"),
        ],
        "c": [Entity.of("LOC", ["United States"], entity_key="loc:united states")],
    }
    scores = score_keys(gold, predicted)
    assert (scores.joined, scores.pairs) == (1, 3)  # a-b joined; a-c and b-c apart
    assert scores.apart == [("United States", "LOC")]
    assert scores.wrong_joins == {"loc:5128581": [("New York", "LOC"), ("York", "LOC")]}
    report = format_key_scores(scores)
    assert "1 of 3 page pairs" in report
    assert "loc:5128581: New York (LOC); York (LOC)" in report
