"""Is a document a sports report? A small, transparent detector for the tagger's features.

CoNLL-2003 annotates a town as ORG where it names a club ("Sheffield", "Yorkshire" in the
sports pages) and as LOC elsewhere; with one weight per word the CRF carries the sports reading
into general news. The Featurizer can conjoin some features with this document-level flag (see
features.py, and meta.json's ``"domain"``) so the two readings are learnt apart.

The detector reads only the tokens, the same way on CoNLL documents and on modern articles (no
CoNLL "SOCCER -" desk headline is needed): it counts words of sport (``SPORT_WORDS``) and
score-like numbers ("3-1", "70-44", "3 - 1"), and calls a document sport when the count is
large both absolutely and per token. See pipeline/models/tag/PROVENANCE.md for its precision
and recall on CoNLL (by desk headline) and on the BBC corpus (by category).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

# Lower-cased words that are (nearly) only used about sport. Words as common in politics or
# business are left out ("win", "race", "team", "cup", "season", "points", "final", "set",
# "stage", "manager", "division", "draw", "declared": each fired in more non-sport than sport
# documents of eng.train or the BBC corpus, or nearly).
_SPORT_WORDS = """
    soccer football footballer rugby cricket tennis golf baseball basketball hockey athletics
    cycling swimming motorsport nfl nba nhl mlb fifa uefa
    match matches goal goals goalkeeper striker midfielder midfield defender scored scoring
    scorer penalty penalties halftime half-time kickoff kick-off equaliser equalizer offside
    innings wicket wickets batting bowler bowled bowling batsman batsmen
    inning homer homers pitcher strikeouts rbi bullpen
    touchdown touchdowns quarterback quarterbacks rebounds assists playoff playoffs
    tournament semifinal semifinals semi-final semi-finals quarter-final quarter-finals finals
    seed seeded unseeded tiebreak tie-break
    league standings fixture fixtures unbeaten
    coach captain squad stadium lap laps podium medal medals
    olympic olympics championship championships prix birdie birdies bogey par
    jockey racecourse rally
"""
SPORT_WORDS = frozenset(_SPORT_WORDS.split())
# Dashes read as hyphens ("3\u20131"), as features.normalise_token reads the en and em dash.
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
# A score: two numbers of one to three digits joined by a hyphen or dash ("3-1", "112-104").
_SCORE = re.compile(r"\d{1,3}-\d{1,3}")
_NUMBER = re.compile(r"\d{1,3}")
# Tokens that make a line of small numbers a financial or statistical table rather than a
# results line.
_NOT_RESULTS = frozenset({"$", "%", "pct", "percent", "mln", "million", "billion", "bln", "cents"})
RESULT_LINE_MAX = 20

# The decision (chosen on eng.train, checked on eng.testa and the BBC corpus).
MIN_HITS = 2
MIN_DENSITY = 0.01


class Evidence(NamedTuple):
    """What the detector counted in one document."""

    words: int  # tokens in SPORT_WORDS
    scores: int  # score-like numbers and result lines
    tokens: int  # all tokens

    @property
    def hits(self) -> int:
        return self.words + self.scores

    @property
    def density(self) -> float:
        return self.hits / self.tokens if self.tokens else 0.0


def is_result_line(tokens: Sequence[str]) -> bool:
    """A short line of names and small whole numbers: "Nancy 0 Paris St Germain 0",
    "Ian Woosnam 68 70 71 209". A line with a decimal, a currency or a percentage is not."""
    if len(tokens) > RESULT_LINE_MAX or not any(t[:1].isupper() for t in tokens):
        return False
    numbers = 0
    for token in tokens:
        if _NUMBER.fullmatch(token):
            numbers += 1
        elif token.lower() in _NOT_RESULTS or any(ch.isdigit() for ch in token):
            return False
    return numbers >= 2


def _is_spaced_score(tokens: Sequence[str], i: int) -> bool:
    """Whether tokens[i] is the dash of a score split into three tokens ("3 - 1")."""
    return (
        tokens[i] == "-"
        and 0 < i < len(tokens) - 1
        and _NUMBER.fullmatch(tokens[i - 1]) is not None
        and _NUMBER.fullmatch(tokens[i + 1]) is not None
    )


def evidence(sentences: Sequence[Sequence[str]]) -> Evidence:
    """Count the sport words, score-like numbers and result lines of a document's tokens."""
    words = scores = tokens = 0
    for sentence in sentences:
        normalised = [t.translate(_DASHES) for t in sentence]
        tokens += len(normalised)
        if is_result_line(normalised):
            scores += 1
        for i, token in enumerate(normalised):
            if token.lower() in SPORT_WORDS:
                words += 1
            elif _SCORE.fullmatch(token) or _is_spaced_score(normalised, i):
                scores += 1
    return Evidence(words, scores, tokens)


def is_sport(sentences: Sequence[Sequence[str]]) -> bool:
    """Whether a document (its sentences of tokens) reads as a sports report."""
    found = evidence(sentences)
    return found.hits >= MIN_HITS and found.density >= MIN_DENSITY
