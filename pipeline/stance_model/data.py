"""NewsMTSC reading and the deterministic train/dev split.

A NewsMTSC line is one sentence with one or more targets, each a character span (``to``
exclusive), an optional list of ``further_mentions`` (coreferent spans in the same sentence)
and a polarity: 2.0 negative, 4.0 neutral, 6.0 positive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

POLARITY_TO_LABEL = {2.0: "against", 4.0: "neutral", 6.0: "favor"}
DEV_PERCENT = 10


@dataclass(frozen=True, slots=True)
class Target:
    gid: str
    spans: tuple[tuple[int, int], ...]  # the main mention first, then further mentions
    label: str | None  # None when the gold polarity is not (to be) read


@dataclass(frozen=True, slots=True)
class Sentence:
    primary_gid: str
    text: str
    targets: tuple[Target, ...]


def read_newsmtsc(path: Path, *, with_labels: bool = True) -> Iterator[Sentence]:
    """Yield the sentences of a NewsMTSC JSONL file; ``with_labels=False`` never reads polarity."""
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                yield _sentence(orjson.loads(line), with_labels)


def _sentence(record: dict[str, Any], with_labels: bool) -> Sentence:
    targets = []
    for target in record["targets"]:
        spans = [(int(target["from"]), int(target["to"]))]
        spans += [(int(m["from"]), int(m["to"])) for m in target.get("further_mentions", ())]
        label = POLARITY_TO_LABEL[float(target["polarity"])] if with_labels else None
        targets.append(Target(gid=target["Input.gid"], spans=tuple(spans), label=label))
    return Sentence(record["primary_gid"], record["sentence_normalized"], tuple(targets))


def article_key(primary_gid: str) -> str:
    """The source article of a sentence.

    ``allsides_1018_408_1_Hillary Clinton_2_17`` -> ``allsides_1018_408``.

    Splitting by article rather than by sentence keeps sentences about the same story (and
    often the same target) from landing on both sides of the split.
    """
    return "_".join(primary_gid.split("_", 3)[:3])


def is_dev(primary_gid: str) -> bool:
    digest = hashlib.sha256(article_key(primary_gid).encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < DEV_PERCENT


def split(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """(train, dev): about 10% of the source articles, chosen by hash, go to dev."""
    train = [s for s in sentences if not is_dev(s.primary_gid)]
    dev = [s for s in sentences if is_dev(s.primary_gid)]
    return train, dev
