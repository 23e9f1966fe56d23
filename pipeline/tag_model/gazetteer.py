"""Entity-name lists learnt from the training data, matched as longest token spans.

Built from eng.train's own annotations only. When featurising the training set itself, each
document must be matched against a list built WITHOUT it (see `train.py`), otherwise the CRF
learns to trust a feature that is always right on train and far less so on unseen text.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

MAX_SPAN = 6


class Gazetteer:
    """Lower-cased token tuples -> the entity types they were annotated with."""

    def __init__(self, entries: dict[tuple[str, ...], tuple[str, ...]]) -> None:
        self.entries = entries
        self._first_tokens = {key[0] for key in entries}
        self._longest = max((len(key) for key in entries), default=0)

    @classmethod
    def from_counts(
        cls, counts: dict[tuple[str, ...], Counter[str]], min_count: int = 1
    ) -> Gazetteer:
        entries = {}
        for key, by_type in counts.items():
            kinds = tuple(sorted(k for k, n in by_type.items() if n >= min_count))
            if kinds:
                entries[key] = kinds
        return cls(entries)

    @staticmethod
    def count(spans: Iterable[tuple[Sequence[str], str]]) -> dict[tuple[str, ...], Counter[str]]:
        counts: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        for tokens, kind in spans:
            if len(tokens) <= MAX_SPAN:
                counts[tuple(t.lower() for t in tokens)][kind] += 1
        return counts

    def match(
        self, lowered: Sequence[str], capitalised: Sequence[bool], prefix: str = "g"
    ) -> list[list[str]]:
        """Per-token features for the longest matches that start at a capitalised token."""
        features: list[list[str]] = [[] for _ in lowered]
        n = len(lowered)
        i = 0
        while i < n:
            if not capitalised[i] or lowered[i] not in self._first_tokens:
                i += 1
                continue
            for length in range(min(self._longest, n - i), 0, -1):
                kinds = self.entries.get(tuple(lowered[i : i + length]))
                if kinds is None:
                    continue
                for kind in kinds:
                    if length == 1:
                        features[i].append(f"{prefix}=U-{kind}")
                    else:
                        features[i].append(f"{prefix}=B-{kind}")
                        for j in range(i + 1, i + length - 1):
                            features[j].append(f"{prefix}=I-{kind}")
                        features[i + length - 1].append(f"{prefix}=L-{kind}")
                i += length - 1
                break
            i += 1
        return features

    def save(self, path: Path) -> None:
        rows = sorted([" ".join(key), " ".join(kinds)] for key, kinds in self.entries.items())
        path.write_text(json.dumps(rows, ensure_ascii=False, separators=(",", ":")), "utf-8")

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        rows = json.loads(path.read_text("utf-8"))
        return cls({tuple(name.split(" ")): tuple(kinds.split(" ")) for name, kinds in rows})
