"""Tagged spans -> mentions: the tagger's spans cleaned up before ``aliases`` merges them.

The CRF's CoNLL-2003 features know Reuters style better than British or modern news, and it runs
names together or types them by their shape; rules that read the span's own words and the
sentence around it put that right. The word after a personal honorific ("Mr", "Sir") is a
person whatever the CRF said ("Mr." is rare in Reuters text), and titles never belong to a
person's name. A run-on span is cut at line breaks, list commas and brackets, a capitalised
sentence opener run into a name is cut off, and stray marks and clitics are dropped. A span is
re-typed by its own words: a model number makes a product, "Cup" or "Act" an event or a law,
"River" or "Street" a place, "Productions" an organisation. Names split by a bracket are joined,
a bracketed abbreviation makes its long form one name, and a dateline's places and a credited
agency replace whatever the tagger made of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from pipeline.tag_model.conll import chunks
from pipeline.tag_model.features import normalise_token
from pipeline.tag_model.wordlists import (
    COMMON_ACRONYMS,
    EVENT_HEADS,
    HONORIFICS,
    JOB_TITLES,
    LEGAL_SUFFIXES,
    NAME_BREAKS,
    ORG_HEADS,
    PLACE_HEADS,
    PLACE_LEADS,
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
        return tuple(spelling_key(t.text) for t in self.tokens)


def spelling_key(word: str) -> str:
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
                lower_case.add(spelling_key(token.text))
            elif k > 0 and token.text[:1].isupper():
                mid_caps.add(spelling_key(token.text))
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
