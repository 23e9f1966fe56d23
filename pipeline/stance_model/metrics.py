"""Per-class precision/recall/F1 and macro-F1 over the three stance labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.stance_model import LABELS


@dataclass(frozen=True, slots=True)
class ClassScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def per_class(gold: Sequence[str], predicted: Sequence[str]) -> list[ClassScore]:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    scores = []
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        n_predicted = sum(p == label for p in predicted)
        n_gold = sum(g == label for g in gold)
        precision = tp / n_predicted if n_predicted else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(ClassScore(label, precision, recall, f1, n_gold))
    return scores


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    scores = per_class(gold, predicted)
    return sum(s.f1 for s in scores) / len(scores)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """How far stated confidence is from accuracy: the gap in each of ``bins`` equal-width
    confidence bins, weighted by the share of predictions in the bin."""
    if len(confidences) != len(correct):
        raise ValueError(f"{len(confidences)} confidences but {len(correct)} outcomes")
    if not confidences:
        return 0.0
    total = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [
            (c, ok)
            for c, ok in zip(confidences, correct, strict=True)
            if low < c <= high or (b == 0 and c == 0.0)
        ]
        if members:
            accuracy = sum(ok for _, ok in members) / len(members)
            confidence = sum(c for c, _ in members) / len(members)
            total += len(members) / len(confidences) * abs(accuracy - confidence)
    return total
