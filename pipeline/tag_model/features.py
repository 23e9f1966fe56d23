"""Token features for the CRF, computed per document.

Speed matters here more than anywhere else in the tagger: Python string work per token is the
bottleneck, so everything that depends on the word form alone (shape, affixes, cluster paths)
is computed once per distinct form and cached, including the strings a neighbour contributes,
and only the few cross-token features are built per occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pipeline.tag_model.domain import is_sport
from pipeline.tag_model.gazetteer import Gazetteer

# Document domains the Featurizer can conjoin features with (meta.json's "domain", see
# domain.py): "sport" conjoins the capitalised word's identity (w=, l=), its neighbours' type
# (k=) and its gazetteer matches (g=) with the flag, instead of emitting them plainly, and adds a
# "sport" feature to every token of a sports document; words whose neighbours are MISC names and
# MISC gazetteer matches stay plain.
DOMAIN_SPORT = "sport"
# The same, but the conjoined copies come alongside the plain features instead of replacing them.
DOMAIN_SPORT_ALONGSIDE = "sport-alongside"
DOMAINS = (DOMAIN_SPORT, DOMAIN_SPORT_ALONGSIDE)
SPORT_SUFFIX = "|sp"
_SPORT_CONJOINED = ("w=", "l=", "k=")
_MISC_HINT = "k=MISC"

_NORMALISE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "--",
        "\u00a0": " ",
    }
)
_SHAPE_RUNS = re.compile(r"(.)\1+")
_CACHE_LIMIT = 200_000


def normalise_token(text: str) -> str:
    return text.translate(_NORMALISE)


def _shape(word: str) -> str:
    chars = []
    for ch in word:
        if ch.isupper():
            chars.append("X")
        elif ch.islower():
            chars.append("x")
        elif ch.isdigit():
            chars.append("d")
        else:
            chars.append(ch)
    return "".join(chars)


class _Word:
    """Everything about one word form that does not depend on its context."""

    __slots__ = ("own", "lower", "capitalised", "upper", "short_shape", "ctx", "_sport_own")

    def __init__(self, word: str, clusters: dict[str, str]) -> None:
        lower = word.lower()
        shape = _shape(word)
        short = _SHAPE_RUNS.sub(r"\1", shape)
        self.lower = lower
        self.short_shape = short
        self.capitalised = word[:1].isupper()
        self.upper = word.isupper() and len(word) > 1
        own = [f"w={word}", f"l={lower}", f"s={short}", f"S={shape if len(shape) <= 6 else short}"]
        for k in (1, 2, 3, 4):
            if len(word) > k:
                own.append(f"p{k}={word[:k]}")
                own.append(f"x{k}={lower[-k:]}")
        if self.capitalised:
            own.append("cap")
        if self.upper:
            own.append("upper")
        if any(ch.isdigit() for ch in word):
            own.append("digit")
        if "-" in word[1:]:
            own.append("hyphen")
        # Cluster ids at coarse/medium/fine granularity, "12/130/901", and with them (when the
        # table has it) the type of the word's nearest named neighbours (see clusters.py): a
        # hint about names, so only capitalised words carry it.
        levels = clusters.get(lower, "-/-/-").split("/")
        own.extend(f"c{k}={level}" for k, level in enumerate(levels[:3]))
        if len(levels) > 3 and levels[3] != "-" and self.capitalised:
            own.append(f"k={levels[3]}")
        self.own = own
        self._sport_own: list[str] | None = None
        # Strings this word contributes to its neighbours' feature lists, by relative position.
        cluster = levels[1] if len(levels) > 1 else "-"
        self.ctx = {
            off: (f"l[{off}]={lower}", f"s[{off}]={short}", f"c[{off}]={cluster}")
            for off in (-2, -1, 1, 2)
        }

    def sport_own(self, alongside: bool = False) -> list[str]:
        """`own` as a sports document's token has it: a capitalised word's identity and
        neighbours' type conjoined with the domain (built once per word form)."""
        if self._sport_own is None:
            # A word whose neighbours are MISC names (nationalities: "Dutch", "English") reads
            # the same in a match report and elsewhere: conjoining it only halves its evidence
            # (conjoining every word cost eng.testa a point of MISC F1).
            if self.capitalised and _MISC_HINT not in self.own:
                conjoined = [f + SPORT_SUFFIX for f in self.own if f.startswith(_SPORT_CONJOINED)]
                if alongside:
                    self._sport_own = self.own + conjoined
                else:
                    plain = [f for f in self.own if not f.startswith(_SPORT_CONJOINED)]
                    self._sport_own = plain + conjoined
            else:
                self._sport_own = self.own
        return self._sport_own


def _conjoined_match(feature: str) -> bool:
    """Whether a gazetteer match is conjoined with the sport flag: place, club and person
    readings differ between match reports and news ("Sheffield"); MISC ones do not."""
    return feature.startswith("g=") and not feature.endswith("-MISC")


class Featurizer:
    """Builds crfsuite attribute lists for every token of a document."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        clusters: dict[str, str] | None = None,
        lists: Mapping[str, Gazetteer] | None = None,
        domain: str | None = None,
    ) -> None:
        if domain is not None and domain not in DOMAINS:
            raise ValueError(f"unknown feature domain {domain!r} (known: {', '.join(DOMAINS)})")
        self.gazetteer = gazetteer
        # None: every document is featurised alike (models trained before domain.py).
        self.domain = domain
        self.clusters = clusters or {}
        # Name lists from outside CoNLL, by feature prefix ("x": places.py's place names, "n":
        # names.py's person names, "c": companies.py's company names): the same for training
        # and unseen text, so unlike `gazetteer` they need no out-of-fold matching.
        self.lists = dict(lists or {})
        self._cache: dict[str, _Word] = {}

    def _word(self, word: str) -> _Word:
        info = self._cache.get(word)
        if info is None:
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            info = self._cache[word] = _Word(word, self.clusters)
        return info

    def document(
        self, sentences: Sequence[Sequence[str]], gazetteer: Gazetteer | None = None
    ) -> list[list[list[str]]]:
        """Features for each token of each sentence; `gazetteer` overrides the default one
        (training uses it to match each document against lists built without it)."""
        gaz = gazetteer or self.gazetteer
        words = [[self._word(normalise_token(t)) for t in sentence] for sentence in sentences]
        sport = self.domain is not None and is_sport(sentences)
        alongside = self.domain == DOMAIN_SPORT_ALONGSIDE
        # Document-level evidence: a capitalised form seen mid-sentence somewhere in the document
        # is probably a name even where it starts a sentence or sits in an all-caps headline;
        # a form also seen in lower case probably is not.
        mid_caps: set[str] = set()
        lower_seen: set[str] = set()
        for sentence in words:
            for i, w in enumerate(sentence):
                if w.capitalised:
                    if i > 0 and not w.upper:
                        mid_caps.add(w.lower)
                elif w.lower[:1].isalpha():
                    lower_seen.add(w.lower)
        out: list[list[list[str]]] = []
        for sentence in words:
            n = len(sentence)
            headline = (
                n > 1
                and all(w.upper or not w.capitalised for w in sentence)
                and any(w.upper for w in sentence)
            )
            lowered = [w.lower for w in sentence]
            capitalised = [w.capitalised for w in sentence]
            gaz_features = gaz.match(lowered, capitalised)
            for prefix, names in self.lists.items():
                for own, more in zip(
                    gaz_features, names.match(lowered, capitalised, prefix), strict=True
                ):
                    own.extend(more)
            if sport:
                gaz_features = [
                    [
                        *(own if alongside else [f for f in own if not _conjoined_match(f)]),
                        *(f + SPORT_SUFFIX for f in own if _conjoined_match(f)),
                    ]
                    for own in gaz_features
                ]
            rows = []
            for i, w in enumerate(sentence):
                feats = ["b", *(w.sport_own(alongside) if sport else w.own), *gaz_features[i]]
                if sport:
                    feats.append(DOMAIN_SPORT)
                if i == 0:
                    feats.append("first")
                if i == n - 1:
                    feats.append("last")
                if headline:
                    feats.append("headline")
                if w.capitalised:
                    if w.lower in mid_caps:
                        feats.append("d=midcap")
                    if w.lower in lower_seen:
                        feats.append("d=lower")
                for off in (-2, -1, 1, 2):
                    j = i + off
                    if 0 <= j < n:
                        feats.extend(sentence[j].ctx[off])
                    else:
                        feats.append(f"l[{off}]=<pad>")
                prev = lowered[i - 1] if i > 0 else "<s>"
                nxt = lowered[i + 1] if i + 1 < n else "</s>"
                feats.append(f"l[-1:0]={prev}|{w.lower}")
                feats.append(f"l[0:1]={w.lower}|{nxt}")
                prev_shape = sentence[i - 1].short_shape if i > 0 else "<s>"
                next_shape = sentence[i + 1].short_shape if i + 1 < n else "</s>"
                feats.append(f"s[-1:1]={prev_shape}|{w.short_shape}|{next_shape}")
                rows.append(feats)
            out.append(rows)
        return out
