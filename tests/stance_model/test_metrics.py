import pytest

from pipeline.stance_model.metrics import expected_calibration_error, macro_f1, per_class


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


def test_expected_calibration_error_weights_each_bin_by_its_share():
    # Bin (0.8, 0.9]: confidence 0.9, accuracy 1/2; bin (0.2, 0.3]: confidence 0.3, accuracy 1.
    confidences = [0.9, 0.9, 0.3, 0.3]
    correct = [True, False, True, True]
    assert expected_calibration_error(confidences, correct) == pytest.approx(
        0.5 * abs(0.5 - 0.9) + 0.5 * abs(1.0 - 0.3)
    )
    assert expected_calibration_error([], []) == 0.0
    with pytest.raises(ValueError):
        expected_calibration_error([0.5], [])
