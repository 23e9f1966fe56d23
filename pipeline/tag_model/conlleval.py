"""Entity-level exact-match scoring with conlleval's semantics.

A predicted chunk counts only if its type and both boundaries equal a gold chunk's. Chunks never
cross sentence boundaries, so counts are summed per sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.tag_model.conll import chunks


@dataclass
class Scores:
    """True positives and chunk counts, overall and per type."""

    correct: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    tokens: int = 0
    tokens_correct: int = 0

    def add(self, gold_tags: Sequence[str], predicted_tags: Sequence[str]) -> None:
        if len(gold_tags) != len(predicted_tags):
            raise ValueError(f"{len(gold_tags)} gold tags but {len(predicted_tags)} predicted")
        gold = set(chunks(gold_tags))
        predicted = set(chunks(predicted_tags))
        self.gold.update(kind for kind, _, _ in gold)
        self.predicted.update(kind for kind, _, _ in predicted)
        self.correct.update(kind for kind, _, _ in gold & predicted)
        self.tokens += len(gold_tags)
        self.tokens_correct += sum(
            _kind(g) == _kind(p) for g, p in zip(gold_tags, predicted_tags, strict=True)
        )

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        """Precision, recall and F1 for one type, or micro-averaged over all when kind is None."""
        if kind is None:
            correct = sum(self.correct.values())
            gold = sum(self.gold.values())
            predicted = sum(self.predicted.values())
        else:
            correct, gold, predicted = self.correct[kind], self.gold[kind], self.predicted[kind]
        precision = correct / predicted if predicted else 0.0
        recall = correct / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    @property
    def types(self) -> list[str]:
        return sorted(set(self.gold) | set(self.predicted))


def _kind(tag: str) -> str:
    return tag.partition("-")[2] if "-" in tag else "O"


def score(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> Scores:
    """Score (gold tags, predicted tags) sentence pairs."""
    scores = Scores()
    for gold, predicted in pairs:
        scores.add(gold, predicted)
    return scores


def format_table(scores: Scores) -> str:
    rows = [f"{'type':<8}{'precision':>10}{'recall':>10}{'F1':>10}{'gold':>8}{'pred':>8}"]
    for kind in [*scores.types, None]:
        p, r, f = scores.prf(kind)
        gold = scores.gold[kind] if kind else sum(scores.gold.values())
        pred = scores.predicted[kind] if kind else sum(scores.predicted.values())
        name = kind or "overall"
        rows.append(f"{name:<8}{100 * p:>10.2f}{100 * r:>10.2f}{100 * f:>10.2f}{gold:>8}{pred:>8}")
    accuracy = scores.tokens_correct / scores.tokens if scores.tokens else 0.0
    rows.append(f"token accuracy {100 * accuracy:.2f}% over {scores.tokens} tokens")
    return "\n".join(rows)
