"""`news-pipeline predict entities` and `news-pipeline eval entities`: whole-article entities
on real news, as a reader sees them.

The gold set (``entities_gold.json`` beside this module) lists, for 30 English pages of the
shared extraction set, each distinct real-world entity with its canonical name, CoNLL type and
every surface form in the page's true body; its pages are split into a ``tune`` half (look at
it while changing the tagger) and a ``heldout`` half (only report it).

Matching. A surface form's key is its text case-folded, with curly quotes straightened,
whitespace collapsed, a trailing possessive ('s or ') and surrounding punctuation removed and a
leading "the " dropped (``form_key``). A predicted entity *matches* a gold entity of the same
page when the key of one of its mention texts equals the key of one of the gold entity's
surface forms; typed scores also require equal types. Then:

- precision: predicted entities that match some gold entity / predicted entities;
- recall: gold entities matched by some predicted entity / gold entities;
- per-type recall: typed recall within each gold type;
- unmerged: gold entities matched by 2+ predicted entities / matched gold entities (aliases
  left apart: "US" and "United States" as two entities);
- overmerged: predicted entities matching 2+ gold entities / matched predicted entities
  ("Hanoi" folded into "Hanoi Hilton").

A split name ("Vladimir" + "Putin") or a partial span ("Britain Liu Xiaming") matches nothing.

Keys across articles (``score_keys``). Gold entities of different pages with the same
canonical name and type are one real entity; each gold entity takes the entity keys (the
trends stage's ``entity_key``) of the predictions that match it. Then:

- joined: pairs of pages naming the same gold entity whose matched keys meet / such pairs;
- wrong joins: keys matched to two or more different gold entities, listed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from pipeline.evaluation.options import (
    SHARED_DIR_ENV,
    ModelDirOption,
    SharedDirOption,
    existing_file,
    exit_with,
    shared_data,
    write_jsonl,
)
from pipeline.stages.trends import entity_key

TYPES = ("PER", "ORG", "LOC", "MISC")
HALVES = ("tune", "heldout")

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_EDGE_PUNCTUATION = " \t\n.,;:!?\"'()[]{}<>-\u2013\u2014"


def default_gold_path() -> Path:
    return Path(str(resources.files("pipeline") / "evaluation" / "entities_gold.json"))


def form_key(text: str) -> str:
    """The key two surface forms must share to be the same form (see the module docstring)."""
    key = " ".join(text.translate(_QUOTES).casefold().split())
    key = re.sub(r"'s?$", "", key).strip(_EDGE_PUNCTUATION)
    if key.startswith("the "):
        key = key[4:]
    return key


@dataclass(frozen=True)
class Entity:
    """One article's entity, gold or predicted: a type and the keys of its surface forms."""

    type: str
    keys: frozenset[str]
    name: str = ""
    # A prediction's key across articles (``entity_key``); empty for gold entities.
    entity_key: str = ""

    @classmethod
    def of(cls, kind: str, forms: Iterable[str], name: str = "", entity_key: str = "") -> Entity:
        return cls(kind, frozenset(k for k in map(form_key, forms) if k), name, entity_key)


@dataclass
class Counts:
    """What the scores are made of; adding two pages' counts gives their joint scores."""

    gold: int = 0
    predicted: int = 0
    found: int = 0  # gold entities matched by some prediction
    correct: int = 0  # predicted entities matching some gold entity
    typed_found: int = 0
    typed_correct: int = 0
    unmerged: int = 0
    overmerged: int = 0
    gold_by_type: Counter[str] = field(default_factory=Counter)
    typed_found_by_type: Counter[str] = field(default_factory=Counter)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.found + other.found,
            self.correct + other.correct,
            self.typed_found + other.typed_found,
            self.typed_correct + other.typed_correct,
            self.unmerged + other.unmerged,
            self.overmerged + other.overmerged,
            self.gold_by_type + other.gold_by_type,
            self.typed_found_by_type + other.typed_found_by_type,
        )


def score_page(gold: Sequence[Entity], predicted: Sequence[Entity]) -> Counts:
    """Counts for one article (the matching rule is in the module docstring)."""
    matches = [[bool(g.keys & p.keys) for p in predicted] for g in gold]
    counts = Counts(gold=len(gold), predicted=len(predicted))
    for g, row in zip(gold, matches, strict=True):
        counts.gold_by_type[g.type] += 1
        hits = sum(row)
        counts.found += hits > 0
        counts.unmerged += hits > 1
        if any(hit and p.type == g.type for hit, p in zip(row, predicted, strict=True)):
            counts.typed_found += 1
            counts.typed_found_by_type[g.type] += 1
    for j, p in enumerate(predicted):
        matched = [g for g, row in zip(gold, matches, strict=True) if row[j]]
        counts.correct += bool(matched)
        counts.overmerged += len(matched) > 1
        counts.typed_correct += any(g.type == p.type for g in matched)
    return counts


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def format_scores(title: str, counts: Counts) -> str:
    lines = [f"{title}: {counts.gold} gold entities, {counts.predicted} predicted"]
    for label, correct, found in (
        ("untyped", counts.correct, counts.found),
        ("typed", counts.typed_correct, counts.typed_found),
    ):
        p, r = _ratio(correct, counts.predicted), _ratio(found, counts.gold)
        lines.append(f"  {label:<8} P {100 * p:5.1f}  R {100 * r:5.1f}  F1 {100 * _f1(p, r):5.1f}")
    recall = "  ".join(
        f"{t} {100 * _ratio(counts.typed_found_by_type[t], counts.gold_by_type[t]):5.1f}"
        f" ({counts.gold_by_type[t]})"
        for t in TYPES
    )
    lines.append(f"  typed recall per type: {recall}")
    lines.append(
        f"  unmerged {100 * _ratio(counts.unmerged, counts.found):5.1f}% of found gold"
        f" ({counts.unmerged});"
        f" overmerged {100 * _ratio(counts.overmerged, counts.correct):5.1f}% of correct"
        f" predictions ({counts.overmerged})"
    )
    return "\n".join(lines)


def load_gold(path: Path | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((path or default_gold_path()).read_text("utf-8"))
    return data


def gold_entities(gold: Mapping[str, Any]) -> dict[str, list[Entity]]:
    return {
        page: [Entity.of(e["type"], e["forms"], e["name"]) for e in entities]
        for page, entities in gold["pages"].items()
    }


def predicted_entities(record: Mapping[str, Any]) -> list[Entity]:
    """The entities of one tagged (or enriched) record."""
    return [
        Entity.of(
            e["type"],
            (m["text"] for m in e.get("mentions") or []),
            e.get("name", ""),
            entity_key(e),
        )
        for e in record.get("entities") or []
    ]


@dataclass
class KeyScores:
    """How the entity keys join the gold set's pages (see the module docstring)."""

    pairs: int = 0
    joined: int = 0
    # key -> the different gold entities (name, type) it was matched to
    wrong_joins: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # gold entities (name, type) on 2+ pages whose pages were not all joined
    apart: list[tuple[str, str]] = field(default_factory=list)


def score_keys(
    gold: Mapping[str, Sequence[Entity]], predicted: Mapping[str, Sequence[Entity]]
) -> KeyScores:
    keys_of: dict[tuple[str, str], list[set[str]]] = {}
    gold_of_key: dict[str, set[tuple[str, str]]] = {}
    for page, entities in gold.items():
        for g in entities:
            keys = {p.entity_key for p in predicted.get(page, ()) if g.keys & p.keys}
            if not keys:
                continue
            keys_of.setdefault((g.name, g.type), []).append(keys)
            for key in keys:
                gold_of_key.setdefault(key, set()).add((g.name, g.type))
    scores = KeyScores()
    for identity, pages in keys_of.items():
        pairs = [(a, b) for i, a in enumerate(pages) for b in pages[i + 1 :]]
        joined = sum(bool(a & b) for a, b in pairs)
        scores.pairs += len(pairs)
        scores.joined += joined
        if joined < len(pairs):
            scores.apart.append(identity)
    scores.wrong_joins = {k: sorted(v) for k, v in sorted(gold_of_key.items()) if len(v) > 1}
    return scores


def format_key_scores(scores: KeyScores) -> str:
    lines = [
        f"keys across pages: {scores.joined} of {scores.pairs} page pairs naming the same gold "
        f"entity share a key ({100 * _ratio(scores.joined, scores.pairs):.1f}%)"
    ]
    if scores.apart:
        lines.append("  not always joined: " + "; ".join(f"{n} ({t})" for n, t in scores.apart))
    lines.append(f"  wrong joins (one key, different gold entities): {len(scores.wrong_joins)}")
    lines += [
        f"    {key}: " + "; ".join(f"{n} ({t})" for n, t in names)
        for key, names in scores.wrong_joins.items()
    ]
    return "\n".join(lines)


def tag_pages(
    pages: Iterable[str], bodies: Mapping[str, str], model_dir: Path | None = None
) -> list[dict[str, Any]]:
    """Normalise and tag each page's true body, given as a raw record {"id", "body"}, with the
    shipped tagger or the one in `model_dir`."""
    from pipeline.chain import Chain
    from pipeline.stages.registry import StageContext

    chain = Chain(["normalise", "tag"], StageContext(tag_model_dir=model_dir))
    return [chain.enrich({"id": page, "body": bodies[page]}) for page in pages]


def _true_bodies(shared_dir: Path | None) -> dict[str, str]:
    truth = shared_data(shared_dir).extraction / "ground-truth.json"
    if not truth.is_file():
        exit_with(f"no extraction ground truth at {truth}: pass --shared-dir ({SHARED_DIR_ENV})")
    return {page: v["articleBody"] for page, v in json.loads(truth.read_text("utf-8")).items()}


def score(gold: Mapping[str, Any], records: Iterable[Mapping[str, Any]]) -> dict[str, Counts]:
    """Counts per half and overall; a gold page without a record counts as tagged empty."""
    by_page = {str(r.get("id")): predicted_entities(r) for r in records}
    entities = gold_entities(gold)
    out: dict[str, Counts] = {}
    for half in HALVES:
        out[half] = sum(
            (score_page(entities[page], by_page.get(page, [])) for page in gold["split"][half]),
            Counts(),
        )
    out["all"] = out["tune"] + out["heldout"]
    return out


GoldOption = Annotated[
    Path | None,
    existing_file("entity gold file (default: the shipped entities_gold.json)"),
]


def predict_cli(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write here, not stdout")
    ] = None,
    gold: GoldOption = None,
    shared_dir: SharedDirOption = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Tag the true body of every page in the entity gold set; one tagged record per line."""
    gold_data = load_gold(gold)
    records = tag_pages(gold_data["pages"], _true_bodies(shared_dir), model_dir)
    write_jsonl(records, output)


def eval_cli(
    predictions: Annotated[
        Path | None,
        existing_file(
            "score this JSONL of tagged or enriched records (`enrich`, `predict entities`)"
            " instead of running the tagger; records are found by id"
        ),
    ] = None,
    gold: GoldOption = None,
    shared_dir: SharedDirOption = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Entity-level precision, recall and F1 (untyped and typed), per-type recall and the
    unmerged share, on the tune half, the held-out half and both, of the entity gold set."""
    gold_data = load_gold(gold)
    if predictions is None:
        records = tag_pages(gold_data["pages"], _true_bodies(shared_dir), model_dir)
    else:
        with predictions.open("rb") as lines:
            records = [orjson.loads(line) for line in lines if line.strip()]
    for half, counts in score(gold_data, records).items():
        typer.echo(format_scores(f"{half} ({_pages(gold_data, half)} pages)", counts))
    by_page = {str(r.get("id")): predicted_entities(r) for r in records}
    typer.echo(format_key_scores(score_keys(gold_entities(gold_data), by_page)))


def _pages(gold: Mapping[str, Any], half: str) -> int:
    return len(gold["pages"]) if half == "all" else len(gold["split"][half])
