"""The word lists the tag stage's rules read: honorifics and titles, the first and last words
that tell a name's type (places, events, organisations), legal forms and kinds of organisation,
the forms of one country's or state's name, acronyms of common nouns.

In a module of their own because both rule modules read them (``spans`` cleans up the tagger's
spans, ``aliases`` merges them into entities) and training extends them
(``pipeline.training.tag.companies`` adds to LEGAL_SUFFIXES). Entries are lower case without a
trailing dot, the form ``bare`` gives a token.
"""

from __future__ import annotations

from pipeline.tag_model.features import normalise_token

# Words that mark the next capitalised word(s) as a person's name.
HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "sir",
        "dame",
        "lord",
        "lady",
        "mister",
        "madam",
        "monsieur",
        "herr",
        "frau",
    ]
)
# Leading words that can be tagged inside a person's span but are not part of the name.
TITLES = HONORIFICS | frozenset(
    [
        "president",
        "prime",
        "minister",
        "chancellor",
        "senator",
        "sen",
        "rep",
        "gov",
        "governor",
        "general",
        "gen",
        "col",
        "colonel",
        "captain",
        "capt",
        "lt",
        "sgt",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "rev",
        "reverend",
        "judge",
        "justice",
        "secretary",
        "mayor",
        "chairman",
        "chairwoman",
        "sheikh",
        "ayatollah",
        "archbishop",
        "bishop",
        "cardinal",
        "professor",
        "prof",
        "premier",
        "vice",
        "deputy",
        "former",
        "late",
        "foreign",
        "defence",
        "defense",
        "home",
        "interior",
        "envoy",
        "attorney",
    ]
)
# A "person" or "organisation" ending in one of these is a misread place ("Jolinda Drive",
# "Leicester Square"), a "person" ending in an ORG_HEADS word an organisation ("Dick Clark
# Productions"): CoNLL's Reuters text rarely shows such names, so the CRF falls back on their
# shape.
PLACE_HEADS = frozenset(
    [
        "street",
        "st",
        "road",
        "avenue",
        "ave",
        "boulevard",
        "blvd",
        "drive",
        "highway",
        "square",
        "lane",
        "place",
        "bridge",
        "river",
        "island",
        "islands",
        "county",
        "valley",
    ]
)
# Acronyms of common nouns, which the tagger reads as organisations for their capitals ("the
# IPO", "its COO"); alone they name nothing. eng.train tags none of them but one "IPO".
COMMON_ACRONYMS = frozenset(
    [
        "ipo",
        "ceo",
        "coo",
        "cfo",
        "cto",
        "cio",
        "gdp",
        "gnp",
        "vat",
        "icu",
        "faq",
        "suv",
        "atm",
        "ai",
    ]
)
# First words that make a "person" or "organisation" a place: "River Ouse", "Lake Como".
PLACE_LEADS = frozenset(["river", "lake", "mount", "mt", "cape", "isle", "gulf", "bay"])
# Last words of an event's, a prize's or a law's name, which CoNLL types MISC ("Davis Cup",
# "US Open", "Nobel Prize", "Patriot Act"; eng.train has no other type for these heads) and
# modern news has more of ("Milan Design Week", "Dubai Air Show", "Glastonbury Festival").
EVENT_HEADS = frozenset(
    [
        "cup",
        "championship",
        "championships",
        "open",
        "prize",
        "prix",
        "trophy",
        "olympics",
        "act",
        "festival",
        "week",
        "show",
        "awards",
        "expo",
        "marathon",
    ]
)
# Trailing words that say what kind of organisation a name is: "Emirates Airline" is the
# "Emirates" of the next paragraph, "Ford Motor" is "Ford", the "Labour Party" is "Labour".
# Only organisations drop them: "Brexit Party" and (MISC) "Brexit" stay apart.
ORG_KIND_WORDS = frozenset(
    ["airline", "airlines", "airways", "group", "holdings", "motor", "motors", "company", "party"]
)
# Last words that make a "person" an organisation: those kind words and the legal or
# institutional ones that are part of a name ("Bank", "Ltd", "Productions").
ORG_HEADS = ORG_KIND_WORDS | frozenset(
    [
        "corporation",
        "corp",
        "inc",
        "ltd",
        "plc",
        "bank",
        "council",
        "ministry",
        "university",
        "productions",
        "studios",
        "records",
        "entertainment",
        "pictures",
        "foundation",
        "institute",
        "association",
        "agency",
        "commission",
        "committee",
    ]
)
# Leading words of a job title that the CRF can read into an organisation's span: "Head of
# Platform Solutions for Ascom" names Ascom; the title ends at the last "of"/"for"/"at".
JOB_TITLES = frozenset(
    [
        "head",
        "chief",
        "director",
        "manager",
        "general",
        "executive",
        "officer",
        "ceo",
        "founder",
        "co-founder",
        "president",
        "vice",
        "chairman",
        "chairwoman",
        "editor",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "professor",
        "dean",
        "partner",
        "analyst",
    ]
)
# Trailing words of a person's name that tell a father from a son, not one name from another:
# "Patrick Carlineo Jr." is the "Patrick W. Carlineo" and "Pat Carlineo" of the same story.
GENERATIONAL_SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv"])
# Trailing words that name a company's legal form, not the company: "Apple Inc." is "Apple".
LEGAL_SUFFIXES = frozenset(["inc", "corp", "corporation", "ltd", "plc", "llc", "co", "ag", "sa"])
# Names of one country or US state, each group keyed by its first entry. Only forms that name
# nothing else in news are listed ("America" alone is the country in news; "the Americas" is
# not listed).
PLACE_NAMES = {
    form: group[0]
    for group in (
        ("united states", "us", "u.s", "usa", "u.s.a", "america", "united states of america"),
        ("united kingdom", "uk", "u.k", "britain", "great britain"),
        ("united arab emirates", "uae", "u.a.e"),
        ("european union", "eu", "e.u"),
        # GeoNames' "Holland" is a town in Michigan; the news's is the Netherlands.
        ("netherlands", "holland"),
        # US states and their AP-style abbreviations, as datelines write them ("SANTA FE, N.M.").
        # Left out: "Miss." (an honorific first), "La." and "Pa." (the keys "la" and "pa" would
        # also catch LA, Los Angeles, and PA, the news agency).
        ("alabama", "ala"),
        ("arizona", "ariz"),
        ("arkansas", "ark"),
        ("california", "calif"),
        ("colorado", "colo"),
        ("connecticut", "conn"),
        ("delaware", "del"),
        ("florida", "fla"),
        ("georgia", "ga"),
        ("illinois", "ill"),
        ("indiana", "ind"),
        ("kansas", "kan"),
        ("kentucky", "ky"),
        ("maryland", "md"),
        ("massachusetts", "mass"),
        ("michigan", "mich"),
        ("minnesota", "minn"),
        ("missouri", "mo"),
        ("montana", "mont"),
        ("nebraska", "neb"),
        ("nevada", "nev"),
        ("new hampshire", "n.h"),
        ("new jersey", "n.j"),
        ("new mexico", "n.m"),
        ("new york", "n.y"),
        ("north carolina", "n.c"),
        ("north dakota", "n.d"),
        ("oklahoma", "okla"),
        ("oregon", "ore"),
        ("rhode island", "r.i"),
        ("south carolina", "s.c"),
        ("south dakota", "s.d"),
        ("tennessee", "tenn"),
        ("vermont", "vt"),
        ("virginia", "va"),
        ("washington", "wash"),
        ("west virginia", "w.va"),
        ("wisconsin", "wis"),
        ("wyoming", "wyo"),
    )
    for form in group
}
# A bracket or quote between two person fragments: "(Russian President Vladimir) Putin".
NAME_BREAKS = frozenset(["(", ")", "[", "]", '"', "\u201c", "\u201d"])


def bare(word: str) -> str:
    """A token as the word lists compare it: quotes normalised, lower case, no trailing dots
    ("Mr." and "Mr", "St." and "st")."""
    return normalise_token(word).rstrip(".").lower()


def office_word(word: str) -> bool:
    """A title that is not an honorific: "Chancellor", "King", not "Mr" (whose next word is a
    name)."""
    key = bare(word)
    return key in TITLES and key not in HONORIFICS
