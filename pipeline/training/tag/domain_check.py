"""Precision and recall of the sport detector: `python -m pipeline.training.tag.domain_check`.

Measures pipeline/tag_model/domain.py against two labellings it never reads:
- CoNLL-2003 (eng.train, eng.testa): a document is sport when its headline starts with a
  Reuters sports desk ("SOCCER -", "CRICKET -", "RTRS - Tennis -", "Rugby league-..."). The
  detector is also scored without the headline, as modern news comes without one.
- the BBC corpus: a document is sport when it sits in the ``sport`` folder.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.shared_data import SharedData
from pipeline.tag_model import conll
from pipeline.tag_model.domain import is_sport
from pipeline.text.sentences import sentences as split_sentences

SPORTS_DESKS = frozenset(
    {
        "ATHLETICS",
        "AUSTRALIAN RULES",
        "BADMINTON",
        "BASEBALL",
        "BASKETBALL",
        "BOXING",
        "CRICKET",
        "CYCLING",
        "GOLF",
        "HOCKEY",
        "HORSE RACING",
        "ICE HOCKEY",
        "MOTOCROSS",
        "MOTOR RACING",
        "MOTORCYCLING",
        "RALLYING",
        "ROWING",
        "RUGBY LEAGUE",
        "RUGBY UNION",
        "SOCCER",
        "SQUASH",
        "SWIMMING",
        "TENNIS",
    }
)
_DESK = re.compile(r"(?:RTRS - )?([A-Z ]+?)\s*[-:]")

# (gold, detected) per document.
Pairs = list[tuple[bool, bool]]


def desk_is_sport(headline: Sequence[str]) -> bool:
    """Whether a CoNLL headline starts with a sports desk."""
    match = _DESK.match(" ".join(headline).upper())
    return bool(match and match.group(1).strip() in SPORTS_DESKS)


def conll_pairs(path: Path, *, headline: bool = True) -> Pairs:
    pairs: Pairs = []
    for doc in conll.read_documents(path):
        sentences = [s.tokens for s in doc.sentences]
        seen = sentences if headline else sentences[1:]
        pairs.append((desk_is_sport(sentences[0]), is_sport(seen)))
    return pairs


def bbc_pairs(folder: Path) -> Pairs:
    pairs: Pairs = []
    for path in sorted(folder.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", "replace")
        tokens = [[t.text for t in s] for s in split_sentences(text)]
        pairs.append((path.parent.name == "sport", is_sport(tokens)))
    return pairs


def report(name: str, pairs: Iterable[tuple[bool, bool]]) -> str:
    pairs = list(pairs)
    tp = sum(1 for gold, found in pairs if gold and found)
    fp = sum(1 for gold, found in pairs if found and not gold)
    fn = sum(1 for gold, found in pairs if gold and not found)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return (
        f"{name}: {len(pairs)} documents, {tp + fn} sport; precision {100 * precision:.1f}"
        f" ({tp}/{tp + fp}), recall {100 * recall:.1f} ({tp}/{tp + fn})"
    )


def main(argv: Sequence[str] | None = None) -> None:
    shared = SharedData.default()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, default=shared.conll)
    parser.add_argument("--bbc", type=Path, default=shared.bbc)
    args = parser.parse_args(argv)
    for name in ("eng.train", "eng.testa"):
        path = args.conll / name
        if path.is_file():
            print(report(name, conll_pairs(path)))
            print(report(f"{name} without headlines", conll_pairs(path, headline=False)))
    if args.bbc.is_dir():
        print(report("BBC", bbc_pairs(args.bbc)))


if __name__ == "__main__":
    main()
