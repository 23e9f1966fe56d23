import pytest

from pipeline.stance_model.metrics import macro_f1, per_class


def test_per_class_scores():
    gold = ["favor", "favor", "against", "neutral"]
    predicted = ["favor", "neutral", "against", "against"]
    scores = {s.label: s for s in per_class(gold, predicted)}
    assert scores["favor"].precision == 1.0 and scores["favor"].recall == 0.5
    assert scores["against"].precision == 0.5 and scores["against"].recall == 1.0
    assert scores["neutral"].f1 == 0.0 and scores["neutral"].support == 1
    assert macro_f1(gold, predicted) == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)


def test_lengths_must_match():
    with pytest.raises(ValueError):
        per_class(["favor"], [])
