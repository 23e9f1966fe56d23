"""Tagged spans -> the article's entities: titles stripped, aliases merged, salience scored.

Within one article "Sir Keir Starmer", "Sir Keir" and "Starmer" are one person, "Keir Starmer";
"Mr Putin" is "Vladimir Putin" when the full name appears. Honorifics and titles never belong to
a name, and the word after a personal honorific ("Mr", "Sir") is a person whatever the CRF said:
its CoNLL-trained features know Reuters style ("Mr." is rare there) better than British style.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from nicknames import NickNamer

from pipeline.tag_model.conll import chunks
from pipeline.tag_model.features import normalise_token
from pipeline.tag_model.wordlists import (
    COMMON_ACRONYMS,
    EVENT_HEADS,
    GENERATIONAL_SUFFIXES,
    HONORIFICS,
    JOB_TITLES,
    LEGAL_SUFFIXES,
    NAME_BREAKS,
    ORG_HEADS,
    ORG_KIND_WORDS,
    PLACE_HEADS,
    PLACE_LEADS,
    PLACE_NAMES,
    TITLES,
    bare,
    office_word,
)
from pipeline.text.abbreviations import is_short_form, long_form_start, max_long_form_words
from pipeline.text.datelines import credited_names
from pipeline.text.sentences import Token

# Where a job title read into an organisation's span (JOB_TITLES) ends.
_TITLE_ENDS = frozenset(["of", "for", "at"])
# A possessive's ending as the tokenizer gives it, which the tagger can run into a name.
_CLITICS = frozenset({"'s", "'", "s"})
# What keeps a comma inside one name: "Goldman, Sachs & Co", "Bureau of Alcohol, Tobacco and
# Firearms", "BioVest Research, Inc".
_LIST_JOINERS = frozenset(["and", "&"])
# A model number after a name: letters and digits mixed ("A350", "A330neo", "PS4", "F40") or
# three digits (Boeing's "737", "S&P 500"); one or two digits are scores, four a year. And the
# words that can follow one ("737 Max", "PS4 Pro").
# Quarters, halves and fiscal years are no models ("Apple Q3 results", "its H1 profit").
_MODEL_NUMBER = re.compile(r"(?!Q\d$|H\d$|FY)[A-Z]{1,3}\d{1,4}[a-zA-Z]{0,3}|\d{3}")
_MODEL_SUFFIXES = frozenset(["max", "pro", "plus", "ultra", "mini", "neo", "lite", "xl"])
_POSITION_WEIGHT = 0.4


@dataclass
class Mention:
    kind: str
    tokens: list[Token]
    # Typed by a rule that outranks the tagger (a dateline's place, a credited agency): such a
    # mention never joins a person as the surname it is not.
    sure: bool = False

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end

    @cached_property
    def words(self) -> tuple[str, ...]:
        # Asked for on every comparison while merging: computed once per mention.
        return tuple(_spelling_key(t.text) for t in self.tokens)


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


def _spelling_key(word: str) -> str:
    """A word as merging compares it: lower case, without accents, and with the endings that
    transliterations of one Slavic name disagree on made one ("Zelenskyy", "Zelenskiy",
    "Zelensky"; "José", "Jose")."""
    folded = unicodedata.normalize("NFKD", normalise_token(word).lower())
    key = "".join(ch for ch in folded if not unicodedata.combining(ch))
    if len(key) > 4 and key.endswith(("yy", "iy", "ij")):
        key = key[:-2] + "y"
    return key


def mentions_from_tags(
    sentences: Sequence[Sequence[Token]], tags: Sequence[Sequence[str]], body: str
) -> list[Mention]:
    """Spans from the tagger's tags (over ``body``'s tokens), cleaned up with the honorific and
    job-title rules, with the places and agencies of datelines and credits added."""
    found: list[Mention] = []
    for tokens, sentence_tags in zip(sentences, tags, strict=True):
        spans = {start: (kind, end) for kind, start, end in chunks(sentence_tags)}
        # A capitalised run after an honorific is a person, whatever (if anything) was tagged.
        for i, token in enumerate(tokens[:-1]):
            if bare(token.text) not in HONORIFICS or _is_covered(spans, i):
                continue
            j = i + 1
            while j < len(tokens) and j - i <= 3 and tokens[j].text[:1].isupper():
                j += 1
            inside = sorted(s for s in spans if i < s < j)
            for start in inside:
                if spans[start][1] > j:  # a longer span runs on past the name: leave it alone
                    j = start
                    break
            for start in inside:
                if start < j:
                    del spans[start]
            if j > i + 1:
                spans[i + 1] = ("PER", j)
        _with_defined_long_forms(tokens, spans)
        _with_model_numbers(tokens, spans)
        for start, (kind, end) in sorted(spans.items()):
            for words in _run_on_names(list(tokens[start:end]), body):
                mention = _cleaned(kind, words)
                if mention is not None:
                    found.append(mention)
    found = _without_sentence_openers(_join_broken_names(found, sentences), sentences)
    return _with_credits(found, sentences, body)


def _with_defined_long_forms(tokens: Sequence[Token], spans: dict[int, tuple[str, int]]) -> None:
    """Make each name defined by a bracketed abbreviation one span, and the abbreviation
    another of its type: the tagger reads "General Bathymetric Chart of the Oceans (GEBCO)" as
    a MISC "General Bathymetric Chart" and a LOC "Oceans". Only where the tagger saw a name in
    the long form ("gross domestic product (GDP)" names nothing); its type is the one most of
    the long form's tagged words had (ties: ORG). `spans` (start -> (type, end)) is changed in
    place."""
    for i in range(1, len(tokens) - 2):
        short = tokens[i + 1].text
        if tokens[i].text != "(" or tokens[i + 2].text != ")" or not is_short_form(short):
            continue
        first = max(0, i - max_long_form_words(short))
        found = long_form_start(short, [t.text for t in tokens[first:i]])
        if found is None:
            continue
        begin = first + found
        overlapping = [s for s, (_, end) in spans.items() if s < i and end > begin]
        if i - begin < 2 or not tokens[begin].text[:1].isupper() or not overlapping:
            continue
        votes: Counter[str] = Counter()
        for start in overlapping:
            kind, end = spans.pop(start)
            votes[kind] += min(end, i) - max(start, begin)
            if start < begin:  # "Bank of England's" before "Monetary Policy Committee (MPC)"
                spans[start] = (kind, begin)
        # A tie goes to ORG, what most defined abbreviations name ("World Travel" LOC +
        # "Tourism Council" ORG before "(WTTC)").
        kind = max(votes, key=lambda k: (votes[k], k == "ORG"))
        spans[begin] = (kind, i)
        if not _is_covered(spans, i + 1):
            spans[i + 1] = (kind, i + 2)


def _with_model_numbers(tokens: Sequence[Token], spans: dict[int, tuple[str, int]]) -> None:
    """A maker's or a title's name followed by a model number is a product, MISC, number
    included: "Airbus A350", "Boeing 737 Max", "PS4 Pro", "Nikkei 225". Scores and years are
    no model numbers ("Arsenal 2", "Palm Bay 18", "Euro 2020" is left to the tagger).
    `spans` (start -> (type, end)) is changed in place."""
    for start, (kind, end) in list(spans.items()):
        if kind not in ("ORG", "MISC") or end >= len(tokens) or _is_covered(spans, end):
            continue
        if not _MODEL_NUMBER.fullmatch(tokens[end].text):
            continue
        end += 1
        while (
            end < len(tokens)
            and tokens[end].text.lower() in _MODEL_SUFFIXES
            and not _is_covered(spans, end)
        ):
            end += 1
        spans[start] = ("MISC", end)


def _cleaned(kind: str, words: list[Token]) -> Mention | None:
    """One tagged name as a mention (None if nothing of it is left): titles, clitics and job
    titles cut, and the type its head word says."""
    # Titles alone ("the Attorney General said") name an office, not a person; one title word
    # may be a surname ("King" of "Graham King"), which `merge` decides.
    if kind == "PER" and len(words) > 1 and all(office_word(t.text) for t in words):
        return None
    if len(words) == 1 and bare(words[0].text) in COMMON_ACRONYMS:
        return None
    # Only a person's span carries titles: "Home" in "Home Depot" is part of the name.
    while kind == "PER" and len(words) > 1 and bare(words[0].text) in TITLES:
        words.pop(0)
    # A clitic or a stray mark the tagger ran on into: "Thanks KLOOK!!" names "KLOOK".
    while len(words) > 1 and (
        normalise_token(words[-1].text).lower() in _CLITICS
        or not any(ch.isalnum() for ch in words[-1].text)
    ):
        words.pop()
    if kind != "PER":
        words = _without_job_title(words)
    if len(words) > 1:
        head, lead = (bare(w.text) for w in (words[-1], words[0]))
        if head in EVENT_HEADS:
            kind = "MISC"
        elif kind in ("PER", "ORG") and (head in PLACE_HEADS or lead in PLACE_LEADS):
            kind = "LOC"
        elif kind == "PER" and head in ORG_HEADS:
            kind = "ORG"
    if any(ch.isalnum() for t in words for ch in t.text) and not (
        len(words) == 1 and normalise_token(words[0].text).lower() in _CLITICS
    ):
        return Mention(kind, words)
    return None


def _after_honorific(mention: Mention, body: str) -> bool:
    before = body[: mention.start].split()
    return bool(before) and bare(before[-1]) in HONORIFICS


def _run_on_names(words: list[Token], body: str) -> list[list[Token]]:
    """A tagged run cut where one name ends and the next begins: at a line break, at a list
    comma or semicolon ("Facebook, Twitter", "Bracken; Yates") and at a bracket
    ("International Monetary Fund (IMF)": the name and its acronym). Not at "in"/"on": names
    and titles hold them as often as the tagger runs two names together ("Investors in
    People", "Shakespeare in Love" against "Bluewater in Kent"), and only knowing that Kent is
    a place would tell them apart."""
    pieces: list[list[Token]] = [[words[0]]]
    lowered = [normalise_token(t.text).lower() for t in words]
    for i in range(1, len(words)):
        token, before, joiner = words[i], words[i - 1], lowered[i - 1]
        if "\n" in body[before.end : token.start]:
            pieces.append([token])
        elif (joiner == "," and _list_comma(lowered, i - 1)) or joiner in ("(", ";"):
            pieces[-1].pop()
            pieces.append([token])
        else:
            pieces[-1].append(token)
    return [piece for piece in pieces if piece]


def _list_comma(lowered: list[str], at: int) -> bool:
    """Whether the comma at `at` separates two names rather than the parts of one."""
    rest = lowered[at + 1 :]
    return (
        bool(rest)
        and rest[0].rstrip(".") not in LEGAL_SUFFIXES
        and not _LIST_JOINERS.intersection(rest)
    )


def _without_job_title(words: list[Token]) -> list[Token]:
    """The organisation after a job title read into its span ("General Manager of Life Care
    Solutions Europe" -> "Life Care Solutions Europe"); other spans unchanged."""
    lowered = [normalise_token(t.text).lower() for t in words]
    if len(words) < 3 or lowered[0] not in JOB_TITLES:
        return words
    ends = [i for i, word in enumerate(lowered) if word in _TITLE_ENDS]
    if not ends or ends[-1] == len(words) - 1:
        return words
    rest = words[ends[-1] + 1 :]
    return rest if rest[0].text[:1].isupper() else words


def _with_credits(
    found: list[Mention], sentences: Sequence[Sequence[Token]], body: str
) -> list[Mention]:
    """The tagger's mentions, with the dateline's places and credited agencies in place of
    whatever the tagger made of those words."""
    names = list(credited_names(body))
    if not names:  # most articles: no dateline, no credit
        return found
    tokens = [t for sentence in sentences for t in sentence]
    credited = []
    for kind, start, end in names:
        inside = [t for t in tokens if start <= t.start and t.end <= end]
        if inside:
            credited.append(Mention(kind, inside, sure=True))
    taken = {t.start for m in credited for t in m.tokens}
    kept = [m for m in found if not any(t.start in taken for t in m.tokens)]
    return sorted(kept + credited, key=lambda m: m.start)


def _join_broken_names(found: list[Mention], sentences: Sequence[Sequence[Token]]) -> list[Mention]:
    """One person, not two, when only a bracket or quote separates two PER spans (the tagger
    reads "(Russian President Vladimir) Putin" as "Vladimir" and "Putin"), or when a first name
    that is also a place was read as one ("Aden" LOC + "O'Hara" PER)."""
    tokens_at = {t.start: (n, i) for n, s in enumerate(sentences) for i, t in enumerate(s)}
    out: list[Mention] = []
    for mention in found:
        previous = out[-1] if out else None
        if previous is not None and mention.kind == "PER":
            n, i = tokens_at[previous.tokens[-1].start]
            m, j = tokens_at[mention.start]
            between = sentences[n][i + 1 : j] if n == m else None
            broken = (
                previous.kind == "PER"
                and between is not None
                and len(between) == 1
                and between[0].text in NAME_BREAKS
            )
            first_name = between == [] and len(mention.tokens) == 1 and _first_name_like(previous)
            if broken or first_name:
                out[-1] = Mention("PER", previous.tokens + mention.tokens)
                continue
        out.append(mention)
    return out


def _without_sentence_openers(
    found: list[Mention], sentences: Sequence[Sequence[Token]]
) -> list[Mention]:
    """Names with the capitalised word that opens their sentence cut off, where the article
    shows it is no part of them: the rest is named on its own elsewhere with the same type, the
    word is written in lower case elsewhere, never capitalised inside a sentence and no name on
    its own ("If Barclays sells" -> "Barclays").
    Only organisations and MISC names lose it: persons and places are too often named by a
    first name or a compass word alone."""
    openers = {s[0].start for s in sentences if s}
    named = {(m.kind, m.words) for m in found if m.start not in openers}
    candidates = [
        i
        for i, m in enumerate(found)
        if m.start in openers
        # Not a person's first name ("Rod Eddington said", then "Eddington") nor a place's
        # first word ("South Korea grew", then "Korea").
        and m.kind in ("ORG", "MISC")
        and len(m.tokens) > 1
        and (m.kind, m.words[1:]) in named
        # "Swiss Re" read as "Swiss" + "Re" must not cut "Munich Re": too short to tell.
        and len("".join(m.words[1:])) > 2
    ]
    if not candidates:  # most articles: no scan of their words below
        return found
    mid_caps: set[str] = set()
    lower_case: set[str] = set()
    for sentence in sentences:
        for k, token in enumerate(sentence):
            if token.text[:1].islower():
                lower_case.add(_spelling_key(token.text))
            elif k > 0 and token.text[:1].isupper():
                mid_caps.add(_spelling_key(token.text))
    name_words = {m.words[0] for m in found if len(m.words) == 1}
    out = list(found)
    for i in candidates:
        first = found[i].words[0]
        if (
            first not in mid_caps
            # A word of the language, written in lower case elsewhere: "if", "although", not
            # "Manchester" ("Manchester United won", then "United").
            and first in lower_case
            and first not in name_words  # "Google Stadia ...", then "Google said"
        ):
            out[i] = Mention(found[i].kind, found[i].tokens[1:], found[i].sure)
    return out


def _first_name_like(mention: Mention) -> bool:
    """A one-word place or organisation right before a one-word person, with nothing between,
    is that person's first name: "Aden O'Hara", "Chelsea Clinton", "Paris Hilton"."""
    word = mention.tokens[0].text
    return (
        len(mention.tokens) == 1
        and mention.kind in ("LOC", "ORG")
        and word[:1].isupper()
        and not word.isupper()
    )


def _is_covered(spans: dict[int, tuple[str, int]], i: int) -> bool:
    return any(start <= i < end for start, (_, end) in spans.items())


def _contains(name: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(name[k : k + n] == part for k in range(len(name) - n + 1))


def _acronym(words: tuple[str, ...]) -> str:
    return "".join(w[0] for w in words if w[:1].isalpha() and w not in {"of", "the", "and", "for"})


def merge(mentions: Sequence[Mention], body: str) -> list[dict[str, Any]]:
    """Group mentions into entities; longer names first so short forms can join them."""
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
            key = _name_key(words, org)
            target = next(
                (
                    e
                    for e in entities
                    if e.kind != "PER" and _name_key(e.words, org and e.kind == "ORG") == key
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
    return _finish(entities, body)


def _name_key(words: tuple[str, ...], organisation: bool) -> tuple[str, ...]:
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


def _finish(entities: list[_Entity], body: str) -> list[dict[str, Any]]:
    if not entities:
        return []
    most = max(len(e.mentions) for e in entities)
    out: list[dict[str, Any]] = []
    for entity in entities:
        entity.mentions.sort(key=lambda m: m.start)
        longest = max(entity.mentions, key=lambda m: (len(m.tokens), -m.start))
        name = _display_name(longest, body)
        # Votes decide the type, so one stray LOC among five PER mentions does not split them.
        kind = entity.kinds.most_common(1)[0][0] if entity.kind != "PER" else "PER"
        first = entity.mentions[0].start / max(len(body), 1)
        count = len(entity.mentions)
        salience = (1 - _POSITION_WEIGHT) * count / most + _POSITION_WEIGHT * (1 - first)
        out.append(
            {
                "name": name,
                "type": kind,
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
