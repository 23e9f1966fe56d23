"""An article's stance towards an entity from the readings of the sentences that name it.

Averaging the sentences' probabilities lets the many sentences that only report an entity
outvote the one that takes a side: two neutral readings and one clearly against average to
neutral. ``aggregate`` weighs the evidence instead: each sentence counts by its confidence
(its top probability to the power ``confidence_power``; 0 counts every sentence alike), a
neutral reading counts ``neutral_weight`` of a side's (1 is the plain mean, 0 reads neutral
as no evidence at all), and a side is taken only when its share beats neutral's and the other
side's by ``margin``. With ``Aggregation.mean()`` it is the plain mean's argmax.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Index of the neutral class in the model's label order (pipeline.stance_model.LABELS).
NEUTRAL = 1


@dataclass(frozen=True, slots=True)
class Aggregation:
    neutral_weight: float = 1.0
    confidence_power: float = 0.0
    margin: float = 0.0

    @classmethod
    def mean(cls) -> Aggregation:
        """The plain mean of the sentences' probabilities (the stage's rule before #22)."""
        return cls(1.0, 0.0, 0.0)


# Best tune-half macro-F1 of the 288 rules tried, on the shipped model
# (`python -m pipeline.evaluation.article_stance`): 0.636 against 0.565 for the plain mean;
# held-out half 0.530 against 0.476.
CHOSEN_AGGREGATION = Aggregation(neutral_weight=0.35, confidence_power=4.0, margin=0.5)


@dataclass(frozen=True, slots=True)
class Reading:
    label: int  # index into the model's labels
    # A side: its share of the weighted evidence; neutral: the mean neutral probability.
    confidence: float


def aggregate(probabilities: np.ndarray, rule: Aggregation) -> Reading:
    """One reading from ``probabilities`` (sentences x 3 classes, against/neutral/favor)."""
    weights = probabilities.max(axis=1) ** rule.confidence_power
    evidence = (probabilities * weights[:, None]).sum(axis=0)
    evidence[NEUTRAL] *= rule.neutral_weight
    total = float(evidence.sum())
    if total <= 0.0:  # only neutral readings, and they were discounted
        return Reading(NEUTRAL, float(probabilities[:, NEUTRAL].mean()))
    shares = evidence / total
    against, neutral, favor = (float(x) for x in shares)
    side = 0 if against >= favor else 2
    other = favor if side == 0 else against
    if shares[side] > neutral and shares[side] - max(other, neutral) >= rule.margin:
        return Reading(side, float(shares[side]))
    # Neutral's share means little when neutral readings were discounted: report their mean.
    return Reading(NEUTRAL, float(probabilities[:, NEUTRAL].mean()))
