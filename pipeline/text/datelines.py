"""Datelines and agency credits: where a news body says where it was filed and who filed it.

"HANOI, Vietnam (AP) —", "KYIV (Reuters) -", "LONDON, March 3 -", "SANTA FE, N.M. (AP) —" and a
bracketed "(AP)" anywhere. Two stages read them: the tagger, which names the places and the
agency (the CoNLL-trained CRF misses them: Reuters' own datelines were stripped from its text,
and all-caps words look like nothing it knows), and the stance stage, for which a name in a
dateline or credit carries no stance.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

AGENCY = (
    r"(?:AP|AFP|Reuters|Bloomberg|CNN|BBC|PA|dpa|DPA|UPI|Xinhua|TASS|Interfax|"
    r"Associated Press|Agence France-Presse|ANSA|EFE|Kyodo|Yonhap|CNBC|NBC|CBS|ABC)"
)
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DASH = r"(?:--?|–|—)"
_CAPS_WORD = r"[A-Z][A-Z.'’-]+"
WORD = r"[A-Z][\w.'’-]*"

# "KYIV (Reuters) -", "LONDON, March 3 -", "WASHINGTON —", "SAN JOSE, Calif. (AP) —",
# "Kyiv (Reuters) -" (a city in title case needs the agency to count). The places are named
# groups; the agency is found by AGENCY_CREDIT wherever it stands.
DATELINE = re.compile(
    rf"^\s*(?:(?P<city>{_CAPS_WORD}(?:\s+{_CAPS_WORD})*)"
    rf"(?:,\s*(?P<region>(?!{MONTH}\s+\d){WORD}(?:\s+{WORD})?))?"
    rf"(?:,?\s*{MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?)?(?:\s*\({AGENCY}\))?"
    rf"|(?P<titled_city>{WORD}(?:\s+{WORD})*)\s*\({AGENCY}\))"
    rf"\s*{_DASH}(?=\s)"
)
# All-caps words that open a line before a dash without being a place: "BREAKING —".
_NOT_PLACES = frozenset(
    [
        "BREAKING",
        "UPDATE",
        "UPDATED",
        "EXCLUSIVE",
        "WATCH",
        "LIVE",
        "OPINION",
        "ANALYSIS",
        "EDITORIAL",
        "COMMENT",
        "FACT",
        "CHECK",
        "NEWS",
        "REVIEW",
        "PHOTOS",
        "VIDEO",
        "NOTE",
    ]
)
# "(AP)", "(Reuters)" anywhere in a text.
AGENCY_CREDIT = re.compile(rf"\(\s*(?P<agency>{AGENCY})\s*\)")


def credited_names(body: str) -> Iterator[tuple[str, int, int]]:
    """(CoNLL type, start, end) of each place named by a dateline at the start of a line
    (LOC) and of each agency credited in brackets (ORG), in the order they appear."""
    found: dict[tuple[int, int], str] = {}
    for line in re.finditer(r"[^\n]+", body):
        match = DATELINE.match(line.group())
        if match is None:
            continue
        for group in ("city", "region", "titled_city"):
            name = match.group(group)
            if name is not None and not _NOT_PLACES.intersection(name.split()):
                found[line.start() + match.start(group), line.start() + match.end(group)] = "LOC"
    for match in AGENCY_CREDIT.finditer(body):
        found[match.start("agency"), match.end("agency")] = "ORG"
    for (start, end), kind in sorted(found.items()):
        yield kind, start, end
