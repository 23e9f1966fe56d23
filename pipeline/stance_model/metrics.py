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
