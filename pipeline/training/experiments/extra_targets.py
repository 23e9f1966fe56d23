"""EXPERIMENT, not used by any make target: unlabelled stance targets for distillation.

    python -m pipeline.training.experiments.extra_targets --out FILE [--limit 6000]

NewsMTSC marks one or two targets per sentence, while the stage scores every entity the tagger
finds. Here the shipped tagger runs over the training split's sentences, and the entities that
do not overlap a gold target become further targets, without a polarity: the teacher labels
them (pipeline/training/experiments/teacher.py) and the student learns from those labels. The dev
split is never read, so its score stays a held-out one. Output is NewsMTSC-form JSONL, one line
per sentence that has such entities, under the sentence's own primary_gid.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import orjson

from pipeline.shared_data import SharedData
from pipeline.stages.tag import Tagger
from pipeline.stance_model.data import Sentence, read_newsmtsc, split


def extra_targets(tagger: Tagger, index: int, sentence: Sentence) -> list[dict[str, Any]]:
    """Targets for the entities of ``sentence`` that no gold target overlaps."""
    tagged = tagger({"id": f"m{index}", "body": sentence.text, "language": "en"})
    gold = [span for target in sentence.targets for span in target.spans]
    targets = []
    for number, entity in enumerate(tagged.get("entities") or []):
        spans = [(m["start"], m["end"]) for m in entity["mentions"]]
        if any(a < d and c < b for a, b in spans for c, d in gold):
            continue
        target: dict[str, Any] = {
            "Input.gid": f"x{index}_{number}",
            "from": spans[0][0],
            "to": spans[0][1],
            "mention": entity["name"],
        }
        if spans[1:]:
            target["further_mentions"] = [{"from": s, "to": e} for s, e in spans[1:]]
        targets.append(target)
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SharedData.default().newsmtsc_train)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=6000, help="about this many targets")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tagger = Tagger.load()
    train, _ = split(list(read_newsmtsc(args.data)))
    records = []
    for index, sentence in enumerate(train):
        targets = extra_targets(tagger, index, sentence)
        if targets:
            records.append(
                {
                    "primary_gid": sentence.primary_gid,
                    "sentence_normalized": sentence.text,
                    "targets": targets,
                }
            )
    # A random subset of sentences keeps the teacher's labelling time bounded.
    random.Random(args.seed).shuffle(records)
    kept = 0
    with args.out.open("wb") as out:
        for record in records:
            if kept >= args.limit:
                break
            out.write(orjson.dumps(record) + b"\n")
            kept += len(record["targets"])
    print(f"{kept} extra targets -> {args.out}")


if __name__ == "__main__":
    main()
