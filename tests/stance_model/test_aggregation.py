from dataclasses import replace

import numpy as np
import pytest

from pipeline.stance_model.aggregation import (
    CHOSEN_AGGREGATION,
    NEUTRAL,
    Aggregation,
    Reading,
    aggregate,
)

AGAINST, FAVOR = 0, 2
SURE_AGAINST = [0.85, 0.1, 0.05]
NEUTRAL_READING = [0.2, 0.6, 0.2]


def _p(*rows):
    return np.array(rows, dtype=np.float32)


def test_mean_is_the_argmax_of_the_plain_mean():
    probabilities = _p([0.5, 0.3, 0.2], [0.1, 0.3, 0.6])
    reading = aggregate(probabilities, Aggregation.mean())
    assert reading.label == FAVOR  # means 0.3 / 0.3 / 0.4
    assert reading.confidence == pytest.approx(0.4)


def test_neutral_readings_outvote_a_side_in_the_mean_but_not_without_their_weight():
    probabilities = _p(SURE_AGAINST, NEUTRAL_READING, NEUTRAL_READING)
    assert aggregate(probabilities, Aggregation.mean()).label == NEUTRAL
    assert aggregate(probabilities, Aggregation(neutral_weight=0.0)).label == AGAINST
    assert aggregate(probabilities, CHOSEN_AGGREGATION).label == AGAINST


def test_margin_leaves_a_weak_side_neutral():
    probabilities = _p([0.45, 0.25, 0.3])
    assert aggregate(probabilities, Aggregation(margin=0.1)).label == AGAINST
    reading = aggregate(probabilities, Aggregation(margin=0.2))
    assert reading == Reading(NEUTRAL, pytest.approx(0.25))


def test_confidence_weighting_lets_a_sure_sentence_outweigh_unsure_ones():
    probabilities = _p([0.9, 0.05, 0.05], *[[0.05, 0.5, 0.45]] * 3)
    rule = Aggregation(neutral_weight=0.0)
    assert aggregate(probabilities, rule).label == FAVOR
    assert aggregate(probabilities, replace(rule, confidence_power=4.0)).label == AGAINST


def test_conflicting_sides_with_a_margin_are_neutral():
    probabilities = _p([0.8, 0.1, 0.1], [0.1, 0.1, 0.8])
    assert aggregate(probabilities, CHOSEN_AGGREGATION).label == NEUTRAL


def test_only_neutral_readings_are_neutral_with_their_mean_probability():
    probabilities = _p([0.0, 1.0, 0.0])
    assert aggregate(probabilities, Aggregation(neutral_weight=0.0)) == Reading(NEUTRAL, 1.0)
    assert aggregate(_p([0.0, 0.0, 0.0]), Aggregation.mean()) == Reading(NEUTRAL, 0.0)


@pytest.mark.parametrize("rule", [Aggregation.mean(), CHOSEN_AGGREGATION])
def test_does_not_depend_on_sentence_order(rule):
    rows = [SURE_AGAINST, NEUTRAL_READING, [0.1, 0.2, 0.7]]
    assert aggregate(_p(*rows), rule) == aggregate(_p(*reversed(rows)), rule)


@pytest.mark.parametrize("rule", [Aggregation.mean(), CHOSEN_AGGREGATION])
def test_confidence_is_a_probability(rule):
    rng = np.random.default_rng(0)
    for _ in range(200):
        probabilities = rng.dirichlet([1, 1, 1], size=int(rng.integers(1, 5)))
        reading = aggregate(probabilities, rule)
        assert 0.0 <= reading.confidence <= 1.0
