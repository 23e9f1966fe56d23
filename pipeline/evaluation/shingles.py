"""Shingle-based scoring of extracted article bodies.

The metric is the one of scrapinghub's article-extraction-benchmark: the text is split into
``\\w+`` tokens, every 4 consecutive tokens form a shingle, and the multisets of true and
predicted shingles give tp/fp/fn per page. Each page's counts are divided by their sum so that
long articles do not outweigh short ones; precision and recall are averaged over pages and F1 is
computed from those two averages (not averaged per page).

Edge cases follow the benchmark so our figures compare with its published ones:
a text with fewer than 4 tokens is one shorter shingle; a page where both texts are empty (no
fp, no fn) scores precision = recall = 1; an empty prediction for a non-empty truth scores 0 for
both (tp + fp = 0 would otherwise be a division by zero), and so does a non-empty prediction for
an empty truth.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class PageCounts:
    """Per-page true positives, false positives and false negatives, normalised to sum to 1."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fp == 0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fn == 0:
            return 0.0
        return self.tp / (self.tp + self.fn)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    pages: int


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


def page_counts(truth: str, prediction: str) -> PageCounts:
    true_sh, pred_sh = shingles(truth), shingles(prediction)
    tp = sum((true_sh & pred_sh).values())
    fp = sum((pred_sh - true_sh).values())
    fn = sum((true_sh - pred_sh).values())
    total = tp + fp + fn
    if total == 0:
        return PageCounts(0.0, 0.0, 0.0)
    return PageCounts(tp / total, fp / total, fn / total)


def score(pages: Iterable[PageCounts]) -> Score:
    pages = list(pages)
    if not pages:
        raise ValueError("nothing to score: no pages")
    precision = statistics.fmean(p.precision for p in pages)
    recall = statistics.fmean(p.recall for p in pages)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, len(pages))


def score_bodies(truth: Mapping[str, str], predictions: Mapping[str, str]) -> Score:
    """Score every page of ``truth``; a page missing from ``predictions`` counts as empty."""
    return score(page_counts(text, predictions.get(page_id, "")) for page_id, text in truth.items())
