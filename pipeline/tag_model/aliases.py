"""Mentions -> the article's entities: aliases merged, a type voted, salience scored.

Within one article "Sir Keir Starmer", "Sir Keir" and "Starmer" are one person, "Keir Starmer";
"Mr Putin" is "Vladimir Putin" when the full name appears; "Patrick W. Carlineo", "Pat Carlineo"
and "Patrick Carlineo Jr." are one man, "Kim Sang Hee" and "Kim Jong Hee" two; "EU" is the
"European Union", "N.M." "New Mexico", "Apple Inc." "Apple". The mentions come from ``spans``,
which strips the titles, cuts run-on names and re-types spans by their own words.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from nicknames import NickNamer

from pipeline.tag_model.spans import Mention
from pipeline.tag_model.wordlists import (
    GENERATIONAL_SUFFIXES,
    HONORIFICS,
    LEGAL_SUFFIXES,
    NAME_BREAKS,
    ORG_KIND_WORDS,
    PLACE_NAMES,
    bare,
    office_word,
)
from pipeline.text.abbreviations import long_form_start

_POSITION_WEIGHT = 0.4


@dataclass
class _Entity:
    kind: str
    words: tuple[str, ...]
    mentions: list[Mention] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, mention: Mention) -> None:
        self.mentions.append(mention)
        # A longer form carries more context than an acronym or a surname: its vote weighs more.
        self.kinds[mention.kind] += len(mention.tokens)


def _contains(name: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(name[k : k + n] == part for k in range(len(name) - n + 1))


def _acronym(words: tuple[str, ...]) -> str:
    return "".join(w[0] for w in words if w[:1].isalpha() and w not in {"of", "the", "and", "for"})


def merge(
    mentions: Sequence[Mention], body: str, key: Callable[[str, str], str] | None = None
) -> list[dict[str, Any]]:
    """Group mentions into entities; longer names first so short forms can join them.

    With `key` (name, type -> key; the tag stage passes ``keys.entity_key``) each entity gets
    its ``key``, and entities that get one key are one."""
    entities: list[_Entity] = []
    by_length = sorted(mentions, key=lambda m: (-len(m.tokens), m.start))
    named_alone = {m.words[0] for m in mentions if len(m.words) == 1 and m.kind != "PER"}
    for mention in by_length:
        words = mention.words
        # A form already joined to an entity ("EA" after "Environment Agency (EA)") joins it again.
        target = next((e for e in entities if any(m.words == words for m in e.mentions)), None)
        if target is None and mention.kind == "PER" and len(words) > 1:
            target = _same_person(words, entities)
        if target is None and mention.kind != "PER":
            org = mention.kind == "ORG"
            core = name_key(words, org)
            target = next(
                (
                    e
                    for e in entities
                    if e.kind != "PER" and name_key(e.words, org and e.kind == "ORG") == core
                ),
                None,
            )
        if target is None and len(words) == 1:
            target = _owned_name(words[0], entities, named_alone)
        if (
            target is None
            and not mention.sure
            and len(words) < 4
            and (mention.kind == "PER" or len(words) == 1)
        ):
            target = _person_with(words, entities)
        if target is None and mention.kind != "PER" and len(words) == 1:
            target = _expansion_of(mention, entities, body)
        if target is None:
            office = mention.kind == "PER" and len(words) == 1 and office_word(words[0])
            if office and not _after_honorific(mention, body):
                continue  # "the Chancellor said": an office; "Mr King" is a person
            target = _Entity(mention.kind, words)
            entities.append(target)
        target.add(mention)
    return _finish(entities, body, key)


def _after_honorific(mention: Mention, body: str) -> bool:
    before = body[: mention.start].split()
    return bool(before) and bare(before[-1]) in HONORIFICS


def name_key(words: tuple[str, ...], organisation: bool) -> tuple[str, ...]:
    """What two non-person names must share to be one entity: one country's or state's names
    share its first name ("US", "U.S.", "America" -> "united states"; "N.M." -> "new mexico"); a
    company is the same with or without its legal form or a leading "The" ("The Home Depot
    Inc." -> "home depot"), and two `organisation`s with or without the word for their kind
    ("Emirates Airline" -> "emirates")."""
    place = PLACE_NAMES.get(" ".join(words).rstrip("."))
    if place is not None:
        return (place,)
    core = list(words)
    if len(core) > 1 and core[0] == "the":
        core.pop(0)
    while len(core) > 1 and (
        core[-1].rstrip(".") in LEGAL_SUFFIXES
        or core[-1] in {",", "&"}
        or (organisation and core[-1] in ORG_KIND_WORDS)
    ):
        core.pop()
    return tuple(core)


def _owned_name(word: str, entities: Sequence[_Entity], named_alone: set[str]) -> _Entity | None:
    """The two-word name a one-word name is short for when the first word is its owner, named
    on its own in the article too: "Stadia" is "Google Stadia" where "Google" is an entity,
    "Alexa" "Amazon Alexa". "Korea" does not join "South Korea": "South" is no entity."""
    return next(
        (
            e
            for e in entities
            if e.kind != "PER"
            and len(e.words) == 2
            and e.words[1] == word
            and e.words[0] in named_alone
        ),
        None,
    )


_NICKNAMES = NickNamer()


def _same_person(words: tuple[str, ...], entities: Sequence[_Entity]) -> _Entity | None:
    """The person a full name is another form of: the same surname and first name, give or
    take a nickname ("Pat"/"Patrick"), an initial ("J."/"John"), a middle name or initial and a
    generational suffix. "Patrick W. Carlineo", "Pat Carlineo" and "Patrick Carlineo Jr." are one
    man; "Kim Sang Hee" and "Kim Jong Hee", or "Elizabeth" and "Victor Burton", are not."""
    name = _name_parts(words)
    if name is None:
        return None
    matches = [
        e
        for e in entities
        if e.kind == "PER"
        and any(_same_name(name, _name_parts(m.words)) for m in e.mentions if m.kind == "PER")
    ]
    # "J. Smith" beside "John Smith" and "Jane Smith" could be either: it joins neither.
    return matches[0] if len(matches) == 1 else None


def _name_parts(words: tuple[str, ...]) -> tuple[str, tuple[str, ...], str] | None:
    """First name, middle names and surname of a person's name of two words or more."""
    core = [w.rstrip(".") for w in words if w.rstrip(".") not in GENERATIONAL_SUFFIXES]
    core = [w for w in core if w not in {",", ""}]
    if len(core) < 2:
        return None
    return core[0], tuple(core[1:-1]), core[-1]


def _same_name(
    name: tuple[str, tuple[str, ...], str], other: tuple[str, tuple[str, ...], str] | None
) -> bool:
    if other is None or name[2] != other[2] or not _same_first_name(name[0], other[0]):
        return False
    middle, other_middle = name[1], other[1]
    if middle and other_middle:
        return len(middle) == len(other_middle) and all(
            _initial_of(a, b) for a, b in zip(middle, other_middle, strict=True)
        )
    return True


def _same_first_name(first: str, other: str) -> bool:
    return (
        first == other
        or _initial_of(first, other)
        or other in _NICKNAMES.nicknames_of(first)
        or first in _NICKNAMES.nicknames_of(other)
    )


def _initial_of(word: str, other: str) -> bool:
    """Whether the two are the same name or one is the other's initial."""
    if len(word) == 1 or len(other) == 1:
        return word[:1] == other[:1]
    return word == other


def _person_with(words: tuple[str, ...], entities: Sequence[_Entity]) -> _Entity | None:
    """The full name a surname or first name stands for, if only one person fits.

    Two people who share a surname ("Elizabeth Burton", "Victor Burton") leave a bare "Burton"
    on its own: joining it to the more mentioned one would make one person of two.
    """
    candidates = [
        e
        for e in entities
        if e.kind == "PER" and len(e.words) > len(words) and _contains(e.words, words)
    ]
    if len({e.words[0] for e in candidates}) != 1:
        return None
    return max(candidates, key=lambda e: len(e.mentions))


def _expansion_of(mention: Mention, entities: Sequence[_Entity], body: str) -> _Entity | None:
    """The longer name an acronym stands for: "EU" joins "European Union" ("AMAs" the
    "American Music Awards"), of the same type, or of any type when the text defines it:
    "the Environment Agency (EA)"."""
    word = mention.words[0]
    for entity in entities:
        if entity.kind == "PER" or len(entity.words) < 2:
            continue
        initials = _acronym(entity.words)
        spelt = word in (initials, initials + "s")
        if spelt and entity.kind == mention.kind:
            return entity
        # Defined: "the Environment Agency (EA)", "General Bathymetric Chart of the Oceans
        # (GEBCO)", whose letters the long form's initials alone do not spell.
        if _defined_before(entity, mention, body) and (
            spelt or long_form_start(word, entity.words) == 0
        ):
            return entity
    return None


def _defined_before(entity: _Entity, mention: Mention, body: str) -> bool:
    """Whether some mention of `entity` is followed by "(" and then `mention`."""
    return any(
        m.end < mention.start and body[m.end : mention.start].strip() == "("
        for m in entity.mentions
    )


def _display_name(mention: Mention, body: str) -> str:
    """The mention's text with whitespace tidied and brackets that split the name dropped."""
    pieces = [body[mention.tokens[0].start : mention.tokens[0].end]]
    for before, token in itertools.pairwise(mention.tokens):
        gap = body[before.end : token.start]
        pieces.append(" " if any(c in NAME_BREAKS for c in gap) else gap)
        pieces.append(body[token.start : token.end])
    return " ".join("".join(pieces).split())


class _Named(NamedTuple):
    """An entity as it goes out: its name (the longest form), type and key."""

    entity: _Entity
    name: str
    kind: str
    key: str | None = None


def _finish(
    entities: list[_Entity], body: str, key: Callable[[str, str], str] | None
) -> list[dict[str, Any]]:
    named = [_named(entity, body) for entity in entities]
    if key is not None:
        named = _joined_by_key(named, key)
    if not named:
        return []
    most = max(len(n.entity.mentions) for n in named)
    out: list[dict[str, Any]] = []
    for entity, name, kind, entity_key in named:
        first = entity.mentions[0].start / max(len(body), 1)
        count = len(entity.mentions)
        salience = (1 - _POSITION_WEIGHT) * count / most + _POSITION_WEIGHT * (1 - first)
        out.append(
            {
                "name": name,
                "type": kind,
                **({"key": entity_key} if entity_key is not None else {}),
                "mentions": [
                    {"start": m.start, "end": m.end, "text": body[m.start : m.end]}
                    for m in entity.mentions
                ],
                "count": count,
                "salience": round(min(max(salience, 0.0), 1.0), 4),
            }
        )
    out.sort(key=lambda e: (-e["salience"], e["mentions"][0]["start"]))
    return out


def _named(entity: _Entity, body: str) -> _Named:
    entity.mentions.sort(key=lambda m: m.start)
    longest = max(entity.mentions, key=lambda m: (len(m.tokens), -m.start))
    # Votes decide the type, so one stray LOC among five PER mentions does not split them.
    kind = entity.kinds.most_common(1)[0][0] if entity.kind != "PER" else "PER"
    return _Named(entity, _display_name(longest, body), kind)


def _joined_by_key(named: list[_Named], key: Callable[[str, str], str]) -> list[_Named]:
    """One entity per key: forms the rules above keep apart but one key makes one ("Burma"
    and "Myanmar", "Rolls-Royce" and "Rolls Royce") join, under the name and type of the one
    with more mentions (ties: the longer name)."""
    groups: dict[str, list[_Named]] = {}
    for n in named:
        groups.setdefault(key(n.name, n.kind), []).append(n)
    joined: list[_Named] = []
    for entity_key, group in groups.items():
        chosen = max(group, key=lambda n: (len(n.entity.mentions), len(n.name)))
        entity = chosen.entity
        if len(group) > 1:
            entity = _Entity(chosen.kind, entity.words)
            for member in group:
                entity.mentions.extend(member.entity.mentions)
                entity.kinds.update(member.entity.kinds)
            entity.mentions.sort(key=lambda m: m.start)
        joined.append(_Named(entity, chosen.name, chosen.kind, entity_key))
    return joined
