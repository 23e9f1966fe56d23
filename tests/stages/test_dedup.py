"""The dedup stage: first seen wins, copies and near copies are found, different stories are
not, replays change nothing, and the memory stays within its window."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pipeline.shared_data import SharedData
from pipeline.stages.dedup import Deduplicator, MemoryDedupState
from pipeline.stages.normalise import normalise
from pipeline.text.fingerprints import words

STORY = (
    "The city council voted on Tuesday to close the old bridge over the river for repairs "
    "that engineers say are long overdue.\n\nTraffic will be diverted through the northern "
    "ring road for at least six months, and buses will run every ten minutes instead of every "
    "twenty.\n\nLocal shop owners said they feared losing customers during the busy summer "
    "season, while cycling groups welcomed a temporary ferry for bikes."
)
OTHER = (
    "Scientists have mapped a coral reef off the coast that had never been surveyed, finding "
    "dozens of species not recorded in the region before.\n\nThe team used underwater drones "
    "and divers over three weeks, and will publish its data openly next year."
)


def article(article_id: str, body: str, url: str | None = None) -> dict[str, Any]:
    return {"id": article_id, "body": body, "url": url}


def test_first_seen_wins_and_copies_point_to_it() -> None:
    dedup = Deduplicator(MemoryDedupState())
    first = dedup(article("a", STORY, "https://news.example/bridge"))
    assert (first["duplicate_of"], first["duplicate_kind"]) == (None, None)
    assert dedup(article("b", OTHER))["duplicate_of"] is None
    same_url = dedup(article("c", OTHER + " Updated.", "https://news.example/bridge"))
    assert (same_url["duplicate_of"], same_url["duplicate_kind"]) == ("a", "same_url")
    retyped = STORY.replace("'", "\u2019").replace("  ", " ").upper()
    assert dedup(article("d", retyped))["duplicate_kind"] == "same_content"
    near = dedup(article("e", STORY + "\n\nThe council will meet again next month."))
    assert (near["duplicate_of"], near["duplicate_kind"]) == ("a", "near")


def test_a_copy_of_a_copy_points_to_the_first_article() -> None:
    dedup = Deduplicator(MemoryDedupState())
    dedup(article("a", STORY))
    dedup(article("b", STORY + "\n\nA paragraph added to the first copy, with several new words."))
    third = dedup(
        article(
            "c",
            STORY + "\n\nA paragraph added to the first copy, with several "
            "new words. And a second one.",
        )
    )
    assert third["duplicate_of"] == "a"


def test_processing_an_article_again_gives_the_same_answer() -> None:
    state = MemoryDedupState()
    dedup = Deduplicator(state)
    first = dedup(article("a", STORY, "https://news.example/bridge"))
    copy = dedup(article("b", STORY))
    # A replay after a crash: the state already holds both.
    assert dedup(article("a", STORY, "https://news.example/bridge")) == first
    assert dedup(article("b", STORY)) == copy
    assert len(state) == 2


def test_the_window_forgets_the_oldest_articles() -> None:
    dedup = Deduplicator(MemoryDedupState(window=2))
    dedup(article("a", STORY))
    dedup(article("b", OTHER))
    dedup(article("c", "A third story about something else entirely, told in its own words."))
    assert dedup(article("d", STORY))["duplicate_of"] is None  # "a" was forgotten
    assert dedup(article("e", OTHER))["duplicate_of"] is None  # "b" went when "d" came
    with pytest.raises(ValueError):
        MemoryDedupState(window=0)


# Real data: the BBC corpus (shared/, not in the repo).

BBC = SharedData.default().bbc
needs_bbc = pytest.mark.skipif(not BBC.is_dir(), reason="shared BBC corpus absent")


def _bbc() -> list[tuple[Path, dict[str, Any]]]:
    articles = []
    for path in sorted(BBC.glob("*/*.txt")):
        title, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n\n")
        raw = {"id": f"{path.parent.name}/{path.stem}", "title": title.strip(), "body": body}
        articles.append((path, normalise(raw)))
    return articles


def _shingles(text: str) -> set[str]:
    tokens = words(text)
    return {" ".join(tokens[i : i + 5]) for i in range(len(tokens) - 4)}


def _jaccard(first: str, second: str) -> float:
    a, b = _shingles(first), _shingles(second)
    return len(a & b) / len(a | b) if a | b else 1.0


@pytest.fixture(scope="module")
def bbc() -> list[tuple[Path, dict[str, Any]]]:
    return _bbc()


@pytest.mark.slow
@needs_bbc
def test_every_exact_copy_in_the_bbc_corpus_is_found(bbc: list[tuple[Path, dict]]) -> None:
    by_bytes: dict[str, list[str]] = defaultdict(list)
    for path, normalised in bbc:
        by_bytes[hashlib.sha256(path.read_bytes()).hexdigest()].append(normalised["id"])
    copies = {i: ids[0] for ids in by_bytes.values() for i in ids[1:]}
    assert len(copies) == 98  # the corpus's own count
    dedup = Deduplicator(MemoryDedupState())
    results = {r["id"]: r for r in (dedup(normalised) for _, normalised in bbc)}
    roots = {i: r["duplicate_of"] or i for i, r in results.items()}
    for copy, original in copies.items():
        assert results[copy]["duplicate_kind"] == "same_content", copy
        assert results[copy]["duplicate_of"] == roots[original], copy


def _near_copies(body: str, rng: random.Random, filler: str) -> list[str]:
    paragraphs = body.split("\n\n")
    edited = list(paragraphs)
    i = rng.randrange(len(edited))
    tokens = edited[i].split()
    for _ in range(min(3, len(tokens))):
        tokens[rng.randrange(len(tokens))] = "revised"
    edited[i] = " ".join(tokens)
    return [
        body + "\n\n" + filler,  # a paragraph added
        "\n\n".join(edited),  # a paragraph edited
        "Share this story: Facebook, X, Email.\n\n" + body + "\n\nMore from this section. "
        "Sign up for our morning newsletter and get the news in your inbox.",  # boilerplate
        body.replace("'", "\u2019").replace('"', "\u201c").replace(". ", ".   "),  # retyped
    ]


@pytest.mark.slow
@needs_bbc
def test_near_copies_are_found_and_different_stories_are_not(bbc: list[tuple[Path, dict]]) -> None:
    rng = random.Random(7)
    dedup = Deduplicator(MemoryDedupState())
    roots = {}
    for _, normalised in bbc:
        roots[normalised["id"]] = dedup(normalised)["duplicate_of"] or normalised["id"]
    originals = [n for _, n in bbc if roots[n["id"]] == n["id"]]
    found = total = 0
    for original in rng.sample(originals, 200):
        filler = rng.choice(originals)["body"].split("\n\n")[0]
        for n, body in enumerate(_near_copies(original["body"], rng, filler)):
            copy = normalise({"id": f"{original['id']}~{n}", "body": body})
            total += 1
            found += dedup(copy)["duplicate_of"] == original["id"]
    assert found / total >= 0.95, f"near-copy recall {found / total:.3f}"

    by_category: dict[str, list[dict]] = defaultdict(list)
    for article_ in originals:
        by_category[article_["id"].split("/")[0]].append(article_)
    pairs = flagged = 0
    while pairs < 500:
        first, second = rng.sample(by_category[rng.choice(sorted(by_category))], 2)
        if _jaccard(first["body"], second["body"]) >= 0.2:
            continue  # the same story retold (the corpus has a few): not a "different" pair
        fresh = Deduplicator(MemoryDedupState())
        fresh(first)
        pairs += 1
        flagged += fresh(second)["duplicate_of"] is not None
    assert 1 - flagged / pairs >= 0.99, f"{flagged} of {pairs} different stories flagged"
