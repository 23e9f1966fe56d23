"""Person-name lists for the tagger's features (an experiment, not in the shipped model).

``python -m pipeline.training.tag.names --output DIR/names.json``, then
``python -m pipeline.training.tag.train --output DIR`` trains with them (or pass ``--names``).

eng.train's people are 1996 Reuters' people; on modern news the tagger types players and
artists it never saw ("Megan Cook", "Jessica Newton") as ORG. US Census first and last names
give the CRF a hint that a capitalised word is a common given name or surname. The hints are
features (``n=U-first``), not overrides, matched like places.py's place names (only where the
token is capitalised), and the CRF learns from eng.train how far to trust them. The census
surname list also holds everyday words ("Young", "White", "Long", "Bank"), so surnames come in
frequency buckets by census rank and the CRF weighs each bucket on its own.

Source: the PyPI package `names` (MIT; the `train` extra), whose dist.male.first,
dist.female.first and dist.all.last are the 1990 US Census name files (public domain): one
name a line with its frequency, cumulative frequency and rank. Written in the gazetteer's
format, so the runtime needs no new package.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.tag_model.gazetteer import Gazetteer

# Rank cut-offs: first names up to FIRST_RANKS[0] are "first1", the rest "first2"; surnames up to
# LAST_RANKS[0] are "last1", up to LAST_RANKS[1] "last2", ...; rarer surnames are left out. Top
# 100 on its own because the everyday words cluster there ("Brown" 5, "Young" 28, "Long" 86);
# past 10,000 the list holds more place names and titles than people ("Toulouse", "President"):
# keeping surnames to 50,000 scored lower on eng.testa (PROVENANCE.md).
FIRST_RANKS = (500,)
LAST_RANKS = (100, 1_000, 10_000)


def read_census(lines: Iterable[str]) -> list[tuple[str, int]]:
    """(name, rank) from a census name file: NAME  frequency  cumulative  rank."""
    rows = []
    for line in lines:
        fields = line.split()
        if len(fields) == 4 and fields[0].isalpha():
            rows.append((fields[0].lower(), int(fields[3])))
    return rows


def _bucket(rank: int, cut_offs: Sequence[int]) -> int | None:
    for number, cut_off in enumerate(cut_offs, 1):
        if rank <= cut_off:
            return number
    return None


def build(
    first: Iterable[tuple[str, int]],
    last: Iterable[tuple[str, int]],
    first_ranks: Sequence[int] = FIRST_RANKS,
    last_ranks: Sequence[int] = LAST_RANKS,
) -> Gazetteer:
    """Lower-cased name -> its buckets ("first1", "last2", ...); a name in both lists (or in
    both first-name lists, at its best rank) gets a first-name and a surname bucket."""
    best_first: dict[str, int] = {}
    for name, rank in first:
        best_first[name] = min(rank, best_first.get(name, rank))
    kinds: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for name, rank in best_first.items():
        kinds[(name,)].add(f"first{_bucket(rank, first_ranks) or len(first_ranks) + 1}")
    for name, rank in last:
        bucket = _bucket(rank, last_ranks)
        if bucket is not None:
            kinds[(name,)].add(f"last{bucket}")
    return Gazetteer({key: tuple(sorted(k)) for key, k in kinds.items()})


def from_names_package(
    first_ranks: Sequence[int] = FIRST_RANKS, last_ranks: Sequence[int] = LAST_RANKS
) -> Gazetteer:
    from importlib import resources

    files = resources.files("names")

    def rows(name: str) -> list[tuple[str, int]]:
        return read_census(files.joinpath(name).read_text("utf-8").splitlines())

    first = rows("dist.male.first") + rows("dist.female.first")
    return build(first, rows("dist.all.last"), first_ranks, last_ranks)


def _ranks(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(","))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="where to write names.json")
    parser.add_argument(
        "--first-ranks",
        type=_ranks,
        default=FIRST_RANKS,
        help="first-name bucket cut-offs by census rank, comma-separated (all names are kept)",
    )
    parser.add_argument(
        "--last-ranks",
        type=_ranks,
        default=LAST_RANKS,
        help="surname bucket cut-offs by census rank, comma-separated; the last one drops rarer",
    )
    args = parser.parse_args(argv)
    names = from_names_package(args.first_ranks, args.last_ranks)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    names.save(args.output)
    print(f"{len(names.entries):,} names -> {args.output}")


if __name__ == "__main__":
    main()
